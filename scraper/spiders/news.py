"""One spider for every news site: a site profile says where to look and what an article is.

Discovery: feeds, sitemaps (indexes and news sitemaps), paginated listings, and links found
on article pages. Articles are recognised by the profile's ``article_url`` on any of the
site's hosts and fetched once per article id, however many URLs point at them.

Compare mode (``MIRROR_COMPARE``, ``--compare-mirrors``): once an article is recorded, the
same path is fetched from every other healthy mirror and extracted by the same page object;
``archive.divergence`` reports the articles whose text differs. Those copies are evidence
(archived in the WARC like every exchange) but never records, never count against
--max-articles and never feed mirror health: they go straight to the mirror asked for.
"""
from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator, Iterable
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread
from twisted.python.failure import Failure

from archive.capture_context import ARTICLE, MIRROR_COPY, CaptureContext
from archive.divergence import MirrorComparer, MirrorCopy
from archive.extraction import ExtractionPool, default_workers, extract_article, extract_listing
from archive.index import ArticleIndex
from archive.records import article_record
from archive.run_report import new_run_id
from scraper import signals as newsarchive_signals
from scraper.spiders.incremental import (
    consult_index,
    header,
    open_crawl_index,
    record_urls,
    store_fetched,
    store_not_modified,
)
from scraper.middlewares.mirrors import MirrorFailoverMiddleware, MirrorsExhausted, classify_exception
from scraper.middlewares.redirect import OFFSITE_META
from scraper.shared.crawl import SharedCrawl
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
        self.article_urls: dict[str, list[str]] = {}  # article id -> every URL seen for it
        self.articles_scheduled = 0
        self.backlog: deque[Request] = deque(maxlen=10_000)
        self.pool: ExtractionPool | None = None
        self._failover: MirrorFailoverMiddleware | None | bool = False  # False: not looked up yet
        self.comparer: MirrorComparer | None = None  # compare mode only
        # --refetch / -a refetch=1: re-check every known article (conditionally), not only young ones
        self.refetch = refetch if isinstance(refetch, bool) else refetch.lower() in ("1", "true", "yes")
        # The persistent dedup index (None with ARCHIVE_INDEX_ENABLED=False). The WARC capture
        # extension reads it as ``crawler.spider.index``: keep the name and type.
        self.index: ArticleIndex | None = None
        # With REDIS_URL this run is shared with other workers (scraper.shared.crawl): articles
        # are claimed, and their URLs kept, in Redis instead of ``article_urls``.
        self.shared: SharedCrawl | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> "NewsSpider":
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        workers = crawler.settings.getint("NEWSARCHIVE_EXTRACT_WORKERS", -1)
        spider.pool = ExtractionPool(default_workers() if workers < 0 else workers)
        crawler.signals.connect(spider._release, signal=signals.spider_closed)
        spider.shared = SharedCrawl.for_spider(crawler.settings, spider.profile)
        spider.index = open_crawl_index(crawler.settings, spider.profile.name)
        # Closed only when the engine stops: other spider_closed handlers (WARC capture) may
        # still use it; the spider_closed flush makes this run's writes durable and visible.
        crawler.signals.connect(spider._close_index, signal=signals.engine_stopped)
        if crawler.settings.getbool("MIRROR_COMPARE"):
            runs = Path(crawler.settings.get("ARCHIVE_DIR", "data")) / "runs"
            spider.comparer = MirrorComparer(runs / f"{spider.run_id}.mirror_divergence.jsonl",
                                             [urlsplit(origin).netloc for origin in spider.profile.origins])
        return spider

    def _release(self) -> None:
        """Spider closed: stop the extraction workers, close the divergence file."""
        if self.pool is not None:
            self.pool.close()
        if self.comparer is not None:
            self.comparer.close()
        if self.index is not None:
            self.index.flush()

    def _close_index(self) -> None:
        if self.index is not None:
            self.index.close()
        if self.shared is not None:
            self.shared.close()

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

    async def parse_feed(self, response: Response) -> AsyncIterator[Request]:
        try:
            entries = parse_feed(response.url, response.body)
        except NotAFeed as exc:
            for request in self._wrong_page(response, "not_a_feed", f"not a feed: {exc}"):
                yield request
            return
        self._confirm(response)
        self._outcome("feed")
        urls = [entry.url for entry in entries if not self._skipped_as_old(_day(entry.published))]
        for request in await self._article_requests(urls, response):
            yield request

    async def parse_sitemap(self, response: Response) -> AsyncIterator[Request]:
        try:
            sitemap = parse_sitemap(response.url, response.body)
        except NotASitemap as exc:
            for request in self._wrong_page(response, "not_a_sitemap", f"not a sitemap: {exc}"):
                yield request
            return
        self._confirm(response)
        self._outcome("sitemap")
        for child in sitemap.sitemaps:
            if self.profile.owns(child) and not self._budget_spent():
                url = self._fetchable(child, response)
                yield self._discovery(url, self.parse_sitemap, "sitemap")
        urls = [entry.url for entry in sitemap.pages if not self._skipped_as_old(_day(entry.lastmod))]
        for request in await self._article_requests(urls, response):
            yield request

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
        for request in await self._article_requests(listing.article_links, response):
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

    async def _article_requests(self, urls: Iterable[str], found_on: Response) -> list[Request]:
        """Requests for the articles among ``urls`` not yet scheduled this run and, with the
        index, not already archived (or due for a conditional re-check)."""
        # (article id, url) pairs new to this run: related lists repeat the same links on
        # every page, and the index already has what this run told it once.
        claim = self._claim_here if self.shared is None else self._claim_shared
        sightings, candidates = claim(urls)
        if self.index is None:
            decisions: list[dict[str, Any] | None] = [{} for _ in candidates]
        elif sightings:
            decisions = await self._in_thread(consult_index, self.index, sightings, candidates, self.refetch)
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
                meta={**self._mirror_meta("article"), "article_id": article_id, **decision.get("meta", {})},
            )
            if not self._take_budget():
                self.backlog.append(request)
                continue
            requests.append(request)
        return requests

    def _claim_here(self, urls: Iterable[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """(sightings new to this run, candidates: articles first seen now, claimed by this run)."""
        sightings: list[tuple[str, str]] = []
        candidates: list[tuple[str, str]] = []  # first sighting of an article this run
        for url in urls:
            article = self.profile.match_article(url)
            if article is None:
                continue
            article_id = self.profile.article_id(article)
            seen = self.article_urls.get(article_id)
            if seen is not None:
                if url not in seen:
                    seen.append(url)
                    sightings.append((article_id, url))
                continue
            sightings.append((article_id, url))
            if self._skipped_as_old(article.published_day):
                continue
            self.article_urls[article_id] = [url]  # claimed now: no other page schedules it
            candidates.append((article_id, url))
        return sightings, candidates

    def _claim_shared(self, urls: Iterable[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
        """The same against the shared run's claims in Redis: each article is claimed by one
        worker, once per run, before any request for it is built; one round trip a page."""
        assert self.shared is not None
        found: list[tuple[str, str, bool]] = []
        for url in urls:
            article = self.profile.match_article(url)
            if article is not None:
                found.append((self.profile.article_id(article), url, self._recent(article.published_day)))
        sightings: list[tuple[str, str]] = []
        candidates: list[tuple[str, str]] = []
        for (article_id, url, _), verdict in zip(found, self.shared.claim(found)):
            if verdict == SharedCrawl.KNOWN:
                continue
            sightings.append((article_id, url))
            if verdict == SharedCrawl.TOO_OLD:
                self._outcome("skipped/older_than_since")
            elif verdict == SharedCrawl.CLAIMED:
                candidates.append((article_id, url))
        return sightings, candidates

    async def _in_thread(self, function: Any, *args: Any) -> Any:
        """Index work off the reactor thread: a locked database is waited out with sleeps."""
        return await maybe_deferred_to_future(deferToThread(function, *args))

    async def parse_article(self, response: Response) -> AsyncIterator[Any]:
        assert self.pool is not None
        if response.status == 304:
            await self._not_modified(response)
            return
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
        for request in await self._article_requests(result.links, response):
            yield request
        urls = self._urls_seen(response)
        self.crawler.signals.send_catch_log(
            newsarchive_signals.capture_context, response=response,
            context=CaptureContext(ARTICLE, response.meta["article_id"], list(urls)),
        )
        if result.article is None:
            # A seizure or block page, or a mirror serving something else: the same article
            # on the next mirror is still the same one article for --max-articles.
            for request in self._wrong_page(response, "no_article", "no article: page holds no article text"):
                yield request
            return
        self._confirm(response)
        record = self._record(response, result.article, urls)
        if self.index is not None:
            status = await self._in_thread(
                store_fetched, self.index, response.meta["article_id"], record, record_urls(response),
                header(response, "ETag"), header(response, "Last-Modified"),
            )
            if status == "unchanged":
                self._outcome("unchanged/same_text")
                return
            self._outcome(status)  # new | changed
            if status == "changed" and record["minor_change"]:
                self._outcome("changed/minor")
            if record["duplicate_of"] is not None:
                self._outcome("duplicate")
        self._outcome("article")
        yield record
        for request in self._copies_to_compare(response, record):
            yield request

    def _urls_seen(self, response: Response) -> list[str]:
        """Every URL seen for the response's article so far, the ones it was fetched under
        included. The WARC keeps them beside the capture (a metadata record), because replay
        cannot know them from the page alone."""
        if self.shared is not None:  # every worker's sightings, this one's included
            return self.shared.article_urls(response.meta["article_id"],
                                            [*response.meta.get("redirect_urls", ()), response.url])
        urls = self.article_urls.setdefault(response.meta["article_id"], [])
        for url in (*response.meta.get("redirect_urls", ()), response.url):
            if url not in urls:
                urls.append(url)
        return urls

    def _record(self, response: Response, extracted: dict[str, Any], urls: list[str]) -> dict[str, Any]:
        warc = response.meta.get("warc")
        fetched_at = (warc or {}).get("date") or datetime.now(timezone.utc).isoformat()
        pointer = payload_pointer(warc)
        return article_record(
            self.profile, response.url, extracted, urls=list(urls), fetched_at=fetched_at, warc=pointer
        )

    async def _not_modified(self, response: Response) -> None:
        """A 304 to a conditional re-check: nothing new to record (the WARC capture writes
        a server-not-modified revisit from ``meta["revisit_of"]``)."""
        self._confirm(response)
        if self.index is not None:
            await self._in_thread(store_not_modified, self.index, response.meta["article_id"],
                                  record_urls(response), header(response, "ETag"),
                                  header(response, "Last-Modified"))
        self._outcome("unchanged/not_modified")

    # -- compare mode ---------------------------------------------------------------------

    def _copies_to_compare(self, response: Response, record: dict[str, Any]) -> Iterable[Request]:
        """The recorded article's path on every other healthy mirror. Mirrors that already
        failed it, or are benched, are noted instead of asked."""
        if self.comparer is None:
            return
        served = urlsplit(response.url)
        failed_before = dict(response.meta.get("mirror_attempts", ()))  # origin -> what went wrong
        health = self.failover.health(self.profile) if self.failover is not None else None
        asked: list[str] = []
        skipped: list[dict[str, str]] = []
        for origin in self.profile.origins:
            host = urlsplit(origin).netloc
            if host == served.netloc:
                continue
            url = self.profile.on_origin(response.url, origin)
            if origin in failed_before:
                skipped.append({"mirror": host, "url": url,
                                "reason": f"failed when fetched for the record: {failed_before[origin]}"})
            elif health is not None and health.is_benched(origin):
                skipped.append({"mirror": host, "url": url, "reason": "benched: not healthy"})
            else:
                asked.append(url)
        pointer = record.get("warc")
        recorded = MirrorCopy(served.netloc, response.url, record.get("title"), record.get("body") or "",
                              pointer, recorded=True)
        self.comparer.start(record["id"], record["canonical_url"], recorded,
                            [urlsplit(url).netloc for url in asked], skipped)
        for url in asked:
            self.crawler.stats.inc_value("mirror_compare/requested")
            # No site_profile in meta: the failover middleware leaves the copy alone, so it is
            # neither rerouted nor counted for or against the mirror. dont_filter: the same
            # path may have been asked of this mirror by a failover already.
            yield Request(url, callback=self.parse_mirror_copy, errback=self.mirror_copy_failed,
                          priority=ARTICLE_PRIORITY, dont_filter=True,
                          meta={"page_type": "mirror_copy", "compared_article": record["id"],
                                "compared_mirror": urlsplit(url).netloc})

    async def parse_mirror_copy(self, response: Response) -> None:
        assert self.pool is not None and self.comparer is not None
        # the mirror asked, even if it redirected within the site: that is what it serves
        article_id, mirror = response.meta["compared_article"], response.meta["compared_mirror"]
        self.crawler.signals.send_catch_log(newsarchive_signals.capture_context, response=response,
                                            context=CaptureContext(MIRROR_COPY, article_id))
        shown = self.failover.block_marker(self.profile, response) if self.failover is not None else None
        if shown is not None:
            self._copy_failed(article_id, mirror, response.url, f"blocked: page shows {shown!r}")
            return
        try:
            result = await self.pool.run(extract_article, self.profile.extractor, response.url, response.body,
                                         _content_type(response), self.profile.timezone)
        except Exception as exc:  # one odd copy must not stop the run
            self._copy_failed(article_id, mirror, response.url,
                              f"extraction error: {type(exc).__name__}: {exc}")
            return
        if result.article is None:
            self._copy_failed(article_id, mirror, response.url, "no article: page holds no article text")
            return
        warc = response.meta.get("warc")
        pointer = payload_pointer(warc)
        self.crawler.stats.inc_value("mirror_compare/copies")
        self.comparer.arrived(article_id, MirrorCopy(mirror, response.url, result.article.get("title"),
                                                     result.article.get("body") or "", pointer))
        # Nothing yielded: its links are the recorded copy's, which discovery already has.

    def mirror_copy_failed(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        offsite = request.meta.get(OFFSITE_META)
        if failure.check(HttpError):
            status = failure.value.response.status
            reason = f"off-site redirect: {status} to {offsite}" if offsite else f"http {status}"
        elif failure.check(IgnoreRequest):
            reason = f"skipped: {failure.getErrorMessage()}"  # robots.txt
        else:
            reason = classify_exception(failure.value)[1]
        self._copy_failed(request.meta["compared_article"], request.meta["compared_mirror"], request.url, reason)

    def _copy_failed(self, article_id: str, mirror: str, url: str, reason: str) -> None:
        assert self.comparer is not None
        self.crawler.stats.inc_value("mirror_compare/failed")
        self.logger.info("mirror copy of %s not compared: %s: %s", article_id, url, reason)
        self.comparer.failed(article_id, mirror, url, reason)

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
        if self.max_articles is None:
            return False
        used = self.shared.budget_used() if self.shared is not None else self.articles_scheduled
        return used >= self.max_articles

    def _take_budget(self) -> bool:
        """A place for one more article under --max-articles: this crawl's own count, or in
        a shared crawl the run's, in Redis, so that N bounds the run and not each worker."""
        if self.max_articles is None:
            return True
        if self.shared is not None:
            taken = self.shared.take_budget(self.max_articles)
        else:
            taken = self.articles_scheduled < self.max_articles
        self.articles_scheduled += taken
        return taken

    def _replace_lost_article(self) -> Iterable[Request]:
        """An article that failed does not count against --max-articles: try a waiting one."""
        if self.max_articles is None:
            return
        self.articles_scheduled -= 1
        if self.shared is not None:
            self.shared.return_budget()
        if self.backlog and self._take_budget():
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


def payload_pointer(warc: dict[str, Any] | None) -> dict[str, Any] | None:
    """Where the payload of the response that ``meta["warc"]`` describes can be read: the
    record itself, or for a revisit (the same bytes captured before) the original response."""
    if not warc:
        return None
    source = warc.get("refers_to") if warc.get("type") == "revisit" else None
    source = source or warc
    return {k: source[k] for k in ("filename", "offset", "record_id")}


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
