"""Extraction health per run (archive/field_coverage.py): the share of a run's records that
have each field, in the run report and `newsarchive state`, and a `template drift?` alert
when a field falls well below the site's recent runs. End to end: a site publishes new
articles every day; the day its template loses the byline, the run says so and exits 1."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from archive.field_coverage import MIN_BODY_CHARS, FieldCoverage, drift_alerts
from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, generate_articles, write_profile
from tests.conftest import FAST_CRAWL, newsarchive_command

FULL = {
    "title": "T",
    "published": "2026-01-01",
    "authors": ["A"],
    "section": "World",
    "body": "x" * MIN_BODY_CHARS,
    "images": [{"url": "u"}],
}


def coverage_of(records: list[dict[str, Any]]) -> dict[str, Any]:
    coverage = FieldCoverage()
    for record in records:
        coverage.add(record)
    return coverage.to_dict()


def report(coverage: dict[str, Any], status: str = "ok") -> dict[str, Any]:
    return {"status": status, "coverage": coverage}


def test_shares_count_a_short_body_as_missing_and_keep_a_few_examples() -> None:
    records = [
        {**FULL, "url": "https://s/1"},
        {**FULL, "url": "https://s/2", "authors": [], "body": "x" * (MIN_BODY_CHARS - 1)},
        *({**FULL, "url": f"https://s/{n}", "authors": []} for n in range(3, 8)),
    ]
    coverage = coverage_of(records)
    assert coverage["records"] == 7
    assert coverage["fields"]["title"] == 1.0
    assert coverage["fields"]["body"] == round(6 / 7, 4)
    assert coverage["fields"]["authors"] == round(1 / 7, 4)
    assert coverage["missing_examples"]["body"] == ["https://s/2"]
    assert coverage["missing_examples"]["authors"] == ["https://s/2", "https://s/3", "https://s/4"]
    assert "title" not in coverage["missing_examples"]
    assert coverage["fell_back"] == {}


def test_fields_a_site_page_object_read_generically_are_counted() -> None:
    coverage = coverage_of(
        [{**FULL, "fallbacks": ["published", "body"]}, {**FULL, "fallbacks": ["body"]}, FULL]
    )
    assert coverage["fell_back"] == {"body": 2, "published": 1}


def test_a_note_of_which_reading_won_is_no_fallback() -> None:
    note = "body: second reading (the runner-up): the choice was short, it held more prose"
    coverage = FieldCoverage()
    coverage.add({**FULL, "fallbacks": [note]}, selectors=["body"])
    coverage.add({**FULL, "fallbacks": ["body"]}, selectors=["body"])
    assert coverage.to_dict()["fell_back"] == {"body": 1}
    assert coverage.selector_taken["body"] == 1  # the note's page: the selector's text


def test_a_field_gone_from_the_records_is_named_with_examples() -> None:
    usual = coverage_of([FULL] * 10)
    now = coverage_of([{**FULL, "authors": [], "url": f"https://s/{n}"} for n in range(8)])
    [alert] = drift_alerts(now, [report(usual)] * 5)
    assert alert.startswith(
        "template drift? authors in 0% of 8 records, against 100% in the last 5"
    )
    assert "e.g. https://s/0, https://s/1, https://s/2" in alert


def test_no_alert_without_enough_history_records_or_drop() -> None:
    usual = coverage_of([FULL] * 10)
    gone = coverage_of([{**FULL, "authors": []}] * 8)
    assert drift_alerts(gone, [report(usual)] * 4) == []  # four runs are not "usually"
    assert drift_alerts(gone, [report(usual)] * 4 + [report(usual, "interrupted")]) == []
    assert drift_alerts(gone, [report(usual)] * 4 + [report(coverage_of([FULL] * 2))]) == []
    assert drift_alerts(coverage_of([{**FULL, "authors": []}] * 4), [report(usual)] * 5) == []
    some = coverage_of([FULL] * 8 + [{**FULL, "authors": []}] * 2)  # 80%: a quiet day
    assert drift_alerts(some, [report(usual)] * 5) == []
    never = coverage_of([{**FULL, "section": None}] * 10)  # a site that never had it
    assert drift_alerts(never, [report(never)] * 5) == []


# -- end to end ---------------------------------------------------------------------------


def todays_articles(day: int, authors: bool = True) -> list[Any]:
    """Six new articles a day, new ids, each with a byline (``authors``), no links to other
    days' articles."""
    articles = generate_articles(7, seed=day)[1:]
    return [
        replace(
            a,
            id=700_000 + day * 100 + n,
            slug=f"Story-{day}-{n}",
            related=[],
            authors=[f"Reporter {day}{n}"] if authors else [],
        )
        for n, a in enumerate(articles)
    ]


def crawl(profile: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*newsarchive_command(), "crawl", str(profile), "--out", str(out), *FAST_CRAWL],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def drift(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    site = LocalSite(todays_articles(1))
    with LoopbackServers(site, ["127.0.0.1"]) as servers:
        work = tmp_path_factory.mktemp("drift")
        profile = write_profile(work / "localnews.toml", servers.origins)
        out = work / "out"
        usual = []
        for day in range(1, 6):
            site.articles[:] = todays_articles(day)
            site.rebuild()
            usual.append(crawl(profile, out))
        site.articles[:] = todays_articles(6, authors=False)  # the template lost its byline
        site.rebuild()
        drifted = crawl(profile, out)
        reports = [json.loads(p.read_text()) for p in sorted((out / "runs").glob("*.json"))]
        yield {
            "usual": usual,
            "drifted": drifted,
            "reports": reports,
            "out": out,
            "profile": profile,
        }


def test_usual_runs_report_their_coverage_and_raise_nothing(drift: dict[str, Any]) -> None:
    for result in drift["usual"]:
        assert result.returncode == 0, result.stderr[-3000:]
        assert "ALERT" not in result.stderr
    for run in drift["reports"][:5]:
        assert run["coverage"]["records"] == 6
        assert run["coverage"]["fields"]["authors"] == 1.0
        assert run["coverage"]["fields"]["title"] == 1.0
        assert run["coverage"]["fell_back"] == {}  # the site's own selectors read everything


def test_the_run_that_lost_a_field_alerts_and_exits_1(drift: dict[str, Any]) -> None:
    result = drift["drifted"]
    assert result.returncode == 1, result.stderr[-3000:]
    # the closing summary's line (the run's log has it too, behind a timestamp)
    [line] = [line for line in result.stderr.splitlines() if line.startswith("ALERT")]
    assert line.startswith(
        "ALERT localnews: template drift? authors in 0% of 6 records, against 100% in the last 5"
    )
    assert "/Detail/" in line  # example URLs to look at
    last = drift["reports"][-1]
    assert last["coverage"]["fields"]["authors"] == 0.0
    assert any("template drift? authors" in alert for alert in last["alerts"])
    assert not any("template drift? title" in alert for alert in last["alerts"])


def test_state_shows_the_coverage_of_recent_runs(drift: dict[str, Any]) -> None:
    result = subprocess.run(
        [*newsarchive_command(), "state", str(drift["profile"]), "--out", str(drift["out"])],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if "fields of its" in line]
    assert len(lines) == 5  # the last five runs
    assert "authors 100%" in lines[0] and "authors 0%" in lines[-1]
