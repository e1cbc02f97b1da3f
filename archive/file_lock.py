"""Advisory locks that mark a file as being written by a live process.

The WARC writer and the JSON Lines writer hold an exclusive ``flock`` on each file they are
writing; the kernel drops it when the process ends, however it ends (SIGKILL included). Crash
repair at the start of the next crawl (``archive.warc_repair``, ``archive.recovery``) only
touches files it can lock itself: those whose writer is gone. Several processes may write
into one directory (scaled-out workers), so "not locked" is the only safe test of "dead".
"""

from __future__ import annotations

import os

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory locks, repair trusts the caller
    fcntl = None  # type: ignore[assignment]

__all__ = ["held_by_another", "lock_exclusively", "wait_for_lock"]


def lock_exclusively(fd: int) -> bool:
    """Take the exclusive lock on ``fd`` without waiting; False when another process (or
    another open file description) holds it."""
    if fcntl is None:  # pragma: no cover
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # a filesystem without flock support: behave as if unlocked-and-ours
        return True
    return True


def wait_for_lock(fd: int) -> None:
    """Take the exclusive lock on ``fd``, waiting for its holder (a short read-change-write
    of a small file, never a long-lived writer)."""
    if fcntl is None:  # pragma: no cover
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except OSError:  # no flock support: as lock_exclusively
        return


def held_by_another(path: os.PathLike[str] | str) -> bool:
    """True when a live process holds the lock on ``path`` (False if it is gone)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        return not lock_exclusively(fd)
    finally:
        os.close(fd)
