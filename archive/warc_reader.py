"""Reads WARC and ARC files (plain or gzip) record by record, surviving damage.

The base of replay, verify and offline crawls: everything a spider needs to rebuild a
response (target URI, status line, repeated headers, the payload as served and
:meth:`ArchivedRecord.body` decoded as Scrapy's HttpCompressionMiddleware would hand it over)
plus exact file offsets for random access.

Why not just ``warcio.ArchiveIterator``: it stops at the first broken gzip member, cannot
resynchronise, warns about a lying Content-Length only on stderr, silently falls back when a
chunked body does not de-chunk, and refuses whole-file gzip outright. So the *framing* is done
here: gzip members are inflated one by one (a bad one is skipped up to the next
member that inflates), plain files are cut by Content-Length and checked against the record
trailer (a bad record is skipped up to the next ``WARC/1.x`` or ARC header line).

Header blocks are parsed here too, with warcio's rules (tests compare the two on every sample
file): warcio's ``StatusAndHeadersParser`` cost a third of the read time of a 70 KB record.
HTTP heads are decoded as latin-1, not warcio's UTF-8-first, because the crawl sees the wire
bytes as latin-1 (lossless) and replay must see the same text. warcio still converts ARC dates
and decodes header lines that are not UTF-8.

Scrapy-free on purpose (``archive`` never imports Scrapy: docs/architecture.md).
"""

from __future__ import annotations

import base64
import binascii
import gzip
import hashlib
import io
import logging
import os
import re
import struct
import zlib
from collections import OrderedDict, deque
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from warcio.statusandheaders import StatusAndHeadersParser
from warcio.timeutils import timestamp_to_iso_date

from archive.archive_paths import SkippedPath, find_archives
from archive.warc_pointer import WarcPointer

logger = logging.getLogger(__name__)

__all__ = [
    "ArchivedRecord",
    "NotAWarc",
    "PayloadError",
    "ReadProblem",
    "RevisitResolver",
    "archive_files",
    "iter_records",
    "normalize_digest",
    "read_record_at",
]


class NotAWarc(Exception):
    """The file is not a WARC or ARC file at all (not: a WARC with some bad records)."""


class PayloadError(ValueError):
    """A payload whose Content-Encoding cannot be undone."""


@dataclass(frozen=True)
class ReadProblem:
    """A record that could not be read and was skipped (or a stretch of unreadable bytes)."""

    path: Path
    offset: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}@{self.offset}: {self.reason}"


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

    def body(self) -> bytes:
        """The payload with its content codings undone (what a Scrapy spider gets).

        Truncated gzip/deflate/br/zstd data gives what decodes, as Scrapy does (a warning is
        added to :attr:`warnings`); data that does not decode at all raises PayloadError.
        """
        data = self.payload
        if not data:
            return data
        codings = self.content_codings()
        if codings and codings[-1] in _GZIP_CODINGS and not data.startswith(_GZIP_MAGIC):
            # Stored decoded under the header the server sent (a browser capture's habit).
            self.warnings.append(f"Content-Encoding: {codings[-1]}, but the body is stored decoded")
            return data
        for coding in reversed(codings):
            try:
                data = _decode_coding(coding, data, self.warnings)
            except PayloadError as exc:
                raise PayloadError(f"{self._where()}: {exc}") from exc
        return data

    def check_digests(self) -> list[str]:
        """Mismatches between the recorded digests and the bytes read (empty: all good).

        The payload digest is accepted over the de-chunked payload (WARC 1.1) or over the
        still-chunked bytes (what some tools, warcio among them, have written).
        """
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


def _first(headers: list[tuple[str, str]], name: str) -> str | None:
    lowered = name.lower()
    for key, value in headers:
        if key.lower() == lowered:
            return value
    return None


def _raw_payload(record: ArchivedRecord) -> bytes:
    """The stored body after the HTTP head (still chunked if it was stored chunked)."""
    if record.http_statusline is None:
        return record.block
    end = _find_head_end(record.block, 0, len(record.block))
    return record.block[end:] if end >= 0 else b""


# =============================================================================================
# Public entry points
# =============================================================================================

ProblemHandler = Callable[[ReadProblem], None]


def iter_records(
    path: Path, on_problem: Callable[[ReadProblem], None] | None = None
) -> Iterator[ArchivedRecord]:
    """Every readable record of a .warc, .warc.gz, .arc or .arc.gz file (compression detected
    from bytes, not the name). A bad record is reported through ``on_problem`` (default:
    ignored) and skipped; reading goes on with the next record (gzip: at the next gzip member
    that inflates; plain: at the next line starting ``WARC/1.`` or an ARC header line).

    Raises NotAWarc at once (before iteration) if the file is not an archive at all. A
    truncated last record is reported as a ReadProblem and iteration ends normally.
    """
    path = Path(path)
    kind = _sniff(path)
    return _iterate(path, kind, on_problem or _ignore)


def read_record_at(path: Path, offset: int) -> ArchivedRecord:
    """The record starting at ``offset`` (a gzip member start for .gz), without scanning.

    Raises ValueError with a clear message if no valid record starts there.
    """
    records = _records_at(Path(path), offset)
    try:
        return next(records)
    finally:
        records.close()


def archive_files(
    paths: Iterable[Path],
    include_open: bool = False,
    on_skip: Callable[[SkippedPath], None] | None = None,
) -> list[Path]:
    """The archives to read, sorted by path (``archive_paths.find_archives``); unfinished
    ``*.open`` files only with ``include_open``.  What is not a regular file to read (a
    FIFO, a device, a symlink loop) goes to ``on_skip``, else is logged as a warning."""
    paths = [Path(path) for path in paths]
    found = find_archives(paths)
    named = {path for path in paths if not path.is_dir()}
    files = list(found.closed)
    skipped = list(found.skipped)
    for path in found.unfinished:
        if include_open or path in named:
            files.append(path)
        else:
            skipped.append(SkippedPath(path, _UNFINISHED))
    for problem in skipped:
        if on_skip is not None:
            on_skip(problem)
        else:
            logger.warning("skipped %s", problem)
    return sorted(files)


