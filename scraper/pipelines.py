"""Item pipeline: article records to JSON Lines, ``<ARCHIVE_DIR>/json/<site>/<run-id>.jsonl``."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from archive.jsonl import JsonlWriter


class JsonlRecordsPipeline:
    def __init__(self, directory: Path, fsync: bool) -> None:
        self.directory = directory
        self.fsync = fsync
        self.writer: JsonlWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "JsonlRecordsPipeline":
        settings = crawler.settings
        pipeline = cls(Path(settings.get("ARCHIVE_DIR", "data")), settings.getbool("ARCHIVE_JSONL_FSYNC"))
        crawler.signals.connect(pipeline.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def spider_opened(self, spider: Spider) -> None:
        run_id = getattr(spider, "run_id", spider.name)
        self.writer = JsonlWriter(self.directory / "json" / spider.name / f"{run_id}.jsonl", fsync=self.fsync)

    def process_item(self, item: dict[str, Any]) -> dict[str, Any]:
        assert self.writer is not None
        self.writer.write(item)
        return item

    def spider_closed(self) -> None:
        if self.writer is not None:
            self.writer.close()
