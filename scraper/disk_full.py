"""Stopping a crawl cleanly when the disk (or the file size limit) is full.

Whatever write fails first (a WARC record, a JSON line, the SQLite index) calls
:func:`stop_for_disk_full`: one clear line is logged (``disk full writing data/json/…:
stopped; free space and run again``), the spider is closed with reason ``disk_full`` (the run
report's status is then ``failed`` and ``newsarchive crawl`` exits 1), and from then on the
record pipeline writes nothing more (:func:`stopped_by`), taking back the index versions of
what it drops, so the next run fetches those articles again. The writers themselves cut a
failed write back (no half WARC record, no half JSON line), and the close that follows is the
normal one: WARC files closed and renamed, the index flushed.

That close needs a little room itself (the index's last commit, the CDXJ index of the last
WARC, the run report), and the disk is full: so each crawl reserves some space at its start
(:func:`reserve_space`, ``ARCHIVE_DISK_RESERVE_BYTES``, 1 MiB by default, a locked file
``state/.reserve-<run-id>``) and gives it back the moment it stops for lack of space.
"""

from __future__ import annotations

import logging
import os
import weakref
from pathlib import Path
from typing import TYPE_CHECKING

from archive.disk_space import DISK_FULL_REASON, disk_full_line, is_disk_full
from archive.file_lock import lock_exclusively
from scraper.run_stop import stop_run, stopped_by

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

RESERVE_PREFIX = ".reserve-"

# crawler -> (fd, path) of its reserve file
_reserves: weakref.WeakKeyDictionary[Crawler, tuple[int, Path]] = weakref.WeakKeyDictionary()


def stop_for_disk_full(crawler: Crawler, target: object, exc: BaseException | None = None) -> None:
    """Close the spider with reason ``disk_full`` (once; later calls do nothing)."""
    if stopped_by(crawler):
        return
    release_space(crawler)  # room for a clean close
    cause = str(exc) if exc is not None else None
    stop_run(crawler, disk_full_line(target, exc), DISK_FULL_REASON, cause=cause)


def reserve_space(crawler: Crawler, directory: Path, name: str, size: int) -> None:
    """Hold ``size`` bytes in ``directory/.reserve-<name>`` until :func:`release_space`. A
    disk too full for it already is no reason not to try the crawl: a warning, no reserve."""
    if size <= 0:
        return
    path = Path(directory) / f"{RESERVE_PREFIX}{name}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    except OSError as exc:
        logger.warning("could not reserve %d bytes for a clean stop on a full disk: %s", size, exc)
        return
    try:
        lock_exclusively(fd)
        try:
            os.posix_fallocate(fd, 0, size)
        except (AttributeError, OSError) as exc:
            if is_disk_full(exc):
                raise
            # no fallocate here (ZFS…): real bytes; not zeros, which compressing filesystems skip
            os.write(fd, os.urandom(size))
    except OSError as exc:
        os.close(fd)
        path.unlink(missing_ok=True)
        logger.warning("could not reserve %d bytes for a clean stop on a full disk: %s", size, exc)
        return
    _reserves[crawler] = (fd, path)


def release_space(crawler: Crawler) -> None:
    """Give the reserved space back (on a full disk, or at the end of the crawl)."""
    held = _reserves.pop(crawler, None)
    if held is None:
        return
    fd, path = held
    try:
        path.unlink(missing_ok=True)
    finally:
        os.close(fd)


def remove_stale_reserves(directory: Path) -> None:
    """Reserve files of crawls that were killed (their lock is gone)."""
    if not Path(directory).is_dir():
        return
    for path in Path(directory).glob(f"{RESERVE_PREFIX}*"):
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            continue
        try:
            if lock_exclusively(fd):
                path.unlink(missing_ok=True)
        finally:
            os.close(fd)
