"""Progress of a long replay: records, articles, MB/s and an ETA by bytes read of all the
files, shown at most once a second."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from archive.wording import count


class ReplayProgress:
    """Records, articles, MB/s and ETA (by bytes read of all the files) for long replays."""

    def __init__(self, show: Callable[[ReplayProgress], None] | None) -> None:
        self.show = show
        self.total_bytes = 0
        self.done_bytes = 0  # in files finished
        self.current = 0  # bytes read of the file being read
        self.records = 0
        self.articles = 0
        self.problems = 0
        self.started = time.monotonic()
        self._last = 0.0

    def start(self, files: list[Path]) -> None:
        self.total_bytes = sum(_size(path) for path in files)
        self.started = time.monotonic()

    def advance(self, position: int) -> None:
        self.records += 1
        self.current = position
        if self.show is not None and self.records % 256 == 0:
            now = time.monotonic()
            if now - self._last >= 1.0:
                self._last = now
                self.show(self)

    def file_done(self, path: Path) -> None:
        self.done_bytes += _size(path)
        self.current = 0

    def done(self) -> None:
        if self.show is not None:
            self.show(self)

    @property
    def read_bytes(self) -> int:
        return self.done_bytes + self.current

    @property
    def elapsed(self) -> float:
        return max(time.monotonic() - self.started, 1e-9)

    def line(self) -> str:
        rate = self.read_bytes / self.elapsed
        left = self.total_bytes - self.read_bytes
        eta = f"{left / rate:.0f} s" if rate > 0 and left > 0 else "0 s"
        share = 100 * self.read_bytes / self.total_bytes if self.total_bytes else 100.0
        return (
            f"replay: {count(self.records, 'record')}, {count(self.articles, 'article')}, "
            f"{count(self.problems, 'problem')}, "
            f"{rate / 1e6:.1f} MB/s, {share:.0f}% read, ETA {eta}"
        )


def print_progress(stream: TextIO = sys.stderr) -> Callable[[ReplayProgress], None]:
    def show(progress: ReplayProgress) -> None:
        print(progress.line(), file=stream, flush=True)

    return show


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
