"""The run's mirrors: ``ArchiveRun.of(crawler).mirrors``, one ``MirrorHealth`` per site.

The failover middleware routes requests by it and feeds it outcomes; the spider adds the
mirrors discovery verifies and retires those that fail a later check; compare mode asks it
which mirrors are benched and which block marker a copy shows; the progress panel and the
run report read its tallies. All of them reach it through the run, none through another
component (``docs/architecture.md``). ``None`` with ``MIRROR_ENABLED=False``.

Also here, because the spider and the middleware both build requests with it: the request
meta of one download attempt and of a request's failover history, and ``asked_afresh``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy import Request

from archive.layout import OutputLayout
from archive.mirror_health import STRATEGIES, MirrorHealth
from archive.mirror_memory import MirrorMemory, MirrorMemoryError
from scraper.crawl_failures import OFFSITE_META

if TYPE_CHECKING:
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

    from scraper.sites.profile import SiteProfile

logger = logging.getLogger(__name__)

# Meta of one download attempt, not of the request: carried to another mirror they would
# pin it to the old host's download slot, spend its retries, or point at the old WARC record.
PER_ATTEMPT_META = frozenset(
    {
        "mirror",
        "download_slot",
        "download_latency",
        "retry_times",
        "redirect_times",
        "redirect_ttl",
        OFFSITE_META,
        "warc",
    }
)


# Meta of a request's failover history: dropped, with the per-attempt meta, when the request
# is asked afresh (a mirror joined after every other had failed it).
FAILOVER_HISTORY = frozenset({"mirror_tried", "mirror_attempts", "mirror_404", "mirror_wrong_page"})


def asked_afresh(request: Request, site: SiteProfile) -> Request:
    """``request`` as if new: back on the primary, its failover history forgotten, so that
    health picks among the mirrors the site has now."""
    dropped = PER_ATTEMPT_META | FAILOVER_HISTORY
    meta = {k: v for k, v in request.meta.items() if k not in dropped}
    return request.replace(
        url=site.on_origin(request.url, site.primary),
        meta={**meta, "site_profile": site},
        dont_filter=True,
    )


class RunMirrors:
    """Settings (see ``scraper/settings.py``): MIRROR_BENCH_AFTER, MIRROR_BENCH_SECONDS,
    MIRROR_BENCH_MAX_SECONDS, MIRROR_STRATEGY, MIRROR_BLOCK_SCAN_BYTES, MIRROR_MEMORY_ENABLED;
    the mirror memory is read from ``ARCHIVE_DIR``."""

    def __init__(self, settings: BaseSettings) -> None:
        self.bench_after = settings.getint("MIRROR_BENCH_AFTER")
        self.bench_seconds = settings.getfloat("MIRROR_BENCH_SECONDS")
        self.bench_max_seconds = settings.getfloat("MIRROR_BENCH_MAX_SECONDS")
        self.strategy = settings.get("MIRROR_STRATEGY") or None  # None: the profile's choice
        if self.strategy is not None and self.strategy not in STRATEGIES:
            raise ValueError(
                f"MIRROR_STRATEGY {self.strategy!r} must be one of: {', '.join(STRATEGIES)}"
            )
        self.scan_bytes = settings.getint("MIRROR_BLOCK_SCAN_BYTES")
        self.remember = settings.getbool("MIRROR_MEMORY_ENABLED")
        directory = settings.get("ARCHIVE_DIR")
        self._memory_layout = OutputLayout.at(directory) if directory else None
        self._sites: dict[str, MirrorHealth] = {}

    @classmethod
    def for_run(cls, settings: BaseSettings) -> RunMirrors | None:
        return cls(settings) if settings.getbool("MIRROR_ENABLED") else None

    def health(self, site: SiteProfile) -> MirrorHealth:
        """The site's mirror health, by name: mirrors that join during the run are added to
        it (``MirrorHealth.add``), and requests made before they joined share it."""
        known = self._sites.get(site.name)
        if known is None:
            strategy = self.strategy or site.mirror_strategy
            order, proven, demoted = self._remembered(site, strategy)
            health = MirrorHealth(
                site.origins,
                strategy=strategy,
                bench_after=self.bench_after,
                bench_seconds=self.bench_seconds,
                bench_max_seconds=self.bench_max_seconds,
                order=order,
                proven=proven,
                demoted=demoted,
            )
            known = self._sites[site.name] = health
        return known

    def _remembered(
        self, site: SiteProfile, strategy: str
    ) -> tuple[list[str], list[str], list[str]]:
        """The order that worked last run (``state/<site>.mirrors.json``; primary-first
        keeps the primary first), the mirrors that served well in it and those that failed
        it (given a share of requests); nothing when nothing is remembered."""
        if self._memory_layout is None or not self.remember:
            return list(site.origins), [], []
        path = self._memory_layout.mirror_memory(site.name)
        try:
            memory = MirrorMemory.load(path)
        except MirrorMemoryError as exc:
            logger.warning("%s; starting with the profile's mirror order", exc)
            return list(site.origins), [], []
        order = memory.order(site.origins, keep_first=strategy == "primary-first")
        if order != list(site.origins):
            logger.info("mirror order from the last run: %s", ", ".join(order))
        return order, memory.served_well(site.origins), memory.failed_last(site.origins)

    def report(self) -> dict[str, dict[str, Any]]:
        """Per mirror of every site crawled: see ``MirrorHealth.report``."""
        merged: dict[str, dict[str, Any]] = {}
        for health in self._sites.values():
            merged.update(health.report())
        return merged

    def block_marker(self, site: SiteProfile, response: Response) -> str | None:
        """The profile's block marker this page shows, if any (failover's test, also for
        pages fetched outside it, such as compare-mode copies)."""
        if not 200 <= response.status < 300:
            return None
        return site.block_marker_in(response.body, self.scan_bytes)
