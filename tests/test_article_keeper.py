"""The article keeper: one page's way to a saved record, the same for a crawl and replay.

Its rules run on a real SQLite index and a real JSON Lines file; the crawl and replay tests
(test_replay.py compares a crawl's records with a replay's, field for field) run them end to
end. The last test holds the rules to this one place.
"""

from __future__ import annotations

import ast
import errno
import json
from pathlib import Path

import pytest

from archive.article_keeper import ArticleKeeper, screen
from archive.index.open import open_index
from archive.outcomes import (
    ARTICLE,
    BLOCKED,
    CHANGED,
    DUPLICATE,
    NEW,
    NOT_A_PAGE,
    TOO_LARGE,
    UNCHANGED,
)
from archive.record_sink import JsonlSink
from archive.records import ArticleRecord, article_record
from scraper.sites.profile import load_profile

REPO = Path(__file__).resolve().parents[1]
PAGE = b"<!doctype html><html><head><title>A</title></head><body><p>Text.</p></body></html>"
BODY = "First paragraph of the article.\n\nSecond paragraph of the article."


def a_record(url: str, body: str = BODY, title: str = "A title") -> ArticleRecord:
    return article_record(
        None,
        url,
        {"title": title, "body": body},
        urls=[url],
        fetched_at="2025-03-01T12:00:00.000000Z",
        warc=None,
    )


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_screen_says_which_bytes_are_no_page_to_read() -> None:
    profile = load_profile("presstv")
    assert screen(profile, PAGE, "text/html") is None
    too_large = screen(profile, PAGE, "text/html", size=5_000, limit=1_000)
    assert too_large is not None and too_large.reason == TOO_LARGE
    assert "5,000 bytes" in too_large.detail
    picture = screen(profile, b"\xff\xd8\xff\xe0" + bytes(200), "image/jpeg")
    assert picture is not None and picture.reason == NOT_A_PAGE
    [marker, *_] = profile.block_markers
    banner = b"<html><body><h1>" + marker.encode() + b"</h1></body></html>"
    blocked = screen(profile, banner, "text/html")
    assert blocked is not None and blocked.reason == BLOCKED and marker in blocked.detail


def test_keep_versions_writes_and_confirms_each_article_once(tmp_path: Path) -> None:
    index = open_index(tmp_path / "index.sqlite")
    sink = JsonlSink(tmp_path / "records.jsonl")
    keeper = ArticleKeeper(index, sink)
    try:
        first = keeper.keep(a_record("https://news.example/1"))
        assert first.outcomes == (NEW, ARTICLE) and first.written
        again = keeper.keep(a_record("https://news.example/1"))
        assert again.outcomes == (UNCHANGED,) and not again.written
        edited = keeper.keep(a_record("https://news.example/1", body=BODY + " Corrected."))
        assert edited.outcomes[0] == CHANGED and edited.outcomes[-1] == ARTICLE
        assert (
            edited.record.version == 2 and edited.record.previous_hash == first.record.content_hash
        )
        copy = keeper.keep(a_record("https://news.example/2"))
        assert copy.outcomes == (NEW, DUPLICATE, ARTICLE)
        assert copy.record.duplicate_of == "https://news.example/1"
        assert keeper.written == 3
    finally:
        keeper.close()
        index.close()
    written = lines(tmp_path / "records.jsonl")
    assert [(r["id"], r["version"]) for r in written] == [
        ("https://news.example/1", 1),
        ("https://news.example/1", 2),
        ("https://news.example/2", 1),
    ]
    reopened = open_index(tmp_path / "index.sqlite")  # every version was confirmed: kept
    try:
        latest = reopened.latest_version("https://news.example/1")
        assert latest is not None and latest.version == 2
    finally:
        reopened.close()


class FullDisk:
    """A sink on a full disk: what ``JsonlWriter`` raises there."""

    def write(self, record: ArticleRecord) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "records.jsonl")

    def close(self) -> None:
        pass


def test_a_record_not_written_takes_its_version_back(tmp_path: Path) -> None:
    index = open_index(tmp_path / "index.sqlite")
    try:
        keeper = ArticleKeeper(index, FullDisk())
        record = a_record("https://news.example/1")
        with pytest.raises(OSError):
            keeper.keep(record)
        index.flush()  # taken back by the time its batch commits
        assert not index.has_version(record.id, record.content_hash)
        assert keeper.written == 0
        # the disk has room again: the same text is new, not "unchanged"
        keeper = ArticleKeeper(index, JsonlSink(tmp_path / "records.jsonl"))
        assert keeper.keep(record).outcomes == (NEW, ARTICLE)
        keeper.close()
    finally:
        index.close()


def test_without_an_index_every_article_is_written_as_read(tmp_path: Path) -> None:
    keeper = ArticleKeeper(None, JsonlSink(tmp_path / "records.jsonl"))
    for _ in range(2):
        assert keeper.keep(a_record("https://news.example/1")).outcomes == (ARTICLE,)
    keeper.close()
    assert [r["version"] for r in lines(tmp_path / "records.jsonl")] == [1, 1]


def test_no_record_file_before_the_first_record(tmp_path: Path) -> None:
    JsonlSink(tmp_path / "records.jsonl").close()
    assert not (tmp_path / "records.jsonl").exists()


def calls_of(path: Path, names: set[str]) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in names:
                found.append(f"{path.relative_to(REPO)}:{node.lineno} {name}")
    return found


def test_the_rules_that_make_a_record_live_in_the_keeper_alone() -> None:
    """Versioning, page screening and confirming a write are called from the keeper only:
    a crawl and a replay cannot apply them differently."""
    rules = {
        "version_record",
        "not_a_page",
        "too_large_to_extract",
        "block_marker_in",
        "version_written",
        "version_not_written",
        "hold_versions_until_written",
    }
    allowed = {
        REPO / "archive" / "article_keeper.py",
        # the failover middleware checks block markers on every page type, not only articles
        REPO / "scraper" / "run_mirrors.py",
    }
    found = [
        call
        for package in ("archive", "scraper")
        for path in sorted((REPO / package).rglob("*.py"))
        if path not in allowed and "index" not in path.relative_to(REPO).parts[1:-1]
        for call in calls_of(path, rules)
    ]
    assert not found, "\n".join(found)
