"""What the crawls of a site learnt about its mirrors, kept from one run to the next:
``<out>/state/<site>.mirrors.json``.

Per mirror: where it was learnt (the profile, a page's notice of alternate addresses, a
redirect, a canonical link, a published mirror list, the operator), when it was first and last seen, its verification
(a discovered mirror must serve the site's own text before any record comes from it), and the
tally of its last runs. A run starts with the order that worked last time, and a mirror that
failed every request of its last few runs is named in a one-line notice.

The profile file is never written: what the crawls learn lives here, and the operator reads
and changes it with ``newsarchive mirrors``. A JSON file, written whole (temp file, rename)
under a lock, so a killed run leaves the last good copy, and two workers of a shared crawl
writing into one output directory take turns.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.file_lock import wait_for_lock
from archive.mirror_memory_entries import entry_problem, run_problem
from archive.wording import count

logger = logging.getLogger(__name__)

FORMAT = "newsarchive/mirror-memory/1"
RUNS_KEPT = 20

# How a mirror came to be known.
FROM_PROFILE = "profile"
FROM_NOTICE = "notice"  # a page of the site names it as an alternate address
FROM_REDIRECT = "redirect"  # a known mirror redirected there
FROM_CANONICAL = "canonical"  # rel=canonical / og:url named it for our article
FROM_FEED = "feed"  # the site's feed gives an article of ours on it
FROM_MIRROR_LIST = "mirror list"  # a published list names it (learnt_at: the list)

# The run report's failure reason of a page a mirror lacked that another mirror had
# (``scraper.middlewares.mirrors``).
MISSING_REASON = "http_404"

# Where a mirror stands.
IN_PROFILE = "profile"  # named in the profile: used without verification
CANDIDATE = "candidate"  # learnt, not verified yet: never used for a record
VERIFIED = "verified"  # passed verification, fewer than the checks needed for trust
TRUSTED = "trusted"  # passed enough checks, or the operator said so
REJECTED = "rejected"  # failed verification (or its address is not allowed)
USABLE = (IN_PROFILE, VERIFIED, TRUSTED)
_STATUSES = frozenset({IN_PROFILE, CANDIDATE, VERIFIED, TRUSTED, REJECTED})


@dataclass
class RunTally:
    """One run's outcome on one mirror."""

    run_id: str
    at: str  # when the run ended, ISO 8601
    requests: int
    successes: int
    failures: int  # the mirror's failures, not ``missing``
    last_failure: str | None = None
    # pages it lacked (404) that another mirror had: a site's mirror may lag an article
    # behind, which is no failure of the mirror and no reason to demote it (issue 22)
    missing: int = 0

    @property
    def failed_all(self) -> bool:
        """Tried, and not one page served."""
        return self.requests > 0 and self.successes == 0 and self.failures > 0

    @property
    def success_rate(self) -> float | None:
        tried = self.successes + self.failures
        return self.successes / tried if tried else None


@dataclass
class MirrorMemo:
    origin: str
    learnt: str  # FROM_*
    status: str  # IN_PROFILE, CANDIDATE…
    first_seen: str
    last_seen: str
    learnt_at: str | None = None  # the page or redirect it was learnt from
    checks_passed: int = 0
    verification: str | None = None  # the last verification's result, one line
    last_failure: str | None = None
    last_failure_at: str | None = None
    trusted_at: str | None = None  # the operator's word: runs before it do not demote it
    runs: list[RunTally] = field(default_factory=list)

    @property
    def host(self) -> str:
        return urlsplit(self.origin).netloc

    def failing_runs(self) -> int:
        """How many of the latest runs that tried this mirror failed every request to it, in
        a row (a run that did not need it, the others serving, neither counts nor breaks)."""
        count = 0
        for run in reversed(self.runs):
            if not run.requests:
                continue
            if not run.failed_all:
                break
            count += 1
        return count

    def last_success_at(self) -> str | None:
        return next((run.at for run in reversed(self.runs) if run.successes), None)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MirrorMemo:
        """An entry of the file, checked (``archive.mirror_memory_entries``) beforehand."""
        fields = RunTally.__dataclass_fields__
        runs = [RunTally(**{k: v for k, v in run.items() if k in fields}) for run in data["runs"]]
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__ and k != "runs"}
        return cls(**known, runs=runs)


