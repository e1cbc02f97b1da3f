"""Stopping a crawl whose index turns out damaged (``archive/index/sqlite_damage.py``).

Damage is met wherever a component asks the index (the spider's look-ups in a thread, the WARC
capture's payload look-ups, the record pipeline); each would log its own error and go on, so a
run would count every page as failed and end "ok" with nothing archived. Instead the index
tells the run once (``SqliteIndex.on_damaged``, set by ``ArchiveRun.start``) and the run
stops the way a full disk stops it (``scraper.disk_full``): the line that names the file and
the way out is kept as the run's ``stopped_by`` (printed once by the closing summary), the
spider is closed with reason ``index_damaged`` (status ``failed``, exit 1), and the record
pipeline writes nothing more.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.utils.defer import deferred_from_coro

from archive.index.sqlite_damage import INDEX_DAMAGED_REASON
from scraper.disk_full import STOPPED_BY_STAT, stopped_by
from scraper.log_handlers import CLOSING_SUMMARY

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


def stop_for_index_damage(crawler: Crawler, damage: BaseException) -> None:
    """Stop the crawl for ``damage`` (once). Safe from any thread: index look-ups run in
    worker threads, and the engine is only touched from the reactor's."""
    # Imported here: importing the module installs a reactor, which is Scrapy's to choose.
    from twisted.internet import reactor

    reactor.callFromThread(_stop, crawler, str(damage))


def _stop(crawler: Crawler, line: str) -> None:
    if stopped_by(crawler):
        return
    if crawler.stats is not None:
        crawler.stats.set_value(STOPPED_BY_STAT, line)
    logger.error("%s", line, extra={CLOSING_SUMMARY: True})
    engine = crawler.engine
    if engine is None or engine.spider is None:
        return
    closing = deferred_from_coro(engine.close_spider_async(reason=INDEX_DAMAGED_REASON))
    closing.addErrback(
        lambda failure: logger.error("could not stop the crawl: %s", failure.getErrorMessage())
    )
