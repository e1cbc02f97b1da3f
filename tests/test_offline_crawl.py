"""Offline crawl: ``newsarchive crawl SITE --from-warc DIR`` runs the spider on an old crawl.

A real crawl of the loopback site is archived first (the primary answering 503 for some
articles, so those come from a mirror); then the servers are stopped and the same profile is
crawled again from the WARC files alone. Every article comes back with the same text and
points at the same archived capture; what the archive lacks is a counted miss.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, failing_for, generate_articles, write_profile
from tests.conftest import FAST_CRAWL, newsarchive_command

HOSTS = ["127.0.0.1", "127.0.0.2"]
FAST = [
    *FAST_CRAWL,
    "-s",
    "RETRY_TIMES=0",
]


def crawl(profile: Path, out: Path, *options: str | Path) -> dict[str, Any]:
    result = subprocess.run(
        [
            *newsarchive_command(),
            "crawl",
            str(profile),
            "--out",
            str(out),
            *FAST,
            *map(str, options),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    [report_path] = (out / "runs").glob("*.json")
    records = [
        json.loads(line)
        for path in (out / "json").glob("*/*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    return {
        "result": result,
        "report": json.loads(report_path.read_text()),
        "records": {r["id"]: r for r in records},
    }


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    articles = generate_articles(10)
    site = LocalSite(list(articles))
    unlucky = {a.path for a in articles[:3]}
    work = tmp_path_factory.mktemp("offline")
    with LoopbackServers(site, HOSTS) as servers:
        site.behaviours[HOSTS[0]] = failing_for(lambda request: request.target in unlucky, 503)
        profile = write_profile(work / "localnews.toml", servers.origins)
        online = crawl(profile, work / "online", "-s", "MIRROR_BENCH_AFTER=100")
    # the servers are gone: from here on, nothing answers on the network
    yield {
        "profile": profile,
        "primary": servers.origins[0],
        "work": work,
        "online": online,
        "unlucky": unlucky,
        "articles": articles,
    }


def test_the_online_crawl_failed_over_for_some_articles(archived: dict[str, Any]) -> None:
    online = archived["online"]
    assert online["result"].returncode == 0, online["result"].stderr[-3000:]
    assert len(online["records"]) == 10
    mirrored = {
        r["url"].split("/", 3)[3]
        for r in online["records"].values()
        if r["mirror"].startswith(HOSTS[1])
    }
    assert {"/" + path for path in mirrored} == archived["unlucky"]


def test_an_offline_crawl_gives_the_same_articles_from_the_same_captures(
    archived: dict[str, Any],
) -> None:
    work = archived["work"]
    offline = crawl(
        archived["profile"],
        work / "offline",
        "--from-warc",
        work / "online" / "warc",
        "-s",
        "MIRROR_BENCH_AFTER=100",
    )
    assert offline["result"].returncode == 0, offline["result"].stderr[-3000:]
    online = archived["online"]["records"]
    assert offline["records"].keys() == online.keys()
    for article_id, record in offline["records"].items():
        before = online[article_id]
        for field in (
            "url",
            "mirror",
            "title",
            "body",
            "published",
            "content_hash",
            "fetched_at",
            "warc",
        ):
            assert record[field] == before[field], f"{article_id}: {field}"
    stats = offline["report"]["stats"]
    assert stats["archive/from_warc/hit"] >= 10 and not stats.get("archive/from_warc/miss")
    # the primary's archived 503s were served, and failover took the mirror's copies again
    assert offline["report"]["mirrors"][archived["primary"]]["failures"].get("http_503", 0) >= 3
    # every archived answer is counted as a request to its mirror: the numbers add up
    for origin, mirror in offline["report"]["mirrors"].items():
        answered = mirror["successes"] + sum(mirror["failures"].values())
        assert mirror["requests"] >= answered > 0, (origin, mirror)
    assert not (work / "offline" / "warc").exists(), (
        "nothing was downloaded, so nothing is archived"
    )


def test_what_the_archive_lacks_is_a_counted_miss(archived: dict[str, Any]) -> None:
    work = archived["work"]
    text = archived["profile"].read_text().replace("listings = [", 'listings = ["/Section/777", ')
    profile = work / "wider.toml"
    profile.write_text(text)
    offline = crawl(profile, work / "wider", "--from-warc", work / "online" / "warc")
    assert offline["result"].returncode == 1  # a page no mirror's archive has is a failure
    assert len(offline["records"]) == 10
    # /Section/777 on both hosts at least (on a loaded machine failover may try more paths on
    # the mirror that did not serve them online: misses too, then found on the primary)
    assert offline["report"]["stats"]["archive/from_warc/miss"] >= 2
    [failure] = [f for f in offline["report"]["failures"] if "/Section/777" in f["url"]]
    assert "not archived" in json.dumps(failure)


def test_the_archive_read_must_not_be_the_output(archived: dict[str, Any]) -> None:
    work = archived["work"]
    result = subprocess.run(
        [
            *newsarchive_command(),
            "crawl",
            str(archived["profile"]),
            "--out",
            str(work / "online"),
            "--from-warc",
            str(work / "online" / "warc"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (
        result.returncode == 2
        and "--from-warc" in result.stderr
        and "Traceback" not in result.stderr
    )
