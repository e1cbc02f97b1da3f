"""WARC 1.1 records of HTTP exchanges, built in memory: request, response and revisit
records, warcinfo, digests, and the gzip member each record is compressed into.

An exchange whose payload need not be stored again is written as a ``revisit`` record
instead of a ``response``: profile identical-payload-digest (these bytes were captured
before) or server-not-modified (a 304 to a conditional request). Either way the revisit keeps
the real status line and headers, names the original capture by URI, date *and* record id
(``WARC-Refers-To``, which warcio's own revisit helper leaves out), and stays paired with
its request record through ``WARC-Concurrent-To``.

Records are serialised with warcio's ``StatusAndHeaders`` (so the header syntax is exactly what
warcio reads back) but assembled and compressed here rather than through ``WARCWriter``:
warcio's writer gzips at a fixed level 9, streams every payload through 16 KB reads and may
spool it to a temporary file, all of which costs more than the whole fetch at 200+ pages/s.
Here each record is built in memory, each digest computed once, and each record compressed
into its own gzip member at a configurable level, so a record's file offset is a valid
random-access point for any WARC reader.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from zlib_ng import zlib_ng

# A live file is locked, so crash repair (archive.warc_repair) leaves it alone.
from archive.warc_pointer import WarcPointer

if TYPE_CHECKING:
    pass

logger = logging.getLogger(__name__)

WARC_VERSION = "WARC/1.1"
OPEN_SUFFIX = ".open"
WARC_SUFFIX = ".warc.gz"
# Prefix pywb uses for served headers it had to alter; replay tools pass it through untouched.
ORIGINAL_HEADER_PREFIX = "X-Archive-Orig-"

_DEFAULT_PORTS = {"http": 80, "https": 443}


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        # Running from a source checkout that was never pip-installed.
        return "0+unknown"


SOFTWARE = f"newsarchive/{_package_version('newsarchive')} warcio/{_package_version('warcio')}"


# WARC 1.1 section 6.7: the two revisit profiles this archive writes.
IDENTICAL_PAYLOAD_DIGEST = "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
SERVER_NOT_MODIFIED = "http://netpreserve.org/warc/1.1/revisit/server-not-modified"
REVISIT_PROFILES = frozenset({IDENTICAL_PAYLOAD_DIGEST, SERVER_NOT_MODIFIED})


@dataclass(frozen=True)
class Revisit:
    """Write an exchange as a revisit of an earlier capture instead of a full response.

    ``target_uri``, ``warc_date`` and ``record_id`` are the earlier record's
    ``WARC-Target-URI``, ``WARC-Date`` and ``WARC-Record-ID`` (an ``archive.index.model.Capture``
    has them under the same names: see :meth:`of`). With IDENTICAL_PAYLOAD_DIGEST the
    earlier record must hold the same payload; with SERVER_NOT_MODIFIED it is the capture
    the conditional request was validated against.
    """

    profile: str
    target_uri: str
    warc_date: str
    record_id: str

    def __post_init__(self) -> None:
        if self.profile not in REVISIT_PROFILES:
            raise ValueError(f"unknown revisit profile {self.profile!r}")
        for value in (self.target_uri, self.warc_date, self.record_id):
            check_field(value)

    @classmethod
    def of(cls, capture: CaptureLike, profile: str = IDENTICAL_PAYLOAD_DIGEST) -> Revisit:
        return cls(profile, capture.target_uri, capture.warc_date, capture.record_id)


class CaptureLike(Protocol):
    """Anything naming an earlier capture (``archive.index.model.Capture`` is one)."""

    @property
    def target_uri(self) -> str: ...

    @property
    def warc_date(self) -> str: ...

    @property
    def record_id(self) -> str: ...


@dataclass(frozen=True)
class WrittenExchange(WarcPointer):
    """What :meth:`RotatingWarcWriter.write_exchange` wrote: a :class:`WarcPointer` to the
    response or revisit record, plus what an index needs to remember a first capture.

    ``payload_digest`` is None only for a server-not-modified revisit (a 304 has no payload
    to digest, and an empty one would wrongly match every other empty body).
    """

    record_type: str  # "response" or "revisit"
    warc_date: str
    target_uri: str
    payload_digest: str | None

    @property
    def pointer(self) -> WarcPointer:
        """The plain pointer (equality with stored pointers compares the class too)."""
        return WarcPointer(self.filename, self.offset, self.record_id)


@dataclass
class HttpExchange:
    """One HTTP request and the response it got, as they went over the wire.

    Header names and values are the wire bytes decoded as latin-1 (lossless), repeated
    headers as separate tuples in the order served. ``payload`` is the body with any
    transfer coding removed but any content coding (gzip, br) still applied. ``protocol`` is
    the response's; ``request_protocol`` defaults to it, but differs when e.g. an HTTP/1.1
    client got an HTTP/1.0 answer.
    """

    url: str
    method: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    protocol: str
    status: int
    reason: str
    response_headers: list[tuple[str, str]]
    payload: bytes
    ip_address: str | None
    date: datetime
    request_protocol: str = ""


def new_record_id() -> str:
    return f"<urn:uuid:{uuid.uuid4()}>"


def warc_date(when: datetime) -> str:
    """WARC 1.1 date: UTC, always with microseconds (naive datetimes are taken as UTC)."""
    if when.tzinfo is not None:
        when = when.astimezone(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sha1_digest(*parts: bytes) -> str:
    """``sha1:<base32>``, the form warcio writes and ``warcio check`` verifies."""
    hasher = hashlib.sha1()
    for part in parts:
        hasher.update(part)
    return "sha1:" + base64.b32encode(hasher.digest()).decode("ascii")


def check_field(text: str) -> str:
    # A CR or LF would end the header block early and corrupt every later record.
    if "\r" in text or "\n" in text:
        raise ValueError(f"line break in WARC/HTTP header field: {text!r}")
    return text


def _checked(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(check_field(name), check_field(value)) for name, value in headers]


def dechunked_headers(headers: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
    """Headers made consistent with a body whose chunked framing was already removed.

    Keeping ``Transfer-Encoding: chunked`` over a de-chunked body would make readers
    (warcio's content_stream, pywb) try to de-chunk it again. The served value is kept under
    ``X-Archive-Orig-Transfer-Encoding`` as evidence; other transfer codings stay, since they
    are still applied to the stored bytes.
    """
    result: list[tuple[str, str]] = []
    for name, value in headers:
        if name.lower() == "transfer-encoding":
            codings = [c.strip() for c in value.split(",") if c.strip()]
            remaining = [c for c in codings if c.lower() != "chunked"]
            if len(remaining) != len(codings):
                result.append((ORIGINAL_HEADER_PREFIX + name, value))
                if remaining:
                    result.append((name, ", ".join(remaining)))
                continue
        result.append((name, value))
    return result


def host_header(url: str) -> str:
    """The Host value an HTTP client sends for ``url`` (default port omitted)."""
    parts = urlsplit(url)
    hostport = parts.netloc.rpartition("@")[2]
    default = _DEFAULT_PORTS.get(parts.scheme.lower())
    if default is not None and parts.port == default:
        hostport = hostport.rsplit(":", 1)[0]
    return hostport


def request_target(url: str) -> str:
    """Origin-form request target: path plus query string, never the fragment."""
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return target


def http_request_head(ex: HttpExchange) -> bytes:
    headers = dechunked_headers(ex.request_headers)
    if not any(name.lower() == "host" for name, _ in headers):
        headers.insert(0, ("Host", host_header(ex.url)))
    statusline = f"{request_target(ex.url)} {ex.request_protocol or ex.protocol}"
    head = StatusAndHeaders(check_field(statusline), _checked(headers), protocol=ex.method)
    data: bytes = head.to_bytes(encoding="latin-1")
    return data


def http_response_head(ex: HttpExchange) -> bytes:
    statusline = f"{ex.status} {ex.reason}"
    headers = _checked(dechunked_headers(ex.response_headers))
    head = StatusAndHeaders(check_field(statusline), headers, protocol=ex.protocol)
    data: bytes = head.to_bytes(encoding="latin-1")
    return data


def warc_record(
    warc_headers: list[tuple[str, str]], content_type: str, block_parts: Sequence[bytes]
) -> list[bytes]:
    """A complete uncompressed record as a list of byte strings (avoids copying the payload).

    ``warc_headers`` must already hold the digests; Content-Type and Content-Length go last.
    """
    length = sum(len(part) for part in block_parts)
    headers = _checked(warc_headers)
    headers.append(("Content-Type", content_type))
    headers.append(("Content-Length", str(length)))
    head = StatusAndHeaders("", headers, protocol=WARC_VERSION).to_bytes(encoding="utf-8")
    return [head, *block_parts, b"\r\n\r\n"]


def exchange_records(
    ex: HttpExchange,
    *,
    response_id: str,
    request_id: str,
    warcinfo_id: str | None,
    revisit: Revisit | None = None,
    payload_digest: str | None = None,
) -> tuple[list[bytes], list[bytes]]:
    """The (response or revisit, request) records for ``ex``, uncompressed, linked both ways.

    ``payload_digest`` saves recomputing ``sha1_digest(ex.payload)`` when the caller has it.
    A revisit's block is the HTTP head alone (identical-payload-digest: the payload is in
    the record it refers to) or the head plus whatever a 304 carried (normally nothing).
    """
    date = warc_date(ex.date)
    # The fragment never goes on the wire, so it is not part of the captured target.
    target_uri = ex.url.partition("#")[0]
    resp_head = http_response_head(ex)
    if payload_digest is None:
        payload_digest = sha1_digest(ex.payload)
    resp_warc = [
        ("WARC-Type", "response" if revisit is None else "revisit"),
        ("WARC-Record-ID", response_id),
        ("WARC-Date", date),
        ("WARC-Target-URI", target_uri),
    ]
    if ex.ip_address:
        resp_warc.append(("WARC-IP-Address", ex.ip_address))
    resp_warc.append(("WARC-Concurrent-To", request_id))
    if warcinfo_id:
        resp_warc.append(("WARC-Warcinfo-ID", warcinfo_id))
    if revisit is None:
        block = [resp_head, ex.payload]
        resp_warc.append(("WARC-Payload-Digest", payload_digest))
    else:
        resp_warc += [
            ("WARC-Profile", revisit.profile),
            ("WARC-Refers-To", revisit.record_id),
            ("WARC-Refers-To-Target-URI", revisit.target_uri),
            ("WARC-Refers-To-Date", revisit.warc_date),
        ]
        if revisit.profile == IDENTICAL_PAYLOAD_DIGEST:
            block = [resp_head]
            resp_warc.append(("WARC-Payload-Digest", payload_digest))
        else:
            block = [resp_head, ex.payload]
    resp_warc.append(("WARC-Block-Digest", sha1_digest(*block)))
    response = warc_record(resp_warc, "application/http; msgtype=response", block)

    req_head = http_request_head(ex)
    req_warc = [
        ("WARC-Type", "request"),
        ("WARC-Record-ID", request_id),
        ("WARC-Date", date),
        ("WARC-Target-URI", target_uri),
        ("WARC-Concurrent-To", response_id),
    ]
    if warcinfo_id:
        req_warc.append(("WARC-Warcinfo-ID", warcinfo_id))
    req_warc += [
        ("WARC-Payload-Digest", sha1_digest(ex.request_body)),
        ("WARC-Block-Digest", sha1_digest(req_head, ex.request_body)),
    ]
    request = warc_record(
        req_warc, "application/http; msgtype=request", [req_head, ex.request_body]
    )
    return response, request


def warcinfo_record(
    *, record_id: str, date: datetime, filename: str, fields: dict[str, str]
) -> list[bytes]:
    body = "".join(
        f"{check_field(k)}: {check_field(v)}\r\n" for k, v in fields.items() if v
    ).encode("utf-8")
    headers = [
        ("WARC-Type", "warcinfo"),
        ("WARC-Record-ID", record_id),
        ("WARC-Date", warc_date(date)),
        ("WARC-Filename", filename),
        ("WARC-Block-Digest", sha1_digest(body)),
    ]
    return warc_record(headers, "application/warc-fields", [body])


# The Content-Type of the metadata record that carries the crawl's site profile (its TOML
# text) at the start of every WARC file: a crawl's WARCs replay without the profile file.
PROFILE_CONTENT_TYPE = "application/toml; profile=newsarchive-site"


def profile_record(
    *, record_id: str, date: datetime, warcinfo_id: str, toml_text: str
) -> list[bytes]:
    """A ``metadata`` record about the file's warcinfo holding the site profile. No
    WARC-Target-URI: indexers would list it as a capture."""
    block = toml_text.encode("utf-8")
    headers = [
        ("WARC-Type", "metadata"),
        ("WARC-Record-ID", record_id),
        ("WARC-Date", warc_date(date)),
        ("WARC-Refers-To", warcinfo_id),
        ("WARC-Warcinfo-ID", warcinfo_id),
        ("WARC-Block-Digest", sha1_digest(block)),
    ]
    return warc_record(headers, PROFILE_CONTENT_TYPE, [block])


# Payloads compressed already (pictures, video, archives, a content coding): deflating them
# again saves nothing and costs as much as deflating a page (0.7 ms for a 37 KB JPEG, on the
# crawl's one busy thread), so their member stores them (level 0: still gzip, read alike).
_COMPRESSED_MEDIA = (
    "image/jpeg image/png image/gif image/webp image/avif image/heic image/heif font/woff "
    "font/woff2 application/zip application/gzip application/x-gzip application/zstd "
    "application/x-7z-compressed application/x-rar-compressed application/x-bzip2"
).split()
_COMPRESSED_KINDS = ("video/", "audio/")
_CONTENT_CODINGS = frozenset("gzip x-gzip br deflate zstd compress x-compress".split())


def compressed_already(ex: HttpExchange) -> bool:
    """Whether the response's payload is compressed already, by what the server said."""
    media = coding = ""
    for name, value in ex.response_headers:
        lowered = name.lower()
        if lowered == "content-type":
            media = value.split(";", 1)[0].strip().lower()
        elif lowered == "content-encoding":
            coding = value.strip().lower()
    return (
        coding in _CONTENT_CODINGS
        or media in _COMPRESSED_MEDIA
        or media.startswith(_COMPRESSED_KINDS)
    )


# zlib-ng deflates a page in 60 % of zlib's time at the same level and size, and its
# compressor object costs 3 µs where zlib's costs 40 µs even for a 300-byte request record
# (a page has five or so records): the crawl compresses every record on its one busy thread.
def gzip_member(parts: Iterable[bytes], level: int) -> bytes:
    """One self-contained gzip member, so each record can be read from its own offset."""
    compressor = zlib_ng.compressobj(level, zlib_ng.DEFLATED, zlib_ng.MAX_WBITS | 16)
    out = [compressor.compress(part) for part in parts]
    out.append(compressor.flush())
    return b"".join(out)
