"""Opening the SQLite index for reading only, wherever it lies: beside a running crawl, or in
an archive nobody may write (a read-only mount, a directory of another user, a backup copy).

``mode=ro`` is the way beside a crawl: it sees the last commit and takes no lock the crawl
could want. But the index is in WAL mode, and a reader needs the ``-shm`` file beside it: when
that file is missing (the last writer was killed and only the ``.sqlite`` and ``-wal`` files
were copied, or never made) and the directory cannot be written, SQLite says "unable to open
database file". No writer can be at work then (a writer keeps ``-shm`` there), so:

* without a ``-wal`` file, or an empty one, the ``.sqlite`` file is the whole index, opened
  ``immutable=1`` (no locks, no ``-shm``);
* with commits still in the ``-wal`` file, both are copied to a private temporary directory
  and read there (SQLite folds the ``-wal`` into the copy): ``immutable=1`` would ignore them,
  and show an index older than the records.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path

logger = logging.getLogger("archive.index.sqlite_backend")


def _nothing() -> None:
    pass


def connect_read_only(path: Path, timeout: float) -> tuple[sqlite3.Connection, Callable[[], None]]:
    """A connection that reads the index at ``path``, and what to call once it is closed."""
    uri = path.resolve().as_uri()
    db = None
    try:
        db = _connect(f"{uri}?mode=ro", timeout)
        db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # opens the files
        return db, _nothing
    except sqlite3.OperationalError as exc:
        if db is not None:
            db.close()
        message = str(exc).lower()
        if "unable to open" not in message and "readonly" not in message:
            raise
    wal = path.with_name(path.name + "-wal")
    if not wal.is_file() or wal.stat().st_size == 0:
        return _connect(f"{uri}?immutable=1", timeout), _nothing
    logger.info("%s: read from a private copy (read-only directory, commits in %s)", path, wal)
    directory = Path(tempfile.mkdtemp(prefix="newsarchive-index-"))
    try:
        copy = directory / path.name
        shutil.copyfile(path, copy)
        shutil.copyfile(wal, directory / wal.name)
        db = _connect(str(copy), timeout)
        db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchall()  # folds the -wal in
    except BaseException:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    return db, lambda: shutil.rmtree(directory, ignore_errors=True)


def _connect(target: str, timeout: float) -> sqlite3.Connection:
    # Autocommit mode, any thread: as BatchedConnection uses every connection.
    return sqlite3.connect(
        target,
        uri=target.startswith("file:"),
        timeout=timeout,
        isolation_level=None,
        check_same_thread=False,
    )
