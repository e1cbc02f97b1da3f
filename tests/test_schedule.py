"""``newsarchive schedule``: the schedule file's checks, due turns, and real runs against the
loopback site: ``--once`` runs a turn once, a held site lock skips a turn, a lock left by a
SIGKILLed holder is taken over, a run past ``max_runtime`` is stopped with SIGTERM (its report
says interrupted) and SIGKILL when it ignores it, the service survives a crashing job and
stops cleanly on SIGTERM, and the crontab line of docs/scheduling.md and the systemd units work."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from archive.layout import OutputLayout
from archive.site_lock import LockHeld, SiteLock, read_holder
from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, generate_articles, slow, write_profile
from scraper.scheduling.config import Job, ScheduleConfigError, cron_trigger, parse_schedule
from scraper.scheduling.job_runner import JobRunner
from tests.conftest import FAST_CRAWL, newsarchive_command

ROOT = Path(__file__).resolve().parents[1]
T0 = datetime(2026, 3, 2, 12, 0, tzinfo=timezone.utc)  # a Monday


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    articles = generate_articles(6)
    local = LocalSite(articles)
    with LoopbackServers(local, ["127.0.0.1", "127.0.0.2"]) as servers:
        profile = write_profile(
            tmp_path_factory.mktemp("profile") / "localnews.toml", servers.origins
        )
        yield {"site": local, "servers": servers, "profile": profile}


@pytest.fixture(scope="module")
def slow_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Every page takes a second: with one request at a time, a crawl lasts a minute."""
    local = LocalSite(generate_articles(40))
    local.behaviours = {"127.0.0.1": slow(1.0), "127.0.0.2": slow(1.0)}
    with LoopbackServers(local, ["127.0.0.1", "127.0.0.2"]) as servers:
        profile = write_profile(
            tmp_path_factory.mktemp("profile") / "slowsite.toml", servers.origins, name="slowsite"
        )
        yield {"site": local, "servers": servers, "profile": profile}


