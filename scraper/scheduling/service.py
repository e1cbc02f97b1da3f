"""``newsarchive schedule``: the long-running service, and ``--once`` for cron and systemd timers.

The service is APScheduler 3 (a ``BackgroundScheduler``; the main thread waits for SIGTERM or
SIGINT): a ``CronTrigger`` or ``IntervalTrigger`` per job, ``max_instances=1`` (a turn that
comes while the job's previous run is still going is skipped, and said so), ``coalesce=True``
(turns missed while the machine slept make one run) and ``misfire_grace_time`` (a turn more
than ``misfire_grace`` late is not run). Every run goes through ``JobRunner``: the site lock,
a child process, ``max_runtime``.

``--once`` runs the jobs that are due and waits for them. Due means a turn in (the turn the
job's last run took, now], at most ``misfire_grace`` old; the turns taken are kept in
``<out>/state/schedule.json`` (written atomically, under a lock), so cron calling ``--once``
every minute runs each turn once, and a run still going when the next ``--once`` comes is
skipped by its site lock. With no state yet, ``misfire_grace`` is the catch-up window: a job
whose latest turn is within it runs.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import signal
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from types import FrameType
from typing import Any

from archive.layout import OutputLayout
from archive.site_lock import read_holder
from archive.wording import count, noun
from scraper.scheduling.config import Job, ScheduleConfig, format_span
from scraper.scheduling.job_runner import JobRunner, RunResult, site_key, who

logger = logging.getLogger("newsarchive.schedule")
STATE_LOCK_SECONDS = 30.0


class ScheduleState:
    """``<out>/state/schedule.json``: per job, the turn its last run took and how that run went.

    Read-modify-write under ``flock`` of ``schedule.json.lock`` (the service, a ``--once`` and a
    manual ``--once`` may share an output directory), replaced atomically (a reader never sees
    half a file; a crash mid-write leaves the old one)."""

    def __init__(self, out: Path) -> None:
        self.path = OutputLayout(out).schedule_state
        self.jobs: dict[str, dict[str, Any]] = {}

    @contextmanager
    def locked(self) -> Iterator[ScheduleState]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(
            self.path.with_name(self.path.name + ".lock"),
            os.O_RDWR | os.O_CREAT | os.O_CLOEXEC,
            0o644,
        )
        try:
            deadline = time.monotonic() + STATE_LOCK_SECONDS
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(
                            f"{self.path}: locked by another process for {STATE_LOCK_SECONDS:g}s"
                        ) from None
                    time.sleep(0.05)
            self.jobs = self.read()
            yield self
            self._write()
        finally:
            os.close(fd)

    def last_turn(self, job: str) -> datetime | None:
        value = self.jobs.get(job, {}).get("last_turn")
        try:
            return datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            return None

    def update(self, job: str, **values: Any) -> None:
        self.jobs.setdefault(job, {}).update(values)

    def read(self) -> dict[str, dict[str, Any]]:
        """The jobs' records as on disk (without the lock: for display)."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            logger.warning("%s unreadable (%s): starting from no state", self.path, exc)
            return {}
        jobs = data.get("jobs") if isinstance(data, dict) else None
        return (
            {k: v for k, v in jobs.items() if isinstance(v, dict)} if isinstance(jobs, dict) else {}
        )

    def _write(self) -> None:
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(
            json.dumps(
                {"format": "newsarchive/schedule-state/1", "jobs": self.jobs},
                indent=2,
                sort_keys=True,
            )
            + "\n",
            encoding="utf-8",
        )
        os.replace(tmp, self.path)


def run_once(config: ScheduleConfig, now: datetime | None = None, cwd: Path | None = None) -> int:
    """Run the due jobs, wait for them; 0 if every run was fine (or nothing was due), 1 if any
    run failed or was stopped."""
    now = now or datetime.now(timezone.utc)
    due: list[tuple[Job, datetime]] = []
    for job in config.jobs:
        state = ScheduleState(job.out)
        with state.locked():
            turn = job.due_turn(state.last_turn(job.name), now)
            if turn is None:
                continue
            # Taken before the run starts: a second --once (next minute, or by hand) sees the
            # turn done; if the run cannot start (site locked), the turn is skipped, not retried.
            state.update(job.name, last_turn=turn.isoformat(timespec="seconds"))
        due.append((job, turn))
    if not due:
        logger.info("nothing due at %s (%s)", _clock(now), count(len(config.jobs), "job"))
        return 0
    runner = JobRunner(cwd=cwd)
    with _stop_on_signals(runner):
        with ThreadPoolExecutor(max_workers=len(due), thread_name_prefix="job") as pool:
            results = list(pool.map(lambda item: _run_and_record(runner, *item), due))
    return 0 if all(result.ok for result in results) else 1


