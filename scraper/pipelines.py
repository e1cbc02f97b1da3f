"""Item pipeline for spiders that are not ours: their items (dicts) to JSON Lines,
``<ARCHIVE_DIR>/json/<site>/<run-id>.jsonl``, as they are.

Our spider's records are kept before they are yielded (``archive.article_keeper``: versioned,
written and confirmed as one step) and pass through here untouched, so Scrapy's item signals
(progress, field coverage) and any pipeline a user adds still see every record.

The file is made with the run's first item, not when the run opens: a run that archives
nothing leaves no empty file behind.
"""

from __future__ import annotations

from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from archive.jsonl import JsonlWriter
from archive.records import ArticleRecord
from scraper.run import ArchiveRun


class JsonlRecordsPipeline:
    def __init__(self, crawler: Crawler, fsync: bool) -> None:
        self.crawler = crawler
        self.fsync = fsync
        self.writer: JsonlWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JsonlRecordsPipeline:
        pipeline = cls(crawler, crawler.settings.getbool("ARCHIVE_JSONL_FSYNC"))
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def process_item(self, item: Any) -> Any:
        if isinstance(item, ArticleRecord):
            return item  # kept by the spider already
        if self.writer is None:
            run = ArchiveRun.of(self.crawler)
            self.writer = JsonlWriter(
                run.layout.records_file(run.site, run.run_id), fsync=self.fsync
            )
        self.writer.write(item)
        return item

    def spider_closed(self) -> None:
        if self.writer is not None:
            self.writer.close()
