"""A damaged SQLite index (a file cut short, garbage written into it): found, named, and the
way out said in one line, instead of a traceback or a run that counts every page as failed.

SQLite reports damage as ``SQLITE_CORRUPT`` ("database disk image is malformed") or
``SQLITE_NOTADB`` ("file is not a database"), only when a query happens to read a damaged
page. So an index is also checked when it is opened, with ``PRAGMA quick_check`` (every page
read once, no cross-check of indexes against tables: ~0.5 s for 200 MB on the reference
machine), under a time budget: a file too large to check within it is opened unchecked, and
damage met later is reported the same way (:class:`IndexDamagedError`).

The way out is the archive itself: the WARC files hold every page the index describes, and
``newsarchive replay`` rebuilds an index from them alone (as it rebuilds the records).
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

logger = logging.getLogger("archive.index.sqlite_backend")

INDEX_DAMAGED_REASON = "index_damaged"  # the run report's finish_reason when a crawl stopped for it

DEFAULT_CHECK_SECONDS = 2.0
"""How long opening an index may spend on ``quick_check`` (the crawl's is
``NEWSARCHIVE_INDEX_CHECK_SECONDS``)."""

_CORRUPT = 11  # SQLITE_CORRUPT
_NOTADB = 26  # SQLITE_NOTADB
_DETAIL_CHARS = 120


class IndexDamagedError(sqlite3.DatabaseError):
    """The index file is damaged. Its message is the whole line for the user: the file, what
    SQLite said, and how to get a working index back. A ``sqlite3.DatabaseError``, so that
    code handling index errors in general handles this one too."""

    def __init__(self, path: Path, detail: str) -> None:
        self.path = Path(path)
        self.detail = " ".join(detail.split())[:_DETAIL_CHARS]  # quick_check's has newlines
        super().__init__(damage_line(self.path, self.detail))


def is_damage(exc: BaseException) -> bool:
    """Whether SQLite says the file is damaged (or is no database at all), as opposed to
    locked, full, read-only or missing."""
    if isinstance(exc, IndexDamagedError):
        return True
    if not isinstance(exc, sqlite3.DatabaseError) or isinstance(exc, sqlite3.OperationalError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if code is not None:
        return code & 0xFF in (_CORRUPT, _NOTADB)
    message = str(exc).lower()
    return "malformed" in message or "not a database" in message


def damage_line(path: Path, detail: str) -> str:
    """One line: which file, what is wrong, and the two ways out (a backup, or a rebuild from
    the WARCs with the exact command when the file sits where a crawl keeps it)."""
    site = path.stem
    warcs = path.parent.parent / "warc" / site  # where a crawl into that --out keeps them
    where = warcs if path.parent.name == "state" and warcs.is_dir() else "WARC_FILES"
    rebuild = f"newsarchive replay {where} --out NEW, then put NEW/state/{site}.sqlite in its place"
    return (
        f"index {path} is damaged ({detail}): restore it from a backup, or rebuild it from "
        f"the WARC files: {rebuild}"
    )


def quick_check(db: sqlite3.Connection, path: Path, seconds: float) -> None:
    """Raise :class:`IndexDamagedError` when SQLite's ``quick_check`` finds damage within
    ``seconds`` (0: no check). A check the budget cuts short proves nothing either way: the
    index is used, and damage met later is reported when met."""
    if not seconds > 0:  # 0 or NaN: no check
        return
    deadline = time.monotonic() + seconds
    # Called every 10,000 SQLite instructions; a true value interrupts the statement.
    db.set_progress_handler(lambda: time.monotonic() > deadline, 10_000)
    try:
        rows = db.execute("PRAGMA quick_check(5)").fetchall()
    except sqlite3.OperationalError as exc:
        if "interrupt" not in str(exc):
            raise
        logger.info("%s: too large to check within %.1f s at open; not checked", path, seconds)
        return
    except sqlite3.DatabaseError as exc:
        if is_damage(exc):
            raise IndexDamagedError(path, str(exc)) from exc
        raise
    finally:
        db.set_progress_handler(None, 0)
    findings = [str(row[0]) for row in rows]
    if findings != ["ok"]:
        raise IndexDamagedError(path, "; ".join(findings))
