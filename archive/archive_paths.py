"""Which files under the paths a user names are archives to read: one walk shared by
replay, ``--from-warc``, verify and index, so they never disagree about what they read.

Only regular files are read.  A FIFO named ``*.warc.gz`` would block the reader for ever,
a device would stream without end, and a symlink loop has no file at its end: each is
skipped with its reason, for the caller to report.  Symlinked directories are followed
once each (a loop of them is walked once).
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from archive.warc_records import OPEN_SUFFIX

ARCHIVE_SUFFIXES = (".warc", ".warc.gz", ".arc", ".arc.gz")


@dataclass(frozen=True)
class SkippedPath:
    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class ArchivePaths:
    """Closed archives (sorted by path: a crawl's files in write order, their names start
    with a UTC timestamp), unfinished ``*.open`` ones, and what was skipped and why."""

    closed: list[Path] = field(default_factory=list)
    unfinished: list[Path] = field(default_factory=list)
    skipped: list[SkippedPath] = field(default_factory=list)


def is_archive_name(name: str) -> bool:
    return name.lower().removesuffix(OPEN_SUFFIX).endswith(ARCHIVE_SUFFIXES)


def is_unfinished(path: Path) -> bool:
    """A ``*.open`` file: still being written, or left behind by a crawl that was killed."""
    return path.name.endswith(OPEN_SUFFIX)


def find_archives(
    paths: Iterable[Path], is_candidate: Callable[[str], bool] = is_archive_name
) -> ArchivePaths:
    """Every archive named, or under a named directory (recursively) with a name
    ``is_candidate`` accepts; a file named explicitly counts whatever its name.  Each file
    once, however often it is reached.  Raises FileNotFoundError for a named path that does
    not exist."""
    found = ArchivePaths()
    seen: set[Path] = set()

    def take(path: Path) -> None:
        problem = not_a_file_to_read(path)
        if problem is not None:
            found.skipped.append(SkippedPath(path, problem))
            return
        key = path.resolve()
        if key in seen:
            return
        seen.add(key)
        (found.unfinished if is_unfinished(path) else found.closed).append(path)

    for given in map(Path, paths):
        if given.is_dir():
            for path in _walk(given, is_candidate, found.skipped):
                take(path)
        elif given.exists() or given.is_symlink():
            take(given)
        else:
            raise FileNotFoundError(errno.ENOENT, "no such WARC file or directory", str(given))
    found.closed.sort()
    found.unfinished.sort()
    return found


def _walk(
    root: Path, is_candidate: Callable[[str], bool], skipped: list[SkippedPath]
) -> list[Path]:
    files: list[Path] = []
    visited: set[tuple[int, int]] = set()
    for directory, dirs, names in os.walk(root, followlinks=True):
        try:
            info = os.stat(directory)
        except OSError as exc:
            skipped.append(SkippedPath(Path(directory), exc.strerror or str(exc)))
            dirs.clear()
            continue
        if (info.st_dev, info.st_ino) in visited:
            dirs.clear()  # reached again through a symlink: walked already
            continue
        visited.add((info.st_dev, info.st_ino))
        dirs.sort()
        files.extend(Path(directory) / name for name in sorted(names) if is_candidate(name))
        # os.walk lists a symlink loop, or a link to nothing, among the directories' names
        # only if it resolves: the rest are in names, and not_a_file_to_read names their fault
    return files


def not_a_file_to_read(path: Path) -> str | None:
    """Why ``path`` is no regular file to read (a FIFO would hang the reader, ``/dev/zero``
    never ends), or None."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "symlink loop"
        if exc.errno == errno.ENOENT and path.is_symlink():
            return "symlink to nothing"
        return exc.strerror or str(exc)
    except RuntimeError:  # pathlib's own symlink-loop error on older Pythons
        return "symlink loop"
    if stat.S_ISREG(mode):
        return None
    for test, kind in _KINDS:
        if test(mode):
            return f"not a regular file ({kind}): not read"
    return "not a regular file: not read"


_KINDS = (
    (stat.S_ISFIFO, "a FIFO"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a directory"),
)
