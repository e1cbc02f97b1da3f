"""Mirror failover: each request goes to the mirror the site's health says, and a failed one
is tried again, same path, on the next healthy mirror.

The health is the run's (``ArchiveRun.of(crawler).mirrors``, ``scraper.run_mirrors``): this
middleware routes by it and feeds it outcomes; the spider, compare mode, the progress panel
and the run report read it there, never from this middleware.

A request takes part when its meta holds ``site_profile`` (the spider's ``SiteProfile``: its
``origins`` are the mirror order, its ``block_markers`` and ``mirror_strategy`` apply).
Requests without it (robots.txt) pass untouched.

Placement (``DOWNLOADER_MIDDLEWARES``): a low number, below RobotsTxtMiddleware (100) and far
below RetryMiddleware (550). ``process_request`` runs in ascending order, so a request is
routed before robots.txt is checked (the check is then for the host really fetched);
``process_response``/``process_exception`` run in descending order, so Scrapy's Retry has
retried transient errors on the same mirror before this middleware sees what is left, and
the redirect middlewares (600, 580; see ``redirect.py``) have already followed in-site
redirects and left off-site ones alone.

A failure of one mirror is: a download error (connection refused, DNS, timeout, TLS, a
response cut short), HTTP 403/429/451/any 5xx (``MIRROR_FAILOVER_HTTP_CODES`` plus 5xx), a
404 when another mirror has the page (404 on every mirror tried is a real 404 and blames
nobody), an off-site redirect, a 2xx page showing one of the profile's ``block_markers``, or
(reported by the spider through ``fail_over``) a page that is not the expected type, which like
a 404 is only charged once another mirror served the expected page: an article URL that is a
video page on every mirror is the site's doing, not the mirrors'. When no
healthy mirror is left untried the request fails with ``MirrorsExhausted``
(``scraper.crawl_failures``) and the spider's
errback reports it; every attempt is already in the WARC (captured on response_downloaded).

Requests flagged ``meta["mirror_verify"]`` (articles, feeds, sitemaps) are not counted as a
success when the response arrives: a seizure page is a fine HTTP 200. The spider's verdict
comes later, as a signal (``scraper.signals``): ``page_served`` counts the success;
``wrong_page`` sends the same path to the next healthy mirror, scheduled here, or, with none
left, leaves the page for the spider to report as failed.
"""

from __future__ import annotations

import logging
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from archive.mirror_health import MirrorHealth
from archive.mirror_memory import FROM_REDIRECT, MISSING_REASON
from archive.wording import count
from scraper import signals as newsarchive_signals
from scraper.crawl_failures import OFFSITE_META, MirrorsExhausted, classify_exception
from scraper.run import ArchiveRun
from scraper.run_mirrors import PER_ATTEMPT_META, RunMirrors

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

    from scraper.sites.profile import SiteProfile

logger = logging.getLogger(__name__)


def origin_of(url_parts: Any) -> str:
    return f"{url_parts.scheme}://{url_parts.netloc.lower()}"


