"""One scheduled run: take the site lock, start the crawl as a child process, watch it.

Each run is its own process (``python -m scraper.cli crawl …``), in its own session, so a crash
or hang of one crawl never reaches the scheduler or the other runs. Its output is appended to
``<out>/logs/<job>.log``; the scheduler logs one line when it starts and one when it ends (exit
status, what it means, the run report).

Stopping a run, for overrunning ``max_runtime`` or because the scheduler is stopping: SIGTERM
to the crawl, which Scrapy takes as a graceful shutdown (requests in flight finish, the WARC is
closed, the run report says "interrupted"); if it is still alive ``stop_grace`` later, SIGKILL
to its whole process group (the crawl and any worker processes it started).
"""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import IO

from archive.layout import OutputLayout
from archive.site_lock import INHERITED_LOCK_ENV, LockHeld, LockHolder, SiteLock
from scraper.exit_status import EXIT_MEANINGS
from scraper.scheduling.config import Job

logger = logging.getLogger("newsarchive.schedule")
POLL_SECONDS = 0.2


@dataclass
class RunResult:
    job: str
    outcome: str  # "finished" | "skipped"
    exit_status: int | None = None  # negative: killed by that signal
    report: Path | None = None
    report_status: str | None = None  # the run report's "status": ok, failed, interrupted
    overran: bool = False
    killed: bool = False  # needed SIGKILL
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.outcome == "skipped" or self.exit_status == 0


@dataclass
class _Running:
    job: Job
    process: subprocess.Popen[bytes]
    started: float
    term_sent: float | None = None
    killed: bool = False
    overran: bool = False
    reasons: list[str] = field(default_factory=list)


def site_key(job: Job) -> str:
    """The site's name (the profile's ``name``), which names its lock, index and reports. A
    profile that does not load still gets a key, from its file name: the run is started anyway
    and fails with the crawl's own one-line error in the job's log."""
    from scraper.sites.profile import ProfileError, load_profile

    try:
        return load_profile(job.site).name
    except ProfileError:
        return re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(job.site).stem) or "site"


def who(holder: LockHolder | None) -> str:
    """`` (pid 1234 since 12:00)`` for a skip line. A holder that is this very process is a
    job of this scheduler between taking the lock and starting its crawl (two jobs of one
    site due together): naming our own pid would send the user looking for a run that is
    not there, so it says which job is starting instead."""
    if holder is None:
        return ""
    if holder.pid == os.getpid() and holder.host in (None, socket.gethostname()):
        return f" (job {holder.job}, starting)" if holder.job else " (starting)"
    return f" ({holder.describe()})"


def crawl_command(job: Job) -> list[str]:
    return [
        sys.executable,
        "-m",
        "scraper.cli",
        "crawl",
        job.site,
        "--out",
        str(job.out),
        *(("--tor", job.tor) if job.tor else ()),
        *job.args,
    ]


