"""The shared crawl's Scrapy side: scrapy-redis's scheduler and queue under the run's keys.

Two things in scrapy-redis 0.9.1 needed changing for this spider, hence the subclasses below:
its queue key is per spider name for ever (``<spider>:requests``), which would mix runs, and
it pickles each request's meta whole, ``site_profile`` (a ``SiteProfile``) included: that is
swapped for a reference to the worker's own profile (same site, checked at join), so a queued
request stays small and failover keeps one profile object per site. Compare mode's mirror
copies never enter the shared queue: their answer belongs to the worker that recorded the
article (its in-memory comparison), so they wait in a local one.
"""

from __future__ import annotations

import logging
import pickle
from collections import deque
from typing import TYPE_CHECKING

import redis
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.request import request_from_dict
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from archive.index.redis_backend import redacted
from archive.wording import count
from scraper.run import ArchiveRun
from scraper.shared.crawl import SharedCrawl, SharedCrawlError

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

    from scraper.sites.profile import SiteProfile

logger = logging.getLogger(__name__)

# Requests whose answer only the worker that made them can use: compare mode's mirror copies
# report to that worker's in-memory comparison. They stay in a local queue.
LOCAL_PAGE_TYPES = frozenset({"mirror_copy"})
PROFILE_REF = "newsarchive/site-profile"  # stands for the spider's profile in a queued request


class SharedRequestQueue(PriorityQueue):
    """scrapy-redis's priority queue under the run's key, popping with :meth:`SharedCrawl.pop`,
    and with the spider's ``SiteProfile`` sent as a reference (see the module docstring)."""

    def __init__(
        self,
        server: redis.Redis,
        spider: Spider,
        key: str,
        shared: SharedCrawl,
        profile: SiteProfile | None,
    ) -> None:
        # Not super().__init__: it %-formats the key with the spider name a second time.
        from scrapy_redis import picklecompat

        self.server = server
        self.spider = spider
        self.key = key
        self.serializer = picklecompat
        self.shared = shared
        self.profile = profile

    def _encode_request(self, request: Request) -> bytes:
        data = request.to_dict(spider=self.spider)
        meta = data.get("meta")
        profile = self.profile
        if meta and profile is not None and meta.get("site_profile") is profile:
            data["meta"] = {
                **meta,
                "site_profile": (PROFILE_REF, profile.name),
            }  # to_dict shares meta
        return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)

    def _decode_request(self, encoded_request: bytes) -> Request:
        data = pickle.loads(encoded_request)
        meta = data.get("meta")
        reference = meta.get("site_profile") if meta else None
        if isinstance(reference, tuple) and len(reference) == 2 and reference[0] == PROFILE_REF:
            profile = self.profile
            if profile is None or reference[1] != profile.name:
                raise SharedCrawlError(
                    f"a queued request of site {reference[1]!r} reached a "
                    f"{profile.name if profile else 'profile-less'!r} worker"
                )
            meta["site_profile"] = profile
        return request_from_dict(data, spider=self.spider)

    def pop(self, timeout: int = 0) -> Request | None:
        data = self.shared.pop(self.key)
        return self._decode_request(data) if data else None


class SharedScheduler(RedisScheduler):
    """scrapy-redis's scheduler with the run's keys (``…:crawl:<token>:requests`` and
    ``:dupefilter``) and the queue above. ``persist`` is always on: a worker that finishes
    must not clear the queue its peers still use; the last worker to leave clears the run."""

    shared: SharedCrawl
    profile: SiteProfile | None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedScheduler:
        run = ArchiveRun.of(crawler)
        shared = run.shared_crawl(crawler.settings)
        dupefilter = RFPDupeFilter(
            shared.redis,
            shared.key("dupefilter"),
            debug=crawler.settings.getbool("DUPEFILTER_DEBUG"),
        )
        scheduler = cls(
            server=shared.redis,
            persist=True,
            queue_key=shared.key("requests"),
            dupefilter=dupefilter,
            dupefilter_key=shared.key("dupefilter"),
        )
        scheduler.stats = crawler.stats
        scheduler.shared = shared
        scheduler.profile = run.profile
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = SharedRequestQueue(
            self.server, spider, self.queue_key, self.shared, self.profile
        )
        self.local: deque[Request] = deque()  # LOCAL_PAGE_TYPES
        queued = len(self.queue)
        logger.info(
            "shared crawl %s of %s on %s: worker %s%s",
            self.shared.token,
            self.shared.site,
            redacted(self.shared.url),
            self.shared.worker,
            f", joining with {count(queued, 'request')} queued" if queued else "",
        )

    # The two below are scrapy-redis's, minus the ``spider=`` argument to the stats collector,
    # which Scrapy 2.14+ deprecates (a warning per request).

    def enqueue_request(self, request: Request) -> bool:
        if request.meta.get("page_type") in LOCAL_PAGE_TYPES:
            self.local.append(request)
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/local")
            return True
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.queue.push(request)
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self.local:
            return self.local.popleft()
        request = self.queue.pop()
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return bool(self.local) or len(self) > 0


class SharedCrawlAddon:
    """With ``REDIS_URL`` set, the crawl becomes a worker: the shared scheduler and
    scrapy-redis's duplicate filter (``ADDONS`` in scraper/settings.py)."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("REDIS_URL"):
            return
        for name, value in (
            ("SCHEDULER", "scraper.shared_queue.SharedScheduler"),
            ("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter"),
            ("SCHEDULER_PERSIST", True),
        ):
            # over project settings (another scheduler would not share anything), but not
            # over what the user asked for on the command line
            if (settings.getpriority(name) or 0) < SETTINGS_PRIORITIES["cmdline"]:
                settings.set(name, value, priority="cmdline")
