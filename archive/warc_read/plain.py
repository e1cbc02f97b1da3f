"""Uncompressed files: cut by Content-Length, a bad record skipped up to the next header."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from archive.warc_read.build import _make_record
from archive.warc_read.heads import (
    _ARC_RESYNC,
    _WARC_RESYNC,
    _BadRecord,
    _NeedMore,
    _parse_record,
    _skip_blank,
    _truncation,
)
from archive.warc_read.record import ArchivedRecord, ProblemHandler, ReadProblem
from archive.warc_read.source import _FileSource, _search_end


def _plain_records(
    path: Path, data: _FileSource, start: int, kind: str, report: ProblemHandler, single: bool
) -> Iterator[ArchivedRecord]:
    resync = _ARC_RESYNC if kind == "arc" else _WARC_RESYNC
    pos = start
    while True:
        end = len(data)  # a file cut short under us ends earlier
        pos = _skip_blank(data, pos, end)
        if pos >= end:
            return
        try:
            parsed = _parse_record(data, pos, end)
        except _NeedMore as exc:
            found = -1 if single else _search_end(data, resync, pos + 1)
            if found < 0:
                report(ReadProblem(path, pos, _truncation(exc, pos, end)))
                return
            report(
                ReadProblem(
                    path, pos, "Content-Length does not match: block runs past the end of the file"
                )
            )
            pos = found
            continue
        except _BadRecord as exc:
            report(ReadProblem(path, pos, exc.reason))
            found = -1 if single else _search_end(data, resync, pos + 1)
            if found < 0:
                return
            pos = found
            continue
        if parsed.trailer_missing and parsed.format == "warc":
            parsed.warnings.append("last record is not followed by CRLF CRLF")
        try:
            record = _make_record(path, pos, parsed.trailer_end - pos, parsed, data)
            record.trailer_bytes = parsed.trailer_end - parsed.block_end
        except _BadRecord as exc:
            report(ReadProblem(path, pos, exc.reason))
        else:
            yield record
        if single:
            return
        pos = parsed.trailer_end
