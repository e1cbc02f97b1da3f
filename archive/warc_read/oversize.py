"""Records too large to hold: read through in pieces, their digests checked as the bytes
stream past, their payload not kept.

A record's block is held in memory (twice, as block and payload) for every use a reader has
of it; a 500 MB "page" would cost gigabytes.  Past ``MAX_HELD_RECORD_BYTES`` it could not be
extracted anyway (``archive.limits``), so the record is handed out with its headers and
HTTP head but an empty payload, ``oversize`` set to its block's size, and the result of its
digest checks.
"""

from __future__ import annotations

from dataclasses import dataclass

from archive.limits import MAX_HELD_RECORD_BYTES
from archive.warc_read.digests import DigestCheck
from archive.warc_read.heads import _BadRecord, _first, _parse_record, _Parsed
from archive.warc_read.http import _parse_http
from archive.warc_read.source import Buffer

HOLD = MAX_HELD_RECORD_BYTES
# How much of a record's start is kept to read its heads (WARC, HTTP) from.
PREFIX = 1 << 20
_PIECE = 4 << 20


@dataclass(frozen=True)
class Oversize:
    block_bytes: int
    digest_problems: list[str]


class StreamedBlock:
    """The digest checks of one record whose bytes are fed in order, from its start."""

    def __init__(self, parsed: _Parsed, head: bytes, record_type: str) -> None:
        """``head``: the record's first bytes, from its header line on, as far as they go."""
        self.block_start, self.block_end = parsed.block_start, parsed.block_end
        headers = parsed.headers
        block_digest = _first(headers, "WARC-Block-Digest")
        payload_digest = _first(headers, "WARC-Payload-Digest")
        self.block_check = DigestCheck(block_digest) if block_digest else None
        self.payload_check: DigestCheck | None = None
        self.payload_start = self.block_end
        http = _parse_http(
            head[self.block_start : self.block_start + PREFIX], record_type == "request"
        )
        chunked = http is not None and any(
            name.lower() == "transfer-encoding" and "chunked" in value.lower()
            for name, value in http[4]
        )
        if payload_digest and http is not None and not chunked:
            self.payload_start = self.block_start + http[5]
            self.payload_check = DigestCheck(payload_digest)
        self.position = 0

    def feed(self, piece: bytes | memoryview) -> None:
        start, end = self.position, self.position + len(piece)
        self.position = end
        view = memoryview(piece)
        for check, first in (
            (self.block_check, self.block_start),
            (self.payload_check, self.payload_start),
        ):
            low, high = max(start, first), min(end, self.block_end)
            if check is not None and low < high:
                check.update(view[low - start : high - start])

    def result(self) -> Oversize:
        problems = []
        if self.block_check is not None and self.block_check.matches() is False:
            problems.append(f"WARC-Block-Digest {self.block_check.value} does not match the block")
        if self.payload_check is not None and self.payload_check.matches() is False:
            problems.append(
                f"WARC-Payload-Digest {self.payload_check.value} does not match the payload"
            )
        return Oversize(self.block_end - self.block_start, problems)


def streamed_block(head: bytes) -> StreamedBlock | None:
    """For inflated data that has passed ``HOLD``: the checks of the record it starts with,
    or None when that record is small (records follow it in the same member: whole-file
    gzip, held as before) or its head does not parse (the usual path reports it)."""
    try:
        parsed = _parse_record(head, 0, len(head), head_only=True)
    except _BadRecord:
        return None
    if parsed.block_end <= HOLD:
        return None
    record_type = (_first(parsed.headers, "WARC-Type") or "").lower()
    return StreamedBlock(parsed, head, record_type)


def oversize_in_place(data: Buffer, parsed: _Parsed, record_type: str) -> Oversize | None:
    """An uncompressed record whose block is too large to hold, checked piece by piece from
    the file; None for one that is not."""
    if parsed.block_end - parsed.block_start <= HOLD:
        return None
    head_start = parsed.block_start
    head = bytes(data[head_start : head_start + PREFIX])
    checks = StreamedBlock(
        _Parsed(parsed.format, parsed.headers, 0, parsed.block_end - head_start, 0, False, []),
        head,
        record_type,
    )
    for at in range(head_start, parsed.block_end, _PIECE):
        checks.feed(data[at : min(at + _PIECE, parsed.block_end)])
    return checks.result()
