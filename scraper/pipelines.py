"""Item pipeline: article records to JSON Lines, ``<ARCHIVE_DIR>/json/<site>/<run-id>.jsonl``.

Crash safety: the spider records an article's version in the index before it yields the
record, so the pipeline tells the index when the record is written (``version_written``) or
could not be (``version_not_written``: the version is taken back and the article fetched
again next run); with an index that supports it (SQLite), no batch holding a version commits
before its record is written (``hold_versions_until_written``). On a full disk the crawl is
stopped cleanly (``scraper.disk_full``) and later records are dropped the same way.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from archive.index import confirm_written
from archive.jsonl import JsonlWriter
from scraper.disk_full import is_disk_full, stop_for_disk_full, stopped_by


class JsonlRecordsPipeline:
    def __init__(self, directory: Path, fsync: bool) -> None:
        self.directory = directory
        self.fsync = fsync
        self.writer: JsonlWriter | None = None
        self.crawler: Crawler | None = None
        self.index: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "JsonlRecordsPipeline":
        settings = crawler.settings
        pipeline = cls(Path(settings.get("ARCHIVE_DIR", "data")), settings.getbool("ARCHIVE_JSONL_FSYNC"))
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        pipeline.crawler = crawler
        return pipeline

    def spider_opened(self, spider: Spider) -> None:
        run_id = getattr(spider, "run_id", spider.name)
        self.writer = JsonlWriter(self.directory / "json" / spider.name / f"{run_id}.jsonl", fsync=self.fsync)
        self.index = getattr(spider, "index", None)
        hold = getattr(self.index, "hold_versions_until_written", None)
        if hold is not None:
            hold()

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        assert self.writer is not None
        stopping = stopped_by(self.crawler) if self.crawler is not None else None
        if stopping:
            self._tell_index(item, written=False)
            self._count_not_written(item)
            raise DropItem(f"not written, fetched again next run: {stopping}", log_level="DEBUG")
        try:
            self.writer.write(item)
        except Exception as exc:
            self._tell_index(item, written=False)
            if is_disk_full(exc) and self.crawler is not None:
                stop_for_disk_full(self.crawler, self.writer.path, exc)
                self._count_not_written(item)
                raise DropItem(f"not written, fetched again next run: {exc}", log_level="DEBUG") from exc
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
        confirm_written(self.index, item, written)

    def spider_closed(self) -> None:
        if self.writer is not None:
            self.writer.close()
