"""Rotating WARC 1.1 writer for HTTP exchanges (one request + one response record each).

An exchange whose payload need not be stored again is written as a ``revisit`` record
instead of a ``response``: profile identical-payload-digest (these bytes were captured
before) or server-not-modified (a 304 to a conditional request). Either way the revisit keeps
the real status line and headers, names the original capture by URI, date *and* record id
(``WARC-Refers-To``, which warcio's own revisit helper leaves out), and stays paired with
its request record through ``WARC-Concurrent-To``.

Scrapy-free on purpose: crawl glue and replay tooling both depend on ``archive``.

Records are serialised with warcio's ``StatusAndHeaders`` (so the header syntax is exactly what
warcio reads back) but assembled and compressed here rather than through ``WARCWriter``:
warcio's writer gzips at a fixed level 9, streams every payload through 16 KB reads and may
spool it to a temporary file, all of which costs more than the whole fetch at 200+ pages/s.
Here each record is built in memory, each digest computed once, and each record compressed
into its own gzip member at a configurable level, so a record's file offset is a valid
random-access point for any WARC reader.

Not thread-safe: one writer belongs to one thread (the reactor thread in a crawl). Only the
closing of a finished file (fsync + rename, which may block or need retrying) is handed to a
background thread, so rotation never stalls the caller.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
import secrets
import socket
import uuid
import zlib
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

import tenacity
from warcio.statusandheaders import StatusAndHeaders

# A live file is locked, so crash repair (archive.warc_repair) leaves it alone.
from archive.file_lock import lock_exclusively
from archive.warc_pointer import WarcPointer

if TYPE_CHECKING:
    from typing_extensions import Self

logger = logging.getLogger(__name__)

WARC_VERSION = "WARC/1.1"
OPEN_SUFFIX = ".open"
WARC_SUFFIX = ".warc.gz"
# Prefix pywb uses for served headers it had to alter; replay tools pass it through untouched.
ORIGINAL_HEADER_PREFIX = "X-Archive-Orig-"

_DEFAULT_PORTS = {"http": 80, "https": 443}
_SAFE_NAME_PART = re.compile(r"[^A-Za-z0-9.-]+")


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
            _check_field(value)

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


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _check_field(text: str) -> str:
    # A CR or LF would end the header block early and corrupt every later record.
    if "\r" in text or "\n" in text:
        raise ValueError(f"line break in WARC/HTTP header field: {text!r}")
    return text


def _checked(headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(_check_field(name), _check_field(value)) for name, value in headers]


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
    head = StatusAndHeaders(_check_field(statusline), _checked(headers), protocol=ex.method)
    data: bytes = head.to_bytes(encoding="latin-1")
    return data


def http_response_head(ex: HttpExchange) -> bytes:
    statusline = f"{ex.status} {ex.reason}"
    headers = _checked(dechunked_headers(ex.response_headers))
    head = StatusAndHeaders(_check_field(statusline), headers, protocol=ex.protocol)
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
        f"{_check_field(k)}: {_check_field(v)}\r\n" for k, v in fields.items() if v
    ).encode("utf-8")
    headers = [
        ("WARC-Type", "warcinfo"),
        ("WARC-Record-ID", record_id),
        ("WARC-Date", warc_date(date)),
        ("WARC-Filename", filename),
        ("WARC-Block-Digest", sha1_digest(body)),
    ]
    return warc_record(headers, "application/warc-fields", [body])


def gzip_member(parts: Iterable[bytes], level: int) -> bytes:
    """One self-contained gzip member, so each record can be read from its own offset."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    out = [compressor.compress(part) for part in parts]
    out.append(compressor.flush())
    return b"".join(out)


def _retry_rename(exc: BaseException) -> bool:
    # A vanished source will not come back; locks (Windows, AV scanners) and busy network
    # filesystems do clear.
    return isinstance(exc, OSError) and not isinstance(exc, FileNotFoundError)


@tenacity.retry(
    retry=tenacity.retry_if_exception(_retry_rename),
    stop=tenacity.stop_after_attempt(6),
    wait=tenacity.wait_exponential(multiplier=0.05, max=2),
    reraise=True,
)
def _publish(open_path: Path, final_path: Path) -> None:
    os.rename(open_path, final_path)


def _finish_file(fd: int, open_path: Path, final_path: Path) -> None:
    """Make a finished file durable, then give it its final name (runs off the caller thread).

    Renamed while still open, i.e. still locked: another process repairing leftover ``.open``
    files (a scaled-out worker starting up) must never see this one unlocked under its
    ``.open`` name. If fsync or the rename fails, the file stays ``.open`` and the next
    crawl's repair closes it."""
    try:
        os.fsync(fd)
        _publish(open_path, final_path)
    finally:
        os.close(fd)
    try:
        dir_fd = os.open(final_path.parent, os.O_RDONLY)
    except OSError:  # e.g. platforms that cannot open directories; the rename is done anyway
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


