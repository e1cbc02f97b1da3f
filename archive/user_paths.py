"""Files and directories a user named on the command line, written the way they meant.

A path a user names (``export --jsonl FILE``, ``--wacz FILE``, ``crawl --out DIR``) is not ours:

* a regular file, or a name that does not exist yet, gets its content in a temporary file
  beside it and renamed over it, so a reader never sees half an export and a failed one
  leaves the old file as it was;
* a symbolic link is written through: the temporary file goes beside the file the link
  points to, which gets the content; the link itself stays (renaming over it would leave its
  target unwritten and the link gone);
* a device, a FIFO or anything else that is not a regular file (``/dev/null``,
  ``/dev/stdout``, a pipe another program reads) is opened and written in place: renaming a
  file over ``/dev/null`` as root turns it into a regular file every program then writes to;
* a missing parent directory is refused, never made: a typo (``/mnt/bakcup/x``) would
  otherwise fill a directory nobody looks at, on whatever disk holds it.

Scrapy-free; the commands turn ``UserPathError`` into a one-line usage error (exit 2).
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO


class UserPathError(ValueError):
    """A named path that cannot be written as asked; the message is one line."""


@dataclass(frozen=True)
class OutputFile:
    """A file a user named to write, checked: ``named`` as typed, ``real`` with every symbolic
    link resolved (where the content goes), ``in_place`` for a device or FIFO."""

    named: Path
    real: Path
    in_place: bool


def output_file(path: Path) -> OutputFile:
    """``path`` checked as a file to write: UserPathError when its directory is missing or
    it is a directory. Nothing is created."""
    path = Path(path)
    real = Path(os.path.realpath(path))  # a dangling link's target is where the file goes
    try:
        mode = os.stat(real).st_mode
    except FileNotFoundError:
        mode = None
    except OSError as exc:
        raise UserPathError(f"{path}: {exc.strerror or exc}") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise UserPathError(f"{path}: is a directory")
    if mode is None:
        _require_parent(path, real)
    return OutputFile(path, real, in_place=mode is not None and not stat.S_ISREG(mode))


def _require_parent(path: Path, real: Path) -> None:
    parent = real.parent
    if not parent.is_dir():
        shown = path.parent if real == Path(os.path.abspath(path)) else parent
        what = "is not a directory" if parent.exists() else "does not exist"
        raise UserPathError(
            f"{path}: directory {shown} {what} (create it first, or check the path)"
        )


@contextmanager
def writing(target: OutputFile) -> Iterator[IO[bytes]]:
    """A binary file to write ``target``'s content to. A regular file is replaced only when
    the block ends without an exception (the temporary file is removed otherwise); a device
    or FIFO is written as the block writes. OSError as the system raises it."""
    if target.in_place:
        # A device or pipe takes the bytes as they come (truncation means nothing to it); a
        # FIFO blocks here until its reader opens it, as a shell redirect does.
        with open(target.real, "wb") as stream:
            yield stream
        return
    tmp = target.real.with_name(f".{target.real.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    # O_EXCL: never through a link someone planted under the temporary name; 0o666 under
    # the umask: the permissions a new file would have had.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        with open(fd, "wb") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        _keep_mode(target.real, tmp)
        os.replace(tmp, target.real)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _keep_mode(old: Path, new: Path) -> None:
    """A file replaced keeps its permissions (a 0600 export stays private)."""
    try:
        os.chmod(new, stat.S_IMODE(os.stat(old).st_mode))
    except FileNotFoundError:
        pass


def output_directory(path: Path) -> Path:
    """``path`` as a directory to write in: made when missing (the user named it), but not
    its parent (they did not). UserPathError saying why not."""
    path = Path(path)
    if path.is_dir():
        if not os.access(path, os.W_OK | os.X_OK):
            raise UserPathError(f"{path}: cannot write in it")
        return path
    if path.exists():
        raise UserPathError(f"{path}: not a directory")
    real = Path(os.path.realpath(path))
    _require_parent(path, real)
    try:
        real.mkdir()
    except OSError as exc:
        raise UserPathError(f"{path}: cannot create it: {exc.strerror or exc}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise UserPathError(f"{path}: cannot write in it")
    return path
