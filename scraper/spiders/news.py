"""One spider for every news site: a site profile says where to look and what an article is.

Discovery: feeds, sitemaps (indexes and news sitemaps), paginated listings, and links found
on article pages. Articles are recognised by the profile's ``article_url`` on any of the
site's hosts and fetched once per article id, however many URLs point at them.
"""
from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Iterable
from datetime import date, datetime, timezone
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archive.extraction import ExtractionPool, default_workers, extract_article, extract_listing
from archive.records import article_record
from archive.run_report import new_run_id
from scraper import signals as newsarchive_signals
from scraper.middlewares.mirrors import MirrorFailoverMiddleware, MirrorsExhausted
from scraper.since import parse_since
from scraper.sites.feeds import NotAFeed, NotASitemap, parse_feed, parse_sitemap
from scraper.sites.profile import SiteProfile, load_profile, with_origins

# Articles first: they are what a run is for, and finishing them early keeps the set of
# in-flight pages (and memory) small while listings keep discovering more.
ARTICLE_PRIORITY = 10
DISCOVERY_PRIORITY = 0
# Page types whose responses are checked for what they hold: a seized mirror answers 200
# with a banner, so only the page's content says whether the mirror served the site.
VERIFIED_PAGE_TYPES = frozenset({"feed", "sitemap", "article"})