class RotatingWarcWriter:
    """Appends exchanges to ``<directory>/<prefix>-...warc.gz.open``, rotating at ``max_bytes``.

    A file is created on the first write (no empty WARCs), starts with a warcinfo record, and
    is renamed to ``*.warc.gz`` once finished: on rotation (in a background thread) or on
    :meth:`close`. Names carry UTC time to the microsecond, a per-writer serial, host, pid and
    random bits, and are created exclusively, so concurrent processes and hosts never collide.

    ``on_finished(final_path)``, if given, runs in the finisher thread after each rename
    (before :meth:`close` returns for the last file); its exceptions are logged, never raised.

    Crash safety: the ``.open`` file is ``flock``-ed until it is renamed, so the crash repair
    of a later crawl (``archive.warc_repair``) can tell a live file from one a killed writer
    left. A failed write (disk full) is cut back before the error is raised: the file stays
    valid up to its last complete record, and writing can go on.
    """

    def __init__(
        self,
        directory: Path,
        prefix: str,
        *,
        max_bytes: int = 1_000_000_000,
        gzip_level: int = 6,
        warcinfo: dict[str, str] | None = None,
        clock: Callable[[], datetime] = _utcnow,
        record_id_factory: Callable[[], str] = new_record_id,
        on_finished: Callable[[Path], object] | None = None,  # its result is not used
    ) -> None:
        if not re.fullmatch(r"[A-Za-z0-9._-]+", prefix):
            raise ValueError(f"WARC file prefix must be [A-Za-z0-9._-]+, got {prefix!r}")
        if max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive, got {max_bytes}")
        if not 0 <= gzip_level <= 9:
            raise ValueError(f"gzip_level must be 0..9, got {gzip_level}")
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.gzip_level = gzip_level
        self._clock = clock
        self._new_id = record_id_factory
        # Called in the finisher thread with each file's final path (e.g. to index it).
        self._on_finished = on_finished
        self._hostname = socket.gethostname()
        self._warcinfo_fields = {
            "software": SOFTWARE,
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
            "warc-format/warc-1.1/",
            "hostname": self._hostname,
            **(warcinfo or {}),
        }
        for key, value in self._warcinfo_fields.items():
            _check_field(key)
            _check_field(value)

        self._fd: int | None = None
        self._open_path: Path | None = None
        self._final_name = ""
        self._warcinfo_id = ""
        self._size = 0
        self._serial = 0
        self._closed = False
        self._finisher: ThreadPoolExecutor | None = None
        self._pending: list[Future[None]] = []
        self.files_opened = 0
        self.bytes_written = 0

    # -- public API -------------------------------------------------------------------------

    @property
    def current_path(self) -> Path | None:
        """The ``*.open`` file being written, if any."""
        return self._open_path

    def write_exchange(
        self, ex: HttpExchange, revisit: Revisit | None = None, payload_digest: str | None = None
    ) -> WrittenExchange:
        """Append response (or, given ``revisit``, revisit) + request records.

        ``payload_digest`` is ``sha1_digest(ex.payload)`` when the caller already has it.
        Returns where the response/revisit record starts, with its date, target URI and
        payload digest: all an index needs to make this the first capture of the payload.
        """
        if self._closed:
            raise ValueError("write to a closed RotatingWarcWriter")
        if self._fd is None:
            self._open_next()
        assert self._fd is not None
        response_id = self._new_id()
        request_id = self._new_id()
        digest = payload_digest or sha1_digest(ex.payload)
        response, request = exchange_records(
            ex,
            response_id=response_id,
            request_id=request_id,
            warcinfo_id=self._warcinfo_id,
            revisit=revisit,
            payload_digest=digest,
        )
        data = gzip_member(response, self.gzip_level) + gzip_member(request, self.gzip_level)
        offset = self._size
        self._append(data)
        written = WrittenExchange(
            self._final_name,
            offset,
            response_id,
            record_type="response" if revisit is None else "revisit",
            warc_date=warc_date(ex.date),
            target_uri=ex.url.partition("#")[0],
            payload_digest=(
                None if revisit is not None and revisit.profile == SERVER_NOT_MODIFIED else digest
            ),
        )
        if self._size >= self.max_bytes:
            self._retire_current()
        return written

    def write_metadata(
        self, refers_to: str, content_type: str, block: bytes, when: datetime
    ) -> WarcPointer:
        """Append a ``metadata`` record about the record ``refers_to``: what the crawler knew
        about a capture that the capture itself does not hold.

        No WARC-Target-URI (optional for metadata records in WARC 1.1): with the page's URL,
        pywb and cdxj-indexer index the record as a capture of the page, and replay may
        serve the metadata in place of the page."""
        if self._closed:
            raise ValueError("write to a closed RotatingWarcWriter")
        if self._fd is None:
            self._open_next()
        record_id = self._new_id()
        headers = [
            ("WARC-Type", "metadata"),
            ("WARC-Record-ID", record_id),
            ("WARC-Date", warc_date(when)),
            ("WARC-Refers-To", refers_to),
        ]
        if self._warcinfo_id:
            headers.append(("WARC-Warcinfo-ID", self._warcinfo_id))
        headers.append(("WARC-Block-Digest", sha1_digest(block)))
        offset = self._size
        self._append(gzip_member(warc_record(headers, content_type, [block]), self.gzip_level))
        pointer = WarcPointer(self._final_name, offset, record_id)
        if self._size >= self.max_bytes:
            self._retire_current()
        return pointer

    def close(self) -> None:
        """Finish the current file and wait for every pending rename. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        if self._fd is not None:
            self._retire_current()
        if self._finisher is not None:
            self._finisher.shutdown(wait=True)
        errors = [f.exception() for f in self._pending if f.exception() is not None]
        self._pending.clear()
        if errors:
            raise errors[0]  # type: ignore[misc]

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- files -------------------------------------------------------------------------------

    def _next_name(self) -> str:
        self._serial += 1
        stamp = self._clock().astimezone(timezone.utc).strftime("%Y%m%d%H%M%S%f")
        host = _SAFE_NAME_PART.sub("_", self._hostname) or "host"
        return (
            f"{self.prefix}-{stamp}-{self._serial:05d}-{host}-{os.getpid()}-"
            f"{secrets.token_hex(4)}{WARC_SUFFIX}"
        )

    def _open_next(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        for _ in range(8):
            name = self._next_name()
            open_path = self.directory / (name + OPEN_SUFFIX)
            try:
                fd = os.open(open_path, flags, 0o644)
            except FileExistsError:
                continue
            break
        else:
            raise FileExistsError(f"could not create a unique WARC file in {self.directory}")
        lock_exclusively(fd)  # a new file (O_EXCL): nobody else can hold it
        self._fd, self._open_path, self._final_name, self._size = fd, open_path, name, 0
        self.files_opened += 1
        self._warcinfo_id = self._new_id()
        info = warcinfo_record(
            record_id=self._warcinfo_id,
            date=self._clock(),
            filename=name,
            fields=self._warcinfo_fields,
        )
        try:
            self._append(gzip_member(info, self.gzip_level))
        except OSError:
            # No room even for the warcinfo record (disk full): no file rather than a WARC
            # without its warcinfo. The next write tries a new file.
            if self._fd is not None:
                self._fd, self._open_path = None, None
                os.close(fd)
                open_path.unlink(missing_ok=True)
            raise

    def _append(self, data: bytes) -> None:
        assert self._fd is not None
        try:
            _write_all(self._fd, data)
        except OSError:
            # Cut a half-written member off so the file stays valid up to the last good record
            # (ENOSPC, EFBIG, EIO…), and move the write position back with it: ftruncate does
            # not, and the next record would land after a hole of zero bytes.
            try:
                os.ftruncate(self._fd, self._size)
                os.lseek(self._fd, self._size, os.SEEK_SET)
            except OSError:
                self._abandon_current()
            raise
        self._size += len(data)
        self.bytes_written += len(data)

    def _abandon_current(self) -> None:
        """Give up a file that could not be cut back after a failed write: closed (unlocked)
        but left ``.open``, never published with a broken tail. The next crawl's repair
        (archive.warc_repair) cuts it back to its last complete record and renames it."""
        assert self._fd is not None and self._open_path is not None
        fd, open_path = self._fd, self._open_path
        self._fd, self._open_path = None, None
        logger.error(
            "WARC file %s left unfinished after a failed write: the next crawl repairs it",
            open_path,
        )
        try:
            os.close(fd)
        except OSError:
            pass

    def _retire_current(self) -> None:
        assert self._fd is not None and self._open_path is not None
        fd, open_path = self._fd, self._open_path
        final_path = open_path.with_name(self._final_name)
        self._fd, self._open_path = None, None
        if self._finisher is None:
            self._finisher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="warc-finish")
        future = self._finisher.submit(
            _finish_and_announce, fd, open_path, final_path, self._on_finished
        )
        future.add_done_callback(_log_failure)
        self._pending = [f for f in self._pending if not f.done() or f.exception()]
        self._pending.append(future)


def _finish_and_announce(
    fd: int, open_path: Path, final_path: Path, on_finished: Callable[[Path], object] | None
) -> None:
    _finish_file(fd, open_path, final_path)
    if on_finished is None:
        return
    try:
        on_finished(final_path)
    except Exception:
        # The WARC itself is safe under its final name; whatever the hook derives from it
        # (an index) can be rebuilt later, so its failure must not fail the crawl.
        logger.exception("on_finished hook failed for %s", final_path)


def _log_failure(future: Future[None]) -> None:
    exc = future.exception()
    if exc is not None:
        logger.error("could not finish WARC file", exc_info=exc)
