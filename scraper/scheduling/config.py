"""The schedule file of ``newsarchive schedule``: which site to crawl when, with which options.

```toml
out = "/var/lib/newsarchive/data"   # defaults for every job (each may override them)
timezone = "UTC"                     # of the cron expressions (default: the machine's)
max_runtime = "2h"                   # a run still going after this is stopped (default: no limit)
tor = "socks5h://127.0.0.1:9050"     # onion mirrors through Tor, as `crawl --tor` (default: none)

[[job]]
site = "presstv"                     # built-in profile, or a profile .toml path
cron = "0 * * * *"                   # minute hour day-of-month month day-of-week
args = ["--max-articles", "500"]     # more `newsarchive crawl` options

[[job]]
name = "mirror-check"
site = "profiles/other.toml"
every = "30m"                        # instead of cron: every 30 minutes (from 00:00 UTC)
args = ["--compare-mirrors"]
```

Loading raises only ``ScheduleConfigError``, one line naming the file, the job and the field;
the command line turns it into exit status 2. Relative paths (``out``, a profile ``site``)
are relative to the schedule file's directory, wherever the command is run from (cron starts
in $HOME).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from archive.layout import DEFAULT_OUT
from scraper.since import parse_duration
from scraper.sites.profile import toml_kind
from scraper.sites.site_access import tor_proxy

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
# A job's name names its log file: no newline, no length a file system refuses.
JOB_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
DEFAULT_STOP_GRACE = timedelta(seconds=30)
DEFAULT_MISFIRE_GRACE = timedelta(minutes=10)

# key -> (python type, meaning in messages); "defaults" may also be set per job
_DEFAULT_KEYS: dict[str, type] = {
    "out": str,
    "timezone": str,
    "max_runtime": str,
    "stop_grace": str,
    "misfire_grace": str,
    "args": list,
    # crawl --tor: Tor's SOCKS port for the job's onion mirrors ("" in a job: none)
    "tor": str,
}
_JOB_KEYS: dict[str, type] = {"name": str, "site": str, "cron": str, "every": str, **_DEFAULT_KEYS}
_CRON_MACROS = {
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
    "@monthly": "0 0 1 * *",
    "@weekly": "0 0 * * 0",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@hourly": "0 * * * *",
}
_WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
# Options the schedule sets itself; in ``args`` they would fight the job's own fields.
_RESERVED_ARGS = {"--out": "out", "--tor": "tor"}


class ScheduleConfigError(ValueError):
    """A schedule file that cannot be used; the message is one line saying what to fix."""


@dataclass(frozen=True)
class Job:
    name: str
    site: str  # built-in profile name, or an absolute profile path
    out: Path
    args: tuple[str, ...] = ()
    cron: str | None = None  # as written (5 fields, or a macro)
    every: timedelta | None = None
    timezone: tzinfo = timezone.utc
    max_runtime: timedelta | None = None
    stop_grace: timedelta = DEFAULT_STOP_GRACE
    misfire_grace: timedelta = DEFAULT_MISFIRE_GRACE
    tor: str | None = None  # crawl --tor

    def trigger(self) -> Any:
        """The APScheduler trigger of this job (fire times identical to ``fire_times``)."""
        from apscheduler.triggers.interval import IntervalTrigger

        if self.every is not None:
            return IntervalTrigger(
                seconds=self.every.total_seconds(), start_date=EPOCH, timezone=timezone.utc
            )
        assert self.cron is not None
        return cron_trigger(self.cron, self.timezone)

    @property
    def schedule_text(self) -> str:
        if self.every is not None:
            return f"every {format_span(self.every)}"
        return f"cron '{self.cron}' ({_tz_name(self.timezone)})"

    def latest_fire_time(self, after: datetime, now: datetime) -> datetime | None:
        """The latest turn in (after, now], or None."""
        if now <= after:
            return None
        if self.every is not None:
            turns = (now - EPOCH) // self.every
            last_turn = EPOCH + turns * self.every
            return last_turn if last_turn > after else None
        trigger = self.trigger()
        latest: datetime | None = None
        # CronTrigger rounds up to the next whole second: +1µs makes the window open at ``after``.
        turn = trigger.get_next_fire_time(None, after + timedelta(microseconds=1))
        while turn is not None and turn <= now:
            latest = turn
            turn = trigger.get_next_fire_time(None, turn + timedelta(microseconds=1))
        return latest

    def next_fire_time(self, now: datetime) -> datetime | None:
        return self.trigger().get_next_fire_time(None, now)

    def due_turn(self, last_turn: datetime | None, now: datetime) -> datetime | None:
        """The turn to run now, or None: the latest turn that is not later than ``now``, not
        older than ``misfire_grace``, and after ``last_turn`` (the turn the last run took).
        Several missed turns make one run; turns missed by more than the grace are not run.
        With no ``last_turn`` (a first run), the grace is the catch-up window."""
        window_start = now - self.misfire_grace
        if last_turn is not None and last_turn > window_start:
            window_start = last_turn
        return self.latest_fire_time(window_start, now)


@dataclass(frozen=True)
class ScheduleConfig:
    path: Path
    jobs: tuple[Job, ...]


def load_schedule(
    path: Path, check_args: Callable[[list[str]], str | None] | None = None
) -> ScheduleConfig:
    """Read and check a schedule file. ``check_args(args)`` returns what is wrong with a job's
    crawl arguments (None: nothing); the command line passes the crawl parser's own check."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScheduleConfigError(f"{path}: cannot read schedule: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ScheduleConfigError(f"{path}: not a TOML schedule (not UTF-8 text)") from None
    return parse_schedule(text, source=str(path), base=path.resolve().parent, check_args=check_args)