class JobRunner:
    """Runs jobs, one call of ``run`` per turn, from any number of threads. ``stop()`` makes
    every running crawl stop (SIGTERM, then SIGKILL after its ``stop_grace``) and no new one start."""

    def __init__(self, cwd: Path | None = None) -> None:
        self.cwd = cwd
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._running: dict[str, _Running] = {}
        self._idle = threading.Condition(self._lock)

    def run(
        self, job: Job, turn: datetime | None = None, command: Sequence[str] | None = None
    ) -> RunResult:
        """One run of ``job`` (``command`` replaces the crawl: tests use it). Never raises for
        anything the crawl does; returns what happened."""
        if self.stopping.is_set():
            return RunResult(job.name, "skipped", message="scheduler stopping")
        site = site_key(job)
        lock = SiteLock(OutputLayout(job.out).site_lock(site))
        try:
            lock.acquire(job=job.name)
        except LockHeld as held:
            message = f"skipped {job.name}: previous run of {site} still running{who(held.holder)}"
            logger.warning("%s", message)
            return RunResult(job.name, "skipped", message=message)
        try:
            if lock.stale is not None:
                logger.warning(
                    "%s: took over the stale lock %s (left by %s, which no longer holds it)",
                    job.name,
                    lock.path,
                    lock.stale.describe(),
                )
            return self._run_locked(job, site, lock, turn, list(command or crawl_command(job)))
        finally:
            lock.release()

    def _run_locked(
        self, job: Job, site: str, lock: SiteLock, turn: datetime | None, command: list[str]
    ) -> RunResult:
        layout = OutputLayout(job.out)
        log_path = layout.job_log(job.name)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        reports_before = set(layout.run_reports_of(site))
        with log_path.open("ab") as log:
            _log_line(
                log,
                f"=== {_now()} newsarchive schedule: job {job.name}"
                + (f", turn {turn.isoformat(timespec='seconds')}" if turn else "")
                + f": {' '.join(command)}",
            )
            with self._lock:
                if self.stopping.is_set():
                    return RunResult(job.name, "skipped", message="scheduler stopping")
                try:
                    process = subprocess.Popen(
                        command,
                        stdin=subprocess.DEVNULL,
                        stdout=log,
                        stderr=subprocess.STDOUT,
                        cwd=self.cwd,
                        pass_fds=(lock.fd,) if lock.fd is not None else (),
                        start_new_session=True,  # its own process group: SIGKILL reaches its workers
                        env={
                            **os.environ,
                            "PYTHONUNBUFFERED": "1",
                            INHERITED_LOCK_ENV: str(lock.path.resolve()),
                        },
                    )
                except OSError as exc:
                    message = f"failed {job.name}: cannot start {command[0]}: {exc.strerror or exc}"
                    logger.error("%s", message)
                    _log_line(log, message)
                    return RunResult(job.name, "finished", exit_status=127, message=message)
                running = _Running(job, process, time.monotonic())
                self._running[job.name] = running
            lock.set_holder(process.pid, job=job.name, supervisor=os.getpid())
            logger.info(
                "started %s (site %s, pid %d%s); log %s",
                job.name,
                site,
                process.pid,
                f", turn {_clock(turn)}" if turn else "",
                log_path,
            )
            try:
                status = self._watch(running)
                elapsed = time.monotonic() - running.started
                result = self._result(
                    job, running, status, elapsed, layout, site, reports_before, log_path
                )
                _log_line(log, f"=== {_now()} {result.message}")
            finally:  # idle only once the run's end is said
                with self._lock:
                    self._running.pop(job.name, None)
                    self._idle.notify_all()
        return result

    def _watch(self, running: _Running) -> int:
        job, process = running.job, running.process
        deadline = running.started + job.max_runtime.total_seconds() if job.max_runtime else None
        while True:
            try:
                return process.wait(timeout=POLL_SECONDS)
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if running.term_sent is None:
                if self.stopping.is_set():
                    self._terminate(running, "the scheduler is stopping")
                elif deadline is not None and now >= deadline:
                    running.overran = True
                    self._terminate(running, f"overran max_runtime {_span(job.max_runtime)}")
            elif not running.killed and now - running.term_sent >= job.stop_grace.total_seconds():
                logger.warning(
                    "%s: still running %s after SIGTERM: SIGKILL to pid %d and its process group",
                    job.name,
                    _span(job.stop_grace),
                    process.pid,
                )
                running.killed = True
                try:
                    # the pid (so the group id) cannot be reused before we reap it below
                    os.killpg(process.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def _terminate(self, running: _Running, why: str) -> None:
        logger.warning(
            "%s %s: SIGTERM to pid %d (graceful stop; SIGKILL in %s)",
            running.job.name,
            why,
            running.process.pid,
            _span(running.job.stop_grace),
        )
        running.term_sent = time.monotonic()
        running.reasons.append(why)
        try:
            running.process.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass

    def _result(
        self,
        job: Job,
        running: _Running,
        status: int,
        elapsed: float,
        layout: OutputLayout,
        site: str,
        reports_before: set[Path],
        log_path: Path,
    ) -> RunResult:
        new_reports = sorted(set(layout.run_reports_of(site)) - reports_before)
        report = new_reports[-1] if new_reports else None
        report_status = _report_status(report)
        if status < 0:
            try:
                meaning = f"killed by {signal.Signals(-status).name}"
            except ValueError:
                meaning = f"killed by signal {-status}"
        else:
            meaning = (
                report_status
                if report_status and status in (0, 1)
                else EXIT_MEANINGS.get(status, "error")
            )
        verb = "finished" if status in (0, 1) else "failed"
        extra = f" ({'; '.join(running.reasons)})" if running.reasons else ""
        where = f"report {report}" if report else f"no run report; see {log_path}"
        message = (
            f"{verb} {job.name}: exit {status} ({meaning}) after {_span(timedelta(seconds=elapsed), True)}"
            f"{extra}; {where}"
        )
        (logger.info if status == 0 else logger.warning)("%s", message)
        return RunResult(
            job.name,
            "finished",
            exit_status=status,
            report=report,
            report_status=report_status,
            overran=running.overran,
            killed=running.killed,
            message=message,
        )

    def stop(self) -> None:
        """Stop starting runs; the running ones are sent SIGTERM by their watchers."""
        self.stopping.set()

    def running(self) -> list[str]:
        with self._lock:
            return sorted(self._running)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no run is going (True) or ``timeout`` seconds passed (False)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._running:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._idle.wait(remaining)
        return True


def _report_status(report: Path | None) -> str | None:
    if report is None:
        return None
    import json

    from archive.run_summary import status_words

    try:
        # the closing line's words: "finished with 1 alert" beside exit 1, never "ok"
        return status_words(json.loads(report.read_text(encoding="utf-8")))
    except (OSError, ValueError, AttributeError):
        return None


def _log_line(log: IO[bytes], text: str) -> None:
    log.write(f"{text}\n".encode())
    log.flush()


def _now() -> str:
    return datetime.now(timezone.utc).astimezone().isoformat(timespec="seconds")


def _clock(moment: datetime) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M:%S}"


def _span(value: timedelta | None, fraction: bool = False) -> str:
    if value is None:
        return "-"
    seconds = value.total_seconds()
    if seconds < 60:
        return f"{seconds:.1f}s" if fraction else f"{seconds:g}s"
    minutes, secs = divmod(int(round(seconds)), 60)
    hours, minutes = divmod(minutes, 60)
    if hours:
        return f"{hours}h{minutes:02d}m" if not secs else f"{hours}h{minutes:02d}m{secs:02d}s"
    return f"{minutes}m{secs:02d}s" if secs else f"{minutes}m"
