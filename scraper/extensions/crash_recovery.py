"""Crash safety at the start of a crawl, and disk-full detection during it.

On ``spider_opened`` (before anything is fetched or written) this repairs what an earlier
crawl of the site left when it was killed: leftover ``*.open`` WARC files are cut back to their
last complete record, closed, renamed and indexed; a half-written last JSON line is cut off;
records the index lost with an uncommitted batch are fed back into it (``archive.recovery``).
The work runs in a thread (it reads whole WARC files); the crawl starts when it is done.
Each repair is logged and listed in the run report (``repairs``).

During the crawl it watches callback and pipeline errors for a full disk (the SQLite index
raises inside spider callbacks) and stops the crawl cleanly (``scraper.disk_full``); it also
counts index errors (``newsarchive/index_errors``), after which the run report says the
index may be behind its records (``index_consistent: false``), so the next run reconciles.

It also reserves ``ARCHIVE_DISK_RESERVE_BYTES`` (1 MiB) of disk for the whole crawl, given
back when the disk fills up so that the crawl can still close cleanly (``scraper.disk_full``).

Settings: ``ARCHIVE_RECOVERY_ENABLED`` (True), ``ARCHIVE_DISK_RESERVE_BYTES``, ``ARCHIVE_DIR``,
``ARCHIVE_CDXJ_ENABLED``.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet.threads import deferToThread

from archive.cdxj import index_warc
from archive.disk_space import is_disk_full
from archive.recovery import recover_site
from scraper.disk_full import (
    release_space,
    remove_stale_reserves,
    reserve_space,
    stop_for_disk_full,
)
from scraper.run import ArchiveRun

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

INDEX_ERRORS_STAT = "newsarchive/index_errors"


class CrashRecoveryExtension:
    def __init__(self, crawler: Crawler) -> None:
        if not crawler.settings.getbool("ARCHIVE_RECOVERY_ENABLED"):
            raise NotConfigured("ARCHIVE_RECOVERY_ENABLED is off")
        self.crawler = crawler
        self.cdxj = crawler.settings.getbool("ARCHIVE_CDXJ_ENABLED")
        self.reserve = crawler.settings.getint("ARCHIVE_DISK_RESERVE_BYTES")
        self.repairs: list[dict[str, Any]] = []
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        # after everything else has written its last bytes
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)
        crawler.signals.connect(self.spider_error, signal=signals.spider_error)
        crawler.signals.connect(self.item_error, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrashRecoveryExtension:
        return cls(crawler)

    async def spider_opened(self) -> None:
        # in a thread: it may read whole WARC files; the engine starts once this returns
        await maybe_deferred_to_future(deferToThread(self._recover, ArchiveRun.of(self.crawler)))

    def engine_stopped(self) -> None:
        release_space(self.crawler)

    def _recover(self, run: ArchiveRun) -> None:
        state = run.layout.state_dir
        remove_stale_reserves(state)
        reserve_space(self.crawler, state, run.run_id, self.reserve)
        try:
            self.repairs = recover_site(
                run.layout.root,
                run.site,
                run.index,
                current_run=run.run_id,
                index_warc=index_warc if self.cdxj else None,
            )
        except Exception:  # never let repair stop a crawl; the leftovers stay for the next try
            logger.exception("crash repair of %s failed", run.layout.root)
            return
        stats = self.crawler.stats
        if stats is not None and self.repairs:
            stats.set_value("newsarchive/repairs", len(self.repairs))

    def spider_error(self, failure: Failure, response: Any = None, spider: Any = None) -> None:
        self._check(failure.value, "the index")

    def item_error(
        self, item: Any, response: Any = None, spider: Any = None, failure: Any = None
    ) -> None:
        if failure is not None:
            self._check(failure.value, "records")

    def _check(self, exc: BaseException, what: str) -> None:
        index = ArchiveRun.of(self.crawler).index
        if isinstance(exc, sqlite3.Error):
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value(INDEX_ERRORS_STAT)
            what = index.location if index is not None else what
        if is_disk_full(exc):
            stop_for_disk_full(self.crawler, what, exc)


def repairs_for(crawler: Crawler) -> list[dict[str, Any]]:
    """What the crawl's recovery repaired at its start (for the run report)."""
    manager = getattr(crawler, "extensions", None)
    for extension in getattr(manager, "middlewares", ()):
        if isinstance(extension, CrashRecoveryExtension):
            return list(extension.repairs)
    return []