_UNFINISHED = (
    "unfinished WARC (still being written, or its crawl was killed: the next crawl of the "
    "site repairs it); name it explicitly to read it as it is"
)


def _ignore(problem: ReadProblem) -> None:
    logger.debug("skipped: %s", problem)


# =============================================================================================
# Telling archives from other files
# =============================================================================================

_SNIFF_BYTES = 1 << 16
_MAX_ARC_LINE = 1 << 16
_GZIP_MAGIC = b"\x1f\x8b"
# An ARC header line: URL, IP, 12-18 digit date, MIME type, then 1 (ARC v1: length) or 6 (v2)
# more fields. Loose on purpose: the parser decides; this only finds candidate lines.
_ARC_LINE = re.compile(rb"[A-Za-z][A-Za-z0-9+.\-]*:[^\r\n]* \S+ \d{12,18} \S+(?: \S+){1,6}\r?\n")
_ARC_RESYNC = re.compile(
    rb"\n(?=[A-Za-z][A-Za-z0-9+.\-]*:[^\r\n]* \S+ \d{12,18} \S+(?: \S+){1,6}\r?\n)"
)
_WARC_RESYNC = re.compile(rb"\n(?=WARC/\d+\.\d+\r?\n)")
# Only where a record is known to start (never to resynchronise: too loose for that).
_LOOSE_ARC_LINE = re.compile(rb"[A-Za-z][A-Za-z0-9+.\-]*:[^ \r\n]*(?: [^ \r\n]*){3} \d+\r?\n")


def _sniff(path: Path) -> str:
    """The file kind: "gzip", "warc" or "arc"; NotAWarc when the bytes are something else."""
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if head.startswith(_GZIP_MAGIC):
        inner = _gunzip_prefix(head)
        if inner is None or not inner.strip(b"\r\n") or _starts_record(inner, 0):
            # A damaged first member is a damaged archive, not "not an archive".
            return "gzip"
        raise NotAWarc(f"{path}: not a WARC/ARC file: gzip-compressed {_describe(inner)}")
    if _starts_record(head, 0):
        return "warc" if head.lstrip(b"\r\n").startswith(b"WARC/") else "arc"
    if not head:
        raise NotAWarc(f"{path}: not a WARC/ARC file: the file is empty")
    raise NotAWarc(f"{path}: not a WARC/ARC file: looks like {_describe(head)}")


def _gunzip_prefix(head: bytes) -> bytes | None:
    try:
        return zlib.decompressobj(31).decompress(head, 4096)
    except zlib.error:
        return None


def _starts_record(data: Buffer, pos: int) -> bool:
    pos = _skip_blank(data, pos, len(data))
    if data[pos : pos + 5] == b"WARC/":
        return True
    return _is_arc_line(data, pos, len(data))


def _is_arc_line(data: Buffer, pos: int, end: int) -> bool:
    """An ARC header line where a record starts: strict (a 12-18 digit date in place) or
    loose (a URL, then four fields, the last a length), since writers put ``None`` for the
    IP, ten-digit dates, no content type, or the IP and the date the wrong way round."""
    eol = data.find(b"\n", pos, min(end, pos + _MAX_ARC_LINE))
    if eol < 0:
        return False
    line = bytes(data[pos : eol + 1])
    return _ARC_LINE.match(line) is not None or _LOOSE_ARC_LINE.match(line) is not None


_MAGIC_NAMES = (
    (b"PK\x03\x04", "a zip archive (a WACZ? its WARCs are inside, under archive/)"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data (.warc.zst is not supported)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"SQLite format 3\x00", "an SQLite database"),
)


def _describe(head: bytes) -> str:
    """A few words on what ``head`` looks like, for NotAWarc messages."""
    if not head:
        return "empty data"
    for magic, name in _MAGIC_NAMES:
        if head.startswith(magic):
            return name
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    lowered = text[:1024].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered:
        return "HTML"
    if lowered.startswith(b"<?xml"):
        return "XML"
    if lowered.startswith(b"http/"):
        return "a raw HTTP message (not wrapped in WARC records)"
    if lowered.startswith((b"{", b"[")):
        return "JSON"
    sample = text[:200].decode("utf-8", "replace")
    lines = sample.splitlines()
    if lines and sample.count("\ufffd") <= 1 and lines[0].isprintable():
        return f"text ({lines[0][:60]!r})"
    return f"unknown bytes 0x{head[:8].hex()}"


# =============================================================================================
# Record framing
# =============================================================================================

_MAX_HEAD = 1 << 20  # a WARC header block larger than this is garbage, not a header
_WARC_VERSION = re.compile(r"WARC/\d+\.\d+", re.ASCII)
_TRAILER = b"\r\n\r\n"


class _BadRecord(Exception):
    """The record is unreadable; ``reason`` is the one-line ReadProblem reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _NeedMore(Exception):
    """The record continues past the end of the bytes at hand (``block_end`` -1: the header
    itself does)."""

    def __init__(self, block_end: int = -1) -> None:
        super().__init__(block_end)
        self.block_end = block_end


def _truncation(exc: _NeedMore, pos: int, end: int) -> str:
    if exc.block_end < 0:
        return "truncated record (its header is incomplete)"
    return f"truncated record ({end - pos} of {exc.block_end - pos} bytes present)"


@dataclass
class _Parsed:
    """Where a record's parts lie in the buffer, and its header fields."""

    format: str
    headers: list[tuple[str, str]]
    block_start: int
    block_end: int
    trailer_end: int
    trailer_missing: bool  # the block ends exactly where the bytes at hand end
    warnings: list[str]
    arc_mime: str | None = None


