"""``newsarchive schedule``: run crawls on a schedule (a service), or the due ones once (cron,
systemd timers). The schedule file is described in ``scraper/scheduling/config.py`` and docs/scheduling.md."""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Any

from archive.wording import count
from scraper.exit_status import EXIT_FAILURES, EXIT_OK, UsageError
from scraper.scheduling.config import (
    ScheduleConfig,
    ScheduleConfigError,
    format_span,
    load_schedule,
)

# the cli's subcommands: a job's args are checked by the crawl command's own parser
_commands: Any = None

EXAMPLE = """\
  # schedule.toml
  out = "data"                       # defaults for every job
  max_runtime = "2h"                 # stop a run still going after 2 h (SIGTERM, then SIGKILL)

  [[job]]
  site = "presstv"                   # built-in profile, or a profile .toml path
  cron = "0 * * * *"                 # every hour, on the hour (crontab's 5 fields)
  args = ["--max-articles", "500"]   # more crawl options

Examples:
  newsarchive schedule --config schedule.toml            the service: runs until SIGTERM/Ctrl-C
  newsarchive schedule --once --config schedule.toml     run the due jobs, wait for them, exit
  newsarchive schedule --check --config schedule.toml    check the file, show the next turns
  newsarchive schedule --example > schedule.toml          a commented file to start from
  newsarchive schedule --cron-line --config schedule.toml the crontab line, in absolute paths
"""


def add_command(commands: Any) -> None:
    """Add ``schedule`` to the cli's subcommands."""
    global _commands
    _commands = commands
    schedule = commands.add_parser(
        "schedule",
        help="run crawls on a schedule (a service), or the due ones once (for cron/systemd timers)",
        description="Run the jobs of a schedule file (site, cron expression or interval, crawl options), "
        "each in its own process with its output in OUT/logs/JOB.log. A turn that comes while the "
        "job's previous run (or any run of its site into the same OUT) is still going is skipped and "
        "logged; a stale lock left by a killed run is taken over. A run past max_runtime gets "
        "SIGTERM (a graceful stop: the run report says interrupted), then SIGKILL after stop_grace. "
        "Relative paths in the file are relative to the file's directory.",
        epilog=EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    schedule.add_argument(
        "--config",
        type=Path,
        default=Path("schedule.toml"),
        metavar="FILE",
        help="the schedule file (default: ./schedule.toml)",
    )
    mode = schedule.add_mutually_exclusive_group()
    mode.add_argument(
        "--once",
        action="store_true",
        help="run the jobs that are due now and wait for them, then exit: a turn in "
        "(the job's last turn, now], at most misfire_grace (default 10m) old; the turns "
        "taken are kept in OUT/state/schedule.json. Exit 1 if a run failed",
    )
    mode.add_argument(
        "--check",
        action="store_true",
        help="check the schedule file and print each job's next turn and last run",
    )
    mode.add_argument(
        "--example",
        action="store_true",
        help="print a commented schedule.toml to start from (newsarchive schedule --example > "
        "schedule.toml)",
    )
    mode.add_argument(
        "--cron-line",
        action="store_true",
        help="print the crontab line that runs --once every minute with this --config, in "
        "absolute paths (cron's PATH does not have newsarchive)",
    )
    # Tests only: the moment --once and --check take as now (ISO 8601 with an offset).
    schedule.add_argument("--now", type=_moment, help=argparse.SUPPRESS)
    schedule.set_defaults(run=run_schedule)


def _moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO 8601 time") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def run_schedule(args: argparse.Namespace) -> int:
    from scraper.scheduling.service import run_once, serve

    if args.example:
        sys.stdout.write(resources.files("scraper.scheduling").joinpath(EXAMPLE_FILE).read_text())
        return EXIT_OK
    if args.cron_line:
        print(cron_line(args.config))
        return EXIT_OK
    try:
        config = load_schedule(args.config, check_args=_crawl_args_problem)
    except ScheduleConfigError as exc:
        raise UsageError(str(exc)) from None
    _log_to_stderr()
    cwd = args.config.resolve().parent
    if args.check:
        text, problems = _describe(config, args.now or datetime.now(timezone.utc))
        print(text)
        return EXIT_FAILURES if problems else EXIT_OK
    if args.once:
        return run_once(config, now=args.now, cwd=cwd)
    return serve(config, cwd=cwd)


EXAMPLE_FILE = "schedule.example.toml"


def cron_line(config: Path) -> str:
    """A crontab line running the due jobs every minute: the command as this process was
    started (its absolute path: cron's PATH is /usr/bin:/bin), the config's absolute path,
    output appended to a log beside the config."""
    config = config.resolve()
    started = Path(sys.argv[0])
    if started.name == "newsarchive" and started.exists():
        command = shlex.quote(str(started.resolve()))
    else:  # python -m scraper.cli, or a test
        command = f"{shlex.quote(sys.executable)} -m scraper.cli"
    return (
        f"* * * * * cd {shlex.quote(str(config.parent))} && {command} schedule --once "
        f"--config {shlex.quote(str(config))} >> {shlex.quote(str(config.parent / 'cron.log'))} 2>&1"
    )


def _crawl_args_problem(args: list[str]) -> str | None:
    """What ``newsarchive crawl SITE *args`` would refuse, in the crawl parser's own words."""
    crawl = _commands.choices.get("crawl") if _commands is not None else None
    if crawl is None:
        return None
    if any(arg in ("-h", "--help") for arg in args):
        return "--help is not an option for a scheduled run"

    class Refused(Exception):
        pass

    def error(message: str) -> None:
        raise Refused(message)

    crawl.error = error  # argparse reports through parser.error(); catch it instead of exiting
    try:
        crawl.parse_args(["SITE", *args])
    except Refused as exc:
        return str(exc)
    finally:
        del crawl.error
    return None


def _describe(config: ScheduleConfig, now: datetime) -> tuple[str, int]:
    """What --check prints, and how many jobs have a profile that does not load (checked only
    here and when the job runs, so a fixed profile file needs no restart of the service)."""
    from scraper.scheduling.service import ScheduleState
    from scraper.sites.profile import ProfileError, load_profile

    lines = [f"{config.path}: {count(len(config.jobs), 'job')}"]
    problems = 0
    for job in config.jobs:
        last = ScheduleState(job.out).read().get(job.name, {})
        next_turn = job.next_fire_time(now)
        lines.append(
            f"  {job.name}: {job.site} {job.schedule_text}, next "
            f"{next_turn.astimezone():%Y-%m-%d %H:%M:%S %Z}"
            if next_turn
            else f"  {job.name}: never"
        )
        limits = (
            f"max_runtime {format_span(job.max_runtime)}" if job.max_runtime else "no max_runtime"
        )
        tor = f"; onions through Tor at {job.tor}" if job.tor else ""
        lines.append(f"    out {job.out}; {limits}{tor}; args {' '.join(job.args) or '-'}")
        if last.get("last_started"):
            lines.append(
                f"    last run {last['last_started']}: exit {last.get('last_exit')}"
                + (f", report {last['last_report']}" if last.get("last_report") else "")
            )
        try:
            load_profile(job.site)
        except ProfileError as exc:
            problems += 1
            lines.append(f"    problem: {exc}")
    return "\n".join(lines), problems


def _log_to_stderr() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%d %H:%M:%S"))
    log = logging.getLogger("newsarchive.schedule")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
