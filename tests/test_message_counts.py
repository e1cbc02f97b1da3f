"""A crawl's log lines count in words that agree (issue 22, item 11): a mirror benched
"after 1 failure in a row", a run of "0 pages, 0 articles", never "1 failures"."""

from __future__ import annotations

from pathlib import Path

from scraper.demo.site import write_profile
from tests.conftest import run_newsarchive


def test_a_crawl_that_reaches_nothing_counts_in_words(tmp_path: Path) -> None:
    # a loopback port nothing listens on: every request is refused at once
    profile = write_profile(tmp_path / "localnews.toml", ["http://127.0.0.1:9"])
    out = tmp_path / "out"
    result = run_newsarchive(
        "crawl",
        str(profile),
        "--out",
        str(out),
        "--quiet",
        "-s",
        "RETRY_TIMES=0",
        "-s",
        "MIRROR_BENCH_AFTER=1",
        timeout=120,
    )
    assert result.returncode == 1, result.stderr[-3000:]
    [log_file] = (out / "logs").glob("localnews-*.log")
    log = log_file.read_text(encoding="utf-8")
    assert "after 1 failure in a row" in log, log[-3000:]
    assert "after 1 failures" not in log
    [run_line] = [
        line for line in log.splitlines() if " localnews-" in line and ": 0 pages, " in line
    ]
    assert ", 0 articles, " in run_line and "failures" in run_line