class MirrorFailoverMiddleware:
    """Settings (see ``scraper/settings.py``): MIRROR_ENABLED, MIRROR_FAILOVER_HTTP_CODES; the
    run's mirrors (``ArchiveRun.of(crawler).mirrors``, ``scraper.run_mirrors``) read the rest.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("MIRROR_ENABLED"):
            raise NotConfigured("MIRROR_ENABLED is off")
        self.crawler = crawler
        self.http_codes = frozenset(int(c) for c in settings.getlist("MIRROR_FAILOVER_HTTP_CODES"))
        crawler.signals.connect(
            self.request_reached_downloader, signal=signals.request_reached_downloader
        )
        crawler.signals.connect(self.confirm, signal=newsarchive_signals.page_served)
        crawler.signals.connect(self.wrong_page, signal=newsarchive_signals.wrong_page)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> MirrorFailoverMiddleware:
        return cls(crawler)

    @property
    def stats(self) -> StatsCollector:
        assert self.crawler.stats is not None
        return self.crawler.stats

    @cached_property
    def mirrors(self) -> RunMirrors:
        """The run's mirror health, shared with every component through the run (asked
        once the crawl is under way: the spider starts the run before middlewares exist)."""
        mirrors = ArchiveRun.of(self.crawler).mirrors
        assert mirrors is not None  # MIRROR_ENABLED, or this middleware would not be here
        return mirrors

    # -- routing ----------------------------------------------------------------------------

    def process_request(self, request: Request) -> Request | None:
        site: SiteProfile | None = request.meta.get("site_profile")
        if site is None or request.meta.get("mirror") is not None:
            return None  # not a site page, or already routed (a retry, an in-site redirect)
        health = self.mirrors.health(site)
        origin = origin_of(urlparse_cached(request))
        if origin not in health.mirrors:
            return None
        chosen = health.pick()
        if chosen is None:
            self.stats.inc_value("mirror/all_benched")
            raise MirrorsExhausted("all mirrors benched: no mirror of the site is usable now")
        request.meta["mirror"] = chosen
        if chosen == origin:
            return None
        # Rescheduled on the chosen mirror; dont_filter because the original URL already
        # passed the duplicate filter and this is the same page.
        self.stats.inc_value("mirror/rerouted")
        return request.replace(url=site.on_origin(request.url, chosen), dont_filter=True)

    def request_reached_downloader(self, request: Request) -> None:
        site: SiteProfile | None = request.meta.get("site_profile")
        if site is not None and request.meta.get("mirror") is not None:
            # retry_times: Scrapy's Retry sent the page to this mirror again (per attempt meta,
            # dropped on failover), so the attempt before this one ended "retried"
            retry = bool(request.meta.get("retry_times"))
            self.mirrors.health(site).requested(origin_of(urlparse_cached(request)), retry=retry)

    # -- outcomes ---------------------------------------------------------------------------

    def process_response(self, request: Request, response: Response) -> Request | Response:
        site: SiteProfile | None = request.meta.get("site_profile")
        if site is None or request.meta.get("mirror") is None:
            return response
        health = self.mirrors.health(site)
        health.finished(request.meta["mirror"])
        origin = self._served_by(request, response, health)
        latency = request.meta.get("download_latency")
        if latency is not None:
            health.observe_latency(origin, latency)
        offsite = request.meta.pop(OFFSITE_META, None)
        status = response.status
        if offsite is not None:
            self._redirected_off_site(request, site, str(offsite))
            return self._failed(
                request, origin, "offsite_redirect", f"off-site redirect: {status} to {offsite}"
            )
        if status == 404:
            return self._not_found(request, response, origin)
        if status in self.http_codes or status >= 500:
            return self._failed(request, origin, f"http_{status}", f"http {status}")
        shown = self.mirrors.block_marker(site, response)
        if shown is not None:
            return self._failed(request, origin, "blocked", f"blocked: page shows {shown!r}")
        if not request.meta.get("mirror_verify"):
            self._succeeded(request, health, origin)
        return response

    def _redirected_off_site(self, request: Request, site: SiteProfile, target: str) -> None:
        """A mirror sending the same page (or an article) to another host names that host as
        the site: a candidate for mirror discovery. Failed over all the same meanwhile."""
        parts = urlsplit(target)
        same_page = parts.path == urlparse_cached(request).path
        if parts.scheme in ("http", "https") and (same_page or site.article_url.match(parts.path)):
            self.crawler.signals.send_catch_log(
                newsarchive_signals.mirror_candidate,
                origin=f"{parts.scheme}://{parts.netloc.lower()}",
                how=FROM_REDIRECT,
                where=request.url,
            )

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        site: SiteProfile | None = request.meta.get("site_profile")
        if site is None or request.meta.get("mirror") is None:
            return None
        self.mirrors.health(site).finished(request.meta["mirror"])
        if isinstance(exception, IgnoreRequest):
            return None  # robots.txt said no, or a failover already decided: not a mirror fault
        key, detail = classify_exception(exception)
        return self._failed(request, origin_of(urlparse_cached(request)), key, detail)

    def confirm(self, response: Response) -> None:
        """The spider found the expected page type (``page_served``): count the success."""
        request = response.request
        site: SiteProfile | None = request.meta.get("site_profile") if request is not None else None
        if request is None or site is None or request.meta.get("mirror") is None:
            return
        health = self.mirrors.health(site)
        self._succeeded(request, health, self._served_by(request, response, health))

    def wrong_page(self, response: Response, reason: str, detail: str) -> bool:
        """The spider found the wrong page type (``wrong_page``): True when the same path is
        scheduled on the next healthy mirror, False when none is left (the spider then reports
        the page, with every attempt in ``mirror_attempts``)."""
        retry = self.fail_over(response, reason, detail)
        if retry is None:
            return False
        self.stats.inc_value(f"newsarchive/wrong_page/{reason}")
        assert self.crawler.engine is not None
        self.crawler.engine.crawl(retry)
        return True

    def fail_over(self, response: Response, reason: str, detail: str) -> Request | None:
        """The request for the next healthy mirror after a wrong page, or None when none is
        left. Like a 404, the
        mirror is blamed only once another mirror serves the expected page: a URL that is
        the wrong type everywhere (a video page at an article URL) is the site's doing."""
        request = response.request
        site: SiteProfile | None = request.meta.get("site_profile") if request is not None else None
        if request is None or site is None or request.meta.get("mirror") is None:
            return None
        health = self.mirrors.health(site)
        origin = self._served_by(request, response, health)
        health.neutral(origin)
        wrong = (*request.meta.get("mirror_wrong_page", ()), (origin, reason, detail))
        attempts = (*request.meta.get("mirror_attempts", ()), (origin, detail))
        following = self._next_mirror(
            request, site, health, origin, mirror_wrong_page=wrong, mirror_attempts=attempts
        )
        if following is None:
            request.meta["mirror_attempts"] = attempts
            self.stats.inc_value("mirror/wrong_page_everywhere")
        return following

    def _served_by(self, request: Request, response: Response, health: MirrorHealth) -> str:
        # After an in-site redirect the page came from the host redirected to.
        origin = origin_of(urlparse_cached(response))
        return origin if origin in health.mirrors else request.meta["mirror"]

    def _succeeded(self, request: Request, health: MirrorHealth, origin: str) -> None:
        was_benched = health.is_benched(origin)
        health.succeeded(origin)
        if was_benched:
            self.stats.inc_value("mirror/unbenched")
            logger.info("mirror %s is back in use", origin)
        for other in request.meta.get("mirror_404", ()):
            # This mirror had the page, so those 404s were the mirrors' fault after all.
            self._blame(health, other, MISSING_REASON, "http 404 where another mirror had the page")
        for other, reason, detail in request.meta.get("mirror_wrong_page", ()):
            # …and so were the wrong pages (a seizure banner, a block page) the others served.
            self._blame(health, other, reason, detail)

    def _blame(self, health: MirrorHealth, origin: str, reason: str, detail: str) -> None:
        before = health.mirrors[origin].times_benched if origin in health.mirrors else 0
        health.failed(origin, reason, detail)
        self.stats.inc_value(f"mirror/failure/{reason}")
        if origin in health.mirrors and health.mirrors[origin].times_benched > before:
            self.stats.inc_value("mirror/benched")
            mirror = health.mirrors[origin]
            logger.warning(
                "mirror %s benched for %.0f s after %s in a row (last: %s)",
                origin,
                mirror.benched_until - health.clock(),
                count(mirror.streak, "failure"),
                detail,
            )

    def _failed(self, request: Request, origin: str, reason: str, detail: str) -> Request:
        site: SiteProfile = request.meta["site_profile"]
        health = self.mirrors.health(site)
        self._blame(health, origin, reason, detail)
        attempts = (*request.meta.get("mirror_attempts", ()), (origin, detail))
        following = self._next_mirror(request, site, health, origin, mirror_attempts=attempts)
        if following is None:
            request.meta["mirror_attempts"] = attempts
            self.stats.inc_value("mirror/exhausted")
            raise MirrorsExhausted(detail)
        return following

    def _not_found(self, request: Request, response: Response, origin: str) -> Request | Response:
        site: SiteProfile = request.meta["site_profile"]
        health = self.mirrors.health(site)
        health.neutral(origin)  # blamed later, only if another mirror has the page
        missing = (*request.meta.get("mirror_404", ()), origin)
        attempts = (*request.meta.get("mirror_attempts", ()), (origin, "http 404"))
        following = self._next_mirror(
            request, site, health, origin, mirror_404=missing, mirror_attempts=attempts
        )
        if following is not None:
            return following
        # No mirror left to ask: a real 404 (or one we cannot pin on anyone). Let Scrapy's
        # HttpError report it as usual.
        request.meta["mirror_attempts"] = attempts
        self.stats.inc_value("mirror/not_found_everywhere")
        return response

    def _next_mirror(
        self, request: Request, site: SiteProfile, health: MirrorHealth, failed: str, **meta: Any
    ) -> Request | None:
        tried = (*request.meta.get("mirror_tried", ()), request.meta["mirror"], failed)
        following = health.pick(exclude=tried)
        if following is None:
            return None
        self.stats.inc_value("mirror/failover")
        logger.debug("trying %s on %s after %s failed", request.url, following, failed)
        kept = {k: v for k, v in request.meta.items() if k not in PER_ATTEMPT_META}
        return request.replace(
            url=site.on_origin(request.url, following),
            meta={**kept, **meta, "mirror": following, "mirror_tried": tuple(dict.fromkeys(tried))},
            dont_filter=True,
        )
