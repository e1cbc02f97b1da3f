"""Failover on the local multi-host site: one misbehaving host per test, a real crawl each.

In every scenario: each article archived exactly once, from a host of the site that really
served it, nothing fetched from a foreign host, and the reasons counted per mirror in the
run report. Hosts: 127.0.0.1-3 serve the site (unless a test says otherwise), 127.0.0.9 is a
foreign host serving look-alike pages.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from scraper.demo.server import LoopbackServers, Reply, Request, closed_origin
from scraper.demo.site import (
    SEIZURE_MARKER,
    FirstRequestsFail,
    LocalSite,
    cut_short,
    failing_for,
    generate_articles,
    redirecting_to,
    seized,
    slow,
    video_page,
    write_profile,
)
from tests.conftest import newsarchive_command

SITE_ADDRESSES = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
FOREIGN = "127.0.0.9"
# Fast and deterministic enough: no AutoThrottle start delay, inline extraction, few retries.
# No dedup index: these tests count every exchange as a full WARC response record, and with
# the index identical bytes (a seizure banner on every path, the same 503 page) become revisits.
FAST = [
    "AUTOTHROTTLE_ENABLED=False",
    "NEWSARCHIVE_EXTRACT_WORKERS=0",
    "NEWSARCHIVE_PROGRESS_INTERVAL=0",
    "RETRY_TIMES=1",
    "ARCHIVE_INDEX_ENABLED=False",
]


@dataclass
class Run:
    site: LocalSite
    origins: list[str]
    result: subprocess.CompletedProcess[str]
    records: list[dict[str, Any]]
    report: dict[str, Any]
    requests: list[Request]
    warc: list[tuple[str, str, bytes]] = field(default_factory=list)  # (url, status, payload)

    def host(self, index: int) -> str:
        return self.origins[index].split("//")[1]

    def mirror(self, index: int) -> dict[str, Any]:
        return self.report["mirrors"][self.origins[index]]


@pytest.fixture
def site() -> LocalSite:
    return LocalSite(generate_articles(20))


@pytest.fixture
def servers(site: LocalSite) -> Iterator[LoopbackServers]:
    with LoopbackServers(site, [*SITE_ADDRESSES, FOREIGN]) as running:
        yield running


def crawl(
    site: LocalSite,
    servers: LoopbackServers,
    tmp_path: Path,
    *settings: str,
    origins: list[str] | None = None,
    options: tuple[str, ...] = (),
    **profile: Any,
) -> Run:
    origins = origins or servers.origins[:3]
    profile_path = write_profile(tmp_path / "localnews.toml", origins, **profile)
    out = tmp_path / "out"
    command = [*newsarchive_command(), "crawl", str(profile_path), "--out", str(out), *options]
    for setting in (*FAST, *settings):
        command += ["-s", setting]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    records = [
        json.loads(line)
        for path in sorted((out / "json" / "localnews").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    reports = list((out / "runs").glob("*.json"))
    assert len(reports) == 1, result.stderr[-3000:]
    warc = []
    for path in sorted((out / "warc" / "localnews").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type == "response":
                    warc.append(
                        (
                            record.rec_headers["WARC-Target-URI"],
                            record.http_headers.get_statuscode(),
                            record.content_stream().read(),
                        )
                    )
    return Run(
        site,
        origins,
        result,
        records,
        json.loads(reports[0].read_text()),
        list(servers.requests),
        warc,
    )


def assert_no_errors_of_ours(stderr: str) -> None:
    # Scrapy's robots.txt middleware logs a traceback when a host's robots.txt cannot be
    # downloaded (a dead primary): expected here. No traceback may pass through our code.
    assert "Spider error" not in stderr and "Error processing" not in stderr, stderr[-3000:]
    frames = [line for line in stderr.splitlines() if line.lstrip().startswith('File "')]
    assert not [f for f in frames if "/scraper/" in f or "/archive/" in f], stderr[-3000:]


def assert_every_article_once(run: Run, serving: set[int]) -> None:
    """All articles, once each, each from one of the ``serving`` origins (by index), whose
    page is the record's own WARC response."""
    assert run.result.returncode == 0, run.result.stderr[-3000:]
    assert_no_errors_of_ours(run.result.stderr)
    ids = [r["id"] for r in run.records]
    assert len(ids) == len(set(ids)), "an article archived twice"
    assert set(ids) == {f"localnews:{a.id}" for a in run.site.articles}
    hosts = {run.host(i) for i in serving}
    served = {url for url, status, _payload in run.warc if status == "200"}
    for record in run.records:
        assert record["mirror"] in hosts, (record["id"], record["mirror"])
        assert record["url"].split("/")[2] == record["mirror"]
        assert record["url"] in served, record["url"]
    assert run.report["status"] == "ok" and run.report["failure_count"] == 0
    assert not any(r.host.startswith(FOREIGN) for r in run.requests), (
        "a request reached the foreign host"
    )
    assert not any(FOREIGN in url for url, _status, _payload in run.warc)