def parse_schedule(
    text: str,
    source: str = "<string>",
    base: Path | None = None,
    check_args: Callable[[list[str]], str | None] | None = None,
) -> ScheduleConfig:
    base = base or Path.cwd()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScheduleConfigError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ScheduleConfigError(f"{source}: not valid TOML: nested too deeply") from None

    def fail(message: str) -> ScheduleConfigError:
        return ScheduleConfigError(f"{source}: {message}")

    unknown = sorted(set(data) - set(_DEFAULT_KEYS) - {"job"})
    if unknown:
        hint = " (jobs are [[job]] tables)" if unknown[0] in _JOB_KEYS else ""
        raise fail(
            f"unknown key {unknown[0]!r}{hint} (allowed at the top: {', '.join(_DEFAULT_KEYS)}, job)"
        )
    _check_types(data, _DEFAULT_KEYS, fail)
    tables = data.get("job", [])
    if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
        raise fail("'job' must be [[job]] tables")
    if not tables:
        raise fail("no jobs: add a [[job]] table with site and cron")

    jobs: list[Job] = []
    names: dict[str, int] = {}
    for number, table in enumerate(tables, start=1):
        known_as = table.get("name") or table.get("site")
        label = f"job {number}" + (f" ({known_as!r})" if isinstance(known_as, str) else "")

        def job_fail(message: str, label: str = label) -> ScheduleConfigError:
            return fail(f"{label}: {message}")

        job = _job(table, data, base, job_fail, check_args)
        if job.name in names:
            raise job_fail(
                f"name {job.name!r} is already used by job {names[job.name]}: "
                "give each job its own name"
            )
        names[job.name] = number
        jobs.append(job)
    return ScheduleConfig(path=Path(source), jobs=tuple(jobs))


def _job(
    table: dict[str, Any],
    defaults: dict[str, Any],
    base: Path,
    fail: Callable[[str], Exception],
    check_args: Callable[[list[str]], str | None] | None,
) -> Job:
    unknown = sorted(set(table) - set(_JOB_KEYS))
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (allowed: {', '.join(_JOB_KEYS)})")
    _check_types(table, _JOB_KEYS, fail)

    def setting(key: str) -> Any:
        return table[key] if key in table else defaults.get(key)

    site = table.get("site")
    if not site or not site.strip():
        raise fail("missing required key 'site' (a built-in profile name or a profile .toml path)")
    site = site.strip()
    is_path = site.endswith(".toml") or "/" in site
    if is_path:
        site = str((base / site).resolve())  # checked when the job runs: a fix needs no restart
    else:
        from scraper.sites.profile import builtin_profile_names

        known = builtin_profile_names()
        if site not in known:
            raise fail(
                f"site {site!r} is not a built-in profile ({', '.join(known)}); "
                "a profile file needs a path ending in .toml"
            )
    name = table.get("name") or (Path(site).stem if is_path else site)
    if not JOB_NAME.fullmatch(name):
        raise fail(
            f"name {name[:80]!r} must be 1-64 letters, digits, '.', '-' or '_' "
            "(it names the job's log file)"
        )

    if ("cron" in table) == ("every" in table):
        raise fail("give either cron = 'MIN HOUR DOM MON DOW' or every = '30m', exactly one")
    zone = _timezone(setting("timezone"), fail)
    cron = every = None
    if "cron" in table:
        cron = " ".join(table["cron"].split())
        try:
            cron_trigger(cron, zone)
        except ValueError as exc:
            raise fail(f"cron {table['cron']!r}: {exc}") from None
    else:
        every = _duration(table["every"], "every", fail)
        if every < timedelta(seconds=1):
            raise fail(f"every {table['every']!r} must be at least 1s")

    args = [str(a) for a in (setting("args") or [])]
    for arg in args:
        option = arg.split("=", 1)[0]
        if option in _RESERVED_ARGS:
            raise fail(
                f"args: {option} is set by the job's {_RESERVED_ARGS[option]!r} key, not in args"
            )
    if check_args is not None:
        problem = check_args(args)
        if problem:
            raise fail(f"args {args}: {problem}")

    tor = (setting("tor") or "").strip() or None
    if tor is not None:
        # refused when the file is read, not at every turn in the job's log
        tor = tor_proxy(tor, "tor", fail)
    max_runtime = setting("max_runtime")
    misfire = setting("misfire_grace")
    stop = setting("stop_grace")
    return Job(
        name=name,
        site=site,
        out=(base / (setting("out") or DEFAULT_OUT)).resolve(),
        args=tuple(args),
        cron=cron,
        every=every,
        timezone=zone,
        max_runtime=_duration(max_runtime, "max_runtime", fail) if max_runtime else None,
        stop_grace=_duration(stop, "stop_grace", fail) if stop else DEFAULT_STOP_GRACE,
        misfire_grace=_duration(misfire, "misfire_grace", fail)
        if misfire
        else DEFAULT_MISFIRE_GRACE,
        tor=tor,
    )


