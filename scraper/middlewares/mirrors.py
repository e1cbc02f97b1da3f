"""Mirror failover: each request goes to the mirror the site's health says, and a failed one
is tried again, same path, on the next healthy mirror.

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
healthy mirror is left untried the request fails with ``MirrorsExhausted`` and the spider's
errback reports it; every attempt is already in the WARC (captured on response_downloaded).

Requests flagged ``meta["mirror_verify"]`` (articles, feeds, sitemaps) are not counted as a
success when the response arrives: a seizure page is a fine HTTP 200. The spider's verdict
comes later, as a signal (``scraper.signals``): ``page_served`` counts the success;
``wrong_page`` sends the same path to the next healthy mirror, scheduled here, or, with none
left, leaves the page for the spider to report as failed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
    NotConfigured,
    ResponseDataLossError,
)
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.httpobj import urlparse_cached

from archive.layout import OutputLayout
from archive.mirror_memory import FROM_REDIRECT, MISSING_REASON, MirrorMemory, MirrorMemoryError
from archive.wording import count
from scraper import signals as newsarchive_signals
from scraper.middlewares.from_warc import NotInArchive
from scraper.middlewares.mirror_health import STRATEGIES, MirrorHealth
from scraper.middlewares.redirect import OFFSITE_META
from scraper.proxied_download import ProxyFault
from scraper.resolver import AddressRefused

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector
    from twisted.python.failure import Failure

    from scraper.sites.profile import SiteProfile

logger = logging.getLogger(__name__)

# Meta of one download attempt, not of the request: carried to another mirror they would
# pin it to the old host's download slot, spend its retries, or point at the old WARC record.
_PER_ATTEMPT_META = frozenset(
    {
        "mirror",
        "download_slot",
        "download_latency",
        "retry_times",
        "redirect_times",
        "redirect_ttl",
        OFFSITE_META,
        "warc",
    }
)


# Meta of a request's failover history: dropped, with the per-attempt meta, when the request
# is asked afresh (a mirror joined after every other had failed it).
_FAILOVER_HISTORY = frozenset(
    {"mirror_tried", "mirror_attempts", "mirror_404", "mirror_wrong_page"}
)


def asked_afresh(request: Request, site: SiteProfile) -> Request:
    """``request`` as if new: back on the primary, its failover history forgotten, so that
    health picks among the mirrors the site has now."""
    dropped = _PER_ATTEMPT_META | _FAILOVER_HISTORY
    meta = {k: v for k, v in request.meta.items() if k not in dropped}
    return request.replace(
        url=site.on_origin(request.url, site.primary),
        meta={**meta, "site_profile": site},
        dont_filter=True,
    )


class MirrorsExhausted(IgnoreRequest):
    """Every healthy mirror was tried for this request; the message is the last failure.

    An IgnoreRequest so that Scrapy does not log a traceback for it: the spider's errback
    reports it, with every attempt from ``request.meta["mirror_attempts"]``."""


def origin_of(url_parts: Any) -> str:
    return f"{url_parts.scheme}://{url_parts.netloc.lower()}"


def classify_exception(exception: BaseException) -> tuple[str, str]:
    """(short reason key, one-line detail) of a download error."""
    message = str(exception) or type(exception).__name__
    chain = [exception]
    while chain[-1].__cause__ is not None and len(chain) < 5:
        chain.append(chain[-1].__cause__)
    names = " ".join(type(e).__name__ for e in chain) + " " + message
    if isinstance(exception, NotInArchive):
        key = "not_archived"  # an offline crawl (--from-warc) has no capture of this URL
    elif isinstance(exception, ProxyFault):
        key = exception.reason  # the proxy, not the mirror behind it
    elif isinstance(exception, DownloadConnectionRefusedError):
        key = "connection_refused"
    elif isinstance(exception, DownloadCancelledError) or "DOWNLOAD_MAXSIZE" in message:
        # Scrapy cancels a body that goes over DOWNLOAD_MAXSIZE (as sent, or unpacked), and
        # says so only in a log line: an endless page, not a mirror that cannot be reached
        return "too_large", "too large: its body went over DOWNLOAD_MAXSIZE and was cut off"
    elif isinstance(exception, CannotResolveHostError):
        key = "dns"
    elif isinstance(exception, DownloadTimeoutError) or "Timeout" in names:
        key = "timeout"
    elif "SSL" in names or "TLS" in names or "certificate" in names.lower():
        key = "tls"
    elif (
        isinstance(exception, ResponseDataLossError)
        or "DataLoss" in names
        or "PartialDownload" in names
    ):
        key = "cut_short"
    else:
        key = "download_error"
    return key, f"{key.replace('_', ' ')}: {type(exception).__name__}: {message}"


def failure_reason(failure: Failure) -> tuple[str, str]:
    """(short key, one line) of a request that failed before its callback: an HTTP error
    status, a request turned down on the way (robots.txt…), or a download error."""
    if failure.check(HttpError):
        status = failure.value.response.status
        return f"http_{status}", f"http {status}"
    if failure.check(AddressRefused):
        return "address_refused", failure.getErrorMessage()
    key, detail = classify_exception(failure.value)
    if failure.check(IgnoreRequest) and not failure.check(MirrorsExhausted):
        message = failure.getErrorMessage()
        return ("robots_txt" if "robots.txt" in message else key), f"skipped: {message}"
    return key, detail


class MirrorFailoverMiddleware:
    """Settings (see ``scraper/settings.py``): MIRROR_ENABLED, MIRROR_BENCH_AFTER,
    MIRROR_BENCH_SECONDS, MIRROR_BENCH_MAX_SECONDS, MIRROR_STRATEGY, MIRROR_FAILOVER_HTTP_CODES,
    MIRROR_BLOCK_SCAN_BYTES, MIRROR_MEMORY_ENABLED."""

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("MIRROR_ENABLED"):
            raise NotConfigured("MIRROR_ENABLED is off")
        self.crawler = crawler
        self.bench_after = settings.getint("MIRROR_BENCH_AFTER")
        self.bench_seconds = settings.getfloat("MIRROR_BENCH_SECONDS")
        self.bench_max_seconds = settings.getfloat("MIRROR_BENCH_MAX_SECONDS")
        self.strategy = settings.get("MIRROR_STRATEGY") or None  # None: the profile's choice
        if self.strategy is not None and self.strategy not in STRATEGIES:
            raise ValueError(
                f"MIRROR_STRATEGY {self.strategy!r} must be one of: {', '.join(STRATEGIES)}"
            )
        self.http_codes = frozenset(int(c) for c in settings.getlist("MIRROR_FAILOVER_HTTP_CODES"))
        self.scan_bytes = settings.getint("MIRROR_BLOCK_SCAN_BYTES")
        self.remember = settings.getbool("MIRROR_MEMORY_ENABLED")
        self._sites: dict[str, MirrorHealth] = {}
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

    def health(self, site: SiteProfile) -> MirrorHealth:
        """The site's mirror health, by name: mirrors that join during the run are added to
        it (``MirrorHealth.add``), and requests made before they joined share it."""
        known = self._sites.get(site.name)
        if known is None:
            strategy = self.strategy or site.mirror_strategy
            order, proven, demoted = self._remembered(site, strategy)
            health = MirrorHealth(
                site.origins,
                strategy=strategy,
                bench_after=self.bench_after,
                bench_seconds=self.bench_seconds,
                bench_max_seconds=self.bench_max_seconds,
                order=order,
                proven=proven,
                demoted=demoted,
            )
            known = self._sites[site.name] = health
        return known

    def _remembered(
        self, site: SiteProfile, strategy: str
    ) -> tuple[list[str], list[str], list[str]]:
        """The order that worked last run (``state/<site>.mirrors.json``; primary-first
        keeps the primary first), the mirrors that served well in it and those that failed
        it (given a share of requests); nothing when nothing is remembered."""
        directory = self.crawler.settings.get("ARCHIVE_DIR")
        if not directory or not self.remember:
            return list(site.origins), [], []
        path = OutputLayout(Path(directory)).mirror_memory(site.name)
        try:
            memory = MirrorMemory.load(path)
        except MirrorMemoryError as exc:
            logger.warning("%s; starting with the profile's mirror order", exc)
            return list(site.origins), [], []
        order = memory.order(site.origins, keep_first=strategy == "primary-first")
        if order != list(site.origins):
            logger.info("mirror order from the last run: %s", ", ".join(order))
        return order, memory.served_well(site.origins), memory.failed_last(site.origins)

    def report(self) -> dict[str, dict[str, Any]]:
        """Per mirror of every site crawled: see ``MirrorHealth.report``."""
        merged: dict[str, dict[str, Any]] = {}
        for health in self._sites.values():
            merged.update(health.report())
        return merged

    def all_failed(self) -> bool:
        return bool(self._sites) and all(health.all_failed() for health in self._sites.values())

    # -- routing ----------------------------------------------------------------------------

    def process_request(self, request: Request) -> Request | None:
        site: SiteProfile | None = request.meta.get("site_profile")
        if site is None or request.meta.get("mirror") is not None:
            return None  # not a site page, or already routed (a retry, an in-site redirect)
        health = self.health(site)
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
            self.health(site).requested(origin_of(urlparse_cached(request)), retry=retry)

    # -- outcomes ---------------------------------------------------------------------------

    def process_response(self, request: Request, response: Response) -> Request | Response:
        site: SiteProfile | None = request.meta.get("site_profile")
        if site is None or request.meta.get("mirror") is None:
            return response
        health = self.health(site)
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
        shown = self.block_marker(site, response)
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

    def block_marker(self, site: SiteProfile, response: Response) -> str | None:
        """The profile's block marker this page shows, if any (for pages fetched outside
        failover, such as compare-mode copies)."""
        if not 200 <= response.status < 300:
            return None
        return site.block_marker_in(response.body, self.scan_bytes)

    def process_exception(self, request: Request, exception: Exception) -> Request | None:
        site: SiteProfile | None = request.meta.get("site_profile")
        if site is None or request.meta.get("mirror") is None:
            return None
        self.health(site).finished(request.meta["mirror"])
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
        health = self.health(site)
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
        health = self.health(site)
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
        health = self.health(site)
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
        health = self.health(site)
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
        kept = {k: v for k, v in request.meta.items() if k not in _PER_ATTEMPT_META}
        return request.replace(
            url=site.on_origin(request.url, following),
            meta={**kept, **meta, "mirror": following, "mirror_tried": tuple(dict.fromkeys(tried))},
            dont_filter=True,
        )
