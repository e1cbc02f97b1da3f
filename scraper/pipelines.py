"""Item pipeline: article records to JSON Lines, ``<ARCHIVE_DIR>/json/<site>/<run-id>.jsonl``.

Crash safety: the spider records an article's version in the index before it yields the
record, so the pipeline tells the index when the record is written (``version_written``) or
could not be (``version_not_written``: the version is taken back and the article fetched
again next run); with an index that supports it (SQLite), no batch holding a version commits
before its record is written (``hold_versions_until_written``). On a full disk the crawl is
stopped cleanly (``scraper.disk_full``) and later records are dropped the same way.

The file is made with the run's first record, not when the run opens: a run that archives
nothing (offline, a failing site, again and again from cron) leaves no empty file behind.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archive.disk_space import is_disk_full
from archive.index.model import confirm_written
from archive.jsonl import JsonlWriter
from archive.records import ArticleRecord
from scraper.disk_full import stop_for_disk_full
from scraper.run import ArchiveRun
from scraper.run_stop import stopped_by


class JsonlRecordsPipeline:
    def __init__(self, fsync: bool) -> None:
        self.fsync = fsync
        self.writer: JsonlWriter | None = None
        self.path: Path | None = None  # the run's records file, made with its first record
        self.crawler: Crawler | None = None
        self.index: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JsonlRecordsPipeline:
        settings = crawler.settings
        pipeline = cls(settings.getbool("ARCHIVE_JSONL_FSYNC"))
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        pipeline.crawler = crawler
        return pipeline

    def spider_opened(self) -> None:
        assert self.crawler is not None
        run = ArchiveRun.of(self.crawler)
        self.path = run.layout.records_file(run.site, run.run_id)
        self.index = run.index
        hold = getattr(self.index, "hold_versions_until_written", None)
        if hold is not None:
            hold()

    def process_item(self, item: Any) -> Any:
        assert self.path is not None
        # A spider that is not ours yields dicts, written as they are.
        line = item.to_dict() if isinstance(item, ArticleRecord) else item
        stopping = stopped_by(self.crawler) if self.crawler is not None else None
        if stopping:
            self._tell_index(item, written=False)
            self._count_not_written(line)
            raise DropItem(f"not written, fetched again next run: {stopping}", log_level="DEBUG")
        try:
            if self.writer is None:
                self.writer = JsonlWriter(self.path, fsync=self.fsync)
            self.writer.write(line)
        except Exception as exc:
            self._tell_index(item, written=False)
            if is_disk_full(exc) and self.crawler is not None:
                stop_for_disk_full(self.crawler, self.path, exc)
                self._count_not_written(line)
                raise DropItem(
                    f"not written, fetched again next run: {exc}", log_level="DEBUG"
                ) from exc
            raise
        self._tell_index(item, written=True)
        return item

    def _count_not_written(self, item: Any) -> None:
        """For the run report, which takes these back out of the spider's article counts."""
        stats = self.crawler.stats if self.crawler is not None else None
        if stats is not None:
            kind = "new" if isinstance(item, dict) and item.get("version") == 1 else "changed"
            stats.inc_value(f"newsarchive/not_written/{kind}")

    def _tell_index(self, item: Any, written: bool) -> None:
        if isinstance(item, ArticleRecord):  # only our records were versioned in the index
            confirm_written(self.index, item.id, item.content_hash, written)

    def spider_closed(self) -> None:
        if self.writer is not None:
            self.writer.close()
