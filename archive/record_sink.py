"""Where kept records go: a sink takes each record the article keeper decided to keep.

JSON Lines (``OUT/json/<site>/<run-id>.jsonl``) is the archive's own sink and the default; a
sink is anything with ``write`` and ``close``, so another output (a search index) is a class,
not a change to the crawl or to replay. A sink's ``write`` raises when the record is not
stored (a full disk): the keeper then takes the article's version back.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from archive.jsonl import JsonlWriter
from archive.records import ArticleRecord


class RecordSink(Protocol):
    def write(self, record: ArticleRecord) -> None:
        """Store the record, or raise (it is then not stored at all)."""

    def close(self) -> None: ...


class JsonlSink:
    """A run's records file. It is made with the run's first record, not before: a run that
    archives nothing (offline, a failing site, again and again from cron) leaves no empty
    file behind."""

    def __init__(self, path: Path, *, fsync: bool = False) -> None:
        self.path = path
        self.fsync = fsync
        self._writer: JsonlWriter | None = None

    def write(self, record: ArticleRecord) -> None:
        self.write_line(record)

    def write_line(self, record: ArticleRecord) -> tuple[int, bytes]:
        """The offset the record's line starts at, and the line."""
        if self._writer is None:
            self._writer = JsonlWriter(self.path, fsync=self.fsync)
        return self._writer.write(record.to_dict())

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
