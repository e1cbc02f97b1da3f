"""Running unattended and watching a run: the live panel on a terminal, plain progress lines
without one, ``--quiet``, ``--log-format json`` for log shippers, and one-line alerts (with
exit status 1) that make cron alerting possible. Real crawls of the loopback site."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, generate_articles, slow, write_profile
from tests.conftest import newsarchive_command

HOSTS = ["127.0.0.1", "127.0.0.2"]
FAST = ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "NEWSARCHIVE_EXTRACT_WORKERS=0"]


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LocalSite, LoopbackServers, Path]]:
    site = LocalSite(generate_articles(12))
    # slow enough that a run lasts a couple of seconds: progress has something to show
    site.behaviours[HOSTS[0]] = slow(0.3)
    with LoopbackServers(site, HOSTS) as servers:
        profile = write_profile(tmp_path_factory.mktemp("ops") / "localnews.toml", servers.origins)
        yield site, servers, profile


def crawl(profile: Path, out: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*newsarchive_command(), "crawl", str(profile), "--out", str(out), *FAST, *options],
        capture_output=True,
        text=True,
        timeout=120,
    )


def crawl_on_a_terminal(profile: Path, out: Path, *options: str) -> tuple[int, str]:
    """The crawl with stderr (and stdout) on a pseudo-terminal, as a person at a shell runs it."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [*newsarchive_command(), "crawl", str(profile), "--out", str(out), *FAST, *options],
        stdin=subprocess.DEVNULL,
        stdout=terminal,
        stderr=terminal,
        env={**os.environ, "COLUMNS": "160", "TERM": "xterm"},
    )
    os.close(terminal)
    output = bytearray()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # the terminal closed: the process is gone
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    os.close(controller)
    return process.wait(timeout=30), output.decode("utf-8", "replace")


def test_on_a_terminal_a_live_panel_replaces_the_log_lines(
    served: tuple[Any, LoopbackServers, Path], tmp_path: Path
) -> None:
    _site, servers, profile = served
    status, screen = crawl_on_a_terminal(profile, tmp_path / "out")
    assert status == 0, screen[-3000:]
    assert "articles" in screen and "skipped as known" in screen and "pages" in screen
    assert "12 new" in screen  # the panel's last state: every article recorded
    for origin in servers.origins:  # failures by mirror, one line each
        assert origin in screen
    assert "running 00:00:" in screen
    assert "[scrapy.core.engine] INFO" not in screen, "INFO log lines scroll the panel away"
    assert "progress:" not in screen
    assert "ok: 12 articles" in screen  # the closing summary still comes


def test_the_live_panel_counts_towards_max_articles_and_shows_the_queue(
    served: tuple[Any, LoopbackServers, Path], tmp_path: Path
) -> None:
    """A total and the work left (issue 22, item 15), and per mirror what became of its
    requests in the closing summary's words (item 5: not "failures 0" beside "http 503 39")."""
    _site, servers, profile = served
    status, screen = crawl_on_a_terminal(profile, tmp_path / "out", "--max-articles", "5")
    assert status == 0, screen[-3000:]
    assert "5 of 5 (--max-articles)" in screen, screen[-3000:]
    assert " queued" in screen
    assert "pages failed" in screen and "0 (every mirror tried)" in screen
    assert f"{servers.origins[0]}" in screen and " ok, 0 failed" in screen


def test_without_a_terminal_progress_is_plain_log_lines(
    served: tuple[Any, LoopbackServers, Path], tmp_path: Path
) -> None:
    _site, _servers, profile = served
    result = crawl(profile, tmp_path / "out", "-s", "NEWSARCHIVE_PROGRESS_INTERVAL=0.2")
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [line for line in result.stderr.splitlines() if "progress:" in line]
    assert lines, result.stderr[-3000:]
    assert all("skipped as known" in line for line in lines)
    assert all("queued" in line and re.search(r"; [\d,]+ pages? failed", line) for line in lines)
    # counts agree with their nouns (issue 22, item 11)
    assert all(re.search(r"progress: (1 page|[\d,]+ pages) \(", line) for line in lines), lines
    assert not any(re.search(r"\b1 (pages|articles)\b", line) for line in lines), lines
    assert "\x1b[" not in result.stderr  # no terminal control codes in a log file