def _skip_blank(data: Buffer, pos: int, end: int) -> int:
    # Blank lines between records are allowed (and common after the CRLF CRLF trailer).
    byte_at = data.byte_at if isinstance(data, _FileSource) else data.__getitem__
    while pos < end and byte_at(pos) in (10, 13):
        pos += 1
    return pos


def _find_head_end(data: Buffer, start: int, limit: int) -> int:
    """Index just past the blank line ending a header block, or -1."""
    crlf = data.find(b"\r\n\r\n", start, limit)
    # A bare-LF blank line before the CRLF one means a writer that ends lines with LF.
    bare = data.find(b"\n\n", start, crlf if crlf >= 0 else limit)
    if bare >= 0:
        return bare + 2
    if crlf >= 0:
        return crlf + 4
    # Lines ending in CR CR LF (a writer that added a CR to lines that had one)
    doubled = data.find(b"\r\r\n\r\r\n", start, limit)
    return doubled + 6 if doubled >= 0 else -1


def _parse_record(data: Buffer, pos: int, end: int) -> _Parsed:
    if data[pos : pos + 5] == b"WARC/":
        return _parse_warc(data, pos, end)
    if _is_arc_line(data, pos, end):
        return _parse_arc(data, pos, end)
    first = bytes(data[pos : pos + 200]).split(b"\n", 1)[0].rstrip(b"\r")[:60]
    raise _BadRecord(f"unparsable WARC header: first line {first!r}")


def _parse_warc(data: Buffer, pos: int, end: int) -> _Parsed:
    limit = min(end, pos + _MAX_HEAD)
    head_end = _find_head_end(data, pos, limit)
    if head_end < 0:
        if limit == end:
            raise _NeedMore
        raise _BadRecord("unparsable WARC header: no blank line ends it")
    head = bytes(data[pos:head_end])
    version, headers = _parse_warc_head(head)
    if not _WARC_VERSION.fullmatch(version):
        raise _BadRecord(f"unparsable WARC header: first line {version[:60]!r}")
    length_text = _first(headers, "Content-Length")
    if length_text is None:
        raise _BadRecord("unparsable WARC header: no Content-Length")
    length_text = length_text.strip()
    if not _is_decimal(length_text):
        raise _BadRecord(f"unparsable WARC header: Content-Length {length_text[:30]!r}")
    if _first(headers, "WARC-Type") is None:
        raise _BadRecord("unparsable WARC header: no WARC-Type")
    block_end = head_end + int(length_text)
    if block_end > end:
        raise _NeedMore(block_end)
    trailer_end, missing, warnings = _check_trailer(data, block_end, end, arc=False)
    return _Parsed("warc", headers, head_end, block_end, trailer_end, missing, warnings)


def _is_decimal(text: str) -> bool:
    # str.isdigit() also accepts "¹" and other digits int() refuses.
    return text.isascii() and text.isdigit()


def _parse_warc_head(head: bytes) -> tuple[str, list[tuple[str, str]]]:
    """(version line, header fields) exactly as warcio's StatusAndHeadersParser reads them
    (continuation lines appended, lines without a colon dropped, UTF-8 else latin-1), at a
    tenth of its cost: header parsing was a third of the read time of a 70 KB record."""
    try:
        lines = head.decode("utf-8").split("\n")
    except UnicodeDecodeError:
        lines = [StatusAndHeadersParser.decode_header(line) for line in head.split(b"\n")]
    headers: list[tuple[str, str]] = []
    name = value = None
    for line in lines[1:]:
        line = line.rstrip()
        if line and line[0] in " \t":
            if value is not None:
                value += line
            continue
        if value is not None:
            headers.append((name, value))  # type: ignore[arg-type]
            name = value = None
        if not line:
            break
        name, sep, rest = line.partition(":")
        if sep:
            name, value = name.rstrip(" \t"), rest.lstrip()
    if value is not None:
        headers.append((name, value))  # type: ignore[arg-type]
    return lines[0].strip(), headers


def _check_trailer(
    data: Buffer, block_end: int, end: int, arc: bool
) -> tuple[int, bool, list[str]]:
    """Where the record really ends, given where Content-Length says its block ends.

    Bytes other than line ends right after the block mean the Content-Length is wrong: the
    record is then unreadable (which bytes belong to it is unknowable).
    """
    expected = b"\n" if arc else _TRAILER
    if data[block_end : block_end + len(expected)] == expected:
        return block_end + len(expected), False, []
    if block_end == end:
        return end, True, []
    after = _skip_blank(data, block_end, min(end, block_end + len(expected)))
    if after == end:
        return end, False, ["record ends with a short CRLF CRLF trailer"]
    if _starts_record(data, after):
        warning = "ARC record not followed by a newline" if arc else "short record trailer"
        return after, False, [warning]
    found = bytes(data[block_end : block_end + 8])
    raise _BadRecord(
        f"Content-Length does not match: block is followed by {found!r}, not a record end"
    )


