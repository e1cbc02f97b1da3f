"""Incremental runs on the local site, through ``newsarchive crawl``: the second run fetches no
known article and writes nothing; new articles appear; ``--refetch`` re-checks with conditional
requests, so an unchanged page costs a 304 and no record, a page with new bytes but the same text
costs no record, and a changed text becomes version 2; ``export`` lists each article once.
At the end, without a crawl: the record type and the versioning both crawl and replay use."""

from __future__ import annotations

import json
import pickle
import subprocess
from collections.abc import Iterator
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest

from archive.index.open import open_index
from archive.records import ArticleRecord, article_record, version_record
from archive.warc_pointer import WarcCapture, WarcPointer
from scraper.demo.server import LoopbackServers
from scraper.demo.site import ALIAS_HOST, LocalSite, generate_articles, write_profile
from tests.conftest import FAST_CRAWL, newsarchive_command


def crawl(profile: Path, out: Path, servers: LoopbackServers, *extra: str) -> dict[str, Any]:
    before = len(servers.requests)
    known_reports = set((out / "runs").glob("*.json"))
    result = subprocess.run(
        [*newsarchive_command(), "crawl", str(profile), "--out", str(out), *FAST_CRAWL, *extra],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [report_path] = set((out / "runs").glob("*.json")) - known_reports
    report = json.loads(report_path.read_text())
    jsonl = out / "json" / "localnews" / f"{report['run_id']}.jsonl"
    records = (
        [json.loads(line) for line in jsonl.read_text().splitlines()] if jsonl.exists() else []
    )
    return {
        "result": result,
        "report": report,
        "records": records,
        "requests": servers.requests[before:],
    }


def warc_records(out: Path) -> list[Any]:
    from warcio.archiveiterator import ArchiveIterator

    records = []
    for path in sorted((out / "warc" / "localnews").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                record.content_stream().read()
                records.append(record)
    return records


def article_requests(run: dict[str, Any]) -> list[Any]:
    return [r for r in run["requests"] if r.target.startswith("/Detail/")]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    articles = generate_articles(12)
    site = LocalSite(articles, etags=True)
    with LoopbackServers(site, ["127.0.0.1", "127.0.0.2"]) as servers:
        work = tmp_path_factory.mktemp("incremental")
        profile = write_profile(work / "localnews.toml", servers.origins)
        out = work / "out"
        first = crawl(profile, out, servers)
        second = crawl(profile, out, servers)

        # Between runs: two new articles (one republishing another's text under a new id), one
        # article's text edited, one served in the other template (new bytes, same text).
        changed, retemplated, copied = articles[3], articles[4], articles[6]
        fresh = replace(
            articles[1], id=810_001, slug="A-fresh-story", title="A fresh story", related=[]
        )
        republished = replace(copied, id=810_002, slug="Republished", related=[])
        edited = replace(changed, paragraphs=[*changed.paragraphs, "A correction was added later."])
        site.articles[:] = [fresh, republished, *[edited if a is changed else a for a in articles]]
        site.rebuild()
        site.routes[retemplated.path] = site.render(retemplated, other_template=True)
        third = crawl(profile, out, servers)
        refetch = crawl(profile, out, servers, "--refetch")
        yield {
            "site": site,
            "servers": servers,
            "out": out,
            "profile": profile,
            "first": first,
            "second": second,
            "third": third,
            "refetch": refetch,
            "changed": edited,
            "retemplated": retemplated,
            "fresh": fresh,
            "republished": republished,
            "copied": copied,
        }


def test_first_run_records_everything_as_version_1(runs: dict[str, Any]) -> None:
    records = runs["first"]["records"]
    assert len(records) == 12
    for record in records:
        assert record["version"] == 1
        assert record["previous_hash"] is None and record["minor_change"] is None
        assert record["duplicate_of"] is None
    assert runs["first"]["report"]["incremental"]["new"] == 12
    assert (runs["out"] / "state" / "localnews.sqlite").is_file()


def test_second_run_fetches_no_known_article_and_writes_nothing(runs: dict[str, Any]) -> None:
    second = runs["second"]
    assert article_requests(second) == []
    assert any(r.target == "/rss.xml" for r in second["requests"])  # discovery still fetched
    assert second["records"] == []
    counts = second["report"]["incremental"]
    assert counts["skipped_known"] == 12 and counts["new"] == 0
    assert "skipped as known" in second["result"].stderr


def test_new_articles_appear_and_a_republication_is_marked_not_merged(runs: dict[str, Any]) -> None:
    third = runs["third"]
    records = {r["id"]: r for r in third["records"]}
    fresh, republished = f"localnews:{runs['fresh'].id}", f"localnews:{runs['republished'].id}"
    assert set(records) == {fresh, republished}
    assert records[fresh]["version"] == 1 and records[fresh]["duplicate_of"] is None
    assert records[republished]["duplicate_of"] == f"localnews:{runs['copied'].id}"
    assert records[republished]["version"] == 1
    fetched = {r.target.split("/")[5] for r in article_requests(third)}
    assert fetched == {str(runs["fresh"].id), str(runs["republished"].id)}
    assert third["report"]["incremental"]["skipped_known"] == 12


def test_refetch_makes_a_changed_text_version_2(runs: dict[str, Any]) -> None:
    refetch = runs["refetch"]
    [record] = refetch["records"]
    assert record["id"] == f"localnews:{runs['changed'].id}"
    assert record["version"] == 2
    first = {r["id"]: r for r in runs["first"]["records"]}[record["id"]]
    assert record["previous_hash"] == first["content_hash"] != record["content_hash"]
    assert record["minor_change"] in (True, False)
    assert "A correction was added later." in record["body"]


def test_refetch_is_conditional_and_a_304_writes_no_record(runs: dict[str, Any]) -> None:
    refetch = runs["refetch"]
    requests = article_requests(refetch)
    assert len({r.target for r in requests}) == 14
    assert all(r.headers.get("if-none-match") for r in requests)
    counts = refetch["report"]["incremental"]
    # 14 known: 1 changed, 1 same text in new bytes (the other template), 12 answered 304
    assert counts["changed"] == 1
    assert counts["why"]["unchanged"]["same_text"] == 1
    assert counts["why"]["unchanged"]["not_modified"] == 12
    assert counts["unchanged"] == 13 and counts["skipped_known"] == 0
    assert refetch["report"]["counts"]["article"] == 1
    # each 304 is archived as a server-not-modified revisit of the version's own record
    first_records = {
        r["warc"]["record_id"] for run in ("first", "third") for r in runs[run]["records"]
    }
    not_modified = [
        r
        for r in warc_records(runs["out"])
        if r.rec_type == "revisit"
        and "server-not-modified" in r.rec_headers.get("WARC-Profile", "")
    ]
    assert len(not_modified) == 12 and counts["revisits"] >= 12
    assert {r.rec_headers["WARC-Refers-To"] for r in not_modified} <= first_records


def test_export_lists_each_article_once_with_all_its_urls(
    runs: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "articles.jsonl"
    result = subprocess.run(
        [
            *newsarchive_command(),
            "export",
            str(runs["profile"]),
            "--out",
            str(runs["out"]),
            "--from-index",
            "--jsonl",
            str(target),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    ids = [row["id"] for row in rows]
    assert ids == sorted(set(ids)) and len(ids) == 14
    by_id = {row["id"]: row for row in rows}
    changed = by_id[f"localnews:{runs['changed'].id}"]
    assert changed["versions"] == 2 and changed["previous_hash"]
    primary = runs["servers"].origins[0]
    for article in runs["site"].articles:
        urls = by_id[f"localnews:{article.id}"]["urls"]
        assert primary + article.path in urls or any(u.endswith(article.path) for u in urls)
        assert any(ALIAS_HOST in u for u in urls)  # the feed lists every one on the alias host
    again = subprocess.run(
        [
            *newsarchive_command(),
            "export",
            str(runs["profile"]),
            "--out",
            str(runs["out"]),
            "--from-index",
            "--jsonl",
            "-",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert again.stdout == target.read_text()  # stable order and content


# -- the record and its versioning, without a crawl -------------------------------------------

URL = "https://news.example/a/1"
POINTER = WarcPointer("news-1.warc.gz", 1234, "<urn:uuid:00000000-0000-4000-8000-000000000001>")


def a_record(body: str = "First paragraph.\n\nSecond paragraph.") -> ArticleRecord:
    extracted = {
        "title": "A title",
        "body": body,
        "authors": ["A. Writer"],
        "published_offset_assumed": True,
        "images": [{"url": "https://news.example/a.jpg", "caption": None, "credit": None}],
    }
    return article_record(
        None, URL, extracted, urls=[URL], fetched_at="2025-03-01T12:00:00.000000Z", warc=POINTER
    )


def test_a_record_is_the_schemas_json_object_field_for_field_in_order() -> None:
    record = a_record()
    data = record.to_dict()
    # the order itself is held to docs/output.md's table and the schema (test_record_shape.py)
    assert list(data) == [spec.name for spec in fields(ArticleRecord)]
    assert data["warc"] == {
        "filename": POINTER.filename,
        "offset": POINTER.offset,
        "record_id": POINTER.record_id,
    }
    assert ArticleRecord.from_dict(json.loads(json.dumps(data))) == record
    assert str(record) == str(data)  # what Scrapy logs of an item, as when records were dicts


def test_a_record_read_back_ignores_unknown_keys_and_reads_missing_ones_as_empty() -> None:
    record = ArticleRecord.from_dict({"id": "s:1", "content_hash": "xxh3-128:0", "added_later": 1})
    assert (record.id, record.body, record.urls, record.warc, record.version) == (
        "s:1",
        "",
        [],
        None,
        1,
    )
    with pytest.raises(KeyError):
        ArticleRecord.from_dict({"id": "s:1"})


def test_versioning_returns_a_new_record_and_stores_the_simhash_it_is_given(tmp_path: Path) -> None:
    index = open_index(tmp_path / "index.sqlite")
    try:
        first = a_record()
        versioned, result = version_record(index, first, simhash=12345)
        assert result.status == "new" and versioned == first  # version 1: nothing to fill in
        latest = index.latest_version(first.id)
        assert latest is not None and latest.simhash == 12345 and latest.warc == POINTER
        edited = a_record(body="First paragraph.\n\nSecond paragraph, corrected.")
        changed, result = version_record(index, edited)  # no simhash given: computed here
        assert result.status == "changed"
        assert (changed.version, changed.previous_hash) == (2, first.content_hash)
        assert changed.minor_change is result.minor
        assert (edited.version, edited.previous_hash, edited.minor_change) == (
            1,
            None,
            None,
        )  # untouched
    finally:
        index.close()


def test_what_a_request_carries_survives_pickling_for_a_shared_crawl() -> None:
    captured = WarcCapture(
        POINTER, "2025-03-01T12:00:00.000000Z", "revisit", replace(POINTER, offset=0)
    )
    assert pickle.loads(pickle.dumps(captured)) == captured


def test_export_writes_each_articles_latest_full_record(
    runs: dict[str, Any], tmp_path: Path
) -> None:
    """By default from the records alone (issue 15, item 6): title, body, canonical URL…,
    the latest version of each article; --fields picks keys; --out is the directory."""
    target = tmp_path / "articles.jsonl"
    command = [*newsarchive_command(), "export", str(runs["profile"]), "--out", str(runs["out"])]
    result = subprocess.run(
        [*command, "--jsonl", str(target)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert len(rows) == 14 and [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    assert all(r["title"] and len(r["body"]) > 100 and r["canonical_url"] for r in rows)
    changed = next(r for r in rows if r["id"] == f"localnews:{runs['changed'].id}")
    assert changed["version"] == 2  # the latest of its two versions
    picked = subprocess.run(
        [*command, "--jsonl", "-", "--fields", "id,title"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert all(set(json.loads(line)) == {"id", "title"} for line in picked.stdout.splitlines())
    wrong = subprocess.run(
        [*command, "--jsonl", "-", "--fields", "id,nope"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert wrong.returncode == 2 and "no field 'nope'" in wrong.stderr
    old_habit = subprocess.run(
        [*newsarchive_command(), "export", str(runs["profile"]), "--out", str(target)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (
        old_habit.returncode == 2 and "write the article list with --jsonl FILE" in old_habit.stderr
    )
