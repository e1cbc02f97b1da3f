"""Writes ``<ARCHIVE_DIR>/runs/<run-id>.json`` and logs the closing summary."""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler

from archive.disk_space import DISK_FULL_REASON
from archive.divergence import summary_line
from archive.index.model import ArticleIndex
from archive.index.sqlite_damage import INDEX_DAMAGED_REASON
from archive.mirror_memory import MirrorMemoryError, remember_run
from archive.run_report import RunReport, previous_reports, run_alerts
from archive.wording import count
from scraper import signals as newsarchive_signals
from scraper.extensions.crash_recovery import INDEX_ERRORS_STAT, repairs_for
from scraper.log_handlers import CLOSING_SUMMARY
from scraper.run import ArchiveRun
from scraper.run_stop import stopped_by

logger = logging.getLogger(__name__)


class RunReportExtension:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.report: RunReport | None = None
        self.selectors: tuple[str, ...] = ()  # the fields the profile's [fields] names

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunReportExtension:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(extension.page_failed, signal=newsarchive_signals.page_failed)
        crawler.signals.connect(extension.page_outcome, signal=newsarchive_signals.page_outcome)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        return extension

    def spider_opened(self) -> None:
        run = ArchiveRun.of(self.crawler)
        self.report = RunReport(
            run_id=run.run_id, site=run.site, started_at=_now(), options=dict(run.options)
        )
        self.selectors = run.profile.fields.names if run.profile is not None else ()

    def page_failed(
        self, url: str, reason: str, page_type: str, attempts: list[dict[str, str]] | None = None
    ) -> None:
        if self.report is not None:
            self.report.fail(url, reason, page_type, attempts)

    def page_outcome(self, outcome: str) -> None:
        if self.report is not None:
            self.report.count(outcome)

    def item_scraped(self, item: Any) -> None:
        """A record every pipeline took (written): counted for the fields it has."""
        if self.report is not None:
            self.report.coverage.add(ItemAdapter(item), self.selectors)

    def spider_closed(self, reason: str) -> None:
        report = self.report
        if report is None:
            return
        report.finished_at = _now()
        report.finish_reason = reason
        stats: dict[str, Any] = self.crawler.stats.get_stats() if self.crawler.stats else {}
        report.stats = {k: v for k, v in sorted(stats.items()) if not isinstance(v, datetime)}
        report.revisits = int(stats.get("archive/warc/revisits", 0) or 0)
        run = ArchiveRun.of(self.crawler)
        if run.mirrors is not None:
            report.mirrors = run.mirrors.report()
            if run.mirrors.remember and run.profile is not None:
                report.notices.extend(self._remember_mirrors(run, report))
        comparer = run.comparer
        if comparer is not None:
            comparer.close()  # settles articles still waiting for a copy; the spider's close is idempotent
            report.mirror_divergence = comparer.summary(f"runs/{comparer.path.name}")
        report.notices.extend(report.coverage.selector_notices())
        report.repairs = repairs_for(self.crawler)
        report.stopped_by = stopped_by(self.crawler)
        report.index_consistent = _index_consistent(run.index, reason, stats)
        report.alerts = run_alerts(report, previous_reports(run.layout, report.site, report.run_id))
        path = report.write(run.layout.runs_dir)
        summary = report.to_dict()
        logger.info(
            "run %s %s: %s, %s, %s %s; report %s",
            report.run_id,
            summary["status"],
            count(stats.get("response_received_count", 0), "page"),
            count(report.outcomes.get("article", 0), "article"),
            count(report.failure_count, "failure"),
            summary["failures_by_reason"] or "",
            path,
        )
        logger.info("%s", report.incremental_line())
        for line in report.mirror_lines():
            logger.info("%s", line)
        for alert in report.alerts:
            logger.error("ALERT %s: %s", report.site, alert, extra={CLOSING_SUMMARY: True})
        for notice in report.notices:
            logger.warning("notice %s: %s", report.site, notice, extra={CLOSING_SUMMARY: True})
        if report.mirror_divergence is not None:
            logger.info("%s", summary_line(report.mirror_divergence))

    def _remember_mirrors(self, run: ArchiveRun, report: RunReport) -> list[str]:
        """This run's mirror tallies into ``state/<site>.mirrors.json``; the notices."""
        assert run.profile is not None
        settings = self.crawler.settings
        try:
            return remember_run(
                run.layout.mirror_memory(run.site),
                run.profile.own_origins,
                report.run_id,
                report.mirrors,
                after_runs=settings.getint("MIRROR_NOTICE_AFTER_RUNS"),
                after_days=settings.getfloat("MIRROR_NOTICE_AFTER_DAYS"),
            )
        except (MirrorMemoryError, OSError) as exc:
            logger.warning("mirror memory not updated: %s", exc)
            return [f"mirror memory not updated: {exc}"]


def _index_consistent(
    index: ArticleIndex | None, reason: str, stats: dict[str, Any]
) -> bool | None:
    """Whether the index holds every record this run wrote (None: no index). If not, the next
    run feeds this run's records back into it (archive.recovery)."""
    if index is None:
        return None
    try:
        index.flush()  # already done when the spider closed: then this commits nothing
    except Exception:
        logger.exception("could not flush the index %s", index.location)
        return False
    # A full disk can make SQLite roll a whole batch back, silently for a later flush.
    return reason not in (DISK_FULL_REASON, INDEX_DAMAGED_REASON) and not stats.get(
        INDEX_ERRORS_STAT
    )


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
