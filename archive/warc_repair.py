"""Crash repair of WARC files a killed writer left behind (``*.warc.gz.open``, ``*.warc.open``).

A crawl killed with SIGKILL (or out of memory, or a power cut) never closes its WARC file: it
stays under its ``.open`` name, possibly ending in half a gzip member. The next crawl runs
:func:`repair_open_warcs` on the site's WARC directory before it writes anything:

* a file whose writer is still alive is left alone: :class:`archive.warc_writer.RotatingWarcWriter`
  holds an exclusive ``flock`` on its open file, which the kernel drops when the process dies,
  so an unlocked ``.open`` file is one nobody writes any more (several scaled-out workers may
  share the directory: their live files are locked);
* the file is cut back to the end of its last complete record (a record is complete when
  :func:`archive.warc_reader.iter_records` reads it without a problem; a response without its
  request record is a valid WARC record and is kept), fsynced, renamed to its final name (the
  name every JSON record and index row already uses) and indexed (``<name>.cdxj``);
* a file without one complete record (killed while writing its warcinfo) is removed: it
  holds nothing;
* a file damaged *before* its end, or that is not a WARC at all, is not what a crash leaves:
  it is left as it is, reported, for a human to look at (``newsarchive verify`` names it).

Each file's outcome is a :class:`Repair`, whose :meth:`Repair.message` is the log line, e.g.
``repaired data/warc/presstv/X.warc.gz.open: kept 120 records, cut 3,456 bytes``.

Scrapy-free (``archive`` never imports Scrapy): the crawl calls it from an extension.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

from archive.file_lock import lock_exclusively
from archive.warc_reader import NotAWarc, ReadProblem, iter_records
from archive.warc_records import OPEN_SUFFIX
from archive.wording import count

logger = logging.getLogger(__name__)

__all__ = ["Repair", "open_warcs", "repair_open_warc", "repair_open_warcs"]

Action = Literal["repaired", "closed", "removed", "left"]

_OPEN_NAMES = (".warc.gz" + OPEN_SUFFIX, ".warc" + OPEN_SUFFIX)
# What the first bytes of a file we started can be: a gzip member or a plain WARC record.
_OUR_STARTS = (b"\x1f\x8b", b"WARC/")


@dataclass(frozen=True)
class Repair:
    """What was done to one leftover ``.open`` file.

    ``action``: ``repaired`` (cut back and renamed), ``closed`` (complete as it was, renamed),
    ``removed`` (no complete record), ``left`` (damaged in the middle or not a WARC: untouched,
    see ``reason``)."""

    path: str  # the .open file as found
    action: Action
    final: str | None = None  # the name it has now (None: removed or left)
    records: int = 0  # complete records kept
    cut_bytes: int = 0
    reason: str | None = None
    indexed: bool = False  # a CDXJ index was written beside the repaired file

    def message(self) -> str:
        if self.action == "repaired":
            return (
                f"repaired {self.path}: kept {count(self.records, 'record')}, "
                f"cut {count(self.cut_bytes, 'byte')}"
            )
        if self.action == "closed":
            return (
                f"repaired {self.path}: kept {count(self.records, 'record')}, nothing to cut "
                "(closed and renamed)"
            )
        if self.action == "removed":
            return f"removed {self.path}: no complete record in its {self.cut_bytes:,} bytes"
        return f"left {self.path} as it is: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        out = {"kind": "warc", **asdict(self), "message": self.message()}
        return {k: v for k, v in out.items() if v is not None}


def open_warcs(directory: Path) -> list[Path]:
    """The ``*.warc.gz.open`` and ``*.warc.open`` files directly in ``directory``, sorted."""
    try:
        names = os.listdir(directory)
    except FileNotFoundError:
        return []
    return sorted(Path(directory) / name for name in names if name.endswith(_OPEN_NAMES))


def repair_open_warcs(
    directory: Path, *, index: Callable[[Path], object] | None = None
) -> list[Repair]:
    """Repair every leftover ``.open`` WARC in ``directory`` whose writer is gone; live ones
    (locked) are skipped silently. ``index(final_path)`` (e.g. ``archive.cdxj.index_warc``)
    runs on each file renamed; its failure is logged, not raised (an index can be rebuilt)."""
    repairs = []
    for path in open_warcs(directory):
        try:
            repair = repair_open_warc(path, index=index)
        except OSError as exc:  # one unreadable file must not stop the crawl
            repair = Repair(str(path), "left", reason=f"could not repair: {exc}")
        if repair is not None:
            logger.warning("%s", repair.message())  # a crawl was killed: worth saying
            repairs.append(repair)
    return repairs


def repair_open_warc(path: Path, *, index: Callable[[Path], object] | None = None) -> Repair | None:
    """Repair one leftover ``.open`` file; None when a live writer holds it (or it is gone)."""
    path = Path(path)
    try:
        fd = os.open(path, os.O_RDWR | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        return None  # finished (renamed) or repaired by another process meanwhile
    try:
        if not lock_exclusively(fd):
            return None  # a live writer
        try:
            if os.fstat(fd).st_ino != os.stat(path).st_ino:
                return None  # renamed and replaced between our open and our lock
        except FileNotFoundError:
            return None  # renamed by its writer, or repaired by another process, meanwhile
        return _repair_locked(fd, path, index)
    finally:
        os.close(fd)  # releases the lock, after the rename


def _repair_locked(fd: int, path: Path, index: Callable[[Path], object] | None) -> Repair:
    size = os.fstat(fd).st_size
    final = path.with_name(path.name[: -len(OPEN_SUFFIX)])
    with open(path, "rb") as handle:
        start = handle.read(8)
    if size == 0 or any(start.startswith(s) or s.startswith(start) for s in _OUR_STARTS):
        complete, end, damage = _complete_prefix(path) if size else (0, 0, None)
    else:
        return Repair(str(path), "left", reason=f"not a WARC file (starts with {start!r})")
    if damage is not None:
        return Repair(
            str(path),
            "left",
            records=complete,
            reason=f"damaged before its end ({damage}); not a crash leftover",
        )
    if complete == 0:
        path.unlink()
        _sync_directory(path.parent)
        return Repair(str(path), "removed", cut_bytes=size)
    if final.exists():
        return Repair(str(path), "left", records=complete, reason=f"{final.name} exists already")
    if end < size:
        os.ftruncate(fd, end)
    os.fsync(fd)
    os.rename(path, final)
    _sync_directory(path.parent)
    indexed = False
    if index is not None:
        try:
            index(final)
            indexed = True
        except Exception as exc:  # derived data: `newsarchive index` rebuilds it later
            logger.warning("could not index repaired %s: %s", final, exc)
    return Repair(
        str(path),
        "repaired" if end < size else "closed",
        final=str(final),
        records=complete,
        cut_bytes=size - end,
        indexed=indexed,
    )


def _complete_prefix(path: Path) -> tuple[int, int, str | None]:
    """(complete records, where the last one ends, damage found before a later good record)."""
    problems: list[ReadProblem] = []
    count = end = 0
    try:
        for record in iter_records(path, problems.append):
            if problems:  # a good record after a bad stretch: damage in the middle
                return count, end, str(problems[0])
            if any("not followed by CRLF CRLF" in warning for warning in record.warnings):
                # block complete, trailer cut off: incomplete unless something follows it
                problems.append(
                    ReadProblem(path, record.offset, "record not followed by CRLF CRLF")
                )
                continue
            count += 1
            end = record.offset + record.length
    except NotAWarc:
        return 0, 0, None  # e.g. a gzip header with nothing inflatable yet: nothing complete
    return count, end, None


def _sync_directory(directory: Path) -> None:
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:  # platforms that cannot open directories
        return
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