def _parse_arc(data: Buffer, pos: int, end: int) -> _Parsed:
    limit = min(end, pos + _MAX_ARC_LINE)
    eol = data.find(b"\n", pos, limit)
    if eol < 0:
        if limit == end:
            raise _NeedMore
        raise _BadRecord("unparsable ARC header: no end of line")
    line = StatusAndHeadersParser.decode_header(bytes(data[pos:eol]).rstrip(b"\r"))
    warnings: list[str] = []
    fields = _split_arc_line(line) or _split_loose_arc_line(line, warnings)
    if fields is None:
        raise _BadRecord(f"unparsable ARC header: {line[:80]!r}")
    url, ip, stamp, mime, length_text = fields
    if not _is_decimal(length_text):
        raise _BadRecord(f"unparsable ARC header: length {length_text[:30]!r}")
    if len(stamp) != 14:
        warnings.append(f"ARC date {stamp!r} is not 14 digits")
    if not _IP_ADDRESS.fullmatch(ip) and not url.startswith("filedesc:"):
        warnings.append(f"ARC IP address {ip[:40]!r} is not an address")
    if not mime:
        warnings.append("ARC content type is empty")
    date = timestamp_to_iso_date(stamp[:14])
    block_start = eol + 1
    block_end = block_start + int(length_text)
    if block_end > end:
        raise _NeedMore(block_end)
    if url.startswith("filedesc://"):
        headers = [("WARC-Type", "warcinfo"), ("WARC-Filename", url[len("filedesc://") :])]
    else:
        headers = [("WARC-Type", "response"), ("WARC-Target-URI", url)]
    headers += [
        ("WARC-IP-Address", ip),
        ("WARC-Date", date),
        ("Content-Type", mime),
        ("Content-Length", length_text),
    ]
    trailer_end, missing, trailer_warnings = _check_trailer(data, block_end, end, arc=True)
    return _Parsed(
        "arc",
        headers,
        block_start,
        block_end,
        trailer_end,
        missing,
        warnings + trailer_warnings,
        arc_mime=mime,
    )


_ARC_DATE = re.compile(r"\d{12,18}", re.ASCII)


def _split_arc_line(line: str) -> tuple[str, str, str, str, str] | None:
    """(url, ip, date, mime, length) of an ARC v1 or v2 header line.

    Split from the right, because URLs in old ARC files may contain spaces.
    """
    parts = line.rsplit(" ", 4)
    if len(parts) == 5 and _ARC_DATE.fullmatch(parts[2]):
        return parts[0], parts[1], parts[2], parts[3], parts[4]
    # ARC v2: url ip date mime result-code checksum location offset filename length
    parts = line.rsplit(" ", 9)
    if len(parts) == 10 and _ARC_DATE.fullmatch(parts[2]):
        return parts[0], parts[1], parts[2], parts[3], parts[9]
    return None


def _split_loose_arc_line(line: str, warnings: list[str]) -> tuple[str, str, str, str, str] | None:
    """(url, ip, date, mime, length) of an ARC v1 line with a field as writers spoil it:
    the IP as ``None``, a date of fewer digits, no content type, the IP and the date
    swapped.  Each repair is a warning."""
    parts = line.rsplit(" ", 4)
    if len(parts) != 5 or not _is_decimal(parts[4]):
        return None
    url, ip, stamp, mime, length = parts
    if not stamp.isdigit() and ip.isdigit() and len(ip) >= 8:
        ip, stamp = stamp, ip
        warnings.append("ARC header has the IP address and the date swapped")
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) >= 8):
        return None
    return url, ip, stamp, mime, length


_IP_ADDRESS = re.compile(r"[0-9.]{7,15}|[0-9A-Fa-f:]{2,39}")


# =============================================================================================
# Building records
# =============================================================================================

_HTTP_RECORD_TYPES = frozenset({"response", "request", "revisit"})
_HTTP_CONTENT_TYPES = ("application/http", "message/http")
_RESPONSE_LINE = re.compile(r"(HTTP/\d+(?:\.\d+)?) +(\d{3})(?:[ \t].*)?", re.IGNORECASE | re.ASCII)
_REQUEST_LINE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*) +(\S+) +(HTTP/\d+(?:\.\d+)?)", re.ASCII)


def _make_record(
    path: Path, offset: int, length: int, parsed: _Parsed, data: Buffer
) -> ArchivedRecord:
    """An ArchivedRecord from a framed record; _BadRecord if its HTTP body is broken."""
    warnings = parsed.warnings
    block = bytes(data[parsed.block_start : parsed.block_end])
    if len(block) != parsed.block_end - parsed.block_start:
        raise _BadRecord("truncated record (the file was cut short while being read)")
    headers = parsed.headers
    first: dict[str, str] = {}
    concurrent: list[str] = []
    for name, value in headers:
        lowered = name.lower()
        first.setdefault(lowered, value)
        if lowered == "warc-concurrent-to":
            concurrent.append(value)

    rec_type = first.get("warc-type", "")
    target_uri = _clean_uri(first.get("warc-target-uri"), "WARC-Target-URI", warnings)
    content_type = first.get("content-type")

    http = None
    if block and rec_type in _HTTP_RECORD_TYPES and _may_be_http(parsed, content_type, target_uri):
        http = _parse_http(block, is_request=rec_type == "request")
        if http is None:
            first_line = block.split(b"\n", 1)[0][:60]
            warnings.append(f"block is not an HTTP message (first line {first_line!r})")
    if parsed.format == "arc" and http is not None:
        content_type = "application/http; msgtype=response"

    payload = block
    statusline = protocol = method = None
    status: int | None = None
    http_headers: list[tuple[str, str]] = []
    if http is not None:
        statusline, protocol, status, method, http_headers, payload_start, http_warnings = http
        warnings.extend(http_warnings)
        payload = block[payload_start:] if payload_start else block
        payload = _remove_transfer_coding(payload, http_headers, first, warnings)

    return ArchivedRecord(
        path=path,
        filename=path.name,
        offset=offset,
        length=length,
        type=rec_type,
        record_id=first.get("warc-record-id")
        if parsed.format == "warc"
        else arc_record_id(path.name, offset),
        target_uri=target_uri,
        date=first.get("warc-date"),
        warc_headers=headers,
        content_type=content_type,
        http_status=status,
        http_headers=http_headers,
        payload=payload,
        payload_digest=first.get("warc-payload-digest"),
        block_digest=first.get("warc-block-digest"),
        refers_to=first.get("warc-refers-to"),
        refers_to_target_uri=_clean_uri(
            first.get("warc-refers-to-target-uri"), "WARC-Refers-To-Target-URI", warnings
        ),
        refers_to_date=first.get("warc-refers-to-date"),
        revisit_profile=first.get("warc-profile"),
        concurrent_to=concurrent,
        warnings=warnings,
        format=parsed.format,
        http_statusline=statusline,
        http_protocol=protocol,
        http_method=method,
        block=block,
    )


