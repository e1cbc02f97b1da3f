"""Gzip files member by member, so one bad member costs only its own records.

Also reads what other writers do: records split over members, whole-file gzip.
"""

from __future__ import annotations

import zlib
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from archive.warc_read.build import _make_record
from archive.warc_read.content_coding import _GZIP_MAGIC
from archive.warc_read.heads import (
    _BadRecord,
    _NeedMore,
    _parse_record,
    _skip_blank,
    _starts_record,
    _truncation,
)
from archive.warc_read.oversize import HOLD, PREFIX, Oversize, StreamedBlock, streamed_block
from archive.warc_read.record import ArchivedRecord, ProblemHandler, ReadProblem
from archive.warc_read.source import _FileSource


@dataclass
class _Member:
    offset: int  # in the file
    size: int  # compressed bytes
    data: bytes  # inflated (for a record too large to hold: its first bytes only)
    oversize: Oversize | None = None


class _MemberError(Exception):
    pass


_T = TypeVar("_T")


class _Lookahead(Generic[_T]):
    """An iterator that can peek one item ahead."""

    def __init__(self, items: Iterator[_T]) -> None:
        self._items = items
        self._ahead: deque[_T] = deque()

    def __iter__(self) -> _Lookahead[_T]:
        return self

    def __next__(self) -> _T:
        if self._ahead:
            return self._ahead.popleft()
        return next(self._items)

    def peek(self) -> _T | None:
        if not self._ahead:
            try:
                self._ahead.append(next(self._items))
            except StopIteration:
                return None
        return self._ahead[0]


_MIN_WINDOW = 1 << 14
_MAX_FIRST_WINDOW = 1 << 20


def _inflate_member(
    data: _FileSource, pos: int, end: int, window: int
) -> tuple[bytes, int, Oversize | None]:
    """(inflated data, compressed size, None) of the gzip member at ``pos``; for a member
    holding one record too large to hold, (its first bytes, compressed size, its checks).

    Feeds the compressed bytes in growing windows: the member's size is unknown in advance,
    and the input left over after its end is copied, so a window much larger than a member
    would cost a copy per record.  Output comes in bounded pieces, so a member that inflates
    to gigabytes is never held whole.
    """
    inflater = zlib.decompressobj(31)
    parts: list[bytes] = []
    held = 0
    streamed: StreamedBlock | None = None
    hold = HOLD
    fed = pos
    while True:
        end = min(end, len(data))
        stop = min(end, fed + window)
        pending = data[fed:stop]
        fed = stop
        while True:
            try:
                piece = inflater.decompress(pending, _PIECE)
            except zlib.error as exc:
                raise _MemberError(f"bad gzip member: {exc}") from exc
            if streamed is not None:
                streamed.feed(piece)
            else:
                parts.append(piece)
                held += len(piece)
                if hold and held > hold:
                    prefix = _first_bytes(parts, PREFIX)
                    streamed = streamed_block(prefix)
                    if streamed is None:
                        hold = 0  # many records in one member: held whole, as ever
                    else:
                        for part in parts:
                            streamed.feed(part)
                        parts = []
            pending = inflater.unconsumed_tail
            if not pending or inflater.eof:
                break
        if inflater.eof:
            size = fed - pos - len(inflater.unused_data)
            if streamed is not None:
                return prefix, size, streamed.result()
            inflated = parts[0] if len(parts) == 1 else b"".join(parts)
            return inflated, size, None
        if fed >= end:
            raise _MemberError("truncated gzip member")
        window *= 2


_PIECE = 4 << 20


def _first_bytes(parts: list[bytes], count: int) -> bytes:
    taken: list[bytes] = []
    for part in parts:
        taken.append(part[: count - sum(map(len, taken))])
        if sum(map(len, taken)) >= count:
            break
    return b"".join(taken)


def _gzip_members(path: Path, data: _FileSource, start: int) -> Iterator[_Member | ReadProblem]:
    """Each gzip member from ``start`` on, inflated; ReadProblem for each unreadable stretch."""
    pos = start
    window = _MIN_WINDOW
    while pos < len(data):  # len(), not a copy: a file cut short under us ends earlier
        if data[pos : pos + 2] == _GZIP_MAGIC:
            try:
                inflated, size, oversize = _inflate_member(data, pos, len(data), window)
            except _MemberError as exc:
                damaged: str | None = str(exc)
            else:
                window = min(_MAX_FIRST_WINDOW, max(_MIN_WINDOW, size * 2))
                yield _Member(pos, size, inflated, oversize)
                pos += size
                continue
        else:
            damaged = None
        following = _next_member(data, pos + 1)
        skipped = (following.offset if following is not None else len(data)) - pos
        if damaged is None:
            yield ReadProblem(path, pos, f"{skipped} bytes that are not gzip data")
        elif following is None:
            yield ReadProblem(path, pos, damaged)
        else:
            yield ReadProblem(path, pos, f"{damaged} ({skipped} bytes skipped)")
        if following is None:
            return
        yield following
        pos = following.offset + following.size


