"""SQLite backend of :class:`archive.index.ArticleIndex`.

Why it looks the way it does (measured on the 2-core reference machine, see DESIGN.md):

* One commit per write caps inserts at ~41,000/s, so writes are batched: a transaction stays
  open and is committed every ``batch_size`` operations or ``batch_seconds`` (checked at the
  next call), and on ``flush``/``close``. WAL + ``synchronous=NORMAL`` keep a commit cheap and
  the file consistent; a crash loses at most the open batch, which the next crawl re-learns
  from the records already written (``archive.recovery``). With
  ``hold_versions_until_written`` (the crawl's record pipeline turns it on) a batch never
  commits a version whose record is not written yet. Each operation runs in a savepoint, so a
  failing call never leaves half of itself in the batch.
* Another process (``newsarchive state`` while a crawl runs) may hold the write lock for a
  moment: "database is locked" is retried with tenacity, bounded, with exponential backoff.
  The first attempt runs without tenacity, which costs several microseconds a call.
* Size: the index must stay under ~400 bytes per article with two URLs, for years of
  hourly runs. So:
  - articles get a small INTEGER rowid that other tables refer to, instead of the id text;
  - the URL table is keyed by xxh3_64 of the URL (8 bytes, WITHOUT ROWID) and does not
    store the URL in full: its origin is a small integer (few mirrors, many URLs) and the
    rest is front-coded against the first URL path seen for the article (``url_base``),
    since mirrors serve the same path: a second mirror's URL costs a few bytes. A lookup
    rebuilds the URL and compares it, so a hash collision can never give a wrong answer;
  - hashes, payload digests and record ids are stored as raw bytes, and dates as integers,
    but only when that is lossless (the packed value formats back to the very same
    string); anything else is kept as text in the same column (SQLite types per value).
"""
from __future__ import annotations

import base64
import logging
import re
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any, TypeVar

import tenacity
import xxhash

from archive.index import (
    DEFAULT_RECHECK_EVERY,
    DEFAULT_YOUNG_WINDOW,
    ArticleInfo,
    Capture,
    ForgetResult,
    IndexSchemaError,
    IndexStats,
    Moment,
    Version,
    VersionResult,
    from_epoch,
    to_epoch,
)
from archive.warc_writer import WarcPointer

SCHEMA_VERSION = 1

T = TypeVar("T")

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);

-- Small dictionaries: a handful of mirror origins and WARC file names, referenced by id.
CREATE TABLE origins (id INTEGER PRIMARY KEY, origin TEXT NOT NULL UNIQUE);
CREATE TABLE warc_files (id INTEGER PRIMARY KEY, filename TEXT NOT NULL UNIQUE);

-- rowid is what versions/urls refer to (1-3 bytes instead of the id text).
CREATE TABLE articles (
    rowid INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL UNIQUE,
    first_seen INTEGER NOT NULL,      -- POSIX seconds
    last_seen INTEGER NOT NULL,
    last_checked INTEGER,
    published,                        -- packed int or ISO text (see _pack_published)
    etag TEXT,
    last_modified,                    -- packed int or HTTP-date text
    duplicate_of TEXT,                -- an article id, as text so it survives forgetting that one
    url_base TEXT                     -- first URL path seen: what URLs are front-coded against
);

CREATE TABLE versions (
    article INTEGER NOT NULL,
    version INTEGER NOT NULL,
    content_hash NOT NULL,            -- packed bytes or text
    simhash INTEGER,                  -- signed view of the unsigned 64-bit value
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    fetched_at,                       -- packed int (µs) or text
    warc_file INTEGER,
    warc_offset INTEGER,
    warc_record,                      -- 16 uuid bytes or text
    minor INTEGER NOT NULL,           -- 0/1 cost no bytes in SQLite's record format
    PRIMARY KEY (article, version)
) WITHOUT ROWID;
-- "same text, different id": first article having a hash (rowid order = order first seen).
CREATE INDEX versions_by_hash ON versions (content_hash);

CREATE TABLE urls (
    url_key INTEGER NOT NULL,         -- xxh3_64(url), signed
    n INTEGER NOT NULL,               -- 0 unless two URLs share a key
    article INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    origin INTEGER NOT NULL,
    shared INTEGER NOT NULL,          -- leading characters shared with articles.url_base
    tail TEXT NOT NULL,
    PRIMARY KEY (url_key, n)
) WITHOUT ROWID;
CREATE INDEX urls_by_article ON urls (article);

