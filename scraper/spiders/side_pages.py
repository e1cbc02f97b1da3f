"""The news spider's pages beside the site's articles: compare-mode copies
(``scraper/spiders/compare.py``), discovery's checks (``scraper/spiders/mirror_discovery.py``)
and a verified mirror joining the run, page assets (``scraper/spiders/page_assets.py``).

A mixin of ``NewsSpider``: callbacks must be the spider's own methods (a shared crawl's
Redis queue stores requests by callback name).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from archive.capture_context import MIRROR_COPY, CaptureContext
from scraper import signals as newsarchive_signals
from scraper.crawl_failures import failure_reason
from scraper.run_mirrors import asked_afresh
from scraper.spiders.page_assets import not_an_asset
from scraper.spiders.page_verdicts import PageVerdicts
from scraper.spiders.response_parts import content_type_of, payload_pointer

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from archive.extraction import ExtractionPool
    from scraper.run import ArchiveRun
    from scraper.sites.profile import SiteProfile
    from scraper.spiders.claims import ArticleClaims
    from scraper.spiders.compare import MirrorCompare
    from scraper.spiders.discovery_bounds import DiscoveryBounds
    from scraper.spiders.mirror_discovery import MirrorDiscovery
    from scraper.spiders.page_assets import PageAssets


class SidePages(PageVerdicts):
    crawler: Crawler
    profile: SiteProfile
    pool: ExtractionPool | None
    run: ArchiveRun
    claims: ArticleClaims
    discovery: DiscoveryBounds | None
    compare: MirrorCompare | None
    mirror_discovery: MirrorDiscovery | None
    assets: PageAssets | None

    # -- compare mode ---------------------------------------------------------------------

    async def parse_mirror_copy(self, response: Response) -> None:
        assert self.pool is not None and self.compare is not None
        self.crawler.signals.send_catch_log(
            newsarchive_signals.capture_context,
            response=response,
            context=CaptureContext(MIRROR_COPY, response.meta["compared_article"]),
        )
        await self.compare.copy_arrived(
            response, self.pool, content_type_of(response), payload_pointer(response)
        )

    def mirror_copy_failed(self, failure: Failure) -> None:
        assert self.compare is not None
        self.compare.copy_not_fetched(failure)

    # -- mirror discovery -----------------------------------------------------------------

    async def parse_mirror_check(self, response: Response) -> None:
        assert self.pool is not None and self.mirror_discovery is not None
        await self.mirror_discovery.checked(response, self.pool)

    def mirror_check_failed(self, failure: Failure) -> None:
        assert self.mirror_discovery is not None
        self.mirror_discovery.check_failed(failure)

    def adopt_mirrors(self, origins: list[str]) -> None:
        """Verified mirrors join the run: the profile every component holds, mirror health
        and the profile copy in the WARC all learn of them."""
        self.profile = self.profile.with_discovered(origins)
        for holder in (self.run, self.claims, self.discovery, self.compare):
            if holder is not None:
                holder.profile = self.profile
        mirrors = self.run.mirrors
        if mirrors is not None:
            for origin in origins:
                mirrors.health(self.profile).add(origin)
        self.crawler.signals.send_catch_log(
            newsarchive_signals.profile_changed, profile=self.profile
        )

    def retire_mirror(self, origin: str) -> None:
        """A joined mirror failed a later check: failover no longer sends it anything."""
        mirrors = self.run.mirrors
        if mirrors is not None:
            mirrors.health(self.profile).retire(origin)

    def ask_again(self, request: Request) -> None:
        """A page every mirror had failed, asked afresh now that a mirror joined."""
        engine = self.crawler.engine
        assert engine is not None
        engine.crawl(asked_afresh(request, self.profile))

    def failed_after_all(self, request: Request, reason: str) -> None:
        """A page held for a mirror that did not come: the failure it was."""
        engine = self.crawler.engine
        assert engine is not None
        page_type = request.meta.get("page_type", "page")
        attempts = request.meta.get("mirror_attempts", ())
        for waiting in self._page_lost(request.url, reason, page_type, attempts):
            engine.crawl(waiting)

    # -- page assets ----------------------------------------------------------------------

    def parse_asset(self, response: Response) -> Iterable[Request]:
        assert self.assets is not None
        if not_an_asset(response):
            # a seized or blocked mirror's banner where a picture was: the next mirror's
            detail = "an HTML page, not an asset"
            if not self._failed_over(response, "not_an_asset", detail):
                self.assets.failed("not_an_asset")
            return
        self.assets.fetched(response)
        yield from self.assets.from_stylesheet(
            response, self.profile, self.parse_asset, self.asset_failed
        )

    def asset_failed(self, failure: Failure) -> None:
        """A picture not archived: counted (``assets/failed/<reason>``), not a page lost."""
        assert self.assets is not None
        reason = failure_reason(failure)[0]
        self.assets.failed(reason)
        self.logger.debug("asset not archived: %s: %s", failure.request.url, reason)  # type: ignore[attr-defined]