def serve(config: ScheduleConfig, cwd: Path | None = None) -> int:
    """Run until SIGTERM or SIGINT; then stop the running crawls (SIGTERM, SIGKILL after their
    ``stop_grace``), wait for them, exit 0."""
    from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED, JobExecutionEvent
    from apscheduler.executors.pool import ThreadPoolExecutor as APSThreadPool
    from apscheduler.schedulers.background import BackgroundScheduler

    # Our own lines say what happens (started, finished, skipped, missed), in one format.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    runner = JobRunner(cwd=cwd)
    jobs = {job.name: job for job in config.jobs}
    scheduler = BackgroundScheduler(
        executors={"default": APSThreadPool(max_workers=len(jobs))},
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=timezone.utc,
    )

    def turn(name: str) -> None:
        job = jobs[name]
        now = datetime.now(timezone.utc)
        taken = job.latest_fire_time(now - job.misfire_grace, now) or now
        _run_and_record(runner, job, taken)

    def skipped_or_missed(event: JobExecutionEvent) -> None:
        job = jobs.get(event.job_id)
        if job is None:
            return
        if event.code == EVENT_JOB_MAX_INSTANCES:
            site = site_key(job)
            holder = read_holder(OutputLayout(job.out).site_lock(site))
            logger.warning(
                "skipped %s: previous run of %s still running%s", job.name, site, who(holder)
            )
        else:
            logger.warning(
                "missed %s: its turn at %s came more than misfire_grace %s late",
                job.name,
                _clock(event.scheduled_run_time),
                format_span(job.misfire_grace),
            )

    scheduler.add_listener(skipped_or_missed, EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
    for job in config.jobs:
        scheduler.add_job(
            turn,
            trigger=job.trigger(),
            args=[job.name],
            id=job.name,
            name=job.name,
            misfire_grace_time=int(job.misfire_grace.total_seconds()) or 1,
        )
    # The handler only notes the signal: taking a lock in a signal handler can deadlock with
    # the very code it interrupted.
    signals: list[int] = []
    previous = {
        sig: signal.signal(sig, lambda number, frame: signals.append(number))
        for sig in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        scheduler.start()
        logger.info(
            "scheduler started (pid %d): %s",
            os.getpid(),
            "; ".join(
                f"{job.name} {job.schedule_text}, next {_clock(scheduler.get_job(job.name).next_run_time)}"
                for job in config.jobs
            ),
        )
        while not signals:
            time.sleep(0.2)
        running = runner.running()
        logger.info(
            "%s: stopping%s",
            signal.Signals(signals[0]).name,
            f", SIGTERM to {count(len(running), 'running job')}: {', '.join(running)}"
            if running
            else "",
        )
        runner.stop()
        scheduler.shutdown(wait=False)
        bound = max(job.stop_grace.total_seconds() for job in config.jobs) + 10
        if not runner.wait_idle(bound):
            logger.error(
                "stopped with %s still running after %gs: %s",
                noun(len(runner.running()), "a job", "jobs"),
                bound,
                ", ".join(runner.running()),
            )
            return 1
        logger.info("stopped")
        return 0
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _run_and_record(runner: JobRunner, job: Job, turn: datetime) -> RunResult:
    started = datetime.now(timezone.utc)
    try:
        result = runner.run(job, turn)
    except Exception as exc:  # a bug here must not end the service: say it, go on
        logger.exception("%s: run failed to start: %s", job.name, exc)
        result = RunResult(job.name, "finished", exit_status=-1, message=str(exc))
    state = ScheduleState(job.out)
    try:
        with state.locked():
            values: dict[str, Any] = {"last_turn": turn.isoformat(timespec="seconds")}
            if result.outcome == "skipped":
                values["last_skipped"] = started.isoformat(timespec="seconds")
            else:
                values.update(
                    last_started=started.isoformat(timespec="seconds"),
                    last_finished=datetime.now(timezone.utc).isoformat(timespec="seconds"),
                    last_exit=result.exit_status,
                    last_report=str(result.report) if result.report else None,
                )
            state.update(job.name, **values)
    except (OSError, TimeoutError) as exc:
        logger.error("%s: cannot record the run in %s: %s", job.name, state.path, exc)
    return result


@contextmanager
def _stop_on_signals(runner: JobRunner) -> Iterator[None]:
    """SIGTERM/SIGINT while ``--once`` waits: stop the runs gracefully (as the service does)."""

    def handler(number: int, frame: FrameType | None) -> None:
        runner.stop()  # sets an Event nothing else waits on: no lock the main thread could hold

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _clock(moment: datetime | None) -> str:
    return f"{moment.astimezone():%Y-%m-%d %H:%M:%S %Z}" if moment else "never"
