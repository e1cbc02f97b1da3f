"""What a run did not finish, or damage took, is archived by the next crawl (issue 21, item
12): the pictures of articles a killed run recorded, an article whose JSON line was cut in
half, an article whose capture was in the cut-off part of a WARC. Real crawls of the loopback
site through ``newsarchive crawl``; ``archive/archive_gaps.py`` and
``scraper/spiders/refill.py`` are the modules."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.index.sqlite_backend import SqliteIndex
from archive.warc_reader import iter_records
from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, generate_articles, write_profile
from tests.conftest import newsarchive_command
from tests.test_crash_safety import (
    SITE,
    all_records,
    json_line_count,
    run_crawl,
    slowed,
    start_crawl,
    wait_for,
    warc_dir,
)

ARTICLES = 30


@pytest.fixture
def crawl_setup(tmp_path: Path) -> Iterator[dict[str, Any]]:
    local = LocalSite(generate_articles(ARTICLES))
    with LoopbackServers(local, ["127.0.0.1", "127.0.0.2"]) as servers:
        profile = write_profile(tmp_path / f"{SITE}.toml", servers.origins)
        yield {
            "site": local,
            "profile": profile,
            "out": tmp_path / "out",
            "ids": {f"{SITE}:{a.id}" for a in local.articles},
        }


def latest(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for record in records:
        known = found.get(record["id"])
        if known is None or (record["version"], record["fetched_at"]) >= (
            known["version"],
            known["fetched_at"],
        ):
            found[record["id"]] = record
    return found


def on_any_mirror(url: str) -> str:
    """Every host of the loopback site is one of its mirrors: a picture is archived when
    any mirror's copy is (assets go through failover)."""
    return "/" + url.split("/", 3)[3]


def readable_captures(out: Path) -> tuple[set[str], set[tuple[str, int]]]:
    """Every path a WARC holds a response or revisit of, and where each response starts, as
    the WARCs can be read now (a cut-off part is not there)."""
    urls: set[str] = set()
    responses: set[tuple[str, int]] = set()
    response_ids: set[str | None] = set()
    revisits: list[tuple[str, str | None]] = []
    for path in sorted(warc_dir(out).glob("*.warc.gz")):
        for record in iter_records(path, lambda problem: None):
            if record.type == "response" and record.target_uri:
                urls.add(on_any_mirror(record.target_uri))
                responses.add((path.name, record.offset))
                response_ids.add(record.record_id)
            elif record.type == "revisit" and record.target_uri:
                revisits.append((on_any_mirror(record.target_uri), record.refers_to))
    # a revisit is a capture only when the record it refers to can be read
    urls.update(url for url, refers_to in revisits if refers_to in response_ids)
    return urls, responses


def assert_every_article_and_picture_archived(out: Path, ids: set[str]) -> None:
    """Every article has a readable latest record whose capture can be read, the index
    agrees, and every picture of it has a capture."""
    records = latest(all_records(out))
    assert set(records) == ids, f"lost: {sorted(ids - set(records))}"
    urls, responses = readable_captures(out)
    for record in records.values():
        pointer = record["warc"]
        assert (pointer["filename"], pointer["offset"]) in responses, record["id"]
        for image in record["images"]:
            assert on_any_mirror(image["url"]) in urls, f"{record['id']}: {image['url']} missing"
    with SqliteIndex(out / "state" / f"{SITE}.sqlite") as index:
        for article_id, record in records.items():
            version = index.latest_version(article_id)
            assert version is not None and version.content_hash == record["content_hash"]


def verify(out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*newsarchive_command(), "verify", str(out)], capture_output=True, text=True, timeout=120
    )


def test_pictures_of_articles_a_killed_run_recorded_are_archived_by_the_next(
    crawl_setup: dict[str, Any],
) -> None:
    out, profile = crawl_setup["out"], crawl_setup["profile"]
    slowed(crawl_setup["site"])
    process = start_crawl(profile, out, out.parent / "killed.log")
    try:
        # pictures come after articles (a lower priority): killed here, some are not asked
        wait_for(lambda: json_line_count(out) >= 12, process, "12 records")
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=30)
    first = latest(all_records(out))
    urls, _ = readable_captures(out)
    missing = [
        i["url"] for r in first.values() for i in r["images"] if on_any_mirror(i["url"]) not in urls
    ]
    assert missing, "the killed run had archived every picture: nothing to show"

    crawl_setup["site"].behaviours.clear()
    resumed = run_crawl(profile, out)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    pictures = len(set(missing))
    assert (
        f"{pictures} picture{'s' if pictures > 1 else ''} of recorded articles never archived"
        in (resumed.stderr)
    )
    assert_every_article_and_picture_archived(out, crawl_setup["ids"])
    checked = verify(out)
    assert checked.returncode == 0, checked.stdout[-3000:]


def test_an_article_whose_json_line_was_cut_in_half_is_archived_again(
    crawl_setup: dict[str, Any],
) -> None:
    out, profile = crawl_setup["out"], crawl_setup["profile"]
    first = run_crawl(profile, out)
    assert first.returncode == 0, first.stderr[-3000:]
    [jsonl] = (out / "json" / SITE).glob("*.jsonl")
    data = jsonl.read_bytes()
    lines = data.splitlines(keepends=True)
    lost = json.loads(lines[-1])["id"]
    jsonl.write_bytes(data[: len(data) - len(lines[-1]) // 2])  # the last line cut in half

    again = run_crawl(profile, out)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "1 article fetched again (1 without a readable record)" in again.stderr
    records = all_records(out)  # every line whole: the half one was cut off
    assert [r["id"] for r in records].count(lost) == 1
    assert_every_article_and_picture_archived(out, crawl_setup["ids"])
    checked = verify(out)
    assert checked.returncode == 0, checked.stdout[-3000:]


def test_articles_and_pictures_in_the_cut_off_part_of_a_warc_are_archived_again(
    crawl_setup: dict[str, Any],
) -> None:
    out, profile = crawl_setup["out"], crawl_setup["profile"]
    first = run_crawl(profile, out, "-s", "ARCHIVE_WARC_MAX_BYTES=200000")
    assert first.returncode == 0, first.stderr[-3000:]
    records = latest(all_records(out))
    by_file: dict[str, int] = {}
    for record in records.values():
        by_file[record["warc"]["filename"]] = by_file.get(record["warc"]["filename"], 0) + 1
    name = max(by_file, key=lambda n: by_file[n])  # the file with the most articles
    warc = warc_dir(out) / name
    warc.write_bytes(warc.read_bytes()[: warc.stat().st_size // 3])
    urls, responses = readable_captures(out)
    cut = [
        r["id"]
        for r in records.values()
        if r["warc"]["filename"] == name and (name, r["warc"]["offset"]) not in responses
    ]
    assert cut

    again = run_crawl(profile, out)
    assert again.returncode == 0, again.stderr[-3000:]
    assert f"{len(cut)} without a readable capture" in again.stderr
    assert_every_article_and_picture_archived(out, crawl_setup["ids"])


def test_a_clean_archive_is_not_read_again(crawl_setup: dict[str, Any]) -> None:
    """After a run that finished cleanly, the next one only compares file sizes and times."""
    out, profile = crawl_setup["out"], crawl_setup["profile"]
    for _ in range(2):
        result = run_crawl(profile, out)
        assert result.returncode == 0, result.stderr[-3000:]
        assert "archive check" not in result.stderr
    state = json.loads((out / "state" / f"{SITE}.archive-check.json").read_text())
    assert {Path(name).name for name in state["files"]} >= {
        p.name for p in warc_dir(out).glob("*.warc.gz")
    }
