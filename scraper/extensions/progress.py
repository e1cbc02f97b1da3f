"""Progress lines on long runs: pages, articles, failures and rates since the last line."""
from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

logger = logging.getLogger(__name__)


class ProgressExtension:
    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.task: Any = None
        self.last = (time.monotonic(), 0, 0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> "ProgressExtension":
        interval = crawler.settings.getfloat("NEWSARCHIVE_PROGRESS_INTERVAL", 10.0)
        if interval <= 0:
            raise NotConfigured
        extension = cls(crawler, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self.last = (time.monotonic(), 0, 0)
        self.task = create_looping_call(self.log)
        self.task.start(self.interval, now=False)

    def log(self) -> None:
        stats = self.crawler.stats
        assert stats is not None
        pages = stats.get_value("response_received_count", 0)
        articles = stats.get_value("item_scraped_count", 0)
        failures = sum(v for k, v in stats.get_stats().items() if k.startswith("newsarchive/failed/"))
        now = time.monotonic()
        then, pages_then, articles_then = self.last
        elapsed = max(now - then, 1e-9)
        self.last = (now, pages, articles)
        logger.info(
            "progress: %d pages (%.1f/s), %d articles (%.1f/s), %d failures",
            pages, (pages - pages_then) / elapsed, articles, (articles - articles_then) / elapsed, failures,
        )

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
