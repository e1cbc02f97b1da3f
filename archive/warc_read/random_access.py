"""Reading the record at a known offset without scanning; damage there is an error."""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

from archive.warc_read.content_coding import _GZIP_MAGIC
from archive.warc_read.gzip_members import _gzip_records
from archive.warc_read.heads import _starts_record
from archive.warc_read.plain import _plain_records
from archive.warc_read.record import ArchivedRecord, ReadProblem
from archive.warc_read.source import _open_source


def _records_at(path: Path, offset: int) -> Generator[ArchivedRecord, None, None]:
    """The records that start at ``offset``: one, or several when a gzip member holds several.

    Raises ValueError when none can be read there.
    """
    if offset < 0:
        raise ValueError(f"{path}: negative offset {offset}")
    strict = _StrictUntilFirst(path, offset)
    with _open_source(path) as data:
        size = 0 if data is None else len(data)
        if data is None or offset >= size:
            raise ValueError(f"{path}: offset {offset} is past the end of the file ({size} bytes)")
        if data[offset : offset + 2] == _GZIP_MAGIC:
            records = _gzip_records(path, data, offset, strict, one_member=True)
        elif _starts_record(data, offset):
            records = _plain_records(path, data, offset, "warc", strict, single=True)
        else:
            found = bytes(data[offset : offset + 16])
            raise ValueError(
                f"{path}: no WARC/ARC record or gzip member at offset {offset} "
                f"(bytes there: {found!r})"
            )
        for record in records:
            strict.armed = False
            yield record
        if strict.armed:
            raise ValueError(f"{path}: no record at offset {offset}")


class _StrictUntilFirst:
    """Problem handler for random access: a problem before the first record is fatal."""

    def __init__(self, path: Path, offset: int) -> None:
        self.path = path
        self.offset = offset
        self.armed = True

    def __call__(self, problem: ReadProblem) -> None:
        if self.armed:
            raise ValueError(
                f"{self.path}: no valid record at offset {self.offset}: {problem.reason}"
            )