class MirrorMemoryError(Exception):
    """The memory file is unreadable or not ours."""


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class MirrorMemory:
    path: Path
    mirrors: dict[str, MirrorMemo] = field(default_factory=dict)

    # -- the file -------------------------------------------------------------------------

    @classmethod
    def load(cls, path: Path, warn: Callable[[str], Any] | None = None) -> MirrorMemory:
        """The memory at ``path``; empty when there is no file yet. Damaged entries are left
        out (``archive.mirror_memory_entries``), the good ones kept, and ``warn`` (default:
        a logged warning) is told so in one line, once per process for the file as it is."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (FileNotFoundError, NotADirectoryError):
            return cls(path)
        except (OSError, ValueError) as exc:
            raise MirrorMemoryError(f"{path}: unreadable mirror memory: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise MirrorMemoryError(f"{path}: not a newsarchive mirror memory ({FORMAT})")
        entries = data.get("mirrors", [])
        if not isinstance(entries, list):
            raise MirrorMemoryError(f"{path}: damaged mirror memory: its mirrors are no list")
        memory = cls(path)
        dropped: list[str] = []
        for entry in entries:
            problem = entry_problem(entry, _STATUSES)
            if problem:
                dropped.append(problem)
                continue
            runs = []
            for run in entry.get("runs", []):
                problem = run_problem(run)
                if problem:
                    dropped.append(problem)
                else:
                    runs.append(run)
            memo = MirrorMemo.from_dict({**entry, "runs": runs})
            memory.mirrors[memo.origin] = memo
        if dropped:
            _tell_once(path, dropped, len(memory.mirrors), warn or logger.warning)
        return memory

    def save(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"format": FORMAT, "mirrors": [asdict(m) for m in self.mirrors.values()]}
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            tmp.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", "utf-8")
            os.replace(tmp, self.path)
        finally:
            tmp.unlink(missing_ok=True)

    @classmethod
    def update(cls, path: Path, warn: Callable[[str], Any] | None = None) -> _Updating:
        """``with MirrorMemory.update(path) as memory: …``: read, change and write back
        under a lock (workers of a shared crawl may share an output directory). Damaged
        entries are left out of what is written back (``warn``: see :meth:`load`)."""
        return _Updating(path, warn)

    # -- what is known --------------------------------------------------------------------

    def know_profile(self, origins: Sequence[str], when: str | None = None) -> None:
        """The profile's own origins: known, usable, never verified."""
        when = when or now_iso()
        for origin in origins:
            memo = self.mirrors.get(origin)
            if memo is None:
                self.mirrors[origin] = MirrorMemo(origin, FROM_PROFILE, IN_PROFILE, when, when)
            elif memo.status != IN_PROFILE:
                memo.status, memo.learnt = IN_PROFILE, FROM_PROFILE

    def learn(self, origin: str, how: str, where: str | None, when: str | None = None) -> bool:
        """A candidate mirror; True when it is new (a known one is only seen again)."""
        when = when or now_iso()
        memo = self.mirrors.get(origin)
        if memo is not None:
            memo.last_seen = when
            return False
        self.mirrors[origin] = MirrorMemo(origin, how, CANDIDATE, when, when, learnt_at=where)
        return True

    def usable(self) -> list[str]:
        return [m.origin for m in self.mirrors.values() if m.status in USABLE]

    def discovered(self) -> list[str]:
        """Mirrors the crawls learnt and verified (not the profile's own)."""
        return [m.origin for m in self.mirrors.values() if m.status in (VERIFIED, TRUSTED)]

    def order(self, origins: Sequence[str], keep_first: bool = False) -> list[str]:
        """``origins`` in the order to start a run with: those that served well in their
        last run first, then those with no history, then those that failed; within each,
        the given (profile) order. ``keep_first``: the first of ``origins`` stays first
        (``primary-first``: the profile's primary leads however its last run went; the
        circuit breaker benches it within the run if it is down)."""
        position = {origin: i for i, origin in enumerate(origins)}
        ranked = sorted(origins, key=lambda origin: (self._standing(origin), position[origin]))
        if keep_first and origins:
            ranked.remove(origins[0])
            ranked.insert(0, origins[0])
        return ranked

    def failed_last(self, origins: Sequence[str]) -> list[str]:
        """Those of ``origins`` that failed (most of) the last run that tried them: out of
        the order's lead, they get a share of requests to earn their place back."""
        return [origin for origin in origins if self._standing(origin) == 2]

    def served_well(self, origins: Sequence[str]) -> list[str]:
        """Those of ``origins`` that served (nearly) every page of the last run that tried
        them: trusted from the start of the next run."""
        return [origin for origin in origins if self._standing(origin) == 0]

    def _standing(self, origin: str) -> int:
        """0 served well last time it was tried, 1 no history, 2 failed."""
        memo = self.mirrors.get(origin)
        last = next((r for r in reversed(memo.runs) if r.requests), None) if memo else None
        if memo is not None and memo.trusted_at and (last is None or last.at <= memo.trusted_at):
            return 0  # the operator trusts it, and no run has tried it since
        rate = last.success_rate if last is not None else None
        if rate is None:
            return 1
        return 0 if rate >= 0.9 else 2

    # -- after a run ----------------------------------------------------------------------

    def note_run(
        self, run_id: str, mirrors: Mapping[str, Mapping[str, Any]], when: str | None = None
    ) -> None:
        """Add a run's per-mirror tallies (the run report's ``mirrors``)."""
        when = when or now_iso()
        for origin, seen in mirrors.items():
            memo = self.mirrors.get(origin)
            if memo is None:
                continue  # a host the run reported but nobody learnt (should not happen)
            failures = dict(seen.get("failures") or {})
            examples = dict(seen.get("failure_examples") or {})
            missing = int(failures.pop(MISSING_REASON, 0))
            last_reason = next(iter(failures), None)
            last_failure = examples.get(last_reason, last_reason) if last_reason else None
            tally = RunTally(
                run_id=run_id,
                at=when,
                requests=int(seen.get("requests", 0)),
                successes=int(seen.get("successes", 0)),
                failures=sum(int(n) for n in failures.values()),
                last_failure=last_failure,
                missing=missing,
            )
            if tally.requests:
                memo.last_seen = when
            if last_failure:
                memo.last_failure, memo.last_failure_at = last_failure, when
            memo.runs = [*memo.runs, tally][-RUNS_KEPT:]

    def notices(self, after_runs: int, after_days: float, now: datetime | None = None) -> list[str]:
        """One line per usable mirror that failed every request of its last ``after_runs``
        runs, or has served nothing for ``after_days`` days although tried."""
        now = now or datetime.now(timezone.utc)
        lines = []
        for memo in self.mirrors.values():
            if memo.status not in USABLE or not memo.runs:
                continue
            failing = memo.failing_runs()
            since = _days_since(memo.last_success_at() or memo.first_seen, now)
            if failing >= after_runs or (failing and since >= after_days):
                lines.append(
                    f"mirror {memo.origin} failed every request of its last "
                    f"{count(failing, 'run')}; "
                    + (
                        f"last page served {count(round(since), 'day')} ago"
                        if memo.last_success_at()
                        else "never served a page"
                    )
                    + (f"; last failure: {memo.last_failure}" if memo.last_failure else "")
                )
        return lines

    # -- the operator ---------------------------------------------------------------------

    def find(self, host_or_origin: str) -> MirrorMemo | None:
        wanted = host_or_origin.strip().lower().rstrip("/")
        for memo in self.mirrors.values():
            if wanted in (memo.origin, memo.host):
                return memo
        return None

    def forget(self, memo: MirrorMemo) -> None:
        """A learnt mirror is forgotten; a profile mirror (the crawl keeps using it) only
        its history: it stays listed, with no run to demote it."""
        if memo.status != IN_PROFILE:
            del self.mirrors[memo.origin]
            return
        memo.runs = []
        memo.last_failure = memo.last_failure_at = memo.trusted_at = memo.verification = None

    def trust(self, memo: MirrorMemo, when: str | None = None) -> None:
        """A learnt mirror: used without (further) verification. A profile mirror, used
        without verification anyway: its failing runs so far no longer demote it."""
        when = when or now_iso()
        memo.trusted_at = when
        memo.verification = f"trusted by the operator at {when}"
        if memo.status != IN_PROFILE:
            memo.status = TRUSTED


