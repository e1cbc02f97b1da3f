"""The news spider's verdicts on its pages: served, the wrong page (failover's to move on), or
lost for good (reported in the run report, a lost article's place given to a waiting one).

A mixin of ``NewsSpider``: ``request_failed`` is the errback of its page requests, and
callbacks and errbacks must be the spider's own methods (a shared crawl's Redis queue stores
requests by callback name).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from scraper import signals as newsarchive_signals
from scraper.crawl_failures import MirrorsExhausted, RedirectFailed
from scraper.spiders.listing_check import ListingCheck, empty_everywhere

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from scraper.sites.profile import SiteProfile
    from scraper.spiders.claims import ArticleBudget
    from scraper.spiders.mirror_discovery import MirrorDiscovery


class PageVerdicts:
    crawler: Crawler
    budget: ArticleBudget
    mirror_discovery: MirrorDiscovery | None
    listing_check: ListingCheck
    profile: SiteProfile
    logger: Any  # the spider's

    def _replace_lost_article(self) -> Iterable[Request]:
        """An article that failed does not count against --max-articles: try a waiting one."""
        waiting = self.budget.give_back()
        if waiting is not None:
            yield waiting

    # -- the verdict on a page, for failover ---------------------------------------------

    def _confirm(self, response: Response) -> None:
        self.crawler.signals.send_catch_log(newsarchive_signals.page_served, response=response)

    def _failed_over(self, response: Response, reason: str, detail: str) -> bool:
        """Whether failover took the page to the next healthy mirror."""
        answers = self.crawler.signals.send_catch_log(
            newsarchive_signals.wrong_page, response=response, reason=reason, detail=detail
        )
        return any(answer is True for _, answer in answers)

    def _wrong_page(self, response: Response, reason: str, detail: str) -> Iterable[Request]:
        """The page is not what its URL promised: failover sends the same path to the next
        healthy mirror; with none left, it is a failure reported here. A listing every mirror
        serves without an article link (``scraper.spiders.listing_check``) is the site's own
        (empty) listing: taken as it is, blaming nobody."""
        self.listing_check.wrong_page(response)  # a listing served like it is no listing either
        if self._failed_over(response, reason, detail):
            return
        page_type = response.meta.get("page_type", "page")
        attempts = response.meta.get("mirror_attempts", ())
        if page_type == "listing" and empty_everywhere(
            reason, response.meta.get("mirror_wrong_page", ()), attempts
        ):
            self.logger.info("listing %s: no article link on any mirror asked", response.url)
            self._outcome("listing")
            return
        yield from self._page_lost(response.url, detail, page_type, attempts)

    def request_failed(self, failure: Failure) -> Iterable[Request]:
        request = failure.request  # type: ignore[attr-defined]
        page_type = request.meta.get("page_type", "page")
        attempts = request.meta.get("mirror_attempts", ())
        if failure.check(MirrorsExhausted):
            discovery = self.mirror_discovery
            if discovery is not None and discovery.park(request, failure.getErrorMessage()):
                return  # a mirror the site announces later may yet serve it
            yield from self._page_lost(request.url, failure.getErrorMessage(), page_type, attempts)
            return
        if failure.check(RedirectFailed):
            first = (request.meta.get("redirect_urls") or [request.url])[0]  # the URL asked for
            yield from self._page_lost(first, failure.getErrorMessage(), page_type, attempts)
            return
        if (
            failure.check(IgnoreRequest)
            and not failure.check(HttpError)
            and "robots.txt" in failure.getErrorMessage()
        ):
            # robots.txt said no: a policy decision, not a failure of the site (any other
            # ignored response, a body over DOWNLOAD_MAXSIZE say, is a page lost: below)
            self._outcome("skipped/ignored")
            self.logger.info("skipped %s %s: %s", page_type, request.url, failure.getErrorMessage())
            return
        if failure.check(HttpError):
            reason = f"http {failure.value.response.status}"
        else:
            reason = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"
        yield from self._page_lost(request.url, reason, page_type, attempts)

    def _page_lost(
        self, url: str, reason: str, page_type: str, attempts: Iterable[tuple[str, str]] = ()
    ) -> Iterator[Request]:
        """A page failed for good: reported; a lost article's place goes to a waiting one."""
        self._failed(url, reason, page_type, attempts)
        if page_type == "article":
            yield from self._replace_lost_article()

    def _failed(
        self, url: str, reason: str, page_type: str, attempts: Iterable[tuple[str, str]] = ()
    ) -> None:
        """``attempts``: (mirror, what went wrong) for each mirror tried, this one included.
        The page is named as the profile names it (on the primary), not by the last mirror
        failover happened to try, and the mirrors tried follow."""
        attempts = list(attempts)
        if attempts:
            url = self.profile.on_origin(url, self.profile.primary)
            tried = "; ".join(f"{mirror}: {what}" for mirror, what in attempts)
            if reason == attempts[-1][1]:  # the last mirror's answer: said once
                self.logger.warning("failed %s %s on every mirror tried: %s", page_type, url, tried)
            else:
                self.logger.warning(
                    "failed %s %s: %s (mirrors tried: %s)", page_type, url, reason, tried
                )
        else:
            self.logger.warning("failed %s %s: %s", page_type, url, reason)
        self.crawler.stats.inc_value(f"newsarchive/failed/{page_type}")
        self.crawler.signals.send_catch_log(
            newsarchive_signals.page_failed,
            url=url,
            reason=reason,
            page_type=page_type,
            attempts=[{"mirror": mirror, "reason": what} for mirror, what in attempts],
        )

    def _outcome(self, outcome: str) -> None:
        self.crawler.stats.inc_value(f"newsarchive/{outcome}")
        self.crawler.signals.send_catch_log(newsarchive_signals.page_outcome, outcome=outcome)
