"""Stopping a crawl early for a reason that ends the run (a full disk, a damaged index).

The line that says why is kept as the run's ``stopped_by`` (the closing summary prints it once,
and the record pipeline writes nothing more once it is set), logged once for the closing
summary, and the spider is closed with the reason, so the run report's status is ``failed``
and ``newsarchive crawl`` exits 1.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.utils.defer import deferred_from_coro

from scraper.log_handlers import CLOSING_SUMMARY

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

STOPPED_BY_STAT = "newsarchive/stopped_by"


def stopped_by(crawler: Crawler) -> str | None:
    """The one-line reason the crawl is stopping early, if it is."""
    stats = crawler.stats
    value = stats.get_value(STOPPED_BY_STAT) if stats is not None else None
    return str(value) if value else None


def stop_run(crawler: Crawler, line: str, reason: str, **extra: Any) -> None:
    """Close the spider with ``reason``, ``line`` saying why (once; later calls do nothing).
    From the reactor's thread."""
    if stopped_by(crawler):
        return
    if crawler.stats is not None:
        crawler.stats.set_value(STOPPED_BY_STAT, line)
    logger.error("%s", line, extra={**extra, CLOSING_SUMMARY: True})
    engine = crawler.engine
    if engine is None or engine.spider is None:
        return
    closing = deferred_from_coro(engine.close_spider_async(reason=reason))
    closing.addErrback(
        lambda failure: logger.error("could not stop the crawl: %s", failure.getErrorMessage())
    )
