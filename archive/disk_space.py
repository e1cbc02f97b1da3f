"""Telling a full disk (or a reached file size limit) from other write errors, and the one
line that says so. Crawl (``scraper/disk_full.py``), replay and the command line all word it
alike: ``disk full writing PATH: stopped; free space and run again``."""

from __future__ import annotations

import errno
import sqlite3

DISK_FULL_REASON = "disk_full"  # the run report's finish_reason, crawl or replay

_NO_SPACE = frozenset({errno.ENOSPC, errno.EDQUOT})


def is_disk_full(exc: BaseException | None) -> bool:
    """No space left, quota exceeded, or the file size limit (RLIMIT_FSIZE: EFBIG) reached;
    SQLite reports the first as "database or disk is full"."""
    if isinstance(exc, OSError):
        return exc.errno in _NO_SPACE or exc.errno == errno.EFBIG
    if isinstance(exc, sqlite3.Error):
        return "full" in str(exc).lower()
    return False


def disk_full_line(target: object, exc: BaseException | None = None) -> str:
    """What stopped, where, and what the operator does about it."""
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        return (
            f"file size limit reached writing {target}: stopped; "
            "raise the limit (ulimit -f) and run again"
        )
    return f"disk full writing {target}: stopped; free space and run again"