def _check_types(
    data: dict[str, Any], keys: dict[str, type], fail: Callable[[str], Exception]
) -> None:
    for key, kind in keys.items():
        if key not in data:
            continue
        value = data[key]
        if not isinstance(value, kind):
            raise fail(
                f"{key!r} must be a {'list of strings' if kind is list else 'string'}, "
                f"not {toml_kind(type(value))}"
            )
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise fail(f'{key!r} must be a list of strings, like ["--max-articles", "50"]')


def _duration(text: str, key: str, fail: Callable[[str], Exception]) -> timedelta:
    try:
        value = parse_duration(text)
    except ValueError:
        raise fail(f"{key} {text!r} is not a duration like 45s, 90m, 2h, 1d") from None
    if value <= timedelta(0):
        raise fail(f"{key} {text!r} must be more than 0")
    return value


def _timezone(name: str | None, fail: Callable[[str], Exception]) -> tzinfo:
    if name is None:
        from tzlocal import get_localzone  # APScheduler's own choice of the machine's zone

        return get_localzone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise fail(
            f"timezone {name!r} is unknown (use an IANA name like 'UTC' or 'Europe/Berlin')"
        ) from None


def cron_trigger(expression: str, zone: tzinfo) -> Any:
    """A CronTrigger with crontab(5) meaning. APScheduler 3 reads day-of-week numbers as
    0 = Monday (its documented "historical mistake"); crontab's are 0 = Sunday, so numbers are
    turned into day names here. crontab runs a job when day-of-month OR day-of-week matches if
    both are restricted, APScheduler when both match: that combination is refused."""
    from apscheduler.triggers.cron import CronTrigger

    text = _CRON_MACROS.get(expression.strip().lower(), expression)
    fields = text.split()
    if len(fields) != 5:
        raise ValueError(
            f"expected 5 fields (minute hour day-of-month month day-of-week), got {len(fields)}"
        )
    minute, hour, day, month, weekday = fields
    if day != "*" and weekday != "*":
        raise ValueError(
            "restricts both day-of-month and day-of-week, which cron ORs and APScheduler "
            "ANDs: use two jobs"
        )
    try:
        return CronTrigger(
            minute=minute,
            hour=hour,
            day=day,
            month=month,
            day_of_week=_crontab_weekdays(weekday),
            timezone=zone,
        )
    except ValueError as exc:
        raise ValueError(str(exc).replace("Error validating expression", "bad field")) from None


def _crontab_weekdays(field: str) -> str:
    """crontab's day-of-week field (0 or 7 = Sunday, names, ranges, steps) as day names."""
    if field == "*":
        return "*"
    days: set[int] = set()
    for item in field.lower().split(","):
        body, _, step_text = item.partition("/")
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) < 1:
                raise ValueError(f"bad step in day-of-week {item!r}")
            step = int(step_text)
        if body == "*":
            first, last = 0, 6
        else:
            low, dash, high = body.partition("-")
            first = _weekday_number(low, field)
            last = _weekday_number(high, field) if dash else (6 if step_text else first)
            if last < first:
                raise ValueError(f"day-of-week range {body!r} runs backwards")
        days.update(d % 7 for d in range(first, last + 1, step))
    return "*" if len(days) == 7 else ",".join(_WEEKDAYS[d] for d in sorted(days))


def _weekday_number(text: str, field: str) -> int:
    if text.isdigit() and int(text) <= 7:
        return int(text)
    if text[:3] in _WEEKDAYS and len(text) == 3:
        return _WEEKDAYS.index(text)
    raise ValueError(f"day-of-week {field!r}: {text!r} is not 0-7 or sun..sat")


def _tz_name(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or zone)


def format_span(value: timedelta) -> str:
    """``90m``, ``2h``, ``1d``, ``45s``: a duration as the schedule file writes it."""
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0 and seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
