"""The records sink of every crawl and replay: each record to its JSON Lines file, then to
the site's search index.

The line comes first and is the archive: when the index cannot take the record (locked past
its timeout, damaged, a full disk), the run goes on, one warning says so, and the next
reader's catch-up indexes the line from the file. Only a failed JSON line fails the record.

Records reach the index in batches (``BATCH`` records, or what ``BATCH_SECONDS`` brought),
one short transaction each: a transaction per record made FTS5 write and merge a segment per
record, ten times slower. A record not yet in the index is still found: readers catch up
from the JSON Lines, and a batch skips what they indexed meanwhile.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import time
from pathlib import Path

from archive.layout import OutputLayout
from archive.record_sink import JsonlSink, RecordSink
from archive.records import ArticleRecord
from archive.search.index_rows import LineLocation, SearchIndexError
from archive.search.text_index import TextIndex
from archive.wording import size

logger = logging.getLogger(__name__)

BATCH = 200
BATCH_SECONDS = 1.0
# The index is a cache: on a disk with less free than this it is not written (the next reader
# catches up), so it never takes the room a run keeps to stop cleanly on a full disk.
LOW_DISK_BYTES = 16 << 20


class SearchIndexedSink:
    def __init__(self, records: JsonlSink, index_path: Path) -> None:
        self.records = records
        self.index_path = index_path
        self._index: TextIndex | None = None
        self._pending: list[tuple[ArticleRecord, LineLocation, bytes]] = []
        self._since = 0.0
        self.index_failures = 0

    def write(self, record: ArticleRecord) -> None:
        offset, line = self.records.write_line(record)
        if self.index_failures:
            return  # told once; the next reader catches up from the file
        location = LineLocation(self.records.path.name, offset, len(line))
        if not self._pending:
            self._since = time.monotonic()
        self._pending.append((record, location, line))
        if len(self._pending) >= BATCH or time.monotonic() - self._since >= BATCH_SECONDS:
            self._flush()

    def _flush(self) -> None:
        pending, self._pending = self._pending, []
        if not pending or self.index_failures:
            return
        free = shutil.disk_usage(self.records.path.parent).free
        if free < LOW_DISK_BYTES:
            self.index_failures += 1
            logger.warning(
                "search index %s not updated: %s free on its disk; records are written, and "
                "the next `newsarchive search %s` indexes them",
                self.index_path,
                size(free),
                pending[0][0].site,
            )
            return
        try:
            if self._index is None:  # opened with the first records, as the file is made
                self._index = TextIndex(self.index_path, self.records.path.parent)
            self._index.add(pending)
        except (sqlite3.Error, SearchIndexError, OSError) as exc:
            self.index_failures += 1
            logger.warning(
                "search index %s not updated (%s): records are written; "
                "`newsarchive search %s --reindex` rebuilds it",
                self.index_path,
                exc,
                pending[0][0].site,
            )

    def close(self) -> None:
        self._flush()
        self.records.close()
        if self._index is not None:
            self._index.close()
            self._index = None


def records_sink(
    layout: OutputLayout, site: str, run_id: str, *, fsync: bool = False
) -> RecordSink:
    """A run's sink: ``json/<site>/<run_id>.jsonl``, and the site's search index."""
    return SearchIndexedSink(
        JsonlSink(layout.records_file(site, run_id), fsync=fsync), layout.search_index(site)
    )