class _Updating:
    def __init__(self, path: Path, warn: Callable[[str], Any] | None = None) -> None:
        self.path = path
        self.warn = warn
        self._fd: int | None = None

    def __enter__(self) -> MirrorMemory:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.with_name(self.path.name + ".lock")
        self._fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        wait_for_lock(self._fd)
        self.memory = MirrorMemory.load(self.path, self.warn)
        return self.memory

    def __exit__(self, exc_type: object, *rest: object) -> None:
        try:
            if exc_type is None:
                self.memory.save()
        finally:
            assert self._fd is not None
            os.close(self._fd)  # drops the lock


def _tell_once(path: Path, dropped: list[str], kept: int, warn: Callable[[str], Any]) -> None:
    """The one line on what was dropped, once per process for the file's current state (a
    crawl loads the memory in several places; the next write of it leaves them out)."""
    try:
        stat = path.stat()
        state = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        state = (str(path), 0, 0)
    if state in _TOLD:
        return
    _TOLD.add(state)
    warn(
        f"{path}: {count(len(dropped), 'damaged entry', 'damaged entries')} left out "
        f"(first: {dropped[0]}); {count(kept, 'mirror')} kept"
    )


_TOLD: set[tuple[str, int, int]] = set()


def _days_since(iso: str, now: datetime) -> float:
    try:
        then = datetime.fromisoformat(iso)
    except ValueError:
        return 0.0
    if then.tzinfo is None:
        then = then.replace(tzinfo=timezone.utc)
    return (now - then) / timedelta(days=1)


def remember_run(
    path: Path,
    profile_origins: Sequence[str],
    run_id: str,
    mirrors: Mapping[str, Mapping[str, Any]],
    *,
    after_runs: int,
    after_days: float,
) -> list[str]:
    """Add a finished run to the memory at ``path``; the notices it gives rise to."""
    with MirrorMemory.update(path) as memory:
        memory.know_profile(profile_origins)
        memory.note_run(run_id, mirrors)
        return memory.notices(after_runs, after_days)
