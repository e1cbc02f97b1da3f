"""One spider for every news site: a site profile says where to look and what an article is.

Discovery: feeds, sitemaps (indexes and news sitemaps), paginated listings, and links found
on article pages. Articles are recognised by the profile's ``article_url`` on any of the
site's hosts and fetched once per article id, however many URLs point at them.

What the spider leans on: ``scraper.run.ArchiveRun`` (the run's profile, index, shared-crawl
membership, comparer), ``scraper.spiders.claims`` (which articles this crawl fetches, the
--max-articles budget), ``scraper.spiders.incremental`` (the index's say on known articles),
``scraper.spiders.compare`` (compare mode), and the failover middleware, told whether each
page was what its URL promised.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import date, datetime, timezone
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from archive.article_keeper import Kept, screen
from archive.capture_context import ARTICLE, CaptureContext
from archive.disk_space import is_disk_full
from archive.extraction import (
    ArticleResult,
    ExtractionPool,
    default_workers,
    extract_article,
    extract_listing,
)
from archive.mirror_memory import FROM_FEED
from archive.outcomes import NO_ARTICLE, NOT_MODIFIED, NOT_WRITTEN, TOO_LARGE
from archive.records import ArticleRecord, article_record
from archive.run_report import (
    new_run_id,
)
from archive.warc_pointer import WarcCapture
from scraper import signals as newsarchive_signals
from scraper.disk_full import stop_for_disk_full
from scraper.profile_settings import user_agent_of
from scraper.run import ArchiveRun
from scraper.run_stop import stopped_by
from scraper.since import parse_since
from scraper.sites.feeds import (
    FeedEntry,
    NotAFeed,
    NotASitemap,
    Sitemap,
    parse_feed,
    parse_sitemap,
)
from scraper.sites.profile import SiteProfile, load_profile, with_origins
from scraper.spiders.claims import ArticleBudget, ArticleClaims, LocalClaims, SharedClaims
from scraper.spiders.compare import MirrorCompare
from scraper.spiders.discovery_bounds import DiscoveryBounds
from scraper.spiders.incremental import (
    consult_index,
    header,
    record_urls,
    store_fetched,
    store_not_modified,
)
from scraper.spiders.link_following import DEPTH_META, LinkFollowing
from scraper.spiders.listing_check import ListingCheck
from scraper.spiders.mirror_discovery import MirrorDiscovery, remembered
from scraper.spiders.page_assets import PageAssets
from scraper.spiders.refill import ArchiveRefill
from scraper.spiders.response_parts import content_type_of, payload_pointer
from scraper.spiders.side_pages import SidePages

# Articles first: they are what a run is for, and finishing them early keeps the set of
# in-flight pages (and memory) small while listings keep discovering more.
ARTICLE_PRIORITY = 10
DISCOVERY_PRIORITY = 0
# Page types whose responses are checked for what they hold: a seized mirror answers 200
# with a banner, so only the page's content says whether the mirror served the site.
# A listing too: a seized mirror's banner is an HTML page like any listing
# (``scraper.spiders.listing_check``).
VERIFIED_PAGE_TYPES = frozenset({"feed", "sitemap", "article", "listing"})


class NewsSpider(LinkFollowing, SidePages, Spider):
    name = "news"
    profile_name: str | None = None  # built-in profile spiders set this (see spider_loader)

    def __init__(
        self,
        profile: str | SiteProfile | None = None,
        mirrors: str | list[str] | None = None,
        max_articles: int | str | None = None,
        since: str | date | None = None,
        run_id: str | None = None,
        refetch: bool | str = False,
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
        # --refetch / -a refetch=1: re-check every known article (conditionally), not only young ones
        self.refetch = (
            refetch if isinstance(refetch, bool) else refetch.lower() in ("1", "true", "yes")
        )
        self.pool: ExtractionPool | None = None
        self.max_extract_bytes = 0  # from NEWSARCHIVE_EXTRACT_MAX_BYTES
        self.discovery: DiscoveryBounds | None = None  # set by from_crawler
        self.listing_check = ListingCheck()
        # set by from_crawler, once the crawl is known
        self.run: ArchiveRun
        self.claims: ArticleClaims
        self.budget: ArticleBudget
        self.compare: MirrorCompare | None = None
        self.mirror_discovery: MirrorDiscovery | None = None
        self.assets: PageAssets | None = None  # --assets: pictures after each article
        self.refill: ArchiveRefill | None = None  # what earlier runs left missing

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        workers = settings.getint("NEWSARCHIVE_EXTRACT_WORKERS")
        spider.pool = ExtractionPool(
            default_workers() if workers < 0 else workers,
            memory_bytes=settings.getint("NEWSARCHIVE_EXTRACT_MEMORY_BYTES"),
        )
        spider.max_extract_bytes = settings.getint("NEWSARCHIVE_EXTRACT_MAX_BYTES")
        spider.discovery = DiscoveryBounds(crawler, spider.profile)
        agent = user_agent_of(spider.profile, settings)
        if agent:
            # The setting, not Scrapy's deprecated ``user_agent`` spider attribute (a warning
            # on every run): settings are frozen only after the spider is made.
            settings.set("USER_AGENT", agent, priority="spider")
        crawler.signals.connect(spider._release, signal=signals.spider_closed)
        options = {
            key: str(value)
            for key, value in (
                ("max_articles", spider.max_articles),
                ("since", spider.since),
                ("refetch", spider.refetch),
            )
            if value is not None
        }
        memory = remembered(crawler, spider.profile)
        if memory is not None:  # mirrors earlier runs discovered and verified start the run
            spider.profile = spider.profile.with_discovered(memory.discovered())
        options["origins"] = ",".join(spider.profile.origins)
        run = spider.run = ArchiveRun.start(crawler, spider.profile, spider.run_id, options)
        # With REDIS_URL this run is shared with other workers: articles are claimed, and
        # their URLs kept, in Redis.
        if run.shared is None:
            spider.claims = LocalClaims(spider.profile, spider._recent)
        else:
            spider.claims = SharedClaims(spider.profile, spider._recent, run.shared)
        spider.budget = ArticleBudget(spider.max_articles, run.shared)
        if run.comparer is not None:
            spider.compare = MirrorCompare(run.comparer, spider.profile, crawler, spider.logger)
        if memory is not None:
            spider.mirror_discovery = MirrorDiscovery(crawler, spider, memory)
        spider.assets = PageAssets.for_crawl(crawler)
        spider.refill = ArchiveRefill.for_crawl(crawler, run)
        return spider

    def _release(self) -> None:
        """Spider closed: stop the extraction workers (the run closes what it opened)."""
        if self.pool is not None:
            self.pool.close()

    # -- discovery ------------------------------------------------------------------------

    async def start(self) -> AsyncIterator[Request]:
        if self.refill is not None:  # what killed runs or damage left missing, first
            for request in await self.refill.requests(self, ARTICLE_PRIORITY):
                yield request
        origin = self.profile.primary
        for path in self.profile.feeds:
            yield self._discovery(origin + path, self.parse_feed, "feed")
        for path in self.profile.sitemaps:
            yield self._discovery(origin + path, self.parse_sitemap, "sitemap")
        for path in self.profile.listings:
            yield self._discovery(origin + path, self.parse_listing, "listing", listing_page=1)
        for request in self.site_discovery_requests():  # a profile naming little: found
            yield request

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
        return {
            "page_type": page_type,
            "site_profile": self.profile,
            "mirror_verify": page_type in VERIFIED_PAGE_TYPES,
        }

    async def parse_feed(self, response: Response) -> AsyncIterator[Request]:
        try:
            entries = parse_feed(response.url, response.body)
        except NotAFeed as exc:
            for request in self._wrong_page(response, "not_a_feed", f"not a feed: {exc}"):
                yield request
            return
        self._confirm(response)
        async for request in self._feed_read(response, entries):
            yield request

    async def _feed_read(
        self, response: Response, entries: list[FeedEntry]
    ) -> AsyncIterator[Request]:
        self._outcome("feed")
        if self.mirror_discovery is not None:
            for entry in entries:
                self.mirror_discovery.read_link(entry.url, response.url, FROM_FEED)
        urls = [entry.url for entry in entries if not self._skipped_as_old(_day(entry.published))]
        for request in await self._article_requests(urls, response):
            yield request

    def _follows_sitemap(self, url: str, depth: int) -> bool:
        assert self.discovery is not None
        refused = self.discovery.sitemap_refusal(depth)
        if refused is None:
            return True
        if self.discovery.first_refusal(refused):
            self.logger.warning(
                "not following sitemap %s: %s (NEWSARCHIVE_SITEMAP_MAX_DEPTH / _MAX_FILES)",
                url,
                refused.replace("_", " "),
            )
        self._outcome(f"skipped/{refused}")
        return False

    async def parse_sitemap(self, response: Response) -> AsyncIterator[Request]:
        try:
            sitemap = parse_sitemap(response.url, response.body)
        except NotASitemap as exc:
            for request in self._wrong_page(response, "not_a_sitemap", f"not a sitemap: {exc}"):
                yield request
            return
        self._confirm(response)
        async for request in self._sitemap_read(response, sitemap):
            yield request

    async def _sitemap_read(self, response: Response, sitemap: Sitemap) -> AsyncIterator[Request]:
        self._outcome("sitemap")
        depth = response.meta.get("sitemap_depth", 0) + 1
        for child in sitemap.sitemaps:
            if (
                self.profile.owns(child)
                and not self.budget.spent()
                and self._follows_sitemap(child, depth)
            ):
                url = self._fetchable(child, response)
                yield self._discovery(url, self.parse_sitemap, "sitemap", sitemap_depth=depth)
        urls = [
            entry.url for entry in sitemap.pages if not self._skipped_as_old(_day(entry.lastmod))
        ]
        for request in await self._article_requests(urls, response):
            yield request

    async def parse_listing(self, response: Response) -> AsyncIterator[Request]:
        assert self.pool is not None
        listing = await self.pool.run(
            extract_listing,
            self.profile.extractor,
            response.url,
            response.body,
            content_type_of(response),
        )
        problem = self.listing_check.problem(response, listing.article_links, self.profile)
        if problem is not None:
            for request in self._wrong_page(response, *problem):
                yield request
            return
        self._confirm(response)
        self._outcome("listing")
        found_recent = False
        for url in listing.article_links:
            article = self.profile.match_article(url)
            if article is not None and self._recent(article.published_day):
                found_recent = True
        for request in await self._article_requests(listing.article_links, response):
            yield request
        page = response.meta.get("listing_page", 1)
        if (
            listing.next_page
            and self.profile.owns(listing.next_page)
            and page < self.profile.max_listing_pages
            and found_recent  # pages run newest first: once all are older than --since, stop
            and not self.budget.spent()
        ):
            url = self._fetchable(listing.next_page, response)
            yield self._discovery(url, self.parse_listing, "listing", listing_page=page + 1)
        for request in self.followed(listing.article_links, response):
            yield request

    # -- articles -------------------------------------------------------------------------

    async def _article_requests(self, urls: Iterable[str], found_on: Response) -> list[Request]:
        """Requests for the articles among ``urls`` not yet scheduled this run and, with the
        index, not already archived (or due for a conditional re-check)."""
        urls = list(urls)
        # (article id, url) pairs new to this run: related lists repeat the same links on
        # every page, and the index already has what this run told it once.
        claimed = self.claims.claim(urls)
        assert self.discovery is not None
        self.discovery.count_links(urls, claimed.not_articles)
        for _ in range(claimed.too_old):
            self._outcome("skipped/older_than_since")
        sightings, candidates = claimed.sightings, claimed.candidates
        index = self.run.index
        if index is None:
            decisions: list[dict[str, Any] | None] = [{} for _ in candidates]
        elif sightings:
            decisions = await self._in_thread(
                consult_index, index, sightings, candidates, self.refetch
            )
        else:
            decisions = []
        requests = []
        for (article_id, url), decision in zip(candidates, decisions):
            if decision is None:
                self._outcome("skipped/known")
                continue
            request = Request(
                self._fetchable(url, found_on),
                callback=self.parse_article,
                errback=self.request_failed,
                priority=ARTICLE_PRIORITY,
                headers=decision.get("headers"),
                meta={
                    **self._mirror_meta("article"),
                    "article_id": article_id,
                    DEPTH_META: found_on.meta.get(DEPTH_META, 0) + 1,
                    **decision.get("meta", {}),
                },
            )
            if not self.budget.take():
                self.budget.wait(request)
                continue
            requests.append(request)
        return requests

    async def _in_thread(self, function: Any, *args: Any) -> Any:
        """Index work off the reactor thread: a locked database is waited out with sleeps."""
        return await maybe_deferred_to_future(deferToThread(function, *args))

    async def parse_article(self, response: Response) -> AsyncIterator[Any]:
        assert self.pool is not None
        if response.status == 304:
            await self._not_modified(response)
            return
        index = self.run.index
        refusal = screen(
            self.profile,
            response.body,
            content_type_of(response),
            size=response.meta.get("archived_payload_bytes", 0),
            limit=self.max_extract_bytes,
        )
        if refusal is not None and refusal.reason == TOO_LARGE:
            # Archived already (WARC, index); a page object would need 30-50 times its size.
            self._failed(response.url, refusal.detail, "article")
            return
        if refusal is not None:
            # Archived as served; another mirror may serve the page itself.
            for request in self._wrong_page(response, refusal.reason, refusal.detail):
                yield request
            return
        try:
            # with an index, the text's simhash too: computed in the worker, where the text is
            result = await self.pool.run(
                partial(extract_article, simhash=index is not None, fields=self.profile.fields),
                self.profile.extractor,
                response.url,
                response.body,
                content_type_of(response),
                self.profile.timezone,
            )
        except Exception as exc:  # a page object bug on one page must not stop the run
            self._failed(response.url, f"extraction error: {type(exc).__name__}: {exc}", "article")
            for request in self._replace_lost_article():
                yield request
            return
        for request in await self._article_requests(result.links, response):
            yield request
        for request in self.followed(result.links, response):
            yield request
        urls = self._urls_seen(response)
        self.crawler.signals.send_catch_log(
            newsarchive_signals.capture_context,
            response=response,
            context=CaptureContext(ARTICLE, response.meta["article_id"], list(urls)),
        )
        if result.article is None:
            # A seizure or block page, or a mirror serving something else: the same article
            # on the next mirror is still the same one article for --max-articles.
            for request in self._wrong_page(
                response, NO_ARTICLE, "no article: page holds no article text"
            ):
                yield request
            return
        self._confirm(response)
        if self.mirror_discovery is not None:
            self.mirror_discovery.read_page(response, result.article.get("canonical_url"))
        kept = await self._keep(response, self._record(response, result.article, urls), result)
        if kept is None or not kept.written:
            return
        record = kept.record
        yield record  # kept already: Scrapy's item signals (progress, field coverage) see it
        if self.mirror_discovery is not None:
            self.mirror_discovery.recorded(response, record.id, record.body or "")
        if self.assets is not None:
            for request in self.assets.requests(
                response, record.images, self.profile, self.parse_asset, self.asset_failed
            ):
                yield request
        if self.compare is not None:
            asked = self.compare.copies_to_ask(response, record)
            for request in self.compare.requests(
                asked, record.id, ARTICLE_PRIORITY, self.parse_mirror_copy, self.mirror_copy_failed
            ):
                yield request

    async def _keep(
        self, response: Response, record: ArticleRecord, result: ArticleResult
    ) -> Kept | None:
        """The article versioned, written and confirmed (``archive.article_keeper``), its
        outcomes counted; None when it was not kept: the run is stopping, or the disk is
        full (the run stops). Either way the next run fetches it again."""
        stopping = stopped_by(self.crawler)
        if stopping:
            self.logger.debug("not kept, fetched again next run: %s", record.url)
            self._outcome(NOT_WRITTEN)
            return None
        try:
            kept: Kept = await self._in_thread(
                store_fetched,
                self.run.index,
                self.run.keeper,
                response.meta["article_id"],
                record,
                result.simhash,
                record_urls(response),
                header(response, "ETag"),
                header(response, "Last-Modified"),
            )
        except OSError as exc:
            if not is_disk_full(exc):
                raise
            stop_for_disk_full(self.crawler, exc.filename or self.run.layout.root, exc)
            self._outcome(NOT_WRITTEN)
            return None
        for outcome in kept.outcomes:
            self._outcome(outcome)
        return kept

    def _urls_seen(self, response: Response) -> list[str]:
        """Every URL seen for the response's article so far, the ones it was fetched under
        included. The WARC keeps them beside the capture (a metadata record), because replay
        cannot know them from the page alone."""
        return self.claims.urls_seen(response.meta["article_id"], record_urls(response))

    def _record(
        self, response: Response, extracted: dict[str, Any], urls: list[str]
    ) -> ArticleRecord:
        captured: WarcCapture | None = response.meta.get("warc")
        fetched_at = (captured and captured.warc_date) or datetime.now(timezone.utc).isoformat()
        return article_record(
            self.profile,
            response.url,
            extracted,
            urls=list(urls),
            fetched_at=fetched_at,
            warc=payload_pointer(response),
        )

    async def _not_modified(self, response: Response) -> None:
        """A 304 to a conditional re-check: nothing new to record (the WARC capture writes
        a server-not-modified revisit from ``meta["revisit_of"]``)."""
        self._confirm(response)
        if self.run.index is not None:
            await self._in_thread(
                store_not_modified,
                self.run.index,
                response.meta["article_id"],
                record_urls(response),
                header(response, "ETag"),
                header(response, "Last-Modified"),
            )
        self._outcome(NOT_MODIFIED)

    # -- bounds and failures --------------------------------------------------------------

    def _recent(self, day: date | None) -> bool:
        """Not known to be older than --since."""
        return self.since is None or day is None or day >= self.since

    def _skipped_as_old(self, day: date | None) -> bool:
        if self._recent(day):
            return False
        self._outcome("skipped/older_than_since")
        return True

    def _fetchable(self, url: str, found_on: Response) -> str:
        """A URL we can fetch: one on an alias host (Press TV's feed lists bare presstv.ir
        while served by a mirror) is fetched from the origin that served the page it was on."""
        netloc = urlsplit(url).netloc.lower()
        if any(urlsplit(origin).netloc == netloc for origin in self.profile.origins):
            return url
        parts = urlsplit(found_on.url)
        return self.profile.on_origin(url, f"{parts.scheme}://{parts.netloc}")


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        return None