CREATE TABLE payloads (
    digest PRIMARY KEY,               -- packed bytes or text
    origin INTEGER NOT NULL,
    rest TEXT NOT NULL,               -- target URI = origins.origin || rest
    warc_date NOT NULL,               -- packed int (µs) or text
    warc_record NOT NULL,
    warc_file INTEGER NOT NULL,
    warc_offset INTEGER NOT NULL
) WITHOUT ROWID;
"""

_TABLES = ("articles", "versions", "urls", "payloads", "origins", "warc_files")
_U64 = 1 << 64


# -- lossless packing ----------------------------------------------------------------------
# Every packer returns the compact form only when unpacking gives back the exact input;
# otherwise the text itself, which the unpacker passes through. Nothing is ever normalised.

_DIGEST_LABELS = ("sha1", "sha256", "sha512", "md5", "xxh3-64", "xxh3-128", "blake2b", "blake3")
_DIGEST_CODE = {label: i for i, label in enumerate(_DIGEST_LABELS)}
_B32 = re.compile(r"[A-Z2-7]+=*")
_HEX = re.compile(r"(?:[0-9a-f]{2})+")


def pack_digest(text: str) -> bytes | str:
    """``label:value`` → one byte (label, base32 or hex) + the raw digest."""
    label, sep, value = text.partition(":")
    code = _DIGEST_CODE.get(label)
    if not sep or code is None:
        return text
    if _B32.fullmatch(value) and len(value) % 8 == 0:
        raw = base64.b32decode(value)
        if base64.b32encode(raw).decode("ascii") == value:
            return bytes([code * 2]) + raw
    if _HEX.fullmatch(value):
        return bytes([code * 2 + 1]) + bytes.fromhex(value)
    return text


def unpack_digest(value: bytes | str) -> str:
    if isinstance(value, str):
        return value
    label, is_hex = _DIGEST_LABELS[value[0] // 2], value[0] % 2
    raw = value[1:]
    return f"{label}:{raw.hex() if is_hex else base64.b32encode(raw).decode('ascii')}"


def pack_record_id(text: str) -> bytes | str:
    """``<urn:uuid:…>`` → its 16 bytes (45 characters otherwise)."""
    if text.startswith("<urn:uuid:") and text.endswith(">"):
        try:
            parsed = uuid.UUID(text[10:-1])
        except ValueError:
            return text
        if f"<urn:uuid:{parsed}>" == text:
            return parsed.bytes
    return text


def unpack_record_id(value: bytes | str) -> str:
    return value if isinstance(value, str) else f"<urn:uuid:{uuid.UUID(bytes=value)}>"


def pack_warc_date(text: str) -> int | str:
    """WARC 1.1 ``%Y-%m-%dT%H:%M:%S.%fZ`` → integer microseconds."""
    if len(text) != 27 or text[-1] != "Z":
        return text
    try:
        when = datetime.fromisoformat(text[:-1])  # 5x faster than strptime
    except ValueError:
        return text
    micros = _epoch_micros(when.replace(tzinfo=timezone.utc))
    return micros if unpack_warc_date(micros) == text else text


def unpack_warc_date(value: int | str) -> str:
    if isinstance(value, str):
        return value
    when = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=value)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _epoch_micros(when: datetime) -> int:
    delta = when - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_OFFSET_BIAS = 2048  # UTC offsets are within ±1440 minutes


def pack_published(text: str) -> int | str:
    """ISO 8601 with a whole-minute offset and whole seconds (``isoformat()`` form) →
    seconds * 4096 + offset minutes + 2048: 6 bytes instead of 25."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return text
    offset = when.utcoffset()
    if offset is None or when.microsecond or offset.total_seconds() % 60:
        return text
    packed = int(when.timestamp()) * 4096 + int(offset.total_seconds() // 60) + _OFFSET_BIAS
    return packed if unpack_published(packed) == text else text


def unpack_published(value: int | str) -> str:
    if isinstance(value, str):
        return value
    seconds, minutes = divmod(value, 4096)
    zone = timezone(timedelta(minutes=minutes - _OFFSET_BIAS))
    return datetime.fromtimestamp(seconds, zone).isoformat()


def published_datetime(value: int | str | None) -> datetime | None:
    """For the refetch policy: the publication time if it can be read, else None."""
    if value is None:
        return None
    if isinstance(value, int):
        return from_epoch(value // 4096)
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def pack_http_date(text: str) -> int | str:
    """``Sun, 12 May 2024 10:31:00 GMT`` → POSIX seconds (echoed back byte for byte in
    If-Modified-Since)."""
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return text
    if when.tzinfo is None:
        return text
    seconds = int(when.timestamp())
    return seconds if unpack_http_date(seconds) == text else text


def unpack_http_date(value: int | str) -> str:
    return value if isinstance(value, str) else format_datetime(from_epoch(value), usegmt=True)


def url_key(url: str) -> int:
    """xxh3_64 of the URL as a signed 64-bit SQLite integer (8 bytes, equality lookups)."""
    key = xxhash.xxh3_64_intdigest(url.encode("utf-8", "surrogatepass"))
    return key - _U64 if key >= 1 << 63 else key


def split_origin(url: str) -> tuple[str, str]:
    """``scheme://host[:port]`` and the rest, such that origin + rest == url always."""
    start = url.find("://")
    if start < 0:
        return "", url
    slash = url.find("/", start + 3)
    return (url, "") if slash < 0 else (url[:slash], url[slash:])


def _shared_prefix(base: str, rest: str) -> int:
    """Length of the common prefix (os.path.commonprefix costs 8 µs a call here)."""
    if rest.startswith(base):
        return len(base)
    limit = min(len(base), len(rest))
    i = 0
    while i < limit and base[i] == rest[i]:
        i += 1
    return i


def _signed(value: int | None) -> int | None:
    if value is None:
        return None
    if not 0 <= value < _U64:
        raise ValueError(f"simhash {value} is not an unsigned 64-bit integer")
    return value - _U64 if value >= 1 << 63 else value


def _unsigned(value: int | None) -> int | None:
    return None if value is None else value & (_U64 - 1)


def _is_locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


class SqliteIndex:
    """:class:`archive.index.ArticleIndex` in one SQLite file (``state/index.sqlite``)."""

    def __init__(
        self,
        path: str | Path,
        *,
        batch_size: int = 1000,
        batch_seconds: float = 1.0,
        busy_timeout: float = 0.5,
        lock_attempts: int = 8,
        lock_wait_max: float = 2.0,
        minor_distance: int = 3,
        cache_mb: int = 64,
    ) -> None:
        """``busy_timeout`` is SQLite's own wait per attempt; then tenacity retries up to
        ``lock_attempts`` times with exponential backoff capped at ``lock_wait_max`` s.
        ``minor_distance``: the most simhash bits two versions may differ by and still be
        a minor change."""
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.minor_distance = minor_distance
        self.lock_retries = 0  # how often a locked database was waited out (for run reports)
        self._pending = 0
        self._batch_started = 0.0
        # Crash safety (see hold_versions_until_written): versions recorded whose article
        # record is not written out yet, keyed (article id, content hash); and those whose
        # record could not be written, to be taken back before the next commit.
        self._hold = False
        self._unwritten: dict[tuple[str, str], int] = {}
        self._not_written: list[tuple[str, str]] = []
        self._unwritten_lock = threading.Lock()  # never held while SQL runs
        self._retrying = tenacity.Retrying(
            retry=tenacity.retry_if_exception(_is_locked),
            stop=tenacity.stop_after_attempt(lock_attempts),
            wait=tenacity.wait_exponential(multiplier=0.05, max=lock_wait_max),
            before_sleep=self._count_retry,
            reraise=True,
        )
        # A lock retry sleeps, which must not happen on Scrapy's reactor thread: callers may
        # use the index from a worker thread (deferToThread), hence the lock and
        # check_same_thread=False. Iterating export_latest is not guarded: one thread at a time.
        self._lock = threading.RLock()
        # Autocommit mode: this class issues BEGIN/COMMIT itself, for batching.
        self._db: sqlite3.Connection | None = sqlite3.connect(
            self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
        self._origin_ids: dict[str, int] = {}
        self._origin_texts: dict[int, str] = {}
        self._file_ids: dict[str, int] = {}
        self._file_names: dict[int, str] = {}
        try:
            self._run(self._setup, cache_mb)
        except BaseException:
            self._db.close()
            self._db = None
            raise

    # -- setup and plumbing --------------------------------------------------------------------

    def _setup(self, cache_mb: int) -> None:
        db = self._conn
        if db.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() != "wal":
            raise IndexSchemaError(f"{self.path}: cannot use WAL mode here")
        db.execute("PRAGMA synchronous=NORMAL")  # in WAL: durable at checkpoints, never corrupt
        db.execute(f"PRAGMA cache_size=-{cache_mb * 1024}")
        db.execute("PRAGMA temp_store=MEMORY")
        db.execute("BEGIN IMMEDIATE")  # two processes creating the schema at once: one wins
        try:
            has_table = db.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'"
            ).fetchone()
            if has_table:
                row = db.execute("SELECT max(version) FROM schema_version").fetchone()
                found = row[0] if row else None
                if found is None or found > SCHEMA_VERSION:
                    raise IndexSchemaError(
                        f"{self.path} has index schema {found}, newer than this newsarchive "
                        f"reads ({SCHEMA_VERSION}): upgrade newsarchive or use another --out"
                    )
            else:
                if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                    raise IndexSchemaError(f"{self.path} is an SQLite file but not an index")
                for statement in _SCHEMA.split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise ValueError(f"index {self.path} is closed")
        return self._db

    def _count_retry(self, state: tenacity.RetryCallState) -> None:
        self.lock_retries += 1

    def _run(self, op: Callable[..., T], *args: Any) -> T:
        """Run ``op``; only a locked database goes through tenacity."""
        try:
            return op(*args)
        except sqlite3.OperationalError as exc:
            if not _is_locked(exc):
                raise
            self.lock_retries += 1
        return self._retrying(op, *args)

    def _read(self, op: Callable[..., T], *args: Any) -> T:
        with self._lock:
            self._commit_if_due()
            return self._run(op, *args)

    def _write(self, op: Callable[..., T], *args: Any) -> T:
        with self._lock:
            result = self._run(self._in_savepoint, op, *args)
            self._pending += 1
            self._commit_if_due(full=self._pending >= self.batch_size)
            return result

    def _in_savepoint(self, op: Callable[..., T], *args: Any) -> T:
        db = self._conn
        if not db.in_transaction:
            # IMMEDIATE takes the write lock now, so "locked" can only happen here, before
            # this operation changed anything: retrying the whole operation is safe.
            db.execute("BEGIN IMMEDIATE")
            self._batch_started = time.monotonic()
        db.execute("SAVEPOINT op")
        try:
            result = op(*args)
        except BaseException:
            # SQLite may have rolled the whole transaction back already (SQLITE_FULL: disk
            # full): then there is no savepoint left, and the original error is the one to raise.
            if db.in_transaction:
                try:
                    db.execute("ROLLBACK TO op")
                    db.execute("RELEASE op")
                except sqlite3.Error:
                    pass
            raise
        db.execute("RELEASE op")
        return result

    def _commit_if_due(self, full: bool = False) -> None:
        # in_transaction, not _pending: a failed first operation still opened the batch, and
        # its write lock must not be held until the next successful write.
        db = self._conn
        if not db.in_transaction:
            return
        if full or time.monotonic() - self._batch_started >= self.batch_seconds:
            self._take_back_not_written()
            with self._unwritten_lock:
                if self._unwritten:
                    return  # held until those records are written (next call tries again)
            self._commit()

    def _commit(self) -> None:
        db = self._conn
        if db.in_transaction:
            # A busy COMMIT leaves the transaction open, so retrying it is safe.
            self._run(db.execute, "COMMIT")
        self._pending = 0

    def flush(self) -> None:
        """Commit the open batch: durable, and visible to other processes.

        With :meth:`hold_versions_until_written`, a version whose record was still not
        written out when ``flush`` is called (the crawl is over: it never will be) is taken
        back first, so the next run fetches the article again."""
        with self._lock:
            with self._unwritten_lock:
                leftovers = list(self._unwritten)
                self._unwritten.clear()
                self._not_written.extend(leftovers)
            if leftovers:
                logger.warning(
                    "%s: %d article version(s) recorded but never written out (e.g. %s): taken "
                    "back, so the next run fetches them again", self.path, len(leftovers), leftovers[0][0])
            if self._conn.in_transaction:
                self._take_back_not_written()
            else:
                with self._unwritten_lock:
                    self._not_written.clear()  # the batch is gone (rolled back) with them
            self._commit()

    # -- crash safety: no version in the index without its record --------------------------------

    def hold_versions_until_written(self, hold: bool = True) -> None:
        """The crawl writes each new version's record (a JSON line) *after* recording it
        here. A commit in between, then a crash, would leave the index knowing an article
        whose record was never written: lost for good, as the next run skips it. With this
        on, a batch holding such a version is not committed until the writer confirms the
        record (:meth:`version_written`), or the version is taken back
        (:meth:`version_not_written`, or :meth:`flush` at the end). A crash then loses at
        most records whose versions are not in the index: the next run fetches those articles
        again, or feeds the records back (``archive.recovery``). Off by default (replay,
        ``state``): only a writer that confirms may turn it on."""
        with self._lock:
            self._hold = hold

    def version_written(self, article_id: str, content_hash: str) -> None:
        """The record of this version is written out: its batch may commit. Cheap, takes no
        database lock (safe on the reactor thread); unknown pairs are ignored."""
        with self._unwritten_lock:
            self._unwritten.pop((article_id, content_hash), None)

    def version_not_written(self, article_id: str, content_hash: str) -> None:
        """The record of this version could not be written (disk full…): the version is
        taken back before the batch commits, and with it the article's last check and
        validators, so the next run fetches it again. Cheap, no database lock."""
        with self._unwritten_lock:
            if self._unwritten.pop((article_id, content_hash), None) is not None:
                self._not_written.append((article_id, content_hash))

    def has_version(self, article_id: str, content_hash: str) -> bool:
        """Whether any version of the article has this text hash."""
        return self._read(self._has_version, article_id, content_hash)

    def _has_version(self, article_id: str, content_hash: str) -> bool:
        return self._conn.execute(
            "SELECT 1 FROM versions v JOIN articles a ON a.rowid=v.article "
            "WHERE a.article_id=? AND v.content_hash=? LIMIT 1",
            (article_id, pack_digest(content_hash)),
        ).fetchone() is not None

    def _take_back_not_written(self) -> None:
        with self._unwritten_lock:
            taken, self._not_written = self._not_written, []
        for article_id, content_hash in taken:
            self._run(self._in_savepoint, self._take_back, article_id, content_hash)

    def _take_back(self, article_id: str, content_hash: str) -> None:
        db = self._conn
        rowid = self._rowid(article_id)
        if rowid is None:
            return
        removed = db.execute(
            "DELETE FROM versions WHERE article=? AND content_hash=? AND "
            "version=(SELECT max(version) FROM versions WHERE article=?)",
            (rowid, pack_digest(content_hash), rowid),
        ).rowcount
        if removed:
            # Forget the fetch too: a stored ETag would turn the refetch into a 304.
            db.execute(
                "UPDATE articles SET last_checked=NULL, etag=NULL, last_modified=NULL WHERE rowid=?",
                (rowid,),
            )

    def close(self) -> None:
        with self._lock:
            if self._db is None:
                return
            try:
                self.flush()
                self._db.execute("PRAGMA optimize")
            finally:
                self._db.close()
                self._db = None

    def __enter__(self) -> SqliteIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- dictionaries --------------------------------------------------------------------------

    def _origin_id(self, origin: str) -> int:
        found = self._origin_ids.get(origin)
        if found is None:
            db = self._conn
            db.execute("INSERT OR IGNORE INTO origins (origin) VALUES (?)", (origin,))
            found = db.execute("SELECT id FROM origins WHERE origin=?", (origin,)).fetchone()[0]
            self._origin_ids[origin] = found
            self._origin_texts[found] = origin
        return found

    def _origin_text(self, origin_id: int) -> str:
        found = self._origin_texts.get(origin_id)
        if found is None:  # added by another process since we cached
            found = self._conn.execute(
                "SELECT origin FROM origins WHERE id=?", (origin_id,)
            ).fetchone()[0]
            self._origin_texts[origin_id] = found
            self._origin_ids[found] = origin_id
        return found

    def _file_id(self, filename: str) -> int:
        found = self._file_ids.get(filename)
        if found is None:
            db = self._conn
            db.execute("INSERT OR IGNORE INTO warc_files (filename) VALUES (?)", (filename,))
            found = db.execute(
                "SELECT id FROM warc_files WHERE filename=?", (filename,)
            ).fetchone()[0]
            self._file_ids[filename] = found
            self._file_names[found] = filename
        return found

    def _file_name(self, file_id: int) -> str:
        found = self._file_names.get(file_id)
        if found is None:
            found = self._conn.execute(
                "SELECT filename FROM warc_files WHERE id=?", (file_id,)
            ).fetchone()[0]
            self._file_names[file_id] = found
            self._file_ids[found] = file_id
        return found

    def _forget_dictionaries(self) -> None:
        self._origin_ids.clear()
        self._origin_texts.clear()
        self._file_ids.clear()
        self._file_names.clear()

    # -- articles ------------------------------------------------------------------------------

    def _rowid(self, article_id: str) -> int | None:
        row = self._conn.execute(
            "SELECT rowid FROM articles WHERE article_id=?", (article_id,)
        ).fetchone()
        return None if row is None else row[0]

    def _touch_article(self, article_id: str, seen: int) -> tuple[int, str | None]:
        """Create the article if new, move last_seen; its rowid and url_base."""
        return self._conn.execute(
            "INSERT INTO articles (article_id, first_seen, last_seen) VALUES (?, ?, ?) "
            "ON CONFLICT (article_id) DO UPDATE SET last_seen=max(last_seen, excluded.last_seen) "
            "RETURNING rowid, url_base",
            (article_id, seen, seen),
        ).fetchone()

    # The upserts below fold "create if new" and "update" into one statement each: inserts
    # run ~20 statements an article, so every one saved is ~5 % of the insert time.

    def knows(self, article_id: str) -> bool:
        return self._read(self._knows, article_id)

    def _knows(self, article_id: str) -> bool:
        return (
            self._conn.execute(
                "SELECT 1 FROM articles a JOIN versions v ON v.article=a.rowid "
                "WHERE a.article_id=? LIMIT 1",
                (article_id,),
            ).fetchone()
            is not None
        )

    def article(self, article_id: str) -> ArticleInfo | None:
        return self._read(self._article, article_id)

    def _article(self, article_id: str) -> ArticleInfo | None:
        row = self._conn.execute(
            "SELECT rowid, first_seen, last_seen, last_checked, published, etag, "
            "last_modified, duplicate_of, url_base FROM articles WHERE article_id=?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        rowid, first, last, checked, published, etag, modified, duplicate_of, base = row
        versions = self._conn.execute(
            "SELECT max(version) FROM versions WHERE article=?", (rowid,)
        ).fetchone()[0]
        return ArticleInfo(
            article_id=article_id,
            first_seen=from_epoch(first),
            last_seen=from_epoch(last),
            last_checked=None if checked is None else from_epoch(checked),
            published=None if published is None else unpack_published(published),
            etag=etag,
            last_modified=None if modified is None else unpack_http_date(modified),
            duplicate_of=duplicate_of,
            versions=versions or 0,  # numbered 1..n without gaps, so max == count
            urls=self._urls_of(rowid, base),
        )

    def needs_refetch(
        self,
        article_id: str,
        now: Moment = None,
        young_window: timedelta = DEFAULT_YOUNG_WINDOW,
        recheck_every: timedelta = DEFAULT_RECHECK_EVERY,
        *,
        force: bool = False,
    ) -> bool:
        if force:
            return True
        return self._read(self._needs_refetch, article_id, to_epoch(now), young_window, recheck_every)

    def _needs_refetch(
        self, article_id: str, now: int, young_window: timedelta, recheck_every: timedelta
    ) -> bool:
        row = self._conn.execute(
            "SELECT a.first_seen, a.last_checked, a.published, "
            "EXISTS (SELECT 1 FROM versions v WHERE v.article=a.rowid) "
            "FROM articles a WHERE a.article_id=?",
            (article_id,),
        ).fetchone()
        if row is None or not row[3]:
            return True  # never archived: a sighting alone does not count
        first_seen, last_checked, published, _ = row
        born = published_datetime(published)
        born_at = born.timestamp() if born is not None else first_seen
        if now - born_at >= young_window.total_seconds():
            return False  # old articles do not change often enough to pay for re-checks
        return last_checked is None or now - last_checked >= recheck_every.total_seconds()

    # -- URLs ----------------------------------------------------------------------------------

    def _url_text(self, origin_id: int, base: str | None, shared: int, tail: str) -> str:
        return self._origin_text(origin_id) + (base or "")[:shared] + tail

    def _url_rows(self, url: str) -> list[tuple[int, int, str, int]]:
        """(n, article rowid, article_id, matches) for each row under the URL's key."""
        rows = self._conn.execute(
            "SELECT u.n, u.article, a.article_id, u.origin, u.shared, u.tail, a.url_base "
            "FROM urls u JOIN articles a ON a.rowid=u.article WHERE u.url_key=?",
            (url_key(url),),
        ).fetchall()
        return [
            (n, rowid, article_id, self._url_text(origin, base, shared, tail) == url)
            for n, rowid, article_id, origin, shared, tail, base in rows
        ]

    def article_for_url(self, url: str) -> str | None:
        return self._read(self._article_for_url, url)

    def _article_for_url(self, url: str) -> str | None:
        for _, _, article_id, matches in self._url_rows(url):
            if matches:
                return article_id
        return None

    def _urls_of(self, rowid: int, base: str | None) -> list[str]:
        rows = self._conn.execute(
            "SELECT origin, shared, tail FROM urls WHERE article=?", (rowid,)
        ).fetchall()
        return sorted(self._url_text(origin, base, shared, tail) for origin, shared, tail in rows)

    def add_sighting(self, article_id: str, url: str, now: Moment = None) -> bool:
        return self._write(self._add_sighting, article_id, url, to_epoch(now))

    def _add_sighting(self, article_id: str, url: str, seen: int) -> bool:
        db = self._conn
        key = url_key(url)
        rows = self._url_rows(url)
        for n, rowid, known_for, matches in rows:
            if matches:
                if known_for == article_id:
                    db.execute(
                        "UPDATE urls SET last_seen=max(last_seen, ?) WHERE url_key=? AND n=?",
                        (seen, key, n),
                    )
                    self._touch_article(article_id, seen)
                    return False
                # The same URL now shows another article (ids come from URLs, so this is
                # rare): the latest sighting wins, a URL maps to one article.
                db.execute("DELETE FROM urls WHERE url_key=? AND n=?", (key, n))
        origin, rest = split_origin(url)
        # The first URL path seen becomes the article's url_base, which later ones share.
        rowid, base = db.execute(
            "INSERT INTO articles (article_id, first_seen, last_seen, url_base) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET "
            "last_seen=max(last_seen, excluded.last_seen), "
            "url_base=coalesce(url_base, excluded.url_base) RETURNING rowid, url_base",
            (article_id, seen, seen, rest),
        ).fetchone()
        shared = _shared_prefix(base, rest)
        taken = {n for n, _, _, matches in rows if not matches}
        n = next(i for i in range(len(taken) + 1) if i not in taken)
        db.execute(
            "INSERT INTO urls (url_key, n, article, last_seen, origin, shared, tail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key, n, rowid, seen, self._origin_id(origin), shared, rest[shared:]),
        )
        return True

    # -- versions ------------------------------------------------------------------------------

    def record_version(
        self,
        article_id: str,
        *,
        content_hash: str,
        simhash: int | None = None,
        fetched_at: str | None = None,
        warc: WarcPointer | None = None,
        published: str | None = None,
        minor: bool | None = None,
        now: Moment = None,
    ) -> VersionResult:
        return self._write(
            self._record_version,
            article_id,
            content_hash,
            simhash,
            fetched_at,
            warc,
            published,
            minor,
            to_epoch(now),
        )

    def _record_version(
        self,
        article_id: str,
        content_hash: str,
        simhash: int | None,
        fetched_at: str | None,
        warc: WarcPointer | None,
        published: str | None,
        minor: bool | None,
        seen: int,
    ) -> VersionResult:
        db = self._conn
        packed_hash = pack_digest(content_hash)
        # A fetch is a check too, so a caller that forgets record_check is not re-fetching
        # young articles on every run.
        rowid, duplicate_of = db.execute(
            "INSERT INTO articles (article_id, first_seen, last_seen, last_checked, published) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET "
            "last_seen=max(last_seen, excluded.last_seen), "
            "last_checked=max(coalesce(last_checked, 0), excluded.last_checked), "
            "published=coalesce(excluded.published, published) RETURNING rowid, duplicate_of",
            (article_id, seen, seen, seen, None if published is None else pack_published(published)),
        ).fetchone()
        latest = db.execute(
            "SELECT version, content_hash, simhash, minor FROM versions WHERE article=? "
            "ORDER BY version DESC LIMIT 1",
            (rowid,),
        ).fetchone()
        if latest is not None and latest[1] == packed_hash:
            db.execute(
                "UPDATE versions SET last_seen=max(last_seen, ?) WHERE article=? AND version=?",
                (seen, rowid, latest[0]),
            )
            previous = db.execute(
                "SELECT content_hash FROM versions WHERE article=? AND version=?",
                (rowid, latest[0] - 1),
            ).fetchone()
            return VersionResult(
                status="unchanged",
                version=latest[0],
                previous_hash=None if previous is None else unpack_digest(previous[0]),
                minor=bool(latest[3]),
                duplicate_of=duplicate_of,
            )
        number = 1 if latest is None else latest[0] + 1
        previous_hash = None if latest is None else unpack_digest(latest[1])
        if minor is None:
            before = None if latest is None else _unsigned(latest[2])
            minor = (
                before is not None
                and simhash is not None
                and (before ^ simhash).bit_count() <= self.minor_distance
            )
        if duplicate_of is None:
            duplicate_of = self._mark_duplicate(rowid, packed_hash)
        db.execute(
            "INSERT INTO versions (article, version, content_hash, simhash, first_seen, "
            "last_seen, fetched_at, warc_file, warc_offset, warc_record, minor) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                rowid,
                number,
                packed_hash,
                _signed(simhash),
                seen,
                seen,
                None if fetched_at is None else pack_warc_date(fetched_at),
                None if warc is None else self._file_id(warc.filename),
                None if warc is None else warc.offset,
                None if warc is None else pack_record_id(warc.record_id),
                int(minor),
            ),
        )
        if self._hold:
            with self._unwritten_lock:
                self._unwritten[(article_id, content_hash)] = number
        return VersionResult(
            status="new" if latest is None else "changed",
            version=number,
            previous_hash=previous_hash,
            minor=minor,
            duplicate_of=duplicate_of,
        )

    def _mark_duplicate(self, rowid: int, packed_hash: bytes | str) -> str | None:
        """Same text as an earlier article: record it (once), never merge."""
        row = self._conn.execute(
            "SELECT a.article_id FROM versions v JOIN articles a ON a.rowid=v.article "
            "WHERE v.content_hash=? AND v.article<>? ORDER BY v.article LIMIT 1",
            (packed_hash, rowid),
        ).fetchone()
        if row is None:
            return None
        self._conn.execute("UPDATE articles SET duplicate_of=? WHERE rowid=?", (row[0], rowid))
        return row[0]

    def article_for_hash(self, content_hash: str) -> str | None:
        return self._read(self._article_for_hash, content_hash)

    def _article_for_hash(self, content_hash: str) -> str | None:
        row = self._conn.execute(
            "SELECT a.article_id FROM versions v JOIN articles a ON a.rowid=v.article "
            "WHERE v.content_hash=? ORDER BY v.article LIMIT 1",
            (pack_digest(content_hash),),
        ).fetchone()
        return None if row is None else row[0]

    def latest_version(self, article_id: str) -> Version | None:
        return self._read(self._latest_version, article_id)

    def _latest_version(self, article_id: str) -> Version | None:
        rowid = self._rowid(article_id)
        return None if rowid is None else self._version_of(rowid, article_id)

    def _version_of(self, rowid: int, article_id: str) -> Version | None:
        rows = self._conn.execute(
            "SELECT version, content_hash, simhash, minor, first_seen, last_seen, fetched_at, "
            "warc_file, warc_offset, warc_record FROM versions WHERE article=? "
            "ORDER BY version DESC LIMIT 2",
            (rowid,),
        ).fetchall()
        if not rows:
            return None
        number, chash, simhash, minor, first, last, fetched_at, wfile, woffset, wrecord = rows[0]
        return Version(
            article_id=article_id,
            version=number,
            content_hash=unpack_digest(chash),
            previous_hash=unpack_digest(rows[1][1]) if len(rows) > 1 else None,
            simhash=_unsigned(simhash),
            minor=bool(minor),
            first_seen=from_epoch(first),
            last_seen=from_epoch(last),
            fetched_at=None if fetched_at is None else unpack_warc_date(fetched_at),
            warc=None
            if wfile is None
            else WarcPointer(self._file_name(wfile), woffset, unpack_record_id(wrecord)),
        )

    def record_check(
        self,
        article_id: str,
        now: Moment = None,
        etag: str | None = None,
        last_modified: str | None = None,
        *,
        not_modified: bool = False,
    ) -> None:
        self._write(self._record_check, article_id, to_epoch(now), etag, last_modified, not_modified)

    def _record_check(
        self,
        article_id: str,
        checked: int,
        etag: str | None,
        last_modified: str | None,
        not_modified: bool,
    ) -> None:
        modified = None if last_modified is None else pack_http_date(last_modified)
        keep = "coalesce(excluded.{0}, {0})" if not_modified else "excluded.{0}"
        self._conn.execute(
            "INSERT INTO articles (article_id, first_seen, last_seen, last_checked, etag, "
            "last_modified) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET "
            "last_seen=max(last_seen, excluded.last_seen), last_checked=excluded.last_checked, "
            f"etag={keep.format('etag')}, last_modified={keep.format('last_modified')}",
            (article_id, checked, checked, checked, etag, modified),
        )

    # -- payloads ------------------------------------------------------------------------------

    def record_payload(
        self,
        payload_digest: str,
        *,
        target_uri: str,
        warc_date: str,
        record_id: str,
        filename: str,
        offset: int,
    ) -> bool:
        return self._write(
            self._record_payload, payload_digest, target_uri, warc_date, record_id, filename, offset
        )

    def _record_payload(
        self, digest: str, target_uri: str, warc_date: str, record_id: str, filename: str, offset: int
    ) -> bool:
        origin, rest = split_origin(target_uri)
        cursor = self._conn.execute(
            "INSERT OR IGNORE INTO payloads (digest, origin, rest, warc_date, warc_record, "
            "warc_file, warc_offset) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                pack_digest(digest),
                self._origin_id(origin),
                rest,
                pack_warc_date(warc_date),
                pack_record_id(record_id),
                self._file_id(filename),
                offset,
            ),
        )
        return cursor.rowcount == 1

    def first_capture(self, payload_digest: str) -> Capture | None:
        return self._read(self._first_capture, payload_digest)

    def _first_capture(self, digest: str) -> Capture | None:
        row = self._conn.execute(
            "SELECT origin, rest, warc_date, warc_record, warc_file, warc_offset "
            "FROM payloads WHERE digest=?",
            (pack_digest(digest),),
        ).fetchone()
        if row is None:
            return None
        origin, rest, date, record, wfile, offset = row
        return Capture(
            target_uri=self._origin_text(origin) + rest,
            warc_date=unpack_warc_date(date),
            record_id=unpack_record_id(record),
            filename=self._file_name(wfile),
            offset=offset,
        )

    # -- operator functions --------------------------------------------------------------------

    def stats(self) -> IndexStats:
        counts = self._read(self._counts)
        size = sum(
            p.stat().st_size
            for p in (self.path, self.path.with_name(self.path.name + "-wal"))
            if p.exists()
        )
        return IndexStats(*counts, size_bytes=size)

    def _counts(self) -> tuple[int, int, int, int]:
        db = self._conn
        return tuple(  # type: ignore[return-value]
            db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("articles", "versions", "urls", "payloads")
        )

    def forget(self, id_or_url: str) -> ForgetResult:
        return self._write(self._forget, id_or_url)

    def _forget(self, id_or_url: str) -> ForgetResult:
        db = self._conn
        if "://" in id_or_url:
            for n, _, _, matches in self._url_rows(id_or_url):
                if matches:
                    db.execute(
                        "DELETE FROM urls WHERE url_key=? AND n=?", (url_key(id_or_url), n)
                    )
                    return ForgetResult(urls=1)
            return ForgetResult()
        rowid = self._rowid(id_or_url)
        if rowid is None:
            return ForgetResult()
        versions = db.execute("DELETE FROM versions WHERE article=?", (rowid,)).rowcount
        urls = db.execute("DELETE FROM urls WHERE article=?", (rowid,)).rowcount
        db.execute("DELETE FROM articles WHERE rowid=?", (rowid,))
        return ForgetResult(articles=1, versions=versions, urls=urls)

    def expire_urls(self, older_than: timedelta, now: Moment = None) -> int:
        cutoff = to_epoch(now) - older_than.total_seconds()
        # URL-level memory only: the DELETE names the urls table and nothing else.
        return self._write(
            lambda: self._conn.execute("DELETE FROM urls WHERE last_seen < ?", (cutoff,)).rowcount
        )

    def reset(self) -> None:
        def wipe() -> None:
            for table in _TABLES:
                self._conn.execute(f"DELETE FROM {table}")

        with self._lock:
            self._write(wipe)
            self.flush()
            self._forget_dictionaries()
            self._run(self._conn.execute, "VACUUM")  # give the space back to the file system

    def export_latest(self) -> Iterator[dict[str, Any]]:
        self._commit_if_due()
        db = self._conn
        # A cursor of its own: the per-article queries below run while it is open.
        articles = db.execute(
            "SELECT rowid, article_id, first_seen, last_seen, last_checked, published, "
            "duplicate_of, url_base FROM articles ORDER BY article_id"
        )
        for rowid, article_id, first, last, checked, published, duplicate_of, base in articles:
            version = self._version_of(rowid, article_id)
            if version is None:
                continue  # only sighted, never archived: nothing to export
            warc = version.warc
            yield {
                "id": article_id,
                "version": version.version,
                "versions": version.version,  # numbered 1..n without gaps
                "content_hash": version.content_hash,
                "previous_hash": version.previous_hash,
                "simhash": version.simhash,
                "minor_change": version.minor,
                "fetched_at": version.fetched_at,
                "warc": None
                if warc is None
                else {"filename": warc.filename, "offset": warc.offset, "record_id": warc.record_id},
                "urls": self._urls_of(rowid, base),
                "published": None if published is None else unpack_published(published),
                "duplicate_of": duplicate_of,
                "first_seen": _iso(first),
                "last_seen": _iso(last),
                "last_checked": None if checked is None else _iso(checked),
                "version_first_seen": _iso(int(version.first_seen.timestamp())),
                "version_last_seen": _iso(int(version.last_seen.timestamp())),
            }


def _iso(seconds: int) -> str:
    return from_epoch(seconds).isoformat()