def arc_record_id(filename: str, offset: int) -> str:
    """The id of an ARC record, which has none: its file and offset, stable for as long as
    the file keeps its name (what every pointer to the record holds anyway)."""
    return f"<urn:x-arc-record:{quote(filename, safe='')}@{offset}>"


def _clean_uri(uri: str | None, name: str, warnings: list[str]) -> str | None:
    if uri is None:
        return None
    if uri.startswith("<") and uri.endswith(">"):
        # wget 1.19 wrote <...> (the WARC 1.0 grammar's form); readers expect the bare URI.
        uri = uri[1:-1]
        warnings.append(f"{name} was in angle brackets")
    if " " in uri:
        # Same repair as warcio, so URIs stay comparable with warcio-built indexes (CDXJ).
        uri = uri.replace(" ", "%20")
        warnings.append(f"spaces in {name} percent-encoded")
    return uri


def _may_be_http(parsed: _Parsed, content_type: str | None, uri: str | None) -> bool:
    http_uri = uri is not None and uri.lower().startswith(("http:", "https:"))
    if parsed.format == "arc":
        return http_uri
    if content_type:
        return content_type.strip().lower().startswith(_HTTP_CONTENT_TYPES)
    return http_uri


_HttpParts = tuple[str, str, int | None, str | None, list[tuple[str, str]], int, list[str]]


def _parse_http(block: bytes, is_request: bool) -> _HttpParts | None:
    """(statusline, protocol, status, method, headers, payload start, warnings), or None when
    the block does not start with an HTTP status/request line."""
    warnings: list[str] = []
    head_end = _find_head_end(block, 0, len(block))
    if head_end < 0:
        # Revisits often store the head alone, some without its final blank line.
        head_end = len(block)
    text = block[:head_end].decode("latin-1")
    if "\r\r\n" in text:
        warnings.append("HTTP header lines end in CR CR LF")
    lines = text.split("\n")
    statusline = lines[0].rstrip("\r")
    status: int | None = None
    method: str | None = None
    if is_request:
        match = _REQUEST_LINE.fullmatch(statusline)
        if match is None:
            return None
        method, protocol = match.group(1), match.group(3)
    else:
        match = _RESPONSE_LINE.fullmatch(statusline)
        if match is None:
            return None
        protocol, status = match.group(1), int(match.group(2))
    headers: list[tuple[str, str]] = []
    for raw in lines[1:]:
        line = raw.rstrip("\r")
        if not line:
            break
        if line[0] in " \t" and headers:
            # obs-fold: a continuation of the previous header's value.
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}")
            continue
        name, sep, value = line.partition(":")
        if not sep:
            warnings.append(f"HTTP header line without a colon dropped: {line[:40]!r}")
            continue
        headers.append((name.rstrip(" \t"), value.strip(" \t")))
    return statusline, protocol, status, method, headers, head_end, warnings


def _remove_transfer_coding(
    payload: bytes,
    http_headers: list[tuple[str, str]],
    warc_fields: dict[str, str],
    warnings: list[str],
) -> bytes:
    codings = [
        token.strip().lower()
        for name, value in http_headers
        if name.lower() == "transfer-encoding"
        for token in value.split(",")
        if token.strip()
    ]
    if not codings or not payload:
        return payload
    if codings[-1] != "chunked":
        warnings.append(f"Transfer-Encoding {', '.join(codings)} left applied")
        return payload
    if len(codings) > 1:
        warnings.append(f"Transfer-Encoding {', '.join(codings[:-1])} left applied")
    try:
        body, chunk_warnings = _dechunk(payload)
    except _ChunkError as exc:
        # Browser captures store the de-chunked body but keep the header (the digest, when
        # there is one, confirms it); as warcio does, the bytes are then kept as stored.
        digest = warc_fields.get("warc-payload-digest")
        if digest and _digest_matches(digest, payload):
            warnings.append("Transfer-Encoding: chunked, but the body is stored de-chunked")
        else:
            warnings.append(f"Transfer-Encoding: chunked, but {exc}: the body is kept as stored")
        return payload
    warnings.extend(chunk_warnings)
    return body


class _ChunkError(ValueError):
    pass


_HEX = frozenset(b"0123456789abcdefABCDEF")


def _dechunk(data: bytes) -> tuple[bytes, list[str]]:
    """Strict de-chunking: any framing error raises _ChunkError (warcio would fall back to
    the raw bytes and hand chunk-size lines to the page parser)."""
    parts: list[bytes] = []
    pos, end = 0, len(data)
    while True:
        if pos >= end:
            return b"".join(parts), ["chunked body has no final zero-size chunk (truncated?)"]
        eol = data.find(b"\n", pos, pos + 1024)
        if eol < 0:
            raise _ChunkError(f"no chunk-size line at byte {pos}")
        size_text = data[pos:eol].split(b";", 1)[0].strip(b" \t\r")
        if not size_text or not _HEX.issuperset(size_text):
            line = data[pos:eol].rstrip(b"\r")[:20]
            raise _ChunkError(f"bad chunk size {line!r} at byte {pos}")
        size = int(size_text, 16)
        pos = eol + 1
        if size == 0:
            return b"".join(parts), []  # trailer fields, if any, carry nothing we keep
        if pos + size > end:
            raise _ChunkError(f"chunk of {size} bytes at byte {pos} runs past the end")
        parts.append(data[pos : pos + size])
        pos += size
        if data[pos : pos + 2] == b"\r\n":
            pos += 2
        elif data[pos : pos + 1] == b"\n":
            pos += 1
        elif pos < end:
            raise _ChunkError(f"chunk at byte {pos - size} is not followed by CRLF")


