"""Bytes of a file that may shrink or grow while it is read, without ever crashing on it."""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# The longest ARC header line looked for (resync reads overlap by this much).
_MAX_ARC_LINE = 1 << 16


class _FileSource:
    """Random access to a file through one cached window: the slicing, ``find`` and regex
    search the parsers need. Not an mmap: a file that shrinks while mapped (our writer cuts
    off a half-written record; ``rsync --inplace``) kills the process with SIGBUS, while a
    short read here is just a truncated record.
    """

    WINDOW = 1 << 20

    def __init__(self, handle: io.BufferedReader) -> None:
        self._handle = handle
        self._size = os.fstat(handle.fileno()).st_size  # a growing .open file: read to here
        self._base = 0
        self._buf = b""

    def __len__(self) -> int:
        return self._size

    def _read(self, offset: int, length: int) -> bytes:
        self._handle.seek(offset)
        data = self._handle.read(length)
        if len(data) < length and offset + len(data) < self._size:
            self._size = offset + len(data)  # the file shrank under us: its end is here now
        return data

    def _cover(self, start: int, stop: int) -> bool:
        """Make the window hold [start, stop) if that fits in a window."""
        if self._base <= start and stop <= self._base + len(self._buf):
            return True
        if stop - start > self.WINDOW:
            return False
        self._buf, self._base = self._read(start, self.WINDOW), start
        return True

    def __getitem__(self, key: slice) -> bytes:
        start, stop, _ = key.indices(self._size)
        if stop <= start:
            return b""
        if self._cover(start, stop):
            return self._buf[start - self._base : stop - self._base]
        return self._read(start, stop - start)

    def byte_at(self, pos: int) -> int:
        self._cover(pos, pos + 1)
        index = pos - self._base
        return self._buf[index] if index < len(self._buf) else -1

    def find(self, sub: bytes, start: int, end: int | None = None) -> int:
        end = self._size if end is None else min(end, self._size)
        # Search what the window holds first: a header search is bounded by 1 MiB but almost
        # always ends within a few hundred bytes, so refilling up front would read 1 MiB each.
        refill = not self._base <= start < self._base + len(self._buf)
        while start < end:
            if refill:
                self._buf, self._base = self._read(start, self.WINDOW), start
            stop = min(end, self._base + len(self._buf))
            hit = self._buf.find(sub, start - self._base, stop - self._base)
            if hit >= 0:
                return hit + self._base
            if stop >= end or (refill and len(self._buf) < self.WINDOW):
                return -1
            start, refill = max(start + 1, stop - len(sub) + 1), True
        return -1

    def search_end(self, pattern: re.Pattern[bytes], pos: int) -> int:
        """Where the first match of ``pattern`` at or after ``pos`` ends, or -1.

        Reads overlap by an ARC line, so a match near a read's end is seen whole. Used only
        to resynchronise after damage, so it reads past the window rather than move it.
        """
        overlap = _MAX_ARC_LINE + 16
        span = self.WINDOW + overlap
        while pos < self._size:
            chunk = self._read(pos, span)
            at_end = len(chunk) < span or pos + len(chunk) >= self._size
            match = pattern.search(chunk)
            if match is not None and (at_end or match.start() < len(chunk) - overlap):
                return pos + match.end()
            if at_end:
                return -1
            pos += len(chunk) - overlap
        return -1


Buffer = bytes | _FileSource


def _search_end(data: Buffer, pattern: re.Pattern[bytes], pos: int) -> int:
    if isinstance(data, _FileSource):
        return data.search_end(pattern, pos)
    match = pattern.search(data, pos)
    return -1 if match is None else match.end()


@contextmanager
def _open_source(path: Path) -> Iterator[_FileSource | None]:
    """The file as a _FileSource (None when it is empty)."""
    with open(path, "rb") as handle:
        source = _FileSource(handle)
        yield source if len(source) else None
