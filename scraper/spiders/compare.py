"""Compare mode (``MIRROR_COMPARE``, ``--compare-mirrors``): the recorded article fetched
again from every other healthy mirror, extracted by the same page object, and handed to
``archive.divergence``, which reports the articles whose text differs.

The copies are evidence (archived in the WARC like every exchange) but never records, never
count against --max-articles and never feed mirror health: their requests carry no
``site_profile``, so the failover middleware leaves them alone and they go straight to the
mirror asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from archive.divergence import MirrorComparer, MirrorCopy
from archive.extraction import ExtractionPool, extract_article
from archive.records import ArticleRecord
from archive.warc_pointer import WarcPointer
from scraper.crawl_failures import OFFSITE_META, failure_reason
from scraper.run import ArchiveRun
from scraper.run_mirrors import RunMirrors
from scraper.sites.profile import SiteProfile


class MirrorCompare:
    def __init__(
        self, comparer: MirrorComparer, profile: SiteProfile, crawler: Crawler, logger: Any
    ) -> None:
        self.comparer = comparer
        self.profile = profile
        self.crawler = crawler  # its stats exist only once the crawl starts
        self.logger = logger

    @property
    def mirrors(self) -> RunMirrors | None:
        """The run's mirror health and block markers; None with MIRROR_ENABLED=False."""
        return ArchiveRun.of(self.crawler).mirrors

    def _count(self, stat: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(stat)

    def copies_to_ask(self, response: Response, record: ArticleRecord) -> list[str]:
        """The recorded article's URL on every other healthy mirror. Mirrors that already
        failed it, or are benched, are noted instead of asked."""
        served = urlsplit(response.url)
        failed_before = dict(response.meta.get("mirror_attempts", ()))  # origin -> what went wrong
        mirrors = self.mirrors
        health = mirrors.health(self.profile) if mirrors is not None else None
        asked: list[str] = []
        skipped: list[dict[str, str]] = []
        for origin in self.profile.origins:
            host = urlsplit(origin).netloc
            if host == served.netloc:
                continue
            url = self.profile.on_origin(response.url, origin)
            if origin in failed_before:
                skipped.append(
                    {
                        "mirror": host,
                        "url": url,
                        "reason": f"failed when fetched for the record: {failed_before[origin]}",
                    }
                )
            elif health is not None and health.is_benched(origin):
                skipped.append({"mirror": host, "url": url, "reason": "benched: not healthy"})
            else:
                asked.append(url)
        recorded = MirrorCopy(
            served.netloc, response.url, record.title, record.body, record.warc, recorded=True
        )
        self.comparer.start(
            record.id,
            record.canonical_url,
            recorded,
            [urlsplit(url).netloc for url in asked],
            skipped,
        )
        return asked

    def requests(
        self,
        urls: Iterable[str],
        article_id: str,
        priority: int,
        callback: Callable[..., Any],
        errback: Callable[..., Any],
    ) -> Iterable[Request]:
        for url in urls:
            self._count("mirror_compare/requested")
            # dont_filter: the same path may have been asked of this mirror by a failover already.
            yield Request(
                url,
                callback=callback,
                errback=errback,
                priority=priority,
                dont_filter=True,
                meta={
                    "page_type": "mirror_copy",
                    "compared_article": article_id,
                    "compared_mirror": urlsplit(url).netloc,
                },
            )

    async def copy_arrived(
        self,
        response: Response,
        pool: ExtractionPool,
        content_type: str | None,
        pointer: WarcPointer | None,
    ) -> None:
        # the mirror asked, even if it redirected within the site: that is what it serves
        article_id, mirror = response.meta["compared_article"], response.meta["compared_mirror"]
        mirrors = self.mirrors
        shown = mirrors.block_marker(self.profile, response) if mirrors is not None else None
        if shown is not None:
            self.copy_failed(article_id, mirror, response.url, f"blocked: page shows {shown!r}")
            return
        try:
            result = await pool.run(
                partial(extract_article, fields=self.profile.fields),
                self.profile.extractor,
                response.url,
                response.body,
                content_type,
                self.profile.timezone,
            )
        except Exception as exc:  # one odd copy must not stop the run
            self.copy_failed(
                article_id, mirror, response.url, f"extraction error: {type(exc).__name__}: {exc}"
            )
            return
        if result.article is None:
            self.copy_failed(
                article_id, mirror, response.url, "no article: page holds no article text"
            )
            return
        self._count("mirror_compare/copies")
        self.comparer.arrived(
            article_id,
            MirrorCopy(
                mirror,
                response.url,
                result.article.get("title"),
                result.article.get("body") or "",
                pointer,
            ),
        )
        # Nothing to follow: its links are the recorded copy's, which discovery already has.

    def copy_not_fetched(self, failure: Failure) -> None:
        request = failure.request  # type: ignore[attr-defined]
        offsite = request.meta.get(OFFSITE_META)
        if offsite and failure.check(HttpError):
            reason = f"off-site redirect: {failure.value.response.status} to {offsite}"
        else:
            reason = failure_reason(failure)[1]
        self.copy_failed(
            request.meta["compared_article"], request.meta["compared_mirror"], request.url, reason
        )

    def copy_failed(self, article_id: str, mirror: str, url: str, reason: str) -> None:
        self._count("mirror_compare/failed")
        self.logger.info("mirror copy of %s not compared: %s: %s", article_id, url, reason)
        self.comparer.failed(article_id, mirror, url, reason)
