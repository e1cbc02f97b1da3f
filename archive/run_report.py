"""The run report: what one run did, what failed and why, as ``runs/<run-id>.json``."""

from __future__ import annotations

import json
import os
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from archive.field_coverage import FieldCoverage, drift_alerts
from archive.layout import OutputLayout
from archive.mirror_tally import mirror_tally
from archive.outcomes import CHANGED, DUPLICATE, MINOR_CHANGE, NEW, NOT_MODIFIED, UNCHANGED

# Failures listed in full; beyond this only counted, so a run against a dead site cannot
# produce a report bigger than its archive.
MAX_LISTED_FAILURES = 10_000


def new_run_id(site: str, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    return f"{site}-{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


@dataclass
class Failure:
    url: str
    reason: str
    page_type: str
    # the other mirrors tried before this last failure: [{"mirror", "reason"}]
    attempts: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"url": self.url, "reason": self.reason, "page_type": self.page_type}
        if self.attempts:
            out["attempts"] = self.attempts
        return out


@dataclass
class RunReport:
    run_id: str
    site: str
    started_at: str
    options: dict[str, Any] = field(default_factory=dict)
    finished_at: str | None = None
    finish_reason: str | None = None
    outcomes: Counter[str] = field(default_factory=Counter)
    failures: list[Failure] = field(default_factory=list)
    failure_count: int = 0
    stats: dict[str, Any] = field(default_factory=dict)
    # origin -> {role, requests, successes, failures{reason: n}, failure_examples,
    #            latency_p50_ms, latency_p95_ms, times_benched, benched_seconds, state}
    mirrors: dict[str, dict[str, Any]] = field(default_factory=dict)
    # compare mode only: archive.divergence.MirrorComparer.summary() (counts, pairs, articles)
    mirror_divergence: dict[str, Any] | None = None
    # WARC revisit records written (the capture extension's ``archive/warc/revisits`` stat)
    revisits: int = 0
    # one-line alerts for unattended runs (see run_alerts); any makes the exit status 1
    alerts: list[str] = field(default_factory=list)
    # one-line notices that are not alerts (a mirror failing run after run, see
    # archive.mirror_memory): printed and kept, exit status unchanged
    notices: list[str] = field(default_factory=list)
    # what this run repaired at its start, left by a killed run (archive.recovery): dicts with
    # kind (warc, jsonl, index), path, action and the logged message
    repairs: list[dict[str, Any]] = field(default_factory=list)
    # why the run stopped early for lack of space (scraper.disk_full), one line
    stopped_by: str | None = None
    # False when the index may lack some of this run's records (a failed flush, index errors,
    # a full disk): the next run feeds them back (archive.recovery). None: no index
    index_consistent: bool | None = None
    # the share of this run's records that have each field (archive.field_coverage)
    coverage: FieldCoverage = field(default_factory=FieldCoverage)

    def count(self, outcome: str, n: int = 1) -> None:
        self.outcomes[outcome] += n

    def fail(
        self, url: str, reason: str, page_type: str, attempts: list[dict[str, str]] | None = None
    ) -> None:
        self.failure_count += 1
        self.outcomes[f"failed/{page_type}"] += 1
        if len(self.failures) < MAX_LISTED_FAILURES:
            self.failures.append(Failure(url, reason, page_type, list(attempts or ())))

    @property
    def all_mirrors_failed(self) -> bool:
        """Every mirror was tried and not one served a usable page."""
        return bool(self.mirrors) and all(
            not m.get("successes") and m.get("failures") for m in self.mirrors.values()
        )

    def all_mirrors_failed_line(self) -> str:
        """One plain line: ``all mirrors failed: https://a: connection refused ×4; …``."""
        parts = []
        for origin, mirror in self.mirrors.items():
            reasons = ", ".join(
                f"{reason.replace('_', ' ')} ×{n}"
                for reason, n in mirror.get("failures", {}).items()
            )
            parts.append(f"{origin}: {reasons or 'not tried'}")
        return "all mirrors failed: " + "; ".join(parts)

    def mirror_lines(self) -> list[str]:
        """One line per mirror for the printed summary."""
        lines = []
        for origin, m in self.mirrors.items():
            p50, p95 = m.get("latency_p50_ms"), m.get("latency_p95_ms")
            latency = (
                f"p50 {p50:.0f} ms, p95 {p95:.0f} ms"
                if p50 is not None and p95 is not None
                else "no latency"
            )
            benched = (
                f", benched {m['benched_seconds']:.1f} s ({m['times_benched']}x)"
                if m.get("times_benched")
                else ""
            )
            lines.append(
                f"mirror {origin} ({m.get('role', 'mirror')}): {mirror_tally(m)}, "
                f"{latency}{benched}"
            )
        return lines

    def incremental(self) -> dict[str, Any]:
        """What this run did against what the index already knew, and why."""
        o = self.outcomes
        return {
            "new": o.get(NEW, 0),
            "changed": o.get(CHANGED, 0),
            "changed_minor": o.get(MINOR_CHANGE, 0),
            "duplicates": o.get(DUPLICATE, 0),
            "unchanged": o.get(UNCHANGED, 0) + o.get(NOT_MODIFIED, 0),
            "skipped_known": o.get("skipped/known", 0),
            "revisits": self.revisits,
            "why": {
                "new": "article id not in the index: recorded as version 1",
                "changed": "text hash differs from the latest version: recorded as version n+1 "
                "(changed_minor: near-identical text by simhash)",
                "duplicates": "recorded, but the same text was first archived under another id "
                "(duplicate_of)",
                "unchanged": {
                    "same_text": o.get(UNCHANGED, 0),
                    "not_modified": o.get(NOT_MODIFIED, 0),
                    "reason": "same_text: re-fetched, same normalised text as the latest version, "
                    "no record written; not_modified: the server answered 304 to a conditional "
                    "re-check",
                },
                "skipped_known": "already archived and not due for a re-check (younger than 48 h: "
                "every 6 h; older: only with --refetch), so not fetched",
                "revisits": "WARC revisit records instead of a second copy of identical bytes or "
                "for a 304",
            },
        }

    def incremental_line(self) -> str:
        i = self.incremental()
        why = i["why"]["unchanged"]
        return (
            f"{i['new']} new, {i['changed']} changed ({i['changed_minor']} minor), "
            f"{i['unchanged']} unchanged ({why['same_text']} same text, {why['not_modified']} not modified), "
            f"{i['skipped_known']} skipped as known, {i['revisits']} revisits"
        )

    @property
    def status(self) -> str:
        if self.finish_reason not in (None, "finished", "closespider_itemcount"):
            return "interrupted" if self.finish_reason == "shutdown" else "failed"
        return "failed" if self.failure_count or self.all_mirrors_failed else "ok"

    def to_dict(self) -> dict[str, Any]:
        by_reason = Counter(f.reason.split(":")[0] for f in self.failures)
        return {
            "run_id": self.run_id,
            "site": self.site,
            "status": self.status,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "finish_reason": self.finish_reason,
            "options": self.options,
            "counts": dict(sorted(self.outcomes.items())),
            "failure_count": self.failure_count,
            "failures_by_reason": dict(by_reason.most_common()),
            "failures": [f.to_dict() for f in self.failures],
            "mirrors": self.mirrors,
            "all_mirrors_failed": self.all_mirrors_failed,
            "mirror_divergence": self.mirror_divergence,
            "incremental": self.incremental(),
            "alerts": self.alerts,
            "notices": self.notices,
            "repairs": self.repairs,
            "stopped_by": self.stopped_by,
            "index_consistent": self.index_consistent,
            "coverage": self.coverage.to_dict(),
            "stats": self.stats,
        }

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{self.run_id}.json"
        tmp = path.with_suffix(".json.tmp")
        try:
            tmp.write_text(
                json.dumps(self.to_dict(), indent=2, default=str) + "\n", encoding="utf-8"
            )
            os.replace(tmp, path)  # a reader never sees half a report
        except BaseException:
            tmp.unlink(missing_ok=True)  # e.g. disk full: no half report left behind either
            raise
        return path


