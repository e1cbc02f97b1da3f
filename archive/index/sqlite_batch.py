"""The SQLite index's connection: writes committed in batches, a locked database waited out,
and no version committed before its record is written.

Why (measured on the 2-core reference machine; `python bench/index.py` measures it again):

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
* A damaged file (``archive.index.sqlite_damage``) is checked for at open, within a time
  budget, and met later it raises :class:`IndexDamagedError` from every operation, after
  telling ``on_damaged`` once (the crawl stops on it rather than failing page after page).
"""

from __future__ import annotations

import functools
import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

import tenacity

from archive.index.codec import pack_digest
from archive.index.held_versions import HeldVersions
from archive.index.sqlite_damage import (
    DEFAULT_CHECK_SECONDS,
    IndexDamagedError,
    is_damage,
    quick_check,
)
from archive.index.sqlite_read_only import connect_read_only
from archive.index.sqlite_schema import check_database, set_up_database

P = ParamSpec("P")
T = TypeVar("T")

# The backend's name: what operators filter the index's log lines by.
logger = logging.getLogger("archive.index.sqlite_backend")


def _is_locked(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)


Method = Callable[Concatenate[Any, P], T]


def retry_when_locked(*, writes: bool) -> Callable[[Method[P, T]], Method[P, T]]:
    """Run a method of an object that keeps its :class:`BatchedConnection` in ``_connection``
    (``SqliteIndex``) under the connection's lock, and run it again while another process
    holds the database's write lock: the first attempt directly, then up to
    ``lock_attempts`` more through tenacity with exponential backoff (see
    :meth:`BatchedConnection.run`).

    ``writes=False``: a batch that is due is committed first. ``writes=True``: the method
    runs in a savepoint of the open batch, so a failure leaves nothing of it behind and a
    retry starts from scratch, and it counts towards the batch's size."""

    def decorate(method: Method[P, T]) -> Method[P, T]:
        # The call is bound once: passing keyword arguments on through each layer costs
        # microseconds a call, and record_version is all keyword arguments.
        if writes:

            def call(owner: Any, *args: P.args, **kwargs: P.kwargs) -> T:
                return owner._connection.write(functools.partial(method, owner, *args, **kwargs))

        else:

            def call(owner: Any, *args: P.args, **kwargs: P.kwargs) -> T:
                return owner._connection.read(functools.partial(method, owner, *args, **kwargs))

        return functools.wraps(method)(call)

    return decorate