# =============================================================================================
# Iteration: plain files
# =============================================================================================


def _iterate(path: Path, kind: str, report: ProblemHandler) -> Iterator[ArchivedRecord]:
    """Generator body of iter_records, opened lazily so an unstarted iterator holds no file."""
    with _open_source(path) as source:
        if source is None:  # emptied since it was sniffed
            return
        if kind == "gzip":
            yield from _gzip_records(path, source, 0, report, one_member=False)
        else:
            yield from _plain_records(path, source, 0, kind, report, single=False)


class _FileSource:
    """Random access to a file through one cached window: the slicing, ``find`` and regex
    search the parsers need. Not an mmap: a file that shrinks while mapped (our writer cuts
    off a half-written record; ``rsync --inplace``) kills the process with SIGBUS, while a
    short read here is just a truncated record.
    """

    WINDOW = 1 << 20

    def __init__(self, handle: io.BufferedReader) -> None:
        self._handle = handle
        self._size = os.fstat(handle.fileno()).st_size  # a growing .open file: read to here
        self._base = 0
        self._buf = b""

    def __len__(self) -> int:
        return self._size

    def _read(self, offset: int, length: int) -> bytes:
        self._handle.seek(offset)
        data = self._handle.read(length)
        if len(data) < length and offset + len(data) < self._size:
            self._size = offset + len(data)  # the file shrank under us: its end is here now
        return data

    def _cover(self, start: int, stop: int) -> bool:
        """Make the window hold [start, stop) if that fits in a window."""
        if self._base <= start and stop <= self._base + len(self._buf):
            return True
        if stop - start > self.WINDOW:
            return False
        self._buf, self._base = self._read(start, self.WINDOW), start
        return True

    def __getitem__(self, key: slice) -> bytes:
        start, stop, _ = key.indices(self._size)
        if stop <= start:
            return b""
        if self._cover(start, stop):
            return self._buf[start - self._base : stop - self._base]
        return self._read(start, stop - start)

    def byte_at(self, pos: int) -> int:
        self._cover(pos, pos + 1)
        index = pos - self._base
        return self._buf[index] if index < len(self._buf) else -1

    def find(self, sub: bytes, start: int, end: int | None = None) -> int:
        end = self._size if end is None else min(end, self._size)
        # Search what the window holds first: a header search is bounded by 1 MiB but almost
        # always ends within a few hundred bytes, so refilling up front would read 1 MiB each.
        refill = not self._base <= start < self._base + len(self._buf)
        while start < end:
            if refill:
                self._buf, self._base = self._read(start, self.WINDOW), start
            stop = min(end, self._base + len(self._buf))
            hit = self._buf.find(sub, start - self._base, stop - self._base)
            if hit >= 0:
                return hit + self._base
            if stop >= end or (refill and len(self._buf) < self.WINDOW):
                return -1
            start, refill = max(start + 1, stop - len(sub) + 1), True
        return -1

    def search_end(self, pattern: re.Pattern[bytes], pos: int) -> int:
        """Where the first match of ``pattern`` at or after ``pos`` ends, or -1.

        Reads overlap by an ARC line, so a match near a read's end is seen whole. Used only
        to resynchronise after damage, so it reads past the window rather than move it.
        """
        overlap = _MAX_ARC_LINE + 16
        span = self.WINDOW + overlap
        while pos < self._size:
            chunk = self._read(pos, span)
            at_end = len(chunk) < span or pos + len(chunk) >= self._size
            match = pattern.search(chunk)
            if match is not None and (at_end or match.start() < len(chunk) - overlap):
                return pos + match.end()
            if at_end:
                return -1
            pos += len(chunk) - overlap
        return -1


Buffer = bytes | _FileSource


def _search_end(data: Buffer, pattern: re.Pattern[bytes], pos: int) -> int:
    if isinstance(data, _FileSource):
        return data.search_end(pattern, pos)
    match = pattern.search(data, pos)
    return -1 if match is None else match.end()


@contextmanager
def _open_source(path: Path) -> Iterator[_FileSource | None]:
    """The file as a _FileSource (None when it is empty)."""
    with open(path, "rb") as handle:
        source = _FileSource(handle)
        yield source if len(source) else None


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
        except _BadRecord as exc:
            report(ReadProblem(path, pos, exc.reason))
        else:
            yield record
        if single:
            return
        pos = parsed.trailer_end


# =============================================================================================
# Iteration: gzip files
# =============================================================================================


@dataclass
class _Member:
    offset: int  # in the file
    size: int  # compressed bytes
    data: bytes  # inflated


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


def _inflate_member(data: _FileSource, pos: int, end: int, window: int) -> tuple[bytes, int]:
    """(inflated data, compressed size) of the gzip member at ``pos``.

    Feeds the compressed bytes in growing windows: the member's size is unknown in advance,
    and the input left over after its end is copied, so a window much larger than a member
    would cost a copy per record.
    """
    inflater = zlib.decompressobj(31)
    parts: list[bytes] = []
    fed = pos
    while True:
        end = min(end, len(data))
        stop = min(end, fed + window)
        try:
            parts.append(inflater.decompress(data[fed:stop]))
        except zlib.error as exc:
            raise _MemberError(f"bad gzip member: {exc}") from exc
        fed = stop
        if inflater.eof:
            inflated = parts[0] if len(parts) == 1 else b"".join(parts)
            return inflated, fed - pos - len(inflater.unused_data)
        if fed >= end:
            raise _MemberError("truncated gzip member")
        window *= 2


