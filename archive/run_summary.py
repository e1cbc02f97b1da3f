"""The lines a crawl ends with: what it archived (how many records, the span of their
publication dates, the bytes of WARC written, read from the run's own records file), then how
it ended, with numbers that say what they count."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from archive.latest_records import parse_record_line
from archive.wording import count, size


def archived_line(records_file: Path, warc_bytes: int) -> str:
    records = 0
    days: list[str] = []
    if records_file.is_file():
        with records_file.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                record, _ = parse_record_line(line)
                if record is None:
                    continue
                records += 1
                published = record.get("published")
                if isinstance(published, str) and len(published) >= 10:
                    days.append(published[:10])
    span = ""
    if days:
        first, last = min(days), max(days)
        span = f", published {first}" + (f" to {last}" if last != first else "")
    return f"archived: {count(records, 'record')}{span}; {size(warc_bytes)} of WARC written"


def assets_line(stats: Mapping[str, Any]) -> str | None:
    """``assets: 40 fetched (3.2 MB), 2 not archived (http_404 2), 6 not asked (too_deep 6)``,
    when any were asked."""
    if not stats.get("assets/requested"):
        return None
    fetched, asset_bytes = int(stats.get("assets/fetched", 0)), int(stats.get("assets/bytes", 0))
    line = f"assets: {fetched:,} fetched ({size(asset_bytes)})"
    line += _by_reason(stats, "assets/failed/", "not archived")
    # past the bounds (per article, stylesheet depth): never asked, said so
    return line + _by_reason(stats, "assets/skipped/", "not asked")


def _by_reason(stats: Mapping[str, Any], prefix: str, label: str) -> str:
    """``, 2 not archived (http_404 2)`` from the counters under ``prefix``; empty if none."""
    counted = {k[len(prefix) :]: v for k, v in stats.items() if k.startswith(prefix)}
    if not counted:
        return ""
    reasons = ", ".join(f"{reason} {n}" for reason, n in sorted(counted.items()))
    return f", {sum(counted.values()):,} {label} ({reasons})"


def closing_line(report: Mapping[str, Any], report_path: Path | str) -> str:
    """``ok: 12 articles archived, no page failed; report …``, or
    ``finished with failures: 404 articles archived, 2 pages failed (1 article, 1 listing);
    report …``: the status says how the run ended (in the exit status's words), not how many
    articles it lost.  A run whose pages all went well but that raised an alert (exit status
    1) says so: ``finished with 1 alert: 0 articles archived, no page failed; …``, never "ok"."""
    counts = report.get("counts", {})
    failed = {kind.split("/", 1)[1]: n for kind, n in counts.items() if kind.startswith("failed/")}
    articles = count(counts.get("article", 0), "article")
    total = sum(failed.values())
    if total:
        kinds = ", ".join(count(n, kind.replace("_", " ")) for kind, n in sorted(failed.items()))
        failures = f"{count(total, 'page')} failed ({kinds})"
    else:
        failures = "no page failed"
    return f"{status_words(report)}: {articles} archived, {failures}; report {report_path}"


# Failures of a machine that reaches no host: no name resolves, no route, nothing answers.
_UNREACHABLE = frozenset({"dns", "connection_refused", "timeout", "download_error"})


def unreachable_hint(report: Mapping[str, Any]) -> str | None:
    """When no mirror could be reached at all (``newsarchive crawl presstv`` on a machine
    without the internet, say), the way to see newsarchive work anyway: ``newsarchive demo``
    serves a site on loopback."""
    mirrors: Mapping[str, Any] = report.get("mirrors") or {}
    if not report.get("all_mirrors_failed") or not mirrors:
        return None
    reasons = {reason for m in mirrors.values() for reason in (m.get("failures") or {})}
    if not reasons or not reasons <= _UNREACHABLE:
        return None
    return (
        f"no mirror of {report.get('site', 'the site')} could be reached: is this machine "
        "offline? `newsarchive demo` shows newsarchive at work without the internet, on a "
        "site it serves on loopback"
    )


def status_words(report: Mapping[str, Any]) -> str:
    """How a run ended, in the words of its exit status (the closing line's, the scheduler's)."""
    status = str(report.get("status"))
    reason = report.get("finish_reason")
    if status == "failed" and reason not in (None, "finished", "closespider_itemcount"):
        return f"stopped ({str(reason).replace('_', ' ')})"
    if status == "failed" and report.get("all_mirrors_failed") and not report.get("failure_count"):
        return "failed (all mirrors failed)"
    if status == "failed":
        return "finished with failures"
    alerts = len(report.get("alerts") or [])
    if status == "ok" and alerts:  # the exit status is 1: the words must not say "ok"
        return f"finished with {count(alerts, 'alert')}"
    return status
