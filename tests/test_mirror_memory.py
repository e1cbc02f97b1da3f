"""The mirror memory (issue 16, item 2): what runs learnt about a site's mirrors survives into
the next run, orders it, and names a mirror that keeps failing."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from archive.mirror_health import MirrorHealth
from archive.mirror_memory import (
    CANDIDATE,
    IN_PROFILE,
    TRUSTED,
    MirrorMemory,
    MirrorMemoryError,
    remember_run,
)

PRIMARY, MIRROR, OTHER = "https://a.example", "https://b.example", "https://c.example"
ORIGINS = (PRIMARY, MIRROR, OTHER)


def tally(requests: int, successes: int, failures: int = 0, reason: str = "http_503") -> dict:
    return {
        "requests": requests,
        "successes": successes,
        "failures": {reason: failures} if failures else {},
        "failure_examples": {reason: f"{reason.replace('_', ' ')}"} if failures else {},
    }


def run(
    path: Path, run_id: str, mirrors: dict, after_runs: int = 3, days: float = 7.0
) -> list[str]:
    return remember_run(path, ORIGINS, run_id, mirrors, after_runs=after_runs, after_days=days)


def test_a_run_starts_with_the_order_that_worked_last_time(tmp_path: Path) -> None:
    path = tmp_path / "site.mirrors.json"
    assert MirrorMemory.load(path).order(ORIGINS) == list(ORIGINS)  # nothing remembered
    run(path, "r1", {PRIMARY: tally(9, 0, 9), MIRROR: tally(5, 5), OTHER: tally(0, 0)})
    memory = MirrorMemory.load(path)
    # served well first; untried in profile order; failing last
    assert memory.order(ORIGINS) == [MIRROR, OTHER, PRIMARY]
    health = MirrorHealth(ORIGINS, order=memory.order(ORIGINS))
    assert health.pick() == MIRROR  # primary-first means the first of that order
    assert health.report()[PRIMARY]["role"] == "primary"  # the profile still names it so


def test_a_mirror_failing_run_after_run_gets_one_notice(tmp_path: Path) -> None:
    path = tmp_path / "site.mirrors.json"
    served = {PRIMARY: tally(5, 5), MIRROR: tally(3, 0, 3, "connection_refused")}
    assert run(path, "r1", served) == []
    assert run(path, "r2", {PRIMARY: tally(5, 5), MIRROR: tally(0, 0)}) == []  # not needed
    assert run(path, "r3", served) == []
    [notice] = run(path, "r4", served)
    assert notice.startswith(f"mirror {MIRROR} failed every request of its last 3 runs")
    assert "never served a page" in notice and "last failure: connection refused" in notice
    run(path, "r5", {PRIMARY: tally(5, 5), MIRROR: tally(2, 1, 1)})  # served once: no notice
    assert MirrorMemory.load(path).notices(3, 7.0) == []


def test_a_mirror_silent_for_days_gets_a_notice_before_n_runs(tmp_path: Path) -> None:
    path = tmp_path / "site.mirrors.json"
    run(path, "r1", {PRIMARY: tally(5, 5), MIRROR: tally(4, 4)})
    run(path, "r2", {PRIMARY: tally(5, 5), MIRROR: tally(2, 0, 2)})
    memory = MirrorMemory.load(path)
    assert memory.notices(3, 7.0) == []
    later = datetime.now(timezone.utc) + timedelta(days=8)
    [notice] = memory.notices(3, 7.0, now=later)
    assert "last page served 8 days ago" in notice


def test_the_memory_keeps_what_it_learnt_and_the_operators_word(tmp_path: Path) -> None:
    path = tmp_path / "site.mirrors.json"
    with MirrorMemory.update(path) as memory:
        memory.know_profile(ORIGINS[:1])
        assert memory.learn("https://d.example", "notice", "https://a.example/news/1")
        assert not memory.learn("https://d.example", "notice", "https://a.example/news/2")
    memory = MirrorMemory.load(path)
    learnt = memory.find("d.example")
    assert learnt is not None and learnt.status == CANDIDATE
    assert learnt.learnt_at == "https://a.example/news/1"
    assert memory.usable() == [PRIMARY] and memory.find(PRIMARY).status == IN_PROFILE  # type: ignore[union-attr]
    with MirrorMemory.update(path) as memory:
        memory.trust(memory.find("https://d.example/"))  # type: ignore[arg-type]
    assert MirrorMemory.load(path).find("d.example").status == TRUSTED  # type: ignore[union-attr]
    assert MirrorMemory.load(path).discovered() == ["https://d.example"]


@pytest.mark.parametrize(
    "text",
    [
        "{not json",
        json.dumps({"format": "other"}),
        json.dumps({"format": "newsarchive/mirror-memory/1", "mirrors": {"x": 1}}),
        # damaged entries in a good file are left out: tests/test_mirror_memory_entries.py
    ],
)
def test_a_damaged_memory_is_a_clear_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "site.mirrors.json"
    path.write_text(text)
    with pytest.raises(MirrorMemoryError, match="site.mirrors.json"):
        MirrorMemory.load(path)


# -- across real runs -------------------------------------------------------------------------


def test_the_memory_survives_a_run_and_orders_the_next(tmp_path: Path) -> None:
    import subprocess

    from scraper.demo.server import LoopbackServers, closed_origin
    from scraper.demo.site import LocalSite, generate_articles, write_profile
    from tests.conftest import FAST_CRAWL, newsarchive_command

    site = LocalSite(generate_articles(8))
    with LoopbackServers(site, ["127.0.0.2"]) as servers:
        dead = closed_origin("127.0.0.1")  # the primary refuses every connection
        profile = write_profile(tmp_path / "localnews.toml", [dead, servers.origins[0]])
        out = tmp_path / "out"

        def crawl() -> subprocess.CompletedProcess[str]:
            command = [*newsarchive_command(), "crawl", str(profile), "--out", str(out)]
            command += [*FAST_CRAWL, "-s", "RETRY_TIMES=0", "-s", "MIRROR_NOTICE_AFTER_RUNS=1"]
            return subprocess.run(command, capture_output=True, text=True, timeout=120)

        first = crawl()
        assert first.returncode == 0, first.stderr[-3000:]
        assert f"notice localnews: mirror {dead} failed every request of its last 1 run;" in (
            first.stderr
        )
        second = crawl()
        assert second.returncode == 0, second.stderr[-3000:]

    reports = sorted((out / "runs").glob("localnews-*.json"))
    first_report, second_report = (json.loads(p.read_text()) for p in reports)
    assert first_report["mirrors"][dead]["requests"] > 0
    # primary-first keeps the primary first (issue 22, item 2): the dead primary is asked
    # again, benched after its first failures, and the mirror serves the run
    assert second_report["mirrors"][dead]["requests"] > 0
    assert second_report["mirrors"][dead]["times_benched"] >= 1
    assert second_report["mirrors"][servers.origins[0]]["successes"] > 0

    listing = subprocess.run(
        [*newsarchive_command(), "mirrors", "localnews", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listing.returncode == 0, listing.stderr
    assert f"next run starts with: {servers.origins[0]}, {dead}" in listing.stdout
    assert "failed every request of its last 2 runs" in listing.stdout  # asked again
    assert "last failure: connection refused" in listing.stdout
    as_json = subprocess.run(
        [*newsarchive_command(), "mirrors", "localnews", "--out", str(out), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    memos = {m["origin"]: m for m in json.loads(as_json.stdout)}
    assert [r["run_id"] for r in memos[dead]["runs"]] == [
        r["run_id"] for r in (first_report, second_report)
    ]


def test_the_listing_says_a_mirrors_checks_once_in_words(tmp_path: Path) -> None:
    """Not "passed 3 checks (…) (3 check(s) passed)", "1 mirror(s) known" (issue 22,
    item 11)."""
    import subprocess

    from archive.layout import OutputLayout
    from tests.conftest import newsarchive_command

    out = tmp_path / "out"
    path = OutputLayout(out).mirror_memory("localnews")
    path.parent.mkdir(parents=True)
    with MirrorMemory.update(path) as memory:
        memory.learn(MIRROR, "link", PRIMARY + "/news/1")
        memo = memory.mirrors[MIRROR]
        memo.status, memo.checks_passed = TRUSTED, 3
        memo.verification = "passed 3 checks (agreement 0.97, 0.95, 0.99)"
    listing = subprocess.run(
        [*newsarchive_command(), "mirrors", "localnews", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert listing.returncode == 0, listing.stderr
    assert listing.stdout.startswith("site localnews: 1 mirror known ("), listing.stdout
    assert "verification: passed 3 checks (agreement 0.97, 0.95, 0.99)\n" in listing.stdout
    assert "(s)" not in listing.stdout