def _next_member(data: _FileSource, pos: int) -> _Member | None:
    """The next gzip member after damage: the first magic number whose member inflates.

    Candidates that do not inflate are skipped quietly: three bytes of compressed data match
    the magic number by chance about once per 16 MB.
    """
    while True:
        pos = data.find(b"\x1f\x8b\x08", pos)
        if pos < 0:
            return None
        try:
            inflated, size, oversize = _inflate_member(data, pos, len(data), _MIN_WINDOW)
        except _MemberError:
            pos += 1
            continue
        return _Member(pos, size, inflated, oversize)


def _gzip_records(
    path: Path, data: _FileSource, start: int, report: ProblemHandler, one_member: bool
) -> Iterator[ArchivedRecord]:
    """Records of a gzip file: normally one member each, but also records split over several
    members and several records in one member (whole-file gzip), with warnings.

    ``one_member``: only the records starting in the member at ``start`` (random access).
    """
    items: _Lookahead[_Member | ReadProblem] = _Lookahead(_gzip_members(path, data, start))
    for number, item in enumerate(items):
        if one_member and number:
            return
        if isinstance(item, ReadProblem):
            report(item)
            continue
        if item.oversize is not None:
            parsed = _parse_record(item.data, 0, len(item.data), head_only=True)
            yield _make_record(path, item.offset, item.size, parsed, item.data, item.oversize)
            continue
        # ``buf`` holds inflated bytes of one or more consecutive members; ``segments`` maps
        # buffer positions back to members (start in buffer, member).
        buf = item.data
        segments: list[tuple[int, _Member]] = [(0, item)]
        pos = 0
        previous_in_member = False
        while True:
            pos = _skip_blank(buf, pos, len(buf))
            if pos >= len(buf):
                break
            first = _segment_at(segments, pos)
            try:
                parsed = _parse_record(buf, pos, len(buf))
            except _NeedMore as exc:
                nxt = items.peek()
                if isinstance(nxt, _Member) and not _starts_record(nxt.data, 0):
                    next(items)  # the record goes on in the next member
                    buf, segments, pos = _join(buf, segments, pos, nxt)
                    continue
                if nxt is None:
                    reason = _truncation(exc, pos, len(buf))
                elif isinstance(nxt, ReadProblem):
                    reason = "truncated record: it goes on into a damaged gzip member"
                else:
                    reason = "Content-Length does not match: record runs past its gzip member"
                report(ReadProblem(path, first.offset, reason))
                break
            except _BadRecord as exc:
                report(ReadProblem(path, first.offset, exc.reason))
                break  # resync at the next member
            warnings = parsed.warnings
            last = _segment_at(segments, max(pos, parsed.block_end - 1))
            trailer_member: _Member | None = None
            if parsed.trailer_missing:
                nxt = items.peek()
                if isinstance(nxt, _Member) and nxt.data[:1] in (b"\r", b"\n"):
                    trailer_member = nxt
                    next(items)
                    warnings.append("record's CRLF CRLF trailer is in the next gzip member")
                elif parsed.format == "warc":
                    warnings.append("record is not followed by CRLF CRLF")
            if first is not last:
                warnings.append(
                    f"record spans gzip members {first.offset}..{last.offset + last.size} "
                    "(should be one member per record)"
                )
            if previous_in_member:
                warnings.append(
                    f"record shares the gzip member at {first.offset} with the record before "
                    "it: that offset does not lead to this record"
                )
            more_here = trailer_member is None and _skip_blank(
                buf, parsed.trailer_end, len(buf)
            ) < len(buf)
            if more_here and not previous_in_member:
                warnings.append(f"gzip member at {last.offset} holds more than one record")
            length = last.offset + last.size - first.offset
            try:
                record = _make_record(path, first.offset, length, parsed, buf)
            except _BadRecord as exc:
                report(ReadProblem(path, first.offset, exc.reason))
            else:
                record.shares_member = previous_in_member
                yield record
            if trailer_member is not None:
                buf, segments, pos = trailer_member.data, [(0, trailer_member)], 0
                previous_in_member = False
            else:
                pos = parsed.trailer_end
                previous_in_member = more_here


def _segment_at(segments: list[tuple[int, _Member]], pos: int) -> _Member:
    found = segments[0][1]
    for start, member in segments:
        if start > pos:
            break
        found = member
    return found


def _join(
    buf: bytes, segments: list[tuple[int, _Member]], pos: int, nxt: _Member
) -> tuple[bytes, list[tuple[int, _Member]], int]:
    """Drop what was consumed before ``pos`` and append the next member's bytes."""
    kept = [(start - pos, member) for start, member in segments]
    joined = buf[pos:] + nxt.data
    kept.append((len(buf) - pos, nxt))
    return joined, kept, 0
