"""Rotating WARC 1.1 files of HTTP exchanges (one request + one response or revisit record
each), the records built by ``archive.warc_records``.

Scrapy-free on purpose: crawl glue and replay tooling both depend on ``archive``.

Not thread-safe: one writer belongs to one thread (the reactor thread in a crawl). Only the
closing of a finished file (fsync + rename, which may block or need retrying) is handed to a
background thread, so rotation never stalls the caller.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import socket
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime, timezone
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

import tenacity

# A live file is locked, so crash repair (archive.warc_repair) leaves it alone.
from archive.file_lock import lock_exclusively
from archive.warc_pointer import WarcPointer
from archive.warc_records import (
    OPEN_SUFFIX,
    SERVER_NOT_MODIFIED,
    SOFTWARE,
    WARC_SUFFIX,
    HttpExchange,
    Revisit,
    WrittenExchange,
    check_field,
    compressed_already,
    exchange_records,
    gzip_member,
    new_record_id,
    profile_record,
    sha1_digest,
    warc_date,
    warc_record,
    warcinfo_record,
)

if TYPE_CHECKING:
    from typing_extensions import Self

logger = logging.getLogger(__name__)

_SAFE_NAME_PART = re.compile(r"[^A-Za-z0-9.-]+")


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


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

    A file is created on the first write (no empty WARCs), starts with a warcinfo record (then,
    given ``profile_toml``, a metadata record holding the crawl's site profile), and
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
        profile_toml: str | None = None,
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
        self._profile_toml = profile_toml
        self._warcinfo_fields = {
            "software": SOFTWARE,
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/"
            "warc-format/warc-1.1/",
            "hostname": self._hostname,
            **(warcinfo or {}),
        }
        for key, value in self._warcinfo_fields.items():
            check_field(key)
            check_field(value)

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
        stored = revisit is None and compressed_already(ex)
        data = gzip_member(response, 0 if stored else self.gzip_level) + gzip_member(
            request, self.gzip_level
        )
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

    def set_profile(self, toml_text: str) -> None:
        """The site profile changed during the crawl (a discovered mirror joined): a profile
        record with the new text goes into the open file now, and starts every file after."""
        self._profile_toml = toml_text
        if self._closed or self._fd is None or self._warcinfo_id is None:
            return  # the next file starts with it
        record = profile_record(
            record_id=self._new_id(),
            date=self._clock(),
            warcinfo_id=self._warcinfo_id,
            toml_text=toml_text,
        )
        self._append(gzip_member(record, self.gzip_level))

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
        members = [gzip_member(info, self.gzip_level)]
        if self._profile_toml:
            profile = profile_record(
                record_id=self._new_id(),
                date=self._clock(),
                warcinfo_id=self._warcinfo_id,
                toml_text=self._profile_toml,
            )
            members.append(gzip_member(profile, self.gzip_level))
        try:
            self._append(b"".join(members))
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