class BatchedConnection:
    """The connection to one index file, set up as an index; used from any thread."""

    def __init__(
        self,
        path: Path,
        *,
        batch_size: int,
        batch_seconds: float,
        busy_timeout: float,
        lock_attempts: int,
        lock_wait_max: float,
        cache_mb: int,
        read_only: bool = False,
        check_seconds: float = DEFAULT_CHECK_SECONDS,
    ) -> None:
        self.path = path
        # Told once, with the error, when damage is first met (the crawl stops on it).
        self.on_damaged: Callable[[IndexDamagedError], None] | None = None
        self._damage: IndexDamagedError | None = None
        self.read_only = read_only
        self.batch_size = batch_size
        self.batch_seconds = batch_seconds
        self.lock_retries = 0  # how often a locked database was waited out (for run reports)
        self._pending = 0
        self._batch_started = 0.0
        # Crash safety (see hold_versions_until_written): versions recorded whose article
        # record is not written out yet; and those whose record could not be written, to be
        # taken back before the next commit.
        self.held = HeldVersions(logger)
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
        self.lock = threading.RLock()
        # Autocommit mode: this class issues BEGIN/COMMIT itself, for batching.
        self._cleanup: Callable[[], None] | None = None
        if read_only:
            # A reader beside a running crawl: WAL gives it the last committed state without
            # taking a lock the crawl could hold (no schema setup, which writes); in a
            # directory nobody may write, what it takes (archive.index.sqlite_read_only).
            self._db: sqlite3.Connection | None
            self._db, self._cleanup = self.run(connect_read_only, self.path, busy_timeout)
        else:
            self._db = sqlite3.connect(
                self.path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
            )
        try:
            if read_only:
                self.run(check_database, self._db, self.path)
            else:
                self.run(set_up_database, self._db, self.path, cache_mb)
            self.run(quick_check, self._db, self.path, check_seconds)
        except BaseException:
            self._db.close()
            self._db = None
            if self._cleanup is not None:
                self._cleanup()
            raise

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            raise ValueError(f"index {self.path} is closed")
        return self._db

    def _count_retry(self, state: tenacity.RetryCallState) -> None:
        self.lock_retries += 1

    # -- running operations ----------------------------------------------------------------------

    def run(self, op: Callable[..., T], *args: Any) -> T:
        """Run ``op``; only a locked database goes through tenacity. Damage found in the
        file raises :class:`IndexDamagedError`."""
        try:
            return op(*args)
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                raise self.damaged(exc) from exc
            if not _is_locked(exc):
                raise
            self.lock_retries += 1
        try:
            return self._retrying(op, *args)
        except sqlite3.DatabaseError as exc:
            if is_damage(exc):
                raise self.damaged(exc) from exc
            raise

    def damaged(self, exc: sqlite3.DatabaseError) -> IndexDamagedError:
        """The error to raise for damage SQLite reported; ``on_damaged`` hears of the first."""
        if self._damage is None:
            self._damage = (
                exc
                if isinstance(exc, IndexDamagedError)
                else IndexDamagedError(self.path, str(exc))
            )
            if self.on_damaged is not None:
                self.on_damaged(self._damage)
        return self._damage

    def read(self, op: Callable[[], T]) -> T:
        with self.lock:
            self.commit_if_due()
            return self.run(op)

    def write(self, op: Callable[[], T]) -> T:
        """Run ``op`` in the open batch (begun if there is none)."""
        with self.lock:
            result = self.run(self._in_savepoint, op)
            self._pending += 1
            self.commit_if_due(full=self._pending >= self.batch_size)
            return result

    def _in_savepoint(self, op: Callable[..., T], *args: Any) -> T:
        db = self.db
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

    # -- committing ------------------------------------------------------------------------------

    def commit_if_due(self, full: bool = False) -> None:
        # in_transaction, not _pending: a failed first operation still opened the batch, and
        # its write lock must not be held until the next successful write.
        db = self.db
        if not db.in_transaction:
            return
        if full or time.monotonic() - self._batch_started >= self.batch_seconds:
            taken, waiting = self.held.settle()
            self._take_back_all(taken)
            if waiting:
                return  # held until those records are written (next call tries again)
            self._commit()

    def _commit(self) -> None:
        db = self.db
        if db.in_transaction:
            # A busy COMMIT leaves the transaction open, so retrying it is safe.
            self.run(db.execute, "COMMIT")
        self._pending = 0

    def flush(self) -> None:
        """Commit the open batch: durable, and visible to other processes.

        With :meth:`hold_versions_until_written`, a version whose record was still not
        written out when ``flush`` is called (the crawl is over: it never will be) is taken
        back first, so the next run fetches the article again. Nothing is committed to a
        file found damaged (that was reported once, when found)."""
        with self.lock:
            if self._damage is not None:
                return
            taken = self.held.never_written(str(self.path))
            if self.db.in_transaction:  # else the batch is gone (rolled back) with them
                self._take_back_all(taken)
            self._commit()

    def close(self) -> None:
        with self.lock:
            if self._db is None:
                return
            try:
                # a reader has nothing to commit, and optimize writes; a damaged file has had
                # its one report, and what is left of the batch is dropped with it
                if not self.read_only and self._damage is None:
                    self.flush()
                    self._db.execute("PRAGMA optimize")
            finally:
                self._db.close()
                self._db = None
                if self._cleanup is not None:
                    self._cleanup()

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
        with self.lock:
            self.held.hold = hold

    def version_recorded(self, article_id: str, content_hash: str, number: int) -> None:
        """A new version is in the open batch: when holding, the batch now waits for its record."""
        self.held.recorded(article_id, content_hash, number)

    def version_written(self, article_id: str, content_hash: str) -> None:
        """The record of this version is written out: its batch may commit. Cheap, takes no
        database lock (safe on the reactor thread); unknown pairs are ignored."""
        self.held.written(article_id, content_hash)

    def version_not_written(self, article_id: str, content_hash: str) -> None:
        """The record of this version could not be written (disk full…): the version is
        taken back before the batch commits, and with it the article's last check and
        validators, so the next run fetches it again. Cheap, no database lock."""
        self.held.not_written(article_id, content_hash)

    def _take_back_all(self, taken: list[tuple[str, str]]) -> None:
        for article_id, content_hash in taken:
            self.run(self._in_savepoint, self._take_back, article_id, content_hash)

    def _take_back(self, article_id: str, content_hash: str) -> None:
        db = self.db
        row = db.execute("SELECT rowid FROM articles WHERE article_id=?", (article_id,)).fetchone()
        if row is None:
            return
        rowid = row[0]
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