class NewsSpider(Spider):
    name = "news"
    profile_name: str | None = None  # built-in profile spiders set this (see spider_loader)

    def __init__(
        self,
        profile: str | SiteProfile | None = None,
        mirrors: str | list[str] | None = None,
        max_articles: int | str | None = None,
        since: str | date | None = None,
        run_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        source = profile or self.profile_name
        if source is None:
            raise ValueError("no site profile: run with -a profile=NAME_OR_PATH")
        site = load_profile(source) if isinstance(source, str) else source
        if mirrors:
            site = with_origins(site, mirrors.split(",") if isinstance(mirrors, str) else mirrors)
        super().__init__(name=site.name, **kwargs)
        self.profile = site
        self.run_id = run_id or new_run_id(site.name)
        self.max_articles = int(max_articles) if max_articles else None
        self.since = parse_since(since) if isinstance(since, str) else since
        self.article_urls: dict[str, list[str]] = {}  # article id -> every URL seen for it
        self.articles_scheduled = 0
        self.backlog: deque[Request] = deque(maxlen=10_000)
        self.pool: ExtractionPool | None = None
        self._failover: MirrorFailoverMiddleware | None | bool = False  # False: not looked up yet

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "NewsSpider":
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        workers = crawler.settings.getint("NEWSARCHIVE_EXTRACT_WORKERS", -1)
        spider.pool = ExtractionPool(default_workers() if workers < 0 else workers)
        crawler.signals.connect(spider._close_pool, signal=signals.spider_closed)
        return spider

    def _close_pool(self) -> None:
        if self.pool is not None:
            self.pool.close()

    # -- discovery ------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        origin = self.profile.primary
        for path in self.profile.feeds:
            yield self._discovery(origin + path, self.parse_feed, "feed")
        for path in self.profile.sitemaps:
            yield self._discovery(origin + path, self.parse_sitemap, "sitemap")
        for path in self.profile.listings:
            yield self._discovery(origin + path, self.parse_listing, "listing", listing_page=1)

    def _discovery(self, url: str, callback: Any, page_type: str, **meta: Any) -> Request:
        return Request(
            url,
            callback=callback,
            errback=self.request_failed,
            priority=DISCOVERY_PRIORITY,
            meta={**self._mirror_meta(page_type), **meta},
            dont_filter=False,
        )

    def _mirror_meta(self, page_type: str) -> dict[str, Any]:
        """Meta every page request carries: the site (its mirror order, block markers and
        strategy, for the failover middleware) and whether its type is checked."""
        return {"page_type": page_type, "site_profile": self.profile,
                "mirror_verify": page_type in VERIFIED_PAGE_TYPES}

    def parse_feed(self, response: Response) -> Iterable[Request]:
        try:
            entries = parse_feed(response.url, response.body)
        except NotAFeed as exc:
            yield from self._wrong_page(response, "not_a_feed", f"not a feed: {exc}")
            return
        self._confirm(response)
        self._outcome("feed")
        for entry in entries:
            if not self._skipped_as_old(_day(entry.published)):
                yield from self._article_request(entry.url, response)

    def parse_sitemap(self, response: Response) -> Iterable[Request]:
        try:
            sitemap = parse_sitemap(response.url, response.body)
        except NotASitemap as exc:
            yield from self._wrong_page(response, "not_a_sitemap", f"not a sitemap: {exc}")
            return
        self._confirm(response)
        self._outcome("sitemap")
        for child in sitemap.sitemaps:
            if self.profile.owns(child) and not self._budget_spent():
                url = self._fetchable(child, response)
                yield self._discovery(url, self.parse_sitemap, "sitemap")
        for entry in sitemap.pages:
            if not self._skipped_as_old(_day(entry.lastmod)):
                yield from self._article_request(entry.url, response)

    async def parse_listing(self, response: Response) -> AsyncIterator[Request]:
        assert self.pool is not None
        listing = await self.pool.run(
            extract_listing, self.profile.extractor, response.url, response.body, _content_type(response)
        )
        self._outcome("listing")
        found_recent = False
        for url in listing.article_links:
            article = self.profile.match_article(url)
            if article is not None and self._recent(article.published_day):
                found_recent = True
            for request in self._article_request(url, response):
                yield request
        page = response.meta.get("listing_page", 1)
        if (
            listing.next_page
            and self.profile.owns(listing.next_page)
            and page < self.profile.max_listing_pages
            and found_recent  # pages run newest first: once all are older than --since, stop
            and not self._budget_spent()
        ):
            url = self._fetchable(listing.next_page, response)
            yield self._discovery(url, self.parse_listing, "listing", listing_page=page + 1)

    # -- articles -------------------------------------------------------------------------

    def _article_request(self, url: str, found_on: Response) -> Iterable[Request]:
        article = self.profile.match_article(url)
        if article is None:
            return
        article_id = self.profile.article_id(article)
        seen = self.article_urls.get(article_id)
        if seen is not None:
            if url not in seen:
                seen.append(url)
            return
        if self._skipped_as_old(article.published_day):
            return
        self.article_urls[article_id] = [url]
        request = Request(
            self._fetchable(url, found_on),
            callback=self.parse_article,
            errback=self.request_failed,
            priority=ARTICLE_PRIORITY,
            meta={**self._mirror_meta("article"), "article_id": article_id},
        )
        if self._budget_spent():
            self.backlog.append(request)
            return
        self.articles_scheduled += 1
        yield request

    async def parse_article(self, response: Response) -> AsyncIterator[Any]:
        assert self.pool is not None
        try:
            result = await self.pool.run(
                extract_article,
                self.profile.extractor,
                response.url,
                response.body,
                _content_type(response),
                self.profile.timezone,
            )
        except Exception as exc:  # a page object bug on one page must not stop the run
            self._failed(response.url, f"extraction error: {type(exc).__name__}: {exc}", "article")
            for request in self._replace_lost_article():
                yield request
            return
        for link in result.links:
            for request in self._article_request(link, response):
                yield request
        if result.article is None:
            # A seizure or block page, or a mirror serving something else: the same article
            # on the next mirror is still the same one article for --max-articles.
            for request in self._wrong_page(response, "no_article", "no article: page holds no article text"):
                yield request
            return
        self._confirm(response)
        yield self._record(response, result.article)

    def _record(self, response: Response, extracted: dict[str, Any]) -> dict[str, Any]:
        urls = self.article_urls.setdefault(response.meta["article_id"], [])
        for url in (*response.meta.get("redirect_urls", ()), response.url):
            if url not in urls:
                urls.append(url)
        warc = response.meta.get("warc")
        fetched_at = (warc or {}).get("date") or datetime.now(timezone.utc).isoformat()
        pointer = {k: warc[k] for k in ("filename", "offset", "record_id")} if warc else None
        self._outcome("article")
        return article_record(
            self.profile, response.url, extracted, urls=list(urls), fetched_at=fetched_at, warc=pointer
        )

    # -- bounds and failures --------------------------------------------------------------

    def _recent(self, day: date | None) -> bool:
        """Not known to be older than --since."""
        return self.since is None or day is None or day >= self.since

    def _skipped_as_old(self, day: date | None) -> bool:
        if self._recent(day):
            return False
        self._outcome("skipped/older_than_since")
        return True

    def _budget_spent(self) -> bool:
        return self.max_articles is not None and self.articles_scheduled >= self.max_articles

    def _replace_lost_article(self) -> Iterable[Request]:
        """An article that failed does not count against --max-articles: try a waiting one."""
        if self.max_articles is None:
            return
        self.articles_scheduled -= 1
        if self.backlog:
            self.articles_scheduled += 1
            yield self.backlog.popleft()

    # -- mirrors --------------------------------------------------------------------------

    @property
    def failover(self) -> MirrorFailoverMiddleware | None:
        """The failover middleware, None when disabled (MIRROR_ENABLED=False)."""
        if self._failover is False:
            self._failover = self.crawler.get_downloader_middleware(MirrorFailoverMiddleware)
        return self._failover or None  # type: ignore[return-value]

    def _confirm(self, response: Response) -> None:
        if self.failover is not None:
            self.failover.confirm(response)

    def _wrong_page(self, response: Response, reason: str, detail: str) -> Iterable[Request]:
        """The page is not what its URL promised: the same path on the next healthy mirror,
        or, with none left, a failure reported here."""
        retry = self.failover.fail_over(response, reason, detail) if self.failover is not None else None
        if retry is not None:
            self.crawler.stats.inc_value(f"newsarchive/wrong_page/{reason}")
            yield retry
            return
        page_type = response.meta.get("page_type", "page")
        self._failed(response.url, detail, page_type, response.meta.get("mirror_attempts", ()))
        if page_type == "article":
            yield from self._replace_lost_article()

    def request_failed(self, failure: Failure) -> Iterable[Request]:
        request = failure.request  # type: ignore[attr-defined]
        page_type = request.meta.get("page_type", "page")
        attempts = request.meta.get("mirror_attempts", ())
        if failure.check(MirrorsExhausted):
            self._failed(request.url, failure.getErrorMessage(), page_type, attempts)
            if page_type == "article":
                yield from self._replace_lost_article()
            return
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # robots.txt said no: a policy decision, not a failure of the site
            self._outcome("skipped/ignored")
            self.logger.info("skipped %s %s: %s", page_type, request.url, failure.getErrorMessage())
            return
        if failure.check(HttpError):
            reason = f"http {failure.value.response.status}"
        else:
            reason = f"{type(failure.value).__name__}: {failure.getErrorMessage()}"
        self._failed(request.url, reason, page_type, attempts)
        if page_type == "article":
            yield from self._replace_lost_article()

    def _failed(self, url: str, reason: str, page_type: str,
                attempts: Iterable[tuple[str, str]] = ()) -> None:
        """``attempts``: (mirror, what went wrong) for each mirror tried before this one."""
        self.logger.warning("failed %s %s: %s", page_type, url, reason)
        self.crawler.stats.inc_value(f"newsarchive/failed/{page_type}")
        self.crawler.signals.send_catch_log(
            newsarchive_signals.page_failed, url=url, reason=reason, page_type=page_type,
            attempts=[{"mirror": mirror, "reason": what} for mirror, what in attempts],
        )

    def _outcome(self, outcome: str) -> None:
        self.crawler.stats.inc_value(f"newsarchive/{outcome}")
        self.crawler.signals.send_catch_log(newsarchive_signals.page_outcome, outcome=outcome)

    def _fetchable(self, url: str, found_on: Response) -> str:
        """A URL we can fetch: one on an alias host (Press TV's feed lists bare presstv.ir
        while served by a mirror) is fetched from the origin that served the page it was on."""
        netloc = urlsplit(url).netloc.lower()
        if any(urlsplit(origin).netloc == netloc for origin in self.profile.origins):
            return url
        parts = urlsplit(found_on.url)
        return self.profile.on_origin(url, f"{parts.scheme}://{parts.netloc}")


def _content_type(response: Response) -> str | None:
    value = response.headers.get(b"Content-Type")
    return value.decode("latin-1") if value else None


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None