def toml_list(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def write_config(path: Path, jobs: list[dict[str, str | list[str]]], **defaults: str) -> Path:
    lines = [f"{key} = {json.dumps(value)}" for key, value in defaults.items()]
    for job in jobs:
        lines.append("[[job]]")
        lines += [
            f"{key} = {toml_list(value) if isinstance(value, list) else json.dumps(value)}"
            for key, value in job.items()
        ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def schedule(config: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*newsarchive_command(), "schedule", "--config", str(config), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def reports(out: Path, site: str = "localnews") -> list[dict[str, Any]]:
    return [json.loads(p.read_text()) for p in sorted((out / "runs").glob(f"{site}-*.json"))]


def hold_lock(path: Path) -> subprocess.Popen[str]:
    """Another process holding the site lock (as a crawl started by another scheduler does)."""
    code = (
        "import sys, time; from pathlib import Path; from archive.site_lock import SiteLock; "
        "SiteLock(Path(sys.argv[1])).acquire(job='elsewhere'); print('locked', flush=True); time.sleep(120)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    return holder


# ---------------------------------------------------------------- the schedule file


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "no jobs: add a [[job]] table"),
        ("[[job]]\ncron = '* * * * *'\n", "job 1: missing required key 'site'"),
        ("[[job]]\nsite = 'presstv'\n", "job 1 ('presstv'): give either cron"),
        ("[[job]]\nsite = 'presstv'\ncron = '* * * * *'\nevery = '1h'\n", "give either cron"),
        ("[[job]]\nsite = 'presstv'\ncron = '61 * * * *'\n", "cron '61 * * * *': bad field '61'"),
        ("[[job]]\nsite = 'presstv'\ncron = '0 * * *'\n", "expected 5 fields"),
        (
            "[[job]]\nsite = 'presstv'\ncron = '0 0 1 * 1'\n",
            "restricts both day-of-month and day-of-week",
        ),
        ("[[job]]\nsite = 'presstv'\ncron = '0 0 * * 8'\n", "'8' is not 0-7 or sun..sat"),
        ("[[job]]\nsite = 'presstv'\nevery = 'often'\n", "every 'often' is not a duration"),
        (
            "[[job]]\nsite = 'presstv'\ncron = '@daily'\nmax_runtime = '2 hours'\n",
            "max_runtime '2 hours'",
        ),
        (
            "[[job]]\nsite = 'presstv'\ncron = '@daily'\ntimezone = 'Mars/Base'\n",
            "timezone 'Mars/Base' is unknown",
        ),
        (
            "[[job]]\nsite = 'nosuchsite'\ncron = '@daily'\n",
            "site 'nosuchsite' is not a built-in profile",
        ),
        (
            "[[job]]\nsite = 'presstv'\ncron = '@daily'\nsched = 'x'\n",
            "job 1 ('presstv'): unknown key 'sched'",
        ),
        (
            "[[job]]\nsite = 'presstv'\ncron = '@daily'\nargs = '--max-articles 5'\n",
            "'args' must be a list",
        ),
        (
            "[[job]]\nsite = 'presstv'\ncron = '@daily'\nargs = ['--out', 'x']\n",
            "--out is set by the job's 'out'",
        ),
        (
            "[[job]]\nsite = 'presstv'\ncron = '@daily'\n[[job]]\nsite = 'presstv'\ncron = '@hourly'\n",
            "job 2 ('presstv'): name 'presstv' is already used by job 1",
        ),
        (
            "max_runtime = 5\n[[job]]\nsite = 'presstv'\ncron = '@daily'\n",
            "'max_runtime' must be a string",
        ),
        (
            "cron = '@daily'\n[[job]]\nsite = 'presstv'\ncron = '@daily'\n",
            "unknown key 'cron' (jobs are [[job]] tables)",
        ),
        ("[[job]\n", "not valid TOML"),
        # TOML's words, not Python's "not int" (issue 22, item 11)
        ("[[job]]\nsite = 3\ncron = '@daily'\n", "'site' must be a string, not an integer"),
    ],
)
def test_a_bad_schedule_is_refused_with_one_line(text: str, message: str) -> None:
    with pytest.raises(ScheduleConfigError) as refused:
        parse_schedule(text, source="schedule.toml")
    assert message in str(refused.value)
    assert str(refused.value).startswith("schedule.toml: ") and "\n" not in str(refused.value)


def test_the_command_line_says_it_in_one_line_with_exit_status_2(tmp_path: Path) -> None:
    bad_args = write_config(
        tmp_path / "schedule.toml",
        [
            {"site": "presstv", "cron": "@hourly"},
            {
                "name": "small",
                "site": "presstv",
                "cron": "@daily",
                "args": ["--max-articles", "many"],
            },
        ],
    )
    result = schedule(bad_args, "--check", timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"newsarchive: error: {bad_args}: job 2 ('small'): args ['--max-articles', 'many']: "
        "argument --max-articles: 'many' is not a whole number"
    ]
    missing = schedule(tmp_path / "nothere.toml", "--once", timeout=60)
    assert missing.returncode == 2 and "cannot read schedule" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_check_lists_the_next_turns_and_flags_a_profile_that_does_not_load(tmp_path: Path) -> None:
    config = write_config(
        tmp_path / "schedule.toml",
        [
            {
                "site": "presstv",
                "cron": "30 6 * * 1-5",
                "timezone": "Asia/Tehran",
                "args": ["--max-articles", "5"],
            },
            {"name": "broken", "site": "sites/missing.toml", "every": "90m"},
        ],
        max_runtime="2h",
    )
    result = schedule(config, "--check", "--now", T0.isoformat(), timeout=60)
    assert result.returncode == 1, result.stderr
    out = result.stdout
    assert "presstv: presstv cron '30 6 * * 1-5' (Asia/Tehran), next" in out
    assert "max_runtime 2h; args --max-articles 5" in out
    assert f"broken: {tmp_path / 'sites' / 'missing.toml'} every 90m" in out  # relative to the file
    assert "problem: " in out and "cannot read profile" in out


def test_cron_day_of_week_means_what_crontab_means() -> None:
    def fire_days(expression: str) -> list[str]:
        trigger = cron_trigger(expression, timezone.utc)
        moment, days = T0, []
        for _ in range(7):
            moment = trigger.get_next_fire_time(None, moment + timedelta(seconds=1))
            days.append(f"{moment:%a}")
        return days

    assert fire_days("0 12 * * 0") == ["Sun"] * 7
    assert fire_days("0 12 * * 7") == ["Sun"] * 7
    assert set(fire_days("0 12 * * 1-5")) == {"Mon", "Tue", "Wed", "Thu", "Fri"}
    assert set(fire_days("0 12 * * */2")) == {"Sun", "Tue", "Thu", "Sat"}
    assert set(fire_days("0 12 * * sat,sun")) == {"Sat", "Sun"}
    assert fire_days("@weekly")[0] == "Sun"


def test_due_turns_run_once_coalesce_and_respect_the_grace() -> None:
    def job(**fields: Any) -> Job:
        return Job(name="j", site="presstv", out=Path("/tmp/x"), **fields)

    five = job(cron="*/5 * * * *", misfire_grace=timedelta(minutes=10))
    minute = timedelta(minutes=1)
    assert five.due_turn(None, T0 + 3 * minute) == T0  # catch-up window, no state
    assert five.due_turn(T0, T0 + 4 * minute) is None  # that turn is taken
    assert five.due_turn(T0, T0 + 5 * minute) == T0 + 5 * minute  # the next one
    assert (
        five.due_turn(T0 - 60 * minute, T0 + 9 * minute) == T0 + 5 * minute
    )  # missed turns: one run
    hourly = job(cron="0 * * * *", misfire_grace=timedelta(minutes=10))
    assert hourly.due_turn(None, T0 + 30 * minute) is None  # older than the grace
    assert hourly.due_turn(T0 - 60 * minute, T0 + 30 * minute) is None
    berlin = job(cron="0 9 * * *", timezone=__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
    assert (
        berlin.due_turn(None, T0 - 4 * 60 * minute + minute) == T0 - 4 * 60 * minute
    )  # 09:00 CET = 08:00 UTC
    every = job(every=timedelta(seconds=90), misfire_grace=timedelta(minutes=10))
    assert every.due_turn(None, T0 + timedelta(seconds=100)) == T0 + timedelta(seconds=90)
    assert every.due_turn(T0 + timedelta(seconds=90), T0 + timedelta(seconds=179)) is None
    # the service's triggers give the same turns
    after = T0 + timedelta(seconds=1)
    assert five.trigger().get_next_fire_time(None, after) == T0 + 5 * minute
    assert every.trigger().get_next_fire_time(None, after) == T0 + timedelta(seconds=90)


# ---------------------------------------------------------------- the site lock


def test_site_lock_is_exclusive_and_names_its_holder(tmp_path: Path) -> None:
    path = OutputLayout(tmp_path).site_lock("localnews")
    with SiteLock(path).acquire(job="first") as lock:
        assert lock.stale is None
        with pytest.raises(LockHeld) as held:
            SiteLock(path).acquire()
        assert held.value.holder is not None and held.value.holder.pid == os.getpid()
        assert re.fullmatch(r"pid \d+ since \d\d:\d\d", held.value.holder.describe())
    assert path.read_text() == ""  # a clean release leaves no holder behind
    SiteLock(path).acquire().release()


def test_a_skip_never_names_the_schedulers_own_pid(tmp_path: Path) -> None:
    """Two jobs of one site due together: the second finds the lock taken by this very
    scheduler, which has not started the first one's crawl yet (issue 22, item 9)."""
    site = tmp_path / "localnews.toml"
    write_profile(site, ["http://127.0.0.1:9"])
    out = tmp_path / "data"
    daily = Job(name="daily", site=str(site), out=out)
    hourly = Job(name="hourly", site=str(site), out=out)
    lock = SiteLock(OutputLayout(out).site_lock("localnews")).acquire(job=daily.name)
    try:
        result = JobRunner().run(hourly, command=[sys.executable, "-c", "pass"])
    finally:
        lock.release()
    assert result.outcome == "skipped"
    assert f"pid {os.getpid()}" not in result.message, result.message
    assert result.message == (
        "skipped hourly: previous run of localnews still running (job daily, starting)"
    )


# ---------------------------------------------------------------- --once, real crawls


def test_once_runs_a_due_turn_once_then_the_next_turn(site: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "data"
    config = write_config(
        tmp_path / "schedule.toml",
        [
            {"site": str(site["profile"]), "cron": "*/5 * * * *", "args": FAST_CRAWL},
        ],
        out="data",
    )

    first = schedule(config, "--once", "--now", (T0 + timedelta(seconds=10)).isoformat())
    assert first.returncode == 0, first.stderr
    assert re.search(
        r"started localnews \(site localnews, pid \d+, turn .*\); log .*localnews\.log",
        first.stderr,
    )
    assert re.search(
        r"finished localnews: exit 0 \(ok\) after [\d.]+s; report .*runs/localnews-.*\.json",
        first.stderr,
    )
    [report] = reports(out)
    assert report["status"] == "ok" and report["counts"]["article"] == len(site["site"].articles)
    log = (out / "logs" / "localnews.log").read_text()
    assert "newsarchive schedule: job localnews, turn 2026-03-02T12:00:00+00:00" in log
    assert "ok: 6 articles" in log  # the crawl's own output went to the job's log
    state = json.loads((out / "state" / "schedule.json").read_text())["jobs"]["localnews"]
    assert state["last_turn"] == "2026-03-02T12:00:00+00:00" and state["last_exit"] == 0
    assert (out / "state" / "localnews.lock").read_text() == ""

    again = schedule(config, "--once", "--now", (T0 + timedelta(minutes=4)).isoformat())
    assert again.returncode == 0 and "nothing due" in again.stderr, again.stderr
    assert len(reports(out)) == 1

    next_turn = schedule(
        config, "--once", "--now", (T0 + timedelta(minutes=5, seconds=3)).isoformat()
    )
    assert next_turn.returncode == 0, next_turn.stderr
    assert "finished localnews: exit 0 (ok)" in next_turn.stderr
    assert len(reports(out)) == 2
    assert reports(out)[-1]["incremental"]["skipped_known"] == 6  # the same out: incremental


def test_a_turn_is_skipped_while_a_live_process_holds_the_site_lock(
    site: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "data"
    config = write_config(
        tmp_path / "schedule.toml",
        [
            {
                "name": "hourly",
                "site": str(site["profile"]),
                "cron": "0 * * * *",
                "args": FAST_CRAWL,
            },
        ],
    )
    holder = hold_lock(OutputLayout(out).site_lock("localnews"))
    try:
        result = schedule(
            config, "--once", "--now", (T0 + timedelta(seconds=5)).isoformat(), timeout=60
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 0, result.stderr
    assert re.search(
        rf"skipped hourly: previous run of localnews still running \(pid {holder.pid} since "
        r"\d\d:\d\d\)",
        result.stderr,
    ), result.stderr
    assert "started" not in result.stderr and not (out / "runs").exists()
    # the turn counts as taken: the next --once in the same hour does not retry it
    state = json.loads((out / "state" / "schedule.json").read_text())["jobs"]["hourly"]
    assert state["last_turn"] == T0.isoformat() and "last_skipped" in state


def test_a_lock_whose_holder_was_killed_is_taken_over(site: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "data"
    config = write_config(
        tmp_path / "schedule.toml",
        [
            {
                "name": "hourly",
                "site": str(site["profile"]),
                "cron": "0 * * * *",
                "args": FAST_CRAWL,
            },
        ],
    )
    holder = hold_lock(OutputLayout(out).site_lock("localnews"))
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    assert (
        read_holder(OutputLayout(out).site_lock("localnews")).pid == holder.pid
    )  # its details stay in the file
    result = schedule(config, "--once", "--now", (T0 + timedelta(seconds=5)).isoformat())
    assert result.returncode == 0, result.stderr
    assert re.search(
        rf"hourly: took over the stale lock .*localnews\.lock \(left by pid {holder.pid} since",
        result.stderr,
    ), result.stderr
    assert "finished hourly: exit 0 (ok)" in result.stderr
    assert len(reports(out)) == 1


def test_a_crawl_by_hand_refuses_while_a_run_holds_the_site_lock_and_takes_it_otherwise(
    site: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "data"
    crawl = [
        *newsarchive_command(),
        "crawl",
        str(site["profile"]),
        "--out",
        str(out),
        "--quiet",
        *FAST_CRAWL,
    ]
    holder = hold_lock(OutputLayout(out).site_lock("localnews"))
    try:
        refused = subprocess.run(crawl, capture_output=True, text=True, timeout=60, cwd=ROOT)
    finally:
        holder.kill()
        holder.wait()
    assert refused.returncode == 2, refused.stderr
    assert re.search(
        rf"another run of localnews into .*data is going on \(pid {holder.pid} since "
        r"\d\d:\d\d\): wait for it to end, or crawl into another --out",
        refused.stderr,
    )
    assert not (out / "runs").exists()  # nothing started

    # the holder was killed: its details are left in the file, the next crawl takes over
    taken = subprocess.run(crawl, capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert taken.returncode == 0, taken.stderr
    assert (
        f"took over the stale lock {OutputLayout(out).site_lock('localnews')} (left by pid {holder.pid}"
        in taken.stderr
    )
    assert (out / "state" / "localnews.lock").read_text() == ""  # released at the end
    assert len(reports(out)) == 1


def test_a_run_past_max_runtime_gets_sigterm_and_its_report_says_interrupted(
    slow_site: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "data"
    config = write_config(
        tmp_path / "schedule.toml",
        [
            {
                "site": str(slow_site["profile"]),
                "cron": "* * * * *",
                "max_runtime": "6s",
                "stop_grace": "30s",
                "args": [*FAST_CRAWL, "-s", "CONCURRENT_REQUESTS=1"],
            },
        ],
    )
    started = time.monotonic()
    result = schedule(config, "--once", timeout=90)
    elapsed = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    assert re.search(r"slowsite overran max_runtime 6s: SIGTERM to pid \d+", result.stderr), (
        result.stderr
    )
    assert "SIGKILL" not in result.stderr.replace(
        "SIGKILL in 30s", ""
    )  # the graceful stop sufficed
    assert re.search(
        r"finished slowsite: exit 1 \(interrupted\) after .*\(overran max_runtime 6s\); report ",
        result.stderr,
    )
    [report] = reports(out, "slowsite")
    assert report["status"] == "interrupted" and report["finish_reason"] == "shutdown"
    warcs = list((out / "warc" / "slowsite").iterdir())
    assert warcs and not [w for w in warcs if w.name.endswith(".open")]  # the WARC was closed
    assert elapsed < 30


def test_a_run_that_ignores_sigterm_is_killed_with_its_process_group(tmp_path: Path) -> None:
    job = Job(
        name="stubborn",
        site="presstv",
        out=tmp_path / "data",
        cron="* * * * *",
        max_runtime=timedelta(seconds=1),
        stop_grace=timedelta(seconds=1),
    )
    code = (
        "import signal, subprocess, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
        "child = subprocess.Popen(['sleep', '60']); print('grandchild', child.pid, flush=True); time.sleep(60)"
    )
    started = time.monotonic()
    result = JobRunner().run(job, command=[sys.executable, "-c", code])
    assert time.monotonic() - started < 15
    assert result.exit_status == -signal.SIGKILL and result.overran and result.killed
    assert "exit -9 (killed by SIGKILL)" in result.message
    log = (tmp_path / "data" / "logs" / "stubborn.log").read_text()
    grandchild = int(re.search(r"grandchild (\d+)", log)[1])
    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild), "the crawl's own children must go with it"
    SiteLock(OutputLayout(job.out).site_lock("presstv")).acquire().release()  # released


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead, waiting to be reaped


# ---------------------------------------------------------------- the service


def test_the_service_survives_a_crashing_job_and_stops_cleanly_on_sigterm(
    slow_site: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "data"
    config = write_config(
        tmp_path / "schedule.toml",
        [
            {"name": "broken", "site": "missing/profile.toml", "every": "1s"},
            {
                "name": "slow",
                "site": str(slow_site["profile"]),
                "every": "1s",
                "max_runtime": "5m",
                "args": [*FAST_CRAWL, "-s", "CONCURRENT_REQUESTS=1"],
            },
        ],
        stop_grace="20s",
    )
    servers = slow_site["servers"]
    requests_before = len(servers.requests)
    log_path = tmp_path / "service.log"
    with log_path.open("w") as log:
        service = subprocess.Popen(
            [*newsarchive_command(), "schedule", "--config", str(config)],
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
    try:

        def seen(pattern: str, count: int = 1) -> bool:
            return len(re.findall(pattern, log_path.read_text())) >= count

        deadline = time.monotonic() + 60
        # the broken job fails again and again (exit 2), the service goes on; the slow crawl is
        # under way (it has asked the site for pages) and its later turns are skipped
        while not (
            seen(r"failed broken: exit 2 \(usage or configuration error\)", 2)
            and len(servers.requests) > requests_before + 1
            and seen(r"skipped slow: previous run of slowsite still running \(pid \d+ since")
        ):
            assert service.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        assert "cannot read profile" in (out / "logs" / "broken.log").read_text()
        service.send_signal(signal.SIGTERM)
        assert service.wait(timeout=40) == 0, log_path.read_text()
    finally:
        if service.poll() is None:
            service.kill()
            service.wait()
    text = log_path.read_text()
    assert "scheduler started" in text
    assert re.search(
        r"SIGTERM: stopping, SIGTERM to (1 running job|2 running jobs): (broken, )?slow", text
    ), text
    assert re.search(r"slow the scheduler is stopping: SIGTERM to pid \d+", text)
    assert re.search(r"finished slow: exit 1 \(interrupted\) after .*; report ", text), text
    assert text.rstrip().endswith("stopped")
    assert "Traceback" not in text
    [report] = reports(out, "slowsite")
    assert report["status"] == "interrupted"
    assert read_holder(OutputLayout(out).site_lock("slowsite")) is None  # released


# ---------------------------------------------------------------- cron and systemd, as documented


def test_the_documented_crontab_line_runs_the_due_jobs(
    site: dict[str, Any], tmp_path: Path
) -> None:
    readme = (ROOT / "docs" / "scheduling.md").read_text()
    [line] = [
        text
        for text in readme.splitlines()
        if text.startswith("* * * * * ") and "schedule --once" in text
    ]
    command = line.split(None, 5)[5].replace("/srv/newsarchive", str(tmp_path))
    write_config(
        tmp_path / "schedule.toml",
        [
            {"site": str(site["profile"]), "cron": "* * * * *", "args": FAST_CRAWL},
        ],
    )
    # the virtualenv's newsarchive the line names: here, this checkout's cli
    shim = tmp_path / ".venv" / "bin" / "newsarchive"
    shim.parent.mkdir(parents=True)
    shim.write_text(f'#!/bin/sh\nexec {sys.executable} -m scraper.cli "$@"\n')
    shim.chmod(0o755)
    # cron's own environment: PATH, HOME and SHELL only, starting in $HOME
    env = {"PATH": "/usr/bin:/bin", "HOME": str(Path.home()), "SHELL": "/bin/sh"}
    env["PYTHONPATH"] = str(ROOT)
    result = subprocess.run(
        ["sh", "-c", command], cwd=Path.home(), capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, (
        result.stdout,
        result.stderr,
        (tmp_path / "cron.log").read_text(),
    )
    log = (tmp_path / "cron.log").read_text()
    assert "finished localnews: exit 0 (ok)" in log, log
    [report] = reports(tmp_path / "data")
    assert report["status"] == "ok"


def test_the_systemd_units_verify_and_match_the_docs(tmp_path: Path) -> None:
    units = ROOT / "deploy" / "systemd"
    names = [
        "newsarchive-schedule.service",
        "newsarchive-schedule.timer",
        "newsarchive-scheduler.service",
    ]
    readme = (ROOT / "docs" / "scheduling.md").read_text()
    for name in names[:2]:
        assert (units / name).read_text() in readme, f"docs/scheduling.md shows {name} as shipped"
    once = (units / names[0]).read_text()
    assert "Type=oneshot" in once
    assert (
        "ExecStart=/opt/newsarchive/bin/newsarchive schedule --once --config /etc/newsarchive/schedule.toml"
        in once
    )
    assert "OnCalendar=*-*-* *:*:00" in (units / names[1]).read_text()
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    script = shutil.which("newsarchive") or sys.executable
    for name in names:  # ExecStart must resolve: point it at this machine's newsarchive
        text = (units / name).read_text().replace("/opt/newsarchive/bin/newsarchive", script)
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        [analyze, "verify", *(str(tmp_path / n) for n in names)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert not re.search(r"Unknown|ignoring|not executable|Failed|[Ii]nvalid", output), output


def test_the_example_is_a_schedule_and_the_cron_line_runs_under_crons_path(tmp_path: Path) -> None:
    """``schedule --example`` prints a file ``--check`` accepts; ``--cron-line`` a line that
    works with cron's bare PATH (issue 15, item 6): here run with --check for --once, so no
    crawl starts."""
    from tests.conftest import newsarchive_command

    example = subprocess.run(
        [*newsarchive_command(), "schedule", "--example"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert example.returncode == 0 and "[[job]]" in example.stdout
    config = tmp_path / "schedule.toml"
    config.write_text(example.stdout)
    line = subprocess.run(
        [*newsarchive_command(), "schedule", "--cron-line", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout.strip()
    fields = line.split(" ", 5)
    assert fields[:5] == ["*"] * 5 and "schedule --once --config " + str(config) in fields[5]
    command = fields[5].replace("schedule --once", "schedule --check")
    result = subprocess.run(
        ["/bin/sh", "-c", command],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},  # what cron gives a job
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "schedule.toml: 1 job\n" in (tmp_path / "cron.log").read_text()