def test_quiet_leaves_warnings_and_the_summary(
    served: tuple[Any, LoopbackServers, Path], tmp_path: Path
) -> None:
    _site, _servers, profile = served
    result = crawl(profile, tmp_path / "out", "--quiet", "-s", "NEWSARCHIVE_PROGRESS_INTERVAL=0.2")
    assert result.returncode == 0, result.stderr[-3000:]
    assert " INFO: " not in result.stderr and "progress:" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith(
        "ok: 12 articles archived, no page failed; report "
    )


def test_json_logs_are_one_object_per_line(
    served: tuple[Any, LoopbackServers, Path], tmp_path: Path
) -> None:
    _site, _servers, profile = served
    result = crawl(
        profile, tmp_path / "out", "--log-format", "json", "-s", "NEWSARCHIVE_PROGRESS_INTERVAL=0.2"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    records = [json.loads(line) for line in result.stderr.splitlines() if line.strip()]
    assert all({"time", "level", "logger", "message"} <= record.keys() for record in records)
    progress = [r for r in records if "progress" in r]
    assert progress and all(
        r["progress"]["pages"] >= 0 and "pages_per_s" in r["progress"] for r in progress
    )
    # one time format throughout, the closing summary's included: ISO 8601 with its offset
    from datetime import datetime

    assert all(datetime.fromisoformat(r["time"]).utcoffset() is not None for r in records)
    assert records[-1]["logger"] == "newsarchive" and records[-1]["message"].startswith(
        "ok: 12 articles archived"
    )
    # Scrapy's start-up and close-down lines go to the run's log file, not to stderr
    assert not any(r["logger"] == "scrapy.core.engine" for r in records)
    [log_file] = (tmp_path / "out" / "logs").glob("localnews-*.log")
    assert "[scrapy.core.engine] INFO: Spider opened" in log_file.read_text()


def test_a_run_with_no_new_articles_where_there_usually_are_some_alerts(
    served: tuple[Any, LoopbackServers, Path], tmp_path: Path
) -> None:
    _site, _servers, profile = served
    out = tmp_path / "out"
    assert (
        crawl(profile, out).returncode == 0
    )  # every article archived: the next run finds none new
    # the site's history: five earlier runs that found 8-14 new articles each
    for day, found in enumerate((8, 12, 10, 14, 9), start=1):
        (out / "runs" / f"localnews-2026010{day}T000000Z-00000{day}.json").write_text(
            json.dumps(
                {
                    "run_id": f"localnews-2026010{day}T000000Z-00000{day}",
                    "site": "localnews",
                    "status": "ok",
                    "started_at": f"2026-01-0{day}T00:00:00+00:00",
                    "incremental": {"new": found},
                }
            )
        )
    result = crawl(profile, out, "--quiet")
    assert result.returncode == 1, result.stderr[-3000:]
    [alert] = [line for line in result.stderr.splitlines() if line.startswith("ALERT localnews: ")]
    assert result.stderr.count("ALERT") == 1, result.stderr  # said once, in the summary
    assert (
        "ALERT localnews: no new articles"
        in (out / "logs").joinpath(max(p.name for p in (out / "logs").glob("*.log"))).read_text()
    )  # and kept in the run's log file
    assert (
        "no new articles this run; the last 6 runs found 12 a run (median)" in alert
    )  # 8 9 10 12 12 14
    reports = [json.loads(p.read_text()) for p in (out / "runs").glob("*.json")]
    latest = max((r for r in reports if r.get("finished_at")), key=lambda r: r["finished_at"])
    assert latest["alerts"] == [alert.removeprefix("ALERT localnews: ")]


def test_without_a_terminal_the_log_is_concise_and_the_run_log_file_has_it_all(
    served: tuple[Any, LoopbackServers, Path], tmp_path: Path
) -> None:
    """Piped (cron mail, a file): no versions, component lists, settings or stats dict, each
    mirror line once; all of it in OUT/logs/<run-id>.log (issue 15, item 3)."""
    _site, servers, profile = served
    out = tmp_path / "out"
    result = crawl(profile, out)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stderr.splitlines()
    for chatter in (
        "Versions:",
        "Enabled extensions",
        "Overridden settings",
        "Dumping Scrapy stats",
    ):
        assert chatter not in result.stderr
    for origin in servers.origins:
        assert sum(origin in line and line.startswith("mirror ") for line in lines) == 1
    assert len(lines) < 20
    [log_file] = (out / "logs").glob("localnews-*.log")
    written = log_file.read_text()
    assert "Dumping Scrapy stats" in written and "Overridden settings" in written
    debug = crawl(profile, tmp_path / "debug", "--log-level", "DEBUG")
    assert "Overridden settings" in debug.stderr  # all of it, when asked for
