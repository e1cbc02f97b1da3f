"""Append-only JSON Lines files, one article version per line."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from archive.file_lock import lock_exclusively


class JsonlWriter:
    """Writes each record as one line: encoded completely first, then one ``os.write`` of the
    whole line to a file opened ``O_APPEND`` (no buffer that a crash could leave half out).

    A write that fails (disk full, file size limit) is cut back to the end of the last whole
    line before the error is raised, so the file never keeps half a line; a process killed in
    the middle of a write can still leave one, which the next crawl cuts off
    (``archive.recovery``). The file is ``flock``-ed while open, which tells that repair this
    file's writer is alive."""

    def __init__(self, path: Path, *, fsync: bool = False) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._fsync = fsync
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
        self._fd: int | None = os.open(path, flags, 0o644)
        lock_exclusively(self._fd)
        self._size = os.fstat(self._fd).st_size  # end of the last whole line
        self.count = 0

    def write(self, record: dict[str, Any]) -> tuple[int, bytes]:
        """The offset the line was written at, and the line."""
        if self._fd is None:
            raise ValueError(f"{self.path} is closed")
        data = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode(
            "utf-8"
        )
        view = memoryview(data)
        try:
            while view:  # one write unless the disk fills up midway (then the error comes next)
                view = view[os.write(self._fd, view) :]
        except OSError as exc:
            try:
                os.ftruncate(self._fd, self._size)
            except OSError:
                pass  # the next crawl's repair cuts the half line off
            raise OSError(exc.errno, exc.strerror, str(self.path)) from exc  # which file
        offset = self._size
        self._size += len(data)
        if self._fsync:
            os.fsync(self._fd)
        self.count += 1
        return offset, data

    def close(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def __enter__(self) -> JsonlWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
