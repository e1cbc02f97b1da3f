"""A run that reaches no host (issue 22, item 13): the README's first command on a machine
without the internet. It ends by pointing at ``newsarchive demo``, and runs that archive
nothing, again and again, leave no empty JSON Lines file each. Loopback ports nothing listens
on stand for the unreachable internet: no request leaves the machine."""

from __future__ import annotations

import subprocess
from pathlib import Path

from scraper.demo.site import write_profile
from tests.conftest import FAST_CRAWL, newsarchive_command
from tests.proxy_server import free_port


def test_a_run_that_reaches_no_mirror_suggests_the_demo_and_leaves_no_empty_file(
    tmp_path: Path,
) -> None:
    origins = [f"http://127.0.0.1:{free_port()}", f"http://127.0.0.2:{free_port('127.0.0.2')}"]
    profile = write_profile(tmp_path / "localnews.toml", origins)
    out = tmp_path / "out"
    command = [*newsarchive_command(), "crawl", str(profile), "--out", str(out), *FAST_CRAWL]
    for _ in range(2):  # cron trying again
        result = subprocess.run(
            [*command, "-s", "RETRY_TIMES=0"], capture_output=True, text=True, timeout=180
        )
        assert result.returncode == 1, result.stderr[-3000:]
        last = result.stderr.strip().splitlines()[-1]
        assert "could be reached" in last and "`newsarchive demo`" in last, result.stderr[-3000:]
    assert len(list((out / "runs").glob("*.json"))) == 2
    assert list(out.rglob("*.jsonl")) == []  # no record, no file


def test_a_run_that_reached_its_site_says_nothing_of_the_demo(tmp_path: Path) -> None:
    """The hint is for a machine that reaches nothing, not for a site that answers badly."""
    from archive.run_summary import unreachable_hint

    report = {
        "site": "localnews",
        "all_mirrors_failed": True,
        "mirrors": {
            "http://a": {"failures": {"http_503": 3}},
            "http://b": {"failures": {"dns": 2}},
        },
    }
    assert unreachable_hint(report) is None
    report["mirrors"]["http://a"]["failures"] = {"connection_refused": 3}
    assert unreachable_hint(report) is not None
    assert unreachable_hint({**report, "all_mirrors_failed": False}) is None
