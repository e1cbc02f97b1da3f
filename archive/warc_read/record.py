"""What a reader hands out: records, problems, and the errors that stop reading."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from archive.warc_pointer import WarcPointer
from archive.warc_read.content_coding import (
    _GZIP_MAGIC,
    PayloadError,
    PayloadTooLarge,
    _decode_coding,
)
from archive.warc_read.digests import _digest_matches
from archive.warc_read.heads import _find_head_end, _first


class NotAWarc(Exception):
    """The file is not a WARC or ARC file at all (not: a WARC with some bad records)."""


@dataclass(frozen=True)
class ReadProblem:
    """A record that could not be read and was skipped (or a stretch of unreadable bytes)."""

    path: Path
    offset: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}@{self.offset}: {self.reason}"


ProblemHandler = Callable[[ReadProblem], None]


@dataclass
class ArchivedRecord:
    """One WARC record (or ARC record, presented as its WARC equivalent)."""

    path: Path
    filename: str
    offset: int
    length: int
    type: str
    record_id: str | None
    target_uri: str | None
    date: str | None
    warc_headers: list[tuple[str, str]]
    content_type: str | None
    http_status: int | None
    http_headers: list[tuple[str, str]]
    payload: bytes = field(repr=False)
    payload_digest: str | None
    block_digest: str | None
    refers_to: str | None
    refers_to_target_uri: str | None
    refers_to_date: str | None
    revisit_profile: str | None
    concurrent_to: list[str]
    warnings: list[str]
    # -- additions to the contract ---------------------------------------------------------
    format: str = "warc"  # "warc" or "arc"
    # First line of the HTTP message as written ("HTTP/1.1 200 OK", "POST /x HTTP/1.1").
    http_statusline: str | None = None
    # "HTTP/1.1" (responses: first token; requests: last token).
    http_protocol: str | None = None
    http_method: str | None = None  # request records only
    # The record block as stored (HTTP head + body still chunked if it was), for digests.
    block: bytes = field(default=b"", repr=False)
    # A record too large to hold (archive.warc_read.oversize): its block's size; its payload
    # and block are then empty, and its digests were checked while it was read through.
    oversize: int = 0
    digest_problems: list[str] | None = None
    # In an uncompressed file, the line ends after the block that ``length`` counts: what a
    # CDXJ index leaves out of a record's length, as warcio does.
    trailer_bytes: int = 0
    # In a gzip file, the record shares its member with the one before it (whole-file gzip):
    # its offset leads to that other record, so no index can point at it.
    shares_member: bool = False

    def pointer(self) -> WarcPointer:
        """Where this record is, as records and the index point at it."""
        # ARC records have no record id: the pointer carries None.
        return WarcPointer(self.filename, self.offset, self.record_id)  # type: ignore[arg-type]

    def warc_header(self, name: str) -> str | None:
        """First WARC header called ``name`` (case-insensitive)."""
        return _first(self.warc_headers, name)

    def http_header(self, name: str) -> str | None:
        """First HTTP header called ``name`` (case-insensitive)."""
        return _first(self.http_headers, name)

    def http_header_values(self, name: str) -> list[str]:
        """Every value of a repeated HTTP header, in the order served."""
        lowered = name.lower()
        return [value for key, value in self.http_headers if key.lower() == lowered]

    def content_codings(self) -> list[str]:
        """Content-Encoding tokens in the order the server applied them (lower case)."""
        return [
            token.strip().lower()
            for value in self.http_header_values("Content-Encoding")
            for token in value.split(",")
            if token.strip()
        ]

    def body(self, limit: int = 0) -> bytes:
        """The payload with its content codings undone (what a Scrapy spider gets).

        Truncated gzip/deflate/br/zstd data gives what decodes, as Scrapy does (a warning is
        added to :attr:`warnings`); data that does not decode at all raises PayloadError.
        With ``limit``, a body that decodes to more raises PayloadTooLarge, and decoding
        stops there (a bomb is never inflated).
        """
        if self.oversize:
            raise PayloadTooLarge(
                f"{self._where()}: a record of {self.oversize:,} bytes, too large to hold"
            )
        data = self.payload
        if not data:
            return data
        codings = self.content_codings()
        if codings and codings[-1] in _GZIP_CODINGS and not data.startswith(_GZIP_MAGIC):
            # Stored decoded under the header the server sent (a browser capture's habit).
            self.warnings.append(f"Content-Encoding: {codings[-1]}, but the body is stored decoded")
            codings = codings[:-1]
        try:
            data = _decode_coding("identity", data, self.warnings, limit)
            for coding in reversed(codings):
                data = _decode_coding(coding, data, self.warnings, limit)
        except PayloadError as exc:
            raise type(exc)(f"{self._where()}: {exc}") from exc
        return data

    def check_digests(self) -> list[str]:
        """Mismatches between the recorded digests and the bytes read (empty: all good).

        The payload digest is accepted over the de-chunked payload (WARC 1.1) or over the
        still-chunked bytes (what some tools, warcio among them, have written).
        """
        if self.digest_problems is not None:
            return list(self.digest_problems)  # checked while it was read through
        problems: list[str] = []
        if self.block_digest and _digest_matches(self.block_digest, self.block) is False:
            problems.append(f"WARC-Block-Digest {self.block_digest} does not match the block")
        if self.payload_digest and self.type in ("response", "resource", "request"):
            matches = _digest_matches(self.payload_digest, self.payload)
            if matches is False and self.block:
                head = len(self.block) - len(_raw_payload(self))
                matches = _digest_matches(self.payload_digest, self.block[head:])
            if matches is False:
                problems.append(
                    f"WARC-Payload-Digest {self.payload_digest} does not match the payload"
                )
        return problems

    def _where(self) -> str:
        return f"{self.filename}@{self.offset} ({self.target_uri})"


_GZIP_CODINGS = frozenset({"gzip", "x-gzip"})


def _raw_payload(record: ArchivedRecord) -> bytes:
    """The stored body after the HTTP head (still chunked if it was stored chunked)."""
    if record.http_statusline is None:
        return record.block
    end = _find_head_end(record.block, 0, len(record.block))
    return record.block[end:] if end >= 0 else b""
