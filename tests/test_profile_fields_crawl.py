"""A profile's [fields] in a real crawl of the local site on loopback, and in its replay: the
selectors give the fields of the pages they fit, the other template's pages fall back (named
in ``fallbacks``), and a selector that never gives its field is a notice at the end of the
run and in its report, in the crawl and in the replay from the WARCs alone (the profile
written into them carries its [fields])."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, generate_articles, write_profile
from tests.conftest import FAST_CRAWL, run_newsarchive

FIELDS = """
[fields]
title = "h1.news-title"
section = "nav.no-such-breadcrumb li"
body = "div.news-body"
body_exclude = [".share-box", "div.app-promo"]
"""
NOTICE = "fields.section selector gave the section of 0 of"


def _records(out: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in sorted((out / "json").glob("*/*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]


def _report(out: Path) -> dict[str, Any]:
    [path] = sorted((out / "runs").glob("*.json"))
    report: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return report


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    articles = generate_articles(9)
    site = LocalSite(articles)
    work = tmp_path_factory.mktemp("fields")
    with LoopbackServers(site, ["127.0.0.1"]) as servers:
        profile = write_profile(work / "localnews.toml", servers.origins, extractor="generic")
        profile.write_text(profile.read_text(encoding="utf-8") + FIELDS, encoding="utf-8")
        crawl = run_newsarchive(
            "crawl",
            str(profile),
            "--out",
            str(work / "crawl"),
            *FAST_CRAWL,
            "-s",
            "NEWSARCHIVE_ASSETS=none",
        )
    replay = run_newsarchive(
        "replay", str(work / "crawl" / "warc"), "--out", str(work / "replay"), "--quiet"
    )
    yield {
        "site": site,
        "crawl": crawl,
        "replay": replay,
        "records": _records(work / "crawl"),
        "replayed": _records(work / "replay"),
        "report": _report(work / "crawl"),
        "replay_report": _report(work / "replay"),
    }


def test_the_selectors_give_the_fields_of_the_pages_they_fit(runs: dict[str, Any]) -> None:
    assert runs["crawl"].returncode == 0, runs["crawl"].stderr[-3000:]
    site: LocalSite = runs["site"]
    by_id = {f"localnews:{a.id}": a for a in site.articles}
    records = runs["records"]
    assert {r["id"] for r in records} == set(by_id)
    for record in records:
        article = by_id[record["id"]]
        modern = site.template(article) == "modern"
        assert ("title" in record["fallbacks"]) == (not modern), record["url"]
        assert ("body" in record["fallbacks"]) == (not modern), record["url"]
        if modern:
            assert record["title"] == article.title  # not og:title's "PressTV-…"
            assert "app" not in record["body"].split("\n\n")[-1].lower()


def test_a_selector_that_never_matches_is_a_notice_of_the_run(runs: dict[str, Any]) -> None:
    pages = len(runs["records"])
    assert f"{NOTICE} {pages} pages" in runs["crawl"].stderr
    report = runs["report"]
    assert any(n.startswith(f"{NOTICE} {pages} pages") for n in report["notices"])
    selectors = report["coverage"]["selectors"]
    assert selectors["section"] == {"pages": pages, "taken": 0}
    modern = sum(1 for r in runs["records"] if "title" not in r["fallbacks"])
    assert selectors["title"] == {"pages": pages, "taken": modern}
    assert 0 < modern < pages


def test_replay_reads_the_fields_from_the_profile_in_the_warcs(runs: dict[str, Any]) -> None:
    assert runs["replay"].returncode == 0, runs["replay"].stderr[-3000:]
    fields = ("id", "title", "section", "body", "fallbacks")
    crawled = sorted(tuple(str(r[f]) for f in fields) for r in runs["records"])
    replayed = sorted(tuple(str(r[f]) for f in fields) for r in runs["replayed"])
    assert replayed == crawled
    assert runs["replay_report"]["coverage"]["selectors"] == runs["report"]["coverage"]["selectors"]
    assert NOTICE in runs["replay"].stderr + runs["replay"].stdout
