"""When a worker of a shared crawl may stop (see ``scraper.shared.crawl``).

scrapy-redis workers idle for ever by default, waiting for more requests. Here a worker with
nothing to do keeps the spider open (``DontCloseSpider``) while another worker is busy (it
may still queue pages) and closes, with reason ``finished``, once the shared queue has been
empty with every live worker idle for ``SHARED_CRAWL_IDLE_CLOSE`` seconds. A heartbeat every
``SHARED_CRAWL_HEARTBEAT`` seconds keeps the run's keys alive and makes the engine look at
the shared queue again (Scrapy's own look comes every 5 s), so an idle worker takes new
requests within a heartbeat. The last worker to close deletes the run's keys.

Off without ``REDIS_URL``. Stats: ``shared_crawl/idle_checks``, ``shared_crawl/last_worker``
(1 on the worker that cleared the run), ``shared_crawl/redis_errors``.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

import redis
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from twisted.internet import task

from scraper.run import ArchiveRun
from scraper.shared.crawl import SharedCrawl

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self

logger = logging.getLogger(__name__)


class SharedCrawlExtension:
    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.get("REDIS_URL"):
            # The usual case, not worth a line (Scrapy warns of a NotConfigured with a message).
            raise NotConfigured
        self.crawler = crawler
        self.interval = settings.getfloat("SHARED_CRAWL_HEARTBEAT")
        self.shared: SharedCrawl | None = None
        self.heartbeat: task.LoopingCall | None = None
        self._failing_since: float | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def spider_opened(self) -> None:
        self.shared = ArchiveRun.of(self.crawler).shared_crawl(self.crawler.settings)
        self._stats().set_value("shared_crawl/run", self.shared.token)
        self._stats().set_value("shared_crawl/worker", self.shared.worker)
        self.heartbeat = task.LoopingCall(self._beat)
        self.heartbeat.start(self.interval, now=False)

    def spider_idle(self) -> None:
        assert self.shared is not None
        if self.shared.left:
            return  # done already; another extension kept the spider open a little longer
        self._stats().inc_value("shared_crawl/idle_checks")
        try:
            verdict = self.shared.idle_check()
        except redis.RedisError as exc:
            verdict = self._redis_failed(exc)
        else:
            self._failing_since = None
        if verdict == "done":
            logger.info(
                "shared crawl %s: queue empty and every worker idle for %.1f s: closing",
                self.shared.token,
                self.shared.idle_close,
            )
            self._leave()  # now, not on spider_closed: the run report is written before that
            return
        raise DontCloseSpider

    def _redis_failed(self, exc: Exception) -> str:
        """Without Redis nobody can tell whether the crawl is over: wait, but not for ever."""
        assert self.shared is not None
        self._stats().inc_value("shared_crawl/redis_errors")
        now = time.monotonic()
        if self._failing_since is None:
            self._failing_since = now
        if now - self._failing_since >= self.shared.worker_timeout:
            logger.error(
                "shared crawl: Redis unusable for %.0f s (%s): closing",
                now - self._failing_since,
                exc,
            )
            return "done"
        logger.warning("shared crawl: Redis error while idle: %s", exc)
        return "idle"

    def _beat(self) -> None:
        assert self.shared is not None
        try:
            self.shared.beat()
        except redis.RedisError as exc:
            self._stats().inc_value("shared_crawl/redis_errors")
            logger.warning("shared crawl: heartbeat failed: %s", exc)
        # Scrapy has no public "look at the scheduler again"; its own heartbeat does this
        # every 5 s. Harmless when the engine is busy: it stops at once if it must back out.
        slot = getattr(self.crawler.engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def spider_closed(self) -> None:
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        self._leave()  # closed for another reason than "done" (Ctrl-C, an error, a limit)

    def _leave(self) -> None:
        if self.shared is None or self.shared.left:
            return
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        try:
            last = self.shared.leave()
        except redis.RedisError as exc:
            logger.warning(
                "shared crawl: could not leave the run (its keys expire by themselves): %s", exc
            )
            return
        if last:
            self._stats().set_value("shared_crawl/last_worker", 1)
            logger.info("shared crawl %s: last worker out, run keys deleted", self.shared.token)

    def _stats(self) -> StatsCollector:
        assert self.crawler.stats is not None
        return self.crawler.stats
