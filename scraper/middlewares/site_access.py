"""The profile's ``[access]`` on every request of the crawl (``scraper/sites/site_access.py``):
its proxy (a mirror's own, else the site's), extra headers and cookies; and its download
delay and concurrency for each of the site's hosts, as Scrapy download slots.

Placement (``DOWNLOADER_MIDDLEWARES``): 390, before Scrapy's default headers (400: the
profile's ``Accept-Language`` wins over the default one), cookies (700) and proxy (750)
middlewares that act on what it sets. A request re-routed to another mirror by failover (50)
comes through again and gets that mirror's proxy.

What the command line sets wins (``scraper.profile_settings``): ``-s DOWNLOAD_DELAY=…``,
``-s USER_AGENT=…`` and a ``meta["proxy"]`` of a request's own are left as they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.utils.httpobj import urlparse_cached

from scraper import signals as newsarchive_signals
from scraper.profile_settings import given
from scraper.run import ArchiveRun

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler

    from scraper.sites.profile import SiteProfile


class SiteAccessMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.profile_changed, signal=newsarchive_signals.profile_changed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteAccessMiddleware:
        return cls(crawler)

    @property
    def profile(self) -> SiteProfile | None:
        return ArchiveRun.of(self.crawler).profile

    def spider_opened(self) -> None:
        if self.profile is not None:
            self.profile_changed(self.profile)

    def profile_changed(self, profile: SiteProfile) -> None:
        """Download slots for every host of the site (a mirror that joins included)."""
        access, settings = profile.access, self.crawler.settings
        slot: dict[str, Any] = {}
        if access.download_delay is not None and not given(settings, "DOWNLOAD_DELAY"):
            slot["delay"] = access.download_delay
        if access.concurrency_per_host is not None and not given(
            settings, "CONCURRENT_REQUESTS_PER_DOMAIN"
        ):
            slot["concurrency"] = access.concurrency_per_host
        engine = self.crawler.engine
        if not slot or engine is None:
            return
        for origin in profile.origins:
            host = urlsplit(origin).hostname or ""
            engine.downloader.per_slot_settings.setdefault(host, dict(slot))

    def process_request(self, request: Request) -> None:
        profile = self.profile
        if profile is None:
            return
        access = profile.access
        if "proxy" not in request.meta:
            parts = urlparse_cached(request)
            proxy = access.proxy_for(f"{parts.scheme}://{parts.netloc.lower()}")
            if proxy:
                request.meta["proxy"] = proxy
        for name, value in access.headers:
            request.headers.setdefault(name, value)
        if access.cookies and isinstance(request.cookies, dict):
            request.cookies = {**dict(access.cookies), **request.cookies}
