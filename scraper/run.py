"""One crawl run as the Scrapy components see it: ``ArchiveRun.of(crawler)``.

The spider starts the run (it has the profile and the run id); every component that needs
the run's index, profile, output directory, shared-crawl membership, mirrors (their health,
``scraper.run_mirrors``) or mirror comparer asks ``ArchiveRun.of(crawler)`` instead of
reading attributes off the spider or asking another component: components share state
through the run, never by reaching into each other. A crawl of a spider
that is not ours (a test's, a user's) gets a bare run named after the spider: no profile,
no index, nothing shared.

The run owns what it opens: the article keeper's records file is closed and the index is flushed when the spider closes (its writes become
durable and visible to the run report) and closed only when the engine stops, since other
``spider_closed`` handlers (the WARC capture) may still use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy import signals

from archive.article_keeper import ArticleKeeper
from archive.divergence import MirrorComparer
from archive.index.model import ArticleIndex
from archive.index.open import open_index
from archive.index.sqlite_backend import SqliteIndex
from archive.layout import OutputLayout
from archive.search.sink import records_sink
from scraper.index_damage import stop_for_index_damage
from scraper.run_mirrors import RunMirrors
from scraper.shared.crawl import SharedCrawl

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

    from scraper.sites.profile import SiteProfile

_ATTRIBUTE = "newsarchive_run"


@dataclass
class ArchiveRun:
    site: str
    run_id: str
    layout: OutputLayout
    profile: SiteProfile | None = None
    index: ArticleIndex | None = None
    # versions, writes and confirms the articles the spider read (our spider's runs only)
    keeper: ArticleKeeper | None = None
    shared: SharedCrawl | None = None  # with REDIS_URL: this worker's part in the shared run
    comparer: MirrorComparer | None = None  # compare mode only
    mirrors: RunMirrors | None = None  # None with MIRROR_ENABLED=False
    options: dict[str, str] = field(default_factory=dict)  # as asked for, for the run report

    @classmethod
    def of(cls, crawler: Crawler) -> ArchiveRun:
        run: ArchiveRun | None = getattr(crawler, _ATTRIBUTE, None)
        if run is None:
            name = crawler.spider.name if crawler.spider is not None else crawler.spidercls.name
            run = cls(name, name, OutputLayout.at(crawler.settings["ARCHIVE_DIR"]))
            run.mirrors = RunMirrors.for_run(crawler.settings)
            setattr(crawler, _ATTRIBUTE, run)
        return run

    @classmethod
    def start(
        cls, crawler: Crawler, profile: SiteProfile, run_id: str, options: dict[str, str]
    ) -> ArchiveRun:
        """The run of our spider: joins the shared crawl (with ``REDIS_URL``), opens the
        index, and in compare mode the divergence file."""
        settings = crawler.settings
        layout = OutputLayout.at(settings["ARCHIVE_DIR"])
        run = cls(profile.name, run_id, layout, profile, options=options)
        run.mirrors = RunMirrors.for_run(settings)
        setattr(crawler, _ATTRIBUTE, run)
        run.shared = SharedCrawl.for_run(settings, profile)
        run.index = open_crawl_index(settings, layout, profile.name)
        run.keeper = ArticleKeeper(
            run.index,
            records_sink(
                layout, profile.name, run_id, fsync=settings.getbool("ARCHIVE_JSONL_FSYNC")
            ),
        )
        if isinstance(run.index, SqliteIndex):  # damage met in the file stops the run, once
            run.index.on_damaged = lambda damage: stop_for_index_damage(crawler, damage)
        if settings.getbool("MIRROR_COMPARE"):
            run.comparer = MirrorComparer(
                layout.divergence_file(run_id),
                [urlsplit(origin).netloc for origin in profile.origins],
            )
        crawler.signals.connect(run._spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(run._engine_stopped, signal=signals.engine_stopped)
        return run

    def shared_crawl(self, settings: BaseSettings) -> SharedCrawl:
        """This worker's part in the shared run; a spider that is not ours joins one by its name."""
        if self.shared is None:
            self.shared = SharedCrawl.join_as(settings, self.site, self.site)
        return self.shared

    @property
    def warc_dir(self) -> Path:
        return self.layout.warc_dir(self.site)

    def _spider_closed(self) -> None:
        if self.keeper is not None:
            self.keeper.close()
        if self.comparer is not None:
            self.comparer.close()
        if self.index is not None:
            self.index.flush()

    def _engine_stopped(self) -> None:
        if self.index is not None:
            self.index.close()
        if self.shared is not None:
            self.shared.close()


def open_crawl_index(
    settings: BaseSettings, layout: OutputLayout, site: str
) -> ArticleIndex | None:
    """The site's index, or None with ``ARCHIVE_INDEX_ENABLED=False`` (every run then
    fetches everything and every record is version 1). With ``REDIS_URL`` (a shared crawl)
    it is on that Redis server, shared by every worker, instead of ``state/<site>.sqlite``."""
    if not settings.getbool("ARCHIVE_INDEX_ENABLED"):
        return None
    if settings.get("REDIS_URL"):
        return open_index(settings["REDIS_URL"], site=site, prefix=settings["SHARED_CRAWL_PREFIX"])
    path = layout.index_file(site)
    path.parent.mkdir(parents=True, exist_ok=True)
    return open_index(path, check_seconds=settings.getfloat("NEWSARCHIVE_INDEX_CHECK_SECONDS"))