def _gzip_members(path: Path, data: _FileSource, start: int) -> Iterator[_Member | ReadProblem]:
    """Each gzip member from ``start`` on, inflated; ReadProblem for each unreadable stretch."""
    pos = start
    window = _MIN_WINDOW
    while pos < len(data):  # len(), not a copy: a file cut short under us ends earlier
        if data[pos : pos + 2] == _GZIP_MAGIC:
            try:
                inflated, size = _inflate_member(data, pos, len(data), window)
            except _MemberError as exc:
                damaged: str | None = str(exc)
            else:
                window = min(_MAX_FIRST_WINDOW, max(_MIN_WINDOW, size * 2))
                yield _Member(pos, size, inflated)
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
            inflated, size = _inflate_member(data, pos, len(data), _MIN_WINDOW)
        except _MemberError:
            pos += 1
            continue
        return _Member(pos, size, inflated)


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


# =============================================================================================
# Random access
# =============================================================================================


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


# =============================================================================================
# Content codings (HttpCompressionMiddleware's behaviour, without Scrapy)
# =============================================================================================

_CHUNK = 1 << 16


def _decode_coding(coding: str, data: bytes, warnings: list[str]) -> bytes:
    if coding in ("identity", ""):
        return data
    if coding in ("gzip", "x-gzip"):
        return _gunzip(data, warnings)
    if coding == "deflate":
        return _inflate(data)
    if coding == "br":
        return _unbrotli(data)
    if coding == "zstd":
        return _unzstd(data, warnings)
    raise PayloadError(f"unsupported Content-Encoding {coding!r}")


def _gunzip(data: bytes, warnings: list[str]) -> bytes:
    # Fast path: one well-formed member, the normal case.
    inflater = zlib.decompressobj(31)
    try:
        out = inflater.decompress(data)
        if inflater.eof and not inflater.unused_data:
            return out
    except zlib.error:
        pass
    return _gunzip_like_scrapy(data, warnings)


def _gunzip_like_scrapy(data: bytes, warnings: list[str]) -> bytes:
    """scrapy.utils.gz.gunzip: every member, and as much as decodes of a truncated or
    CRC-damaged body (an error only when nothing decodes)."""
    reader = gzip.GzipFile(fileobj=io.BytesIO(data))
    output = io.BytesIO()
    while True:
        try:
            chunk = reader.read1(_CHUNK)
        except (OSError, EOFError, struct.error) as exc:
            if output.tell() > 0:
                warnings.append(f"gzip body damaged ({exc}); the part that decodes is used")
                break
            raise PayloadError(f"gzip body does not decode: {exc}") from exc
        except zlib.error as exc:
            raise PayloadError(f"gzip body does not decode: {exc}") from exc
        if not chunk:
            break
        output.write(chunk)
    return output.getvalue()


def _inflate(data: bytes) -> bytes:
    """scrapy.utils._compression._inflate: zlib-wrapped deflate, else raw deflate."""
    inflater = zlib.decompressobj()
    try:
        try:
            return inflater.decompress(data) + inflater.flush()
        except zlib.error:
            # Raw deflate, as some Microsoft servers send it.
            inflater = zlib.decompressobj(-15)
            return inflater.decompress(data) + inflater.flush()
    except zlib.error as exc:
        raise PayloadError(f"deflate body does not decode: {exc}") from exc


def _unbrotli(data: bytes) -> bytes:
    try:
        import brotli
    except ImportError:
        try:
            import brotlicffi as brotli
        except ImportError as exc:
            raise PayloadError("Content-Encoding br needs the 'brotli' package") from exc
    try:
        decompressor = brotli.Decompressor()
        out: bytes = decompressor.process(data)
    except brotli.error as exc:
        raise PayloadError(f"br body does not decode: {exc}") from exc
    return out


def _unzstd(data: bytes, warnings: list[str]) -> bytes:
    module = _zstd_module()
    if module is None:
        raise PayloadError("Content-Encoding zstd needs the 'zstandard' package")
    if hasattr(module, "ZstdFile"):  # compression.zstd (3.14) or backports.zstd, as Scrapy
        reader = module.ZstdFile(io.BytesIO(data))
    else:  # zstandard
        reader = module.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True)
    output = io.BytesIO()
    while True:
        try:
            chunk = reader.read(_CHUNK)
        except EOFError:
            warnings.append("zstd body truncated; the part that decodes is used")
            break
        except Exception as exc:  # each zstd binding has its own error class
            raise PayloadError(f"zstd body does not decode: {exc}") from exc
        if not chunk:
            break
        output.write(chunk)
    return output.getvalue()


def _zstd_module() -> Any:
    for name in ("compression.zstd", "backports.zstd", "zstandard"):
        try:
            return __import__(name, fromlist=["_"])
        except ImportError:
            continue
    return None


# =============================================================================================
# Digests
# =============================================================================================

_DIGEST_SIZES = {"sha1": 20, "md5": 16, "sha256": 32, "sha512": 64}


def _digest_bytes(algorithm: str, text: str) -> bytes | None:
    """The raw digest from base32 (warcio, Heritrix), base16 (iana example) or base64."""
    size = _DIGEST_SIZES.get(algorithm)
    if size is None:
        return None
    text = text.strip()
    if len(text) == size * 2:
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    for decode in (_b32, base64.b64decode, base64.urlsafe_b64decode):
        try:
            raw = decode(text)
        except (binascii.Error, ValueError):
            continue
        if len(raw) == size:
            return raw
    return None


