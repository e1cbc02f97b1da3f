"""A damaged SQLite index (issue 21, item 13): cut short, or garbage written over its pages.

Every command that opens it says so in one line naming the file and the way out (a backup,
or the replay that rebuilds it from the WARC files) and exits 1; a crawl never starts on it,
and one that meets the damage only later (the check at start turned off) stops with that line
instead of counting every page as failed and ending "ok". The way out is tried too: the
replay's index put in the damaged one's place, the next crawl knows every article.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from archive.index.open import open_index
from archive.index.sqlite_damage import IndexDamagedError
from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, generate_articles, write_profile
from tests.conftest import FAST_CRAWL, run_newsarchive

SITE = "localnews"
PAGE = 4096  # SQLite's default page size: page 1 holds the schema


def cut_short(index: Path) -> None:
    with index.open("r+b") as file:
        file.truncate(3 * PAGE + 100)


def garbage_after_the_schema(index: Path) -> None:
    """Every page but the first two (the schema and its version, which opening reads)
    overwritten: the file opens, and any query of the other tables meets the damage."""
    size = index.stat().st_size
    with index.open("r+b") as file:
        file.seek(2 * PAGE)
        file.write(os.urandom(size - 2 * PAGE))


DAMAGES = {"cut short": cut_short, "garbage": garbage_after_the_schema}


def built_index(out: Path, articles: int = 300) -> Path:
    path = out / "state" / f"{SITE}.sqlite"
    path.parent.mkdir(parents=True)
    now = datetime.now(timezone.utc)
    with open_index(path) as index:
        for n in range(articles):
            aid = f"{SITE}:{n}"
            index.add_sighting(aid, f"http://127.0.0.1:1/Detail/2023/02/19/{n}/x", now=now)
            index.record_version(aid, content_hash=f"xxh3-128:{n:032x}", now=now)
    return path


def assert_one_damage_line(result: subprocess.CompletedProcess[str], index: Path) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if "is damaged" in line]
    assert len(lines) == 1, result.stderr
    assert str(index) in lines[0]
    assert "restore it from a backup" in lines[0] and "newsarchive replay" in lines[0]


@pytest.mark.parametrize("damage", DAMAGES)
def test_commands_reading_a_damaged_index_say_so_in_one_line(damage: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    index = built_index(out)
    DAMAGES[damage](index)
    profile = write_profile(tmp_path / f"{SITE}.toml", ["http://127.0.0.1:1"])
    (tmp_path / "some.warc").write_bytes(b"")
    for args in (
        ["state", str(profile), "--out", str(out)],
        ["export", str(profile), "--out", str(out), "--from-index", "--jsonl", "-"],
        [
            "replay",
            str(tmp_path / "some.warc"),
            "--out",
            str(tmp_path / "r"),
            "--index",
            str(index),
        ],
    ):
        result = run_newsarchive(*args)
        assert_one_damage_line(result, index)
        assert result.stdout == "", args


def test_the_check_at_open_finds_what_queries_would_meet_later(tmp_path: Path) -> None:
    index = built_index(tmp_path / "out")
    garbage_after_the_schema(index)
    with pytest.raises(IndexDamagedError, match="is damaged"):
        open_index(index)
    opened = open_index(index, check_seconds=0)  # unchecked: found by the first query instead
    try:
        with pytest.raises(IndexDamagedError, match="is damaged"):
            opened.stats()
        assert isinstance(IndexDamagedError(index, "x"), sqlite3.DatabaseError)
    finally:
        opened.close()


# -- crawls ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackServers]:
    with LoopbackServers(LocalSite(generate_articles(8)), ["127.0.0.1", "127.0.0.2"]) as servers:
        yield servers


def crawl(profile: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_newsarchive("crawl", str(profile), "--out", str(out), *FAST_CRAWL, *extra)


def assert_stopped_not_ok(result: subprocess.CompletedProcess[str], index: Path) -> None:
    assert_one_damage_line(result, index)
    assert "ok:" not in result.stderr


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize("checked", [True, False], ids=["checked at start", "met mid-crawl"])
def test_a_crawl_on_a_damaged_index_stops_with_the_line(
    damage: str, checked: bool, site: LoopbackServers, tmp_path: Path
) -> None:
    profile = write_profile(tmp_path / f"{SITE}.toml", site.origins)
    out = tmp_path / "out"
    index = built_index(out)
    DAMAGES[damage](index)
    extra = [] if checked else ["-s", "NEWSARCHIVE_INDEX_CHECK_SECONDS=0"]
    result = crawl(profile, out, *extra)
    assert_stopped_not_ok(result, index)
    if checked or damage == "cut short":  # refused before the crawl starts: no run at all
        assert not (out / "runs").exists()
    else:
        (report,) = (out / "runs").glob("*.json")
        summary = json.loads(report.read_text())
        assert summary["status"] == "failed" and summary["finish_reason"] == "index_damaged"
        assert "is damaged" in summary["stopped_by"]
        assert "stopped (index damaged)" in result.stderr


def test_the_rebuild_the_line_offers_gives_a_working_index(
    site: LoopbackServers, tmp_path: Path
) -> None:
    profile = write_profile(tmp_path / f"{SITE}.toml", site.origins)
    out = tmp_path / "out"
    first = crawl(profile, out)
    assert first.returncode == 0, first.stderr
    index = out / "state" / f"{SITE}.sqlite"
    garbage_after_the_schema(index)
    refused = crawl(profile, out)
    assert_stopped_not_ok(refused, index)
    (line,) = [line for line in refused.stderr.splitlines() if "is damaged" in line]
    assert f"newsarchive replay {out / 'warc' / SITE} --out NEW" in line

    rebuilt = tmp_path / "NEW"
    replayed = run_newsarchive("replay", str(out / "warc" / SITE), "--out", str(rebuilt), "--quiet")
    assert replayed.returncode == 0, replayed.stderr
    (rebuilt / "state" / f"{SITE}.sqlite").replace(index)
    for leftover in index.parent.glob(f"{SITE}.sqlite-*"):  # the damaged file's WAL, if any
        leftover.unlink()
    again = crawl(profile, out)
    assert again.returncode == 0, again.stderr
    assert "0 new, 0 changed, 0 unchanged, 8 skipped as known" in again.stderr
