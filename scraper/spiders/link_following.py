"""A site crawled from a profile that names little: a minimal profile (name, primary,
article_url) finds the site's feeds and follows its links.

Feeds and sitemaps (when the profile names none): the front page's ``<link rel=alternate>``
feeds, robots.txt's ``Sitemap:`` lines (common sitemap paths when it names none), and a
short list of common feed paths (``scraper.sites.site_pages``). What they hold is read as
the profile's own feeds and sitemaps are; a guess that is no feed is dropped quietly.

Links (``SiteProfile.link_depth``: ``follow_links``, 2 for a profile naming no feed, sitemap
or listing): depth is counted like Scrapy's ``DEPTH_LIMIT``, in ``meta["follow_depth"]``.
The front page, feeds, sitemaps and the profile's listings are depth 0; a link found on a
page of depth d is d + 1. A page's links inside the site's hosts that are not articles
(sections, listings, tags) are followed while their depth is within the bound; a listing's
next page keeps its page's depth (pagination, bounded by ``max_listing_pages``). Articles
are fetched at any depth, as they always were (claims and ``--max-articles`` bound them),
but the links of an article deeper than the bound are not followed. Pages fetched for
discovery are bounded in number too (``NEWSARCHIVE_FOLLOW_MAX_PAGES``), and shallow pages
go first (priority falls with depth, as with Scrapy's ``DEPTH_PRIORITY``).

Never off the site's hosts: only links the profile owns are followed, fetched on the origin
that served the page they were on. A followed page that fails is counted
(``newsarchive/discovery/failed/<reason>``), not a failure of the run: a dead menu link is
the site's business. The front page is the exception: a site whose front page fails is
reported like any page lost.

A mixin of ``NewsSpider``: callbacks must be the spider's own methods (a shared crawl's
Redis queue stores requests by callback name).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response
from scrapy.linkextractors import IGNORED_EXTENSIONS
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure
from w3lib.url import canonicalize_url

from scraper.crawl_failures import failure_reason
from scraper.sites.feeds import NotAFeed, NotASitemap, parse_feed, parse_sitemap
from scraper.sites.site_pages import (
    COMMON_FEED_PATHS,
    COMMON_SITEMAP_PATHS,
    MAX_DECLARED_FEEDS,
    read_site_page,
)
from scraper.spiders.response_parts import content_type_of

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from archive.extraction import ExtractionPool
    from scraper.sites.feeds import FeedEntry, Sitemap
    from scraper.sites.profile import SiteProfile
    from scraper.spiders.claims import ArticleBudget

DEPTH_META = "follow_depth"
# The default (scraper/settings.py): enough for a news site's front page and sections,
# far short of the tens of thousands of pages two hops of links can reach.
FOLLOW_MAX_PAGES_SETTING = "NEWSARCHIVE_FOLLOW_MAX_PAGES"
# the suffixes a run never follows (pictures, documents, media); `sites check` says so too
SKIPPED_SUFFIXES = tuple(f".{extension}" for extension in IGNORED_EXTENSIONS)


class FollowBounds:
    """Which pages discovery has asked for this run, and how many it may still ask."""

    def __init__(self, settings: BaseSettings) -> None:
        self.max_pages = settings.getint(FOLLOW_MAX_PAGES_SETTING)
        self.pages = 0
        self.seen: set[str] = set()
        self.limit_said = False

    def take(self, key: str) -> bool | None:
        """True to ask for the page ``key``; None when it was asked already; False when the
        bound is spent."""
        if key in self.seen:
            return None
        if self.pages >= self.max_pages:
            return False
        self.seen.add(key)
        self.pages += 1
        return True


class LinkFollowing:
    crawler: Crawler
    profile: SiteProfile
    pool: ExtractionPool | None
    budget: ArticleBudget
    logger: Any  # the spider's

    if TYPE_CHECKING:  # the spider's own (scraper/spiders/news.py, page_verdicts.py)

        async def _article_requests(
            self, urls: Iterable[str], found_on: Response
        ) -> list[Request]: ...
        def _feed_read(
            self, response: Response, entries: list[FeedEntry]
        ) -> AsyncIterator[Request]: ...
        def _sitemap_read(self, response: Response, sitemap: Sitemap) -> AsyncIterator[Request]: ...
        def _fetchable(self, url: str, found_on: Response) -> str: ...
        def _mirror_meta(self, page_type: str) -> dict[str, Any]: ...
        def _outcome(self, outcome: str) -> None: ...
        def request_failed(self, failure: Failure) -> Iterable[Request]: ...

    @cached_property
    def follow_bounds(self) -> FollowBounds:
        return FollowBounds(self.crawler.settings)

    # -- where discovery starts -------------------------------------------------------------

    def site_discovery_requests(self) -> Iterator[Request]:
        """The front page (when links are followed); robots.txt and the common feed paths
        (when the profile names no feed, sitemap or listing)."""
        primary = self.profile.primary
        if self.profile.link_depth > 0:
            self.follow_bounds.take(self._page_key(primary + "/"))
            yield self._site_request(primary + "/", "front", self.parse_site_page, 0)
        if not self.profile.finds_feeds:
            return
        yield self._site_request(
            primary + "/robots.txt", "robots", self.parse_robots, 0, errback=self.robots_failed
        )
        for path in COMMON_FEED_PATHS:
            yield self._found_feed(primary + path)

    def _site_request(
        self, url: str, page_type: str, callback: Any, depth: int, errback: Any = None, **meta: Any
    ) -> Request:
        return Request(
            url,
            callback=callback,
            # the front page is the site: its failure is reported (request_failed)
            errback=errback
            or (self.request_failed if page_type == "front" else self.discovery_failed),
            priority=-1 - depth,  # after the profile's own discovery; shallow pages first
            meta={**self._mirror_meta(page_type), DEPTH_META: depth, **meta},
        )

    def _found_feed(self, url: str) -> Request:
        return self._site_request(url, "found_feed", self.parse_found_feed, 0)

    # -- robots.txt and feeds -----------------------------------------------------------------

    def parse_robots(self, response: Response) -> Iterator[Request]:
        listed = [
            url
            for url in sitemap_urls_from_robots(response.body, response.url)
            if self.profile.owns(url)
        ]
        for url in listed[:MAX_DECLARED_FEEDS]:
            yield self._found_feed(self._fetchable(url, response))
        if not listed:
            yield from self._sitemap_guesses()

    def robots_failed(self, failure: Failure) -> Iterator[Request]:
        self.discovery_failed(failure)
        yield from self._sitemap_guesses()

    def _sitemap_guesses(self) -> Iterator[Request]:
        for path in COMMON_SITEMAP_PATHS:
            yield self._found_feed(self.profile.primary + path)

    async def parse_found_feed(self, response: Response) -> AsyncIterator[Request]:
        """A feed or sitemap discovery was told of or guessed at, read as either; anything
        else (an HTML page at /feed, a soft 404) is no feed, dropped quietly."""
        try:
            entries = parse_feed(response.url, response.body)
        except NotAFeed:
            pass
        else:
            self.logger.info("found feed %s (%d entries)", response.url, len(entries))
            async for request in self._feed_read(response, entries):
                yield request
            return
        try:
            sitemap = parse_sitemap(response.url, response.body)
        except NotASitemap:
            self._outcome("discovery/not_a_feed")
            return
        self.logger.info(
            "found sitemap %s (%d pages, %d sitemaps)",
            response.url,
            len(sitemap.pages),
            len(sitemap.sitemaps),
        )
        async for request in self._sitemap_read(response, sitemap):
            yield request

    # -- pages and their links ----------------------------------------------------------------

    async def parse_site_page(self, response: Response) -> AsyncIterator[Request]:
        """A page found by following links (or the front page): its feeds, its articles, its
        next page and the links worth following."""
        assert self.pool is not None
        kind = content_type_of(response)
        if kind is not None and "html" not in kind.lower():
            self._outcome("discovery/not_html")
            return
        page = await self.pool.run(read_site_page, response.url, response.body, kind)
        self._outcome("discovery/page")
        if self.profile.finds_feeds:
            for url in page.feeds:
                if self.profile.owns(url):
                    yield self._found_feed(self._fetchable(url, response))
        for request in await self._article_requests(page.links, response):
            yield request
        number = response.meta.get("listing_page", 1)
        if page.next_page and number < self.profile.max_listing_pages:
            depth = response.meta.get(DEPTH_META, 0)
            for request in self._page(page.next_page, response, depth, listing_page=number + 1):
                yield request
        for request in self.followed(page.links, response):
            yield request

    def followed(self, links: Iterable[str], found_on: Response) -> Iterator[Request]:
        """Requests for the links of ``found_on`` that discovery follows: inside the site's
        hosts, not articles, within the depth and page bounds."""
        depth = found_on.meta.get(DEPTH_META, 0) + 1
        if depth > self.profile.link_depth:
            return
        for url in links:
            yield from self._page(url, found_on, depth)

    def _page(self, url: str, found_on: Response, depth: int, **meta: Any) -> Iterator[Request]:
        if self.budget.spent() or not self.profile.owns(url):
            return
        if self.profile.match_article(url) is not None:
            return  # an article: asked for as one (``_article_requests``)
        if urlsplit(url).path.lower().endswith(SKIPPED_SUFFIXES):
            return  # a picture, a PDF, a video: no links to follow
        taken = self.follow_bounds.take(self._page_key(url))
        if taken is None:
            return
        if not taken:
            self._outcome("skipped/follow_limit")
            if not self.follow_bounds.limit_said:
                self.follow_bounds.limit_said = True
                self.logger.info(
                    "not following more links: %d pages asked (%s)",
                    self.follow_bounds.max_pages,
                    FOLLOW_MAX_PAGES_SETTING,
                )
            return
        yield self._site_request(
            self._fetchable(url, found_on), "page", self.parse_site_page, depth, **meta
        )

    def _page_key(self, url: str) -> str:
        """One key for a page on every mirror and in every spelling."""
        return canonicalize_url(self.profile.on_origin(url, self.profile.primary))

    def discovery_failed(self, failure: Failure) -> None:
        """A guessed feed path, a dead menu link: counted, not the run's failure."""
        request = failure.request  # type: ignore[attr-defined]
        reason = failure_reason(failure)[0]
        self._outcome(f"discovery/failed/{reason}")
        self.logger.debug("discovery: %s not read: %s", request.url, failure.getErrorMessage())