# Runs looked back on for "usually": enough to smooth a quiet day, recent enough to follow the site.
# What the spider counts of the links it finds (scraper/spiders/news.py): on the site's
# hosts, those that are article URLs, and the first few that are not.
LINKS_SEEN_STAT = "newsarchive/links/seen"
ARTICLE_LINKS_STAT = "newsarchive/links/article_urls"
UNMATCHED_EXAMPLES_STAT = "newsarchive/links/not_article_examples"

ALERT_HISTORY = 10
ALERT_MIN_HISTORY = 5


def run_alerts(report: RunReport, previous: list[dict[str, Any]]) -> list[str]:
    """What an unattended run should shout about, one line each: every mirror failing; no new
    article when the site's recent runs (``previous``: their reports, newest first) usually
    found some; a field its records usually have gone missing (``template drift?``). An
    interrupted run is not judged on what it did not get to."""
    alerts = []
    if report.all_mirrors_failed:
        alerts.append(report.all_mirrors_failed_line())
    no_articles = _no_article_urls_line(report.stats)
    if no_articles is not None:
        alerts.append(no_articles)
    finished = [r for r in previous[:ALERT_HISTORY] if r.get("status") in ("ok", "failed")]
    if (
        report.status != "interrupted"
        and report.incremental()["new"] == 0
        and len(finished) >= ALERT_MIN_HISTORY
    ):
        found = sorted(int((r.get("incremental") or {}).get("new", 0)) for r in finished)
        usual = found[len(found) // 2]
        if usual > 0:
            alerts.append(
                f"no new articles this run; the last {len(finished)} runs found {usual} a run "
                "(median): the site, its feeds or the profile may have changed"
            )
    if report.status != "interrupted":
        alerts.extend(drift_alerts(report.coverage.to_dict(), finished))
    return alerts


def _no_article_urls_line(stats: dict[str, Any]) -> str | None:
    """A run whose listings and feeds gave links on the site but not one article URL: the
    profile's article_url matches nothing (a redesign, a typo), not a quiet day."""
    seen = int(stats.get(LINKS_SEEN_STAT, 0) or 0)
    if not seen or stats.get(ARTICLE_LINKS_STAT):
        return None
    examples = ", ".join(stats.get(UNMATCHED_EXAMPLES_STAT) or [])
    return (
        f"no article URL among the {seen} links seen on the site: the profile's article_url "
        f"matches none of them (e.g. {examples})"
    )


def previous_reports(
    layout: OutputLayout, site: str, run_id: str | None = None
) -> list[dict[str, Any]]:
    """The site's run reports (but ``run_id``'s), newest first, at most ``ALERT_HISTORY``;
    unreadable ones and another site's with a name that starts alike are skipped."""
    reports = []
    for path in layout.run_reports_of(site):
        if path.stem == run_id:
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        # a report that names no site is the site's its file name says
        if isinstance(data, dict) and data.get("site", site) == site:
            reports.append(data)
    reports.sort(key=lambda r: str(r.get("started_at", "")), reverse=True)
    return reports[:ALERT_HISTORY]
