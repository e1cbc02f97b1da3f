"""A mirror memory file with a good marker but bad entries (issue 21, item 14): every entry is
checked before it is used; bad ones are left out with one notice naming the file and how many,
the good ones kept, and neither the crawl nor ``newsarchive mirrors`` stops on them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archive.mirror_memory import FORMAT, TRUSTED, MirrorMemory
from archive.mirror_memory_entries import origin_problem
from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, generate_articles, write_profile
from tests.conftest import FAST_CRAWL, run_newsarchive

SITE = "localnews"


def memo(origin: Any, **fields: Any) -> dict[str, Any]:
    entry = {
        "origin": origin,
        "learnt": "notice",
        "status": TRUSTED,
        "first_seen": "2026-01-01T00:00:00+00:00",
        "last_seen": "2026-01-01T00:00:00+00:00",
        "runs": [],
    }
    return {**entry, **fields}


GOOD_RUN = {
    "run_id": "r1",
    "at": "2026-01-02T00:00:00+00:00",
    "requests": 3,
    "successes": 3,
    "failures": 0,
    "last_failure": None,
}
BAD_ENTRIES = [
    None,
    7,
    ["http://x.example"],
    memo("ftp://evil/../../"),
    memo(None),
    memo(5, learnt=[], first_seen=3, checks_passed="x"),
    memo("https://typed.example", first_seen=3),
    memo("https://typed.example", status="owner"),
    memo("https://typed.example", checks_passed=-1),
    memo("https://typed.example", runs="many"),
]


def write_memory(path: Path, good: list[str], bad: list[Any]) -> None:
    entries = [memo(origin, runs=[GOOD_RUN, {"run_id": 1}, None]) for origin in good]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"format": FORMAT, "mirrors": [*bad, *entries]}))


@pytest.mark.parametrize(
    "origin",
    [
        "ftp://evil/../../",
        "http://",
        "http://[::1",
        "http://host:99999",
        "http://user:secret@host.example",
        "http://host.example/../../etc",
        "http://host.example?x=1",
        "http://host example",
        "http:\\\\host.example",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "",
        5,
        None,
    ],
)
def test_what_is_not_an_origin(origin: Any) -> None:
    assert origin_problem(origin)


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:8080",
        "https://example.org",
        "https://example.org/",
        "http://abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzab.onion",
        "https://[2001:db8::1]:8443",
    ],
)
def test_what_is_an_origin(origin: str) -> None:
    assert origin_problem(origin) is None


def test_bad_entries_are_left_out_once_and_good_ones_kept(tmp_path: Path) -> None:
    path = tmp_path / "site.mirrors.json"
    good = ["https://a.example", "http://mirror.onion"]
    write_memory(path, good, BAD_ENTRIES)
    told: list[str] = []
    memory = MirrorMemory.load(path, told.append)
    assert list(memory.mirrors) == good
    assert [len(m.runs) for m in memory.mirrors.values()] == [1, 1]  # bad tallies left out
    assert memory.discovered() == good  # trusted, as written
    (line,) = told
    assert str(path) in line and f"{len(BAD_ENTRIES) + 4} damaged entries left out" in line
    MirrorMemory.load(path, told.append)
    assert len(told) == 1  # once for the file as it is
    with MirrorMemory.update(path, told.append):
        pass
    data = json.loads(path.read_text())
    assert [m["origin"] for m in data["mirrors"]] == good  # written back without them
    told.clear()
    assert list(MirrorMemory.load(path, told.append).mirrors) == good and told == []


def test_the_mirrors_command_lists_and_changes_what_is_good(tmp_path: Path) -> None:
    out = tmp_path / "out"
    path = out / "state" / f"{SITE}.mirrors.json"
    write_memory(path, ["https://a.example", "https://b.example"], BAD_ENTRIES)
    profile = write_profile(tmp_path / f"{SITE}.toml", ["http://127.0.0.1:1"])
    listed = run_newsarchive("mirrors", str(profile), "--out", str(out))
    assert listed.returncode == 0, listed.stderr
    assert "https://a.example" in listed.stdout and "evil" not in listed.stdout
    (notice,) = listed.stderr.splitlines()
    assert notice.startswith(f"newsarchive: notice: {path}: ") and "left out" in notice
    as_json = run_newsarchive("mirrors", str(profile), "--out", str(out), "--json")
    assert [m["origin"] for m in json.loads(as_json.stdout)] == [
        "https://a.example",
        "https://b.example",
    ]
    forgot = run_newsarchive("mirrors", str(profile), "--out", str(out), "forget", "a.example")
    assert forgot.returncode == 0, forgot.stderr
    assert "Traceback" not in forgot.stderr
    assert [m["origin"] for m in json.loads(path.read_text())["mirrors"]] == ["https://b.example"]


@pytest.fixture(scope="module")
def site() -> Iterator[LoopbackServers]:
    with LoopbackServers(LocalSite(generate_articles(4)), ["127.0.0.1", "127.0.0.2"]) as servers:
        yield servers


def test_a_crawl_with_bad_entries_runs_and_says_so_once(
    site: LoopbackServers, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    path = out / "state" / f"{SITE}.mirrors.json"
    write_memory(path, [site.origins[1]], BAD_ENTRIES)
    profile = write_profile(tmp_path / f"{SITE}.toml", site.origins)
    result = run_newsarchive("crawl", str(profile), "--out", str(out), *FAST_CRAWL)
    assert result.returncode == 0, result.stderr
    assert "without a run report" not in result.stderr and "Traceback" not in result.stderr
    assert "ok: 4 articles archived" in result.stderr
    notices = [line for line in result.stderr.splitlines() if "damaged entries left out" in line]
    assert len(notices) == 1 and str(path) in notices[0]
    kept = json.loads(path.read_text())["mirrors"]
    assert sorted(m["origin"] for m in kept) == sorted(site.origins)
