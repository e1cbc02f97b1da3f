"""What earlier runs left missing, asked again at the start of this one.

A run killed (SIGKILL, Ctrl-C, a full disk) after an article's record but before its
pictures, or an archive damaged since (a JSON line cut in half, a WARC cut short), leaves
articles the index counts as archived with no readable record or capture, and pictures no
WARC holds. Later runs would skip those articles as known, and never ask their pictures.
``archive/archive_gaps.py`` finds them (only when a record file or WARC changed since the last
clean run) and makes the index forget what is missing; this component requests it: the
articles first, unconditionally (a 304 would record nothing), then the pictures.

When a run finishes cleanly, every record file and WARC of the site is signed as it is
(``state/<site>.archive-check.json``): the next crawl looks again only if one changes.

Local crawls with the index only: a shared crawl's index holds other workers' articles,
whose records are in their own ``--out``. Settings: ``ARCHIVE_RECOVERY_ENABLED``.
Stats: ``newsarchive/refill/articles``, ``newsarchive/refill/pictures``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Protocol

from scrapy import Request, signals
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from archive.archive_gaps import Gaps, find_gaps, mark_checked

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from scraper.run import ArchiveRun
    from scraper.sites.profile import SiteProfile
    from scraper.spiders.claims import ArticleClaims
    from scraper.spiders.page_assets import PageAssets

logger = logging.getLogger(__name__)


class NewsSpider(Protocol):
    """What of the spider the requests need (``scraper.spiders.news`` imports this module)."""

    profile: SiteProfile
    claims: ArticleClaims
    assets: PageAssets | None

    def _mirror_meta(self, page_type: str) -> dict[str, Any]: ...
    def parse_article(self, response: Any) -> Any: ...
    def request_failed(self, failure: Any) -> Any: ...
    def parse_asset(self, response: Any) -> Any: ...
    def asset_failed(self, failure: Any) -> Any: ...


class ArchiveRefill:
    def __init__(self, crawler: Crawler, run: ArchiveRun) -> None:
        self.crawler = crawler
        self.run = run
        self.per_article = crawler.settings.getint("NEWSARCHIVE_ASSETS_MAX_PER_ARTICLE")
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    @classmethod
    def for_crawl(cls, crawler: Crawler, run: ArchiveRun) -> ArchiveRefill | None:
        if not crawler.settings.getbool("ARCHIVE_RECOVERY_ENABLED"):
            return None
        if run.index is None or run.shared is not None:
            return None
        return cls(crawler, run)

    async def requests(self, spider: NewsSpider, priority: int) -> list[Request]:
        """The requests for what is missing (none when nothing changed since the last clean
        run), articles at ``priority``. The archive is read in a thread: it may be every
        record file and CDXJ."""
        assert self.run.index is not None
        try:
            gaps: Gaps | None = await maybe_deferred_to_future(
                deferToThread(
                    find_gaps,
                    self.run.layout.root,
                    self.run.site,
                    self.run.index,
                    current_run=self.run.run_id,
                    pictures=spider.assets is not None,
                    per_article=self.per_article,
                    profile=spider.profile,
                )
            )
        except Exception:  # never let the check stop a crawl: the next run looks again
            logger.exception("archive check of %s failed", self.run.layout.root)
            return []
        if gaps is None or not (gaps.articles or gaps.pictures):
            return []
        logger.warning("%s", gaps.message())
        self._count("articles", len(gaps.articles))
        self._count("pictures", len(gaps.pictures))
        requests = self._articles(spider, gaps, priority)
        if spider.assets is not None:
            requests += spider.assets.again(
                gaps.pictures, spider.profile, spider.parse_asset, spider.asset_failed
            )
        return requests

    def _articles(self, spider: NewsSpider, gaps: Gaps, priority: int) -> list[Request]:
        urls = list(gaps.articles.values())
        spider.claims.claim(urls)  # discovery finding them later must not ask twice
        requests = []
        for article_id, url in gaps.articles.items():
            meta: dict[str, Any] = {**spider._mirror_meta("article"), "article_id": article_id}
            requests.append(
                Request(
                    url,
                    callback=spider.parse_article,
                    errback=spider.request_failed,
                    priority=priority,
                    meta=meta,
                )
            )
        return requests

    def engine_stopped(self) -> None:
        stats = self.crawler.stats
        reason = stats.get_value("finish_reason") if stats is not None else None
        if reason != "finished":
            return  # not all was asked: the next crawl looks again
        try:
            mark_checked(self.run.layout.root, self.run.site)
        except OSError as exc:
            logger.warning("could not write the archive check state: %s", exc.strerror or exc)

    def _count(self, what: str, n: int) -> None:
        if self.crawler.stats is not None and n:
            self.crawler.stats.inc_value(f"newsarchive/refill/{what}", n)