def warc_statuses(run: Run, index: int) -> list[str]:
    return [status for url, status, _ in run.warc if url.startswith(run.origins[index] + "/")]


def test_primary_refusing_connections(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    origins = [closed_origin("127.0.0.4"), *servers.origins[1:3]]
    run = crawl(site, servers, tmp_path, origins=origins)
    assert_every_article_once(run, serving={1, 2})
    primary = run.mirror(0)
    assert primary["failures"]["connection_refused"] >= 3
    assert primary["successes"] == 0 and primary["times_benched"] >= 1
    assert primary["requests"] >= 2 * primary["failures"]["connection_refused"]  # Retry went first
    assert run.report["stats"]["mirror/failover"] >= 3
    assert run.report["stats"]["mirror/benched"] >= 1
    assert f"mirror {origins[0]} (primary)" in run.result.stderr  # the printed summary


def test_primary_seized_recognised_by_block_markers(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    site.behaviours[SITE_ADDRESSES[0]] = seized()
    run = crawl(site, servers, tmp_path, block_markers=[SEIZURE_MARKER.upper()])
    assert_every_article_once(run, serving={1, 2})
    primary = run.mirror(0)
    assert primary["failures"]["blocked"] >= 3 and primary["successes"] == 0
    assert "has been seized" in primary["failure_examples"]["blocked"]
    # the seizure banner is evidence: archived, feed included
    seizures = [
        (url, payload)
        for url, status, payload in run.warc
        if url.startswith(run.origins[0]) and status == "200" and b"HAS BEEN SEIZED" in payload
    ]
    assert any(url.endswith("/rss.xml") for url, _ in seizures)


def test_primary_seized_caught_by_the_page_type_check(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    """No block markers in the profile: a feed that is not a feed and an article URL without
    an article still move the request to the next mirror."""
    site.behaviours[SITE_ADDRESSES[0]] = seized()
    run = crawl(site, servers, tmp_path)
    assert_every_article_once(run, serving={1, 2})
    primary = run.mirror(0)
    assert primary["failures"].get("not_a_feed") == 1
    assert primary["failures"].get("not_a_sitemap", 0) >= 1  # the index, maybe its child too
    assert primary["times_benched"] >= 1


def test_max_articles_counts_an_article_that_failed_over_once(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    site.behaviours[SITE_ADDRESSES[0]] = seized()
    run = crawl(site, servers, tmp_path, options=("--max-articles", "5"))
    assert run.result.returncode == 0, run.result.stderr[-3000:]
    assert len(run.records) == 5 == len({r["id"] for r in run.records})
    assert all(r["mirror"] != run.host(0) for r in run.records)


def test_primary_503_for_a_while_then_healthy(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    # three to bench it (at most three go to a mirror not yet proven), one failed probe
    site.behaviours[SITE_ADDRESSES[0]] = FirstRequestsFail(4, 503)
    # mirrors a little slow and few requests at a time, so the crawl outlasts the primary's
    # short bench (picks happen as requests reach the downloader)
    site.behaviours[SITE_ADDRESSES[1]] = site.behaviours[SITE_ADDRESSES[2]] = slow(0.1)
    run = crawl(
        site,
        servers,
        tmp_path,
        "RETRY_TIMES=0",
        "MIRROR_BENCH_SECONDS=0.1",
        "CONCURRENT_REQUESTS=4",
    )
    assert_every_article_once(run, serving={0, 1, 2})
    primary = run.mirror(0)
    assert primary["failures"]["http_503"] == 4
    assert primary["times_benched"] >= 1 and primary["benched_seconds"] > 0
    assert primary["state"] == "closed" and primary["successes"] > 0
    assert any(r["mirror"] == run.host(0) for r in run.records), (
        "back on the primary once it recovered"
    )
    assert warc_statuses(run, 0).count("503") == 4


def test_a_mirror_answering_503_for_some_articles(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    # The primary is the broken one: with primary-first every article is asked of it first,
    # so the 503s are certain to happen (a broken spare mirror might never be asked).
    broken = {a.id for a in site.articles[::3]}
    site.behaviours[SITE_ADDRESSES[0]] = failing_for(
        lambda request: any(f"/{i}/" in request.target for i in broken), 503
    )
    run = crawl(site, servers, tmp_path)
    assert_every_article_once(run, serving={0, 1, 2})
    for record in run.records:
        if record["mirror"] == run.host(0):
            assert int(record["id"].split(":")[1]) not in broken
    assert run.mirror(0)["failures"]["http_503"] >= 1
    assert "503" in warc_statuses(run, 0)
    assert any(r["mirror"] != run.host(0) for r in run.records), (
        "the broken articles came from mirrors"
    )


def test_a_mirror_redirecting_to_a_foreign_host(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    foreign = servers.origins[3]
    site.behaviours[SITE_ADDRESSES[1]] = redirecting_to(lambda: foreign)
    # without discovery, which would check the host redirected to (tests/test_mirror_discovery.py)
    run = crawl(site, servers, tmp_path, "MIRROR_DISCOVERY_ENABLED=False", mirror_strategy="spread")
    assert_every_article_once(run, serving={0, 2})
    mirror = run.mirror(1)
    assert mirror["failures"]["offsite_redirect"] >= 1 and mirror["successes"] == 0
    assert foreign in mirror["failure_examples"]["offsite_redirect"]
    assert "302" in warc_statuses(run, 1)  # the redirect itself is archived


def test_a_mirror_slower_than_the_download_timeout(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    site.behaviours[SITE_ADDRESSES[1]] = slow(3.0)
    run = crawl(
        site, servers, tmp_path, "DOWNLOAD_TIMEOUT=0.5", "RETRY_TIMES=0", mirror_strategy="spread"
    )
    assert_every_article_once(run, serving={0, 2})
    mirror = run.mirror(1)
    assert mirror["failures"]["timeout"] >= 1 and mirror["successes"] == 0
    assert mirror["times_benched"] >= 1


def test_a_mirror_cutting_responses_short(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    site.behaviours[SITE_ADDRESSES[1]] = cut_short(0.5)
    run = crawl(site, servers, tmp_path, mirror_strategy="spread")
    assert_every_article_once(run, serving={0, 2})
    mirror = run.mirror(1)
    assert mirror["failures"]["cut_short"] >= 1 and mirror["successes"] == 0


def test_404_on_one_mirror_fails_over_but_404_everywhere_blames_nobody(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    gone = site.articles[4]
    del site.routes[gone.path]  # still linked from feed, sitemap and listings: 404 on every host
    missing_on_primary = {a.id for a in site.articles[1:3]}  # two: too few to bench it
    site.behaviours[SITE_ADDRESSES[0]] = failing_for(
        lambda request: any(f"/{i}/" in request.target for i in missing_on_primary), 404
    )
    run = crawl(site, servers, tmp_path)
    assert run.result.returncode == 1  # the gone article is a real failure
    ids = {r["id"] for r in run.records}
    assert ids == {f"localnews:{a.id}" for a in site.articles if a is not gone}
    for record in run.records:
        if int(record["id"].split(":")[1]) in missing_on_primary:
            assert record["mirror"] != run.host(0)
    [failure] = run.report["failures"]
    assert failure["reason"] == "http 404" and failure["url"].endswith(gone.path)
    assert len(failure["attempts"]) == 3  # asked every mirror
    assert run.mirror(0)["failures"] == {"http_404": len(missing_on_primary)}
    assert run.mirror(1)["failures"] == {} and run.mirror(2)["failures"] == {}
    assert all(run.mirror(i)["times_benched"] == 0 for i in range(3))


def test_every_mirror_failing_exits_1_and_says_so(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    origins = [closed_origin(address) for address in ("127.0.0.4", "127.0.0.5", "127.0.0.6")]
    run = crawl(site, servers, tmp_path, "RETRY_TIMES=0", origins=origins)
    assert run.result.returncode == 1
    assert_no_errors_of_ours(run.result.stderr)
    lines = [
        line
        for line in run.result.stderr.splitlines()
        if line.startswith("ALERT localnews: all mirrors failed: ")
    ]
    assert len(lines) == 1 and "connection refused" in lines[0], run.result.stderr[-2000:]
    assert run.report["all_mirrors_failed"] is True and run.report["status"] == "failed"
    assert run.report["alerts"] == [lines[0].removeprefix("ALERT localnews: ")]
    assert run.records == []
    assert all(run.report["mirrors"][o]["failures"].get("connection_refused") for o in origins)


def test_wrong_page_type_everywhere_blames_nobody(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    """Video pages at article URLs on every mirror are the site's doing: more of them than it
    takes to bench a mirror, and no mirror is charged. A mirror serving a wrong page where
    another mirror has the article still is."""
    videos = site.articles[3:8]  # five: enough to bench every mirror if each counted
    for article in videos:
        site.routes[article.path] = Reply.html(video_page(article))
    wrong_on_primary = site.articles[10:12]  # two: too few to bench it
    site.behaviours[SITE_ADDRESSES[0]] = lambda request, reply: (
        Reply.html(video_page(wrong_on_primary[0]))
        if any(a.path == request.target for a in wrong_on_primary)
        else reply
    )
    run = crawl(site, servers, tmp_path)
    assert run.result.returncode == 1  # the video pages are still failures of the run
    assert_no_errors_of_ours(run.result.stderr)
    ids = {r["id"] for r in run.records}
    assert ids == {f"localnews:{a.id}" for a in site.articles if a not in videos}
    for record in run.records:
        if int(record["id"].split(":")[1]) in {a.id for a in wrong_on_primary}:
            assert record["mirror"] != run.host(0)
    failures = run.report["failures"]
    assert sorted(f["url"].split("/", 3)[3] for f in failures) == sorted(a.path[1:] for a in videos)
    for failure in failures:
        assert failure["reason"].startswith("no article") and len(failure["attempts"]) == 3
    # charged for each of those it was asked for (an unproven primary may not get them all)
    asked = {url for url, _status, _ in run.warc if url.startswith(run.origins[0])}
    charged = sum(run.origins[0] + a.path in asked for a in wrong_on_primary)
    assert run.mirror(0)["failures"] == ({"no_article": charged} if charged else {})
    assert run.mirror(1)["failures"] == {} and run.mirror(2)["failures"] == {}
    assert all(run.mirror(i)["times_benched"] == 0 for i in range(3))
    assert run.report["stats"]["mirror/wrong_page_everywhere"] == len(videos)
