"""End to end: ``newsarchive crawl`` on a profile pointing at the local multi-host site, then
the JSON records checked field by field and the WARC files with warcio and real tools."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from scraper.demo.model import SampleArticle
from scraper.demo.server import LoopbackServers
from scraper.demo.site import ALIAS_HOST, LocalSite, write_profile
from scraper.sites.html import clean_text
from tests.conftest import newsarchive_command, tool

BAD_ARTICLES = {
    "900001": "truncated",
    "900002": "wrong charset",
    "900003": "empty",
    "900004": "5 MB",
}


@pytest.fixture(scope="module")
def crawl(
    local_site: tuple[LocalSite, LoopbackServers], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    site, servers = local_site
    work = tmp_path_factory.mktemp("crawl")
    profile = write_profile(work / "localnews.toml", servers.origins, with_bad_pages=True)
    out = work / "out"
    result = subprocess.run(
        [
            *newsarchive_command(),
            "crawl",
            str(profile),
            "--out",
            str(out),
            "-s",
            "NEWSARCHIVE_PROGRESS_INTERVAL=1",
            "-s",
            "ARCHIVE_WARC_MAX_BYTES=300000",
        ],
        capture_output=True,
        text=True,
        timeout=240,
    )
    records = [
        json.loads(line)
        for path in sorted((out / "json" / "localnews").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    reports = list((out / "runs").glob("*.json"))
    return {
        "result": result,
        "out": out,
        "records": records,
        "origins": servers.origins,
        "report": json.loads(reports[0].read_text()) if len(reports) == 1 else None,
        "site": site,
        "requests": list(servers.requests),
    }


def by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {record["id"]: record for record in records}


def expected_body(article: SampleArticle) -> str:
    return "\n\n".join(clean_text(p.removeprefix("## ")) for p in article.paragraphs)


def test_crawl_finishes_and_reports_its_bad_pages(crawl: dict[str, Any]) -> None:
    result = crawl["result"]
    assert result.returncode == 1, result.stderr[-3000:]  # bad pages are failures, the run goes on
    assert "Traceback" not in result.stderr
    assert "progress:" in result.stderr
    report = crawl["report"]
    assert report is not None and report["status"] == "failed"
    failures = {f["url"].rsplit("/", 1)[-1]: f for f in report["failures"]}
    assert failures["Empty-page"]["reason"].startswith("no article")
    assert failures["rss-broken.xml"]["reason"].startswith("not a feed")
    assert report["counts"]["article"] == len(crawl["records"])


def test_every_article_archived_exactly_once(crawl: dict[str, Any]) -> None:
    site: LocalSite = crawl["site"]
    ids = [record["id"] for record in crawl["records"]]
    assert len(ids) == len(set(ids))
    expected = {f"localnews:{a.id}" for a in site.articles}
    assert expected <= set(ids), sorted(expected - set(ids))
    # hidden articles are only linked from other articles' related lists
    assert {f"localnews:{i}" for i in site.hidden_ids} <= set(ids)
    # of the bad pages, the empty one has no article; the others are survived
    assert "localnews:900003" not in ids
    assert {"localnews:900001", "localnews:900002", "localnews:900004"} <= set(ids)


def test_records_match_the_site_field_by_field(crawl: dict[str, Any]) -> None:
    site: LocalSite = crawl["site"]
    records = by_id(crawl["records"])
    primary = crawl["origins"][0]
    hosts = {origin.split("//")[1] for origin in crawl["origins"]}
    for article in site.articles:
        record = records[f"localnews:{article.id}"]
        where = f"{article.id} ({site.template(article)})"
        assert record["schema"] == 1, where
        assert record["site"] == "localnews", where
        assert record["canonical_url"] == primary + article.path, where
        assert record["mirror"] in hosts, where
        assert record["url"].split("//")[1].split("/")[0] == record["mirror"], where
        assert record["url"].endswith(article.path), where
        assert record["url"] in record["urls"], where
        assert record["title"] == article.title, where
        assert record["published"] == article.published.isoformat(), where
        assert record["body"] == expected_body(article), where
        assert record["section"] == article.section, where
        assert record["authors"] == article.authors, where
        assert record["language"] == "en", where
        assert [i["caption"] for i in record["images"]] == [i.caption for i in article.images], (
            where
        )
        for got, want in zip(record["images"], article.images):
            assert got["url"].startswith("http") and got["url"].endswith(want.url), where
        assert record["version"] == 1, where
        assert record["content_hash"].startswith("xxh3-128:"), where
        assert record["fetched_at"][:4] >= "2026", where
        assert set(record["warc"]) == {"filename", "offset", "record_id"}, where


def test_feed_links_on_an_alias_host_are_fetched_from_the_serving_mirror(
    crawl: dict[str, Any],
) -> None:
    in_feed = [r for r in crawl["records"] if any(ALIAS_HOST in u for u in r["urls"])]
    assert in_feed, "the feed lists articles on the alias host"
    for record in in_feed:
        assert ALIAS_HOST not in record["url"]
    assert not any(ALIAS_HOST in r.target for r in crawl["requests"])


def test_an_article_under_several_urls_is_fetched_once_and_lists_them_all(
    crawl: dict[str, Any],
) -> None:
    site: LocalSite = crawl["site"]
    article = site.many_urls_article
    record = by_id(crawl["records"])[f"localnews:{article.id}"]
    fetches = [r for r in crawl["requests"] if f"/{article.id}/" in r.target]
    assert len(fetches) == 1, [r.target for r in fetches]
    seen = set(record["urls"])
    for variant in site.variant_links():
        if variant.startswith("/"):
            assert any(url.endswith(variant) for url in seen), variant
        else:
            assert variant.split("#")[0] in seen, variant
    assert record["canonical_url"] == crawl["origins"][0] + article.path


def test_robots_txt_and_site_boundaries_are_obeyed(crawl: dict[str, Any]) -> None:
    targets = [r.target for r in crawl["requests"]]
    assert "/robots.txt" in targets
    assert not any(t.startswith("/private/") for t in targets)
    for record in crawl["records"]:
        assert "elsewhere.invalid" not in record["url"]


def warc_files(out: Path) -> list[Path]:
    return sorted((out / "warc" / "localnews").glob("*.warc.gz"))


def test_warc_files_hold_every_exchange(crawl: dict[str, Any]) -> None:
    out = crawl["out"]
    assert not list((out / "warc").rglob("*.open"))
    files = warc_files(out)
    assert len(files) >= 2, "rotation at ARCHIVE_WARC_MAX_BYTES"
    requests: dict[str, str] = {}
    responses: dict[str, tuple[str, int]] = {}
    for path in files:
        with path.open("rb") as stream:
            records = list(ArchiveIterator(stream))
        assert records[0].rec_type == "warcinfo"
        for record in records:
            if record.rec_type == "request":
                requests[record.rec_headers["WARC-Concurrent-To"]] = record.rec_headers[
                    "WARC-Target-URI"
                ]
            elif record.rec_type == "response":
                responses[record.rec_headers["WARC-Record-ID"]] = (
                    record.rec_headers["WARC-Target-URI"],
                    record.http_headers.get_statuscode(),
                )
    for record_id, (uri, _status) in responses.items():
        assert requests.get(record_id) == uri, f"no request record for {uri}"
    statuses = {uri.split("/", 3)[-1]: status for uri, status in responses.values()}
    assert statuses["robots.txt"] == "200"
    assert statuses["rss-broken.xml"] == "200"
    assert statuses["Detail/2023/02/18/900003/Empty-page"] == "200"
    assert len(responses) >= len(crawl["records"])


def test_warc_pointers_open_the_article_response(crawl: dict[str, Any]) -> None:
    warc_dir = crawl["out"] / "warc" / "localnews"
    for record in crawl["records"]:
        pointer = record["warc"]
        with (warc_dir / pointer["filename"]).open("rb") as stream:
            stream.seek(pointer["offset"])
            warc_record = next(iter(ArchiveIterator(stream)))
            assert warc_record.rec_type == "response"
            assert warc_record.rec_headers["WARC-Record-ID"] == pointer["record_id"]
            assert warc_record.rec_headers["WARC-Target-URI"] == record["url"]
            assert warc_record.rec_headers["WARC-Date"][:19] == record["fetched_at"][:19]


def test_real_tools_accept_our_warcs(crawl: dict[str, Any]) -> None:
    files = [str(p) for p in warc_files(crawl["out"])]
    check = subprocess.run(
        [tool("warcio"), "check", "-v", *files], capture_output=True, text=True, timeout=120
    )
    assert check.returncode == 0, check.stdout[-2000:] + check.stderr[-2000:]
    index = subprocess.run(
        [tool("cdxj-indexer"), *files], capture_output=True, text=True, timeout=120
    )
    assert index.returncode == 0, index.stderr[-2000:]
    lines = index.stdout.splitlines()
    assert len(lines) >= len(crawl["records"])
    assert any("detail/2023/02/19/" in line.lower() for line in lines)