def _b32(text: str) -> bytes:
    text = text.upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _split_digest(value: str) -> tuple[str, str]:
    algorithm, _, text = value.strip().partition(":")
    return algorithm.strip().lower().replace("-", ""), text


def normalize_digest(value: str) -> str:
    """``algorithm:BASE32`` for any spelling of the same digest (base16/32/64, sha-1 or sha1),
    so digests written by different tools compare equal. Unknown forms come back trimmed."""
    algorithm, text = _split_digest(value)
    raw = _digest_bytes(algorithm, text)
    if raw is None:
        return value.strip()
    return f"{algorithm}:{base64.b32encode(raw).decode('ascii')}"


def _digest_matches(value: str, data: bytes) -> bool | None:
    """Whether ``data`` has digest ``value``; None for an algorithm we do not know. A value
    that does not decode for a known algorithm is a mismatch (``warcio check`` agrees)."""
    algorithm, text = _split_digest(value)
    if algorithm not in _DIGEST_SIZES:
        return None
    expected = _digest_bytes(algorithm, text)
    return expected is not None and hashlib.new(algorithm, data).digest() == expected


# =============================================================================================
# Revisits
# =============================================================================================

_Location = tuple[Path, int, str | None]  # file, offset, record id (None: first there)
_ORIGINAL_TYPES = frozenset({"response", "resource"})
_MAX_REVISIT_CHAIN = 8


class RevisitResolver:
    """Finds the original payload a revisit refers to, across a set of files.

    Remembers only where records are (path, offset, id), never their payloads; the few
    originals read back are kept in a small LRU cache (revisits of one page cluster).
    """

    def __init__(
        self,
        lookup_digest: Callable[[str], tuple[Path, int] | None] | None = None,
        *,
        cache_size: int = 32,
    ) -> None:
        self._lookup_digest = lookup_digest
        self._by_id: dict[str, _Location] = {}
        self._by_uri_date: dict[tuple[str, str], _Location] = {}
        self._by_digest: dict[str, _Location] = {}
        self._cache: OrderedDict[tuple[Path, int], list[ArchivedRecord]] = OrderedDict()
        self._cache_size = cache_size

    def remember(self, record: ArchivedRecord) -> None:
        """Note where a record is; call for every record iterated (cheap for others)."""
        if record.type not in _ORIGINAL_TYPES and record.type != "revisit":
            return
        location: _Location = (record.path, record.offset, record.record_id)
        # Revisits are kept by id and URI/date only: a revisit may refer to a revisit.
        if record.record_id:
            self._by_id.setdefault(record.record_id, location)
        if record.target_uri and record.date:
            self._by_uri_date.setdefault((record.target_uri, record.date), location)
        if record.type in _ORIGINAL_TYPES and record.payload and record.payload_digest:
            self._by_digest.setdefault(normalize_digest(record.payload_digest), location)

    def resolve(self, revisit: ArchivedRecord) -> ArchivedRecord | None:
        """The response/resource record holding the revisit's payload, or None.

        Follows a revisit that refers to another revisit (up to 8 deep).
        """
        if revisit.type != "revisit":
            raise ValueError(f"{revisit.filename}@{revisit.offset} is a {revisit.type} record")
        record: ArchivedRecord | None = revisit
        seen: set[tuple[Path, int, str | None]] = set()
        for _ in range(_MAX_REVISIT_CHAIN):
            assert record is not None
            record = self._resolve_one(record)
            if record is None or record.type != "revisit":
                return record
            key = (record.path, record.offset, record.record_id)
            if key in seen:
                return None
            seen.add(key)
        return None

    def _resolve_one(self, revisit: ArchivedRecord) -> ArchivedRecord | None:
        digest = normalize_digest(revisit.payload_digest) if revisit.payload_digest else None
        # Only an identical-payload revisit promises the original's digest; a 304's record
        # may carry the digest of its own (empty) body.
        identical = "identical-payload-digest" in (revisit.revisit_profile or "")
        same = digest if identical else None
        if revisit.refers_to and revisit.refers_to in self._by_id:
            found = self._read(self._by_id[revisit.refers_to])
            if found is not None:
                return found
        if revisit.refers_to_target_uri and revisit.refers_to_date:
            location = self._by_uri_date.get((revisit.refers_to_target_uri, revisit.refers_to_date))
            if location is not None:
                found = self._read(location, same)
                if found is not None and _same_payload(found, same):
                    return found
        if digest is None or not identical:
            return None
        if digest in self._by_digest:
            found = self._read(self._by_digest[digest], digest)
            if found is not None and _same_payload(found, digest):
                return found
        if self._lookup_digest is not None:
            hit = self._lookup_digest(revisit.payload_digest or digest)
            if hit is not None:
                found = self._read((Path(hit[0]), hit[1], None), digest)
                if (
                    found is not None
                    and found.type in _ORIGINAL_TYPES
                    and _same_payload(found, digest)
                ):
                    return found
        return None

    def _read(self, location: _Location, digest: str | None = None) -> ArchivedRecord | None:
        path, offset, record_id = location
        records = self._records(path, offset)
        if not records:
            return None
        for record in records:
            if record_id is not None and record.record_id == record_id:
                return record
            if record_id is None and digest and _same_payload(record, digest):
                return record
        return records[0] if record_id is None else None

    def _records(self, path: Path, offset: int) -> list[ArchivedRecord]:
        key = (path, offset)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        try:
            records = list(_records_at(path, offset))
        except (OSError, ValueError) as exc:
            logger.warning("revisit original unreadable: %s", exc)
            records = []
        self._cache[key] = records
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return records


def _same_payload(record: ArchivedRecord, digest: str | None) -> bool:
    if record.type not in _ORIGINAL_TYPES and record.type != "revisit":
        return False
    if digest is None or record.payload_digest is None:
        return True
    return normalize_digest(record.payload_digest) == digest
