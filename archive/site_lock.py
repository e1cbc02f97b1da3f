"""One run per site and output directory at a time: ``<out>/state/<site>.lock``, taken by
the scheduler for the crawls it starts and by a crawl started by hand (a shared crawl through
Redis excepted: its workers may share an output directory by design).

The lock is ``flock(LOCK_EX | LOCK_NB)`` on that file. The kernel drops it when the last
descriptor of the open file goes away, however its holder ended: a SIGKILLed crawl (or
scheduler) leaves no lock behind to wait for, only the file. The holder writes who it is
(pid, host, start time, job) into the file, so a run that finds the lock taken can say why it
skips ("pid 1234 since 12:00"), and one that finds it free with someone's details still in it
knows the last holder died without cleaning up (a stale lock) and says so.

The scheduler passes the locked descriptor to the crawl it starts (``pass_fds``), so the lock
lasts as long as the crawl itself does, even if the scheduler is killed first. The file is
never deleted: unlinking a flock file races with a process that has just opened it.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class LockHolder:
    """Who holds (or last held) a site lock, as written in the lock file."""

    pid: int | None
    host: str | None
    since: datetime | None
    job: str | None = None
    supervisor: int | None = None  # the scheduler process that started the holder

    def describe(self, now: datetime | None = None) -> str:
        """``pid 1234 since 12:00`` (the date too when not today; the host when not this one)."""
        parts = [f"pid {self.pid}" if self.pid else "pid unknown"]
        if self.host and self.host != socket.gethostname():
            parts.append(f"on {self.host}")
        if self.since is not None:
            local = self.since.astimezone()
            today = (now or datetime.now(timezone.utc)).astimezone().date()
            parts.append(
                f"since {local:%H:%M}" if local.date() == today else f"since {local:%Y-%m-%d %H:%M}"
            )
        return " ".join(parts)

    def to_json(self) -> str:
        return json.dumps(
            {
                "pid": self.pid,
                "host": self.host,
                "job": self.job,
                "supervisor": self.supervisor,
                "since": self.since.isoformat(timespec="seconds") if self.since else None,
            }
        )

    @classmethod
    def parse(cls, text: str) -> LockHolder | None:
        """The holder written in a lock file; None when it is empty. Text that is not ours
        (half written, or another tool's) still makes a holder, with what could be read."""
        text = text.strip()
        if not text:
            return None
        try:
            data: Any = json.loads(text)
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return cls(pid=None, host=None, since=None)

        def integer(key: str) -> int | None:
            value = data.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else None

        since = None
        if isinstance(data.get("since"), str):
            try:
                since = datetime.fromisoformat(data["since"])
            except ValueError:
                pass
        return cls(
            pid=integer("pid"),
            host=data.get("host") if isinstance(data.get("host"), str) else None,
            since=since,
            job=data.get("job") if isinstance(data.get("job"), str) else None,
            supervisor=integer("supervisor"),
        )


class LockHeld(Exception):
    """The site lock is held by a live process."""

    def __init__(self, path: Path, holder: LockHolder | None) -> None:
        super().__init__(f"{path} is held by {holder.describe() if holder else 'another process'}")
        self.path = path
        self.holder = holder


# Set by the scheduler in the environment of the crawl it starts, to the (resolved) path of
# the lock it holds for it: that crawl must not try to take its own lock a second time.
INHERITED_LOCK_ENV = "NEWSARCHIVE_SITE_LOCK"


def read_holder(path: Path) -> LockHolder | None:
    """Who the lock file names, without taking the lock (None: nobody, or no file)."""
    try:
        return LockHolder.parse(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return None


def running_holder(path: Path) -> LockHolder | None:
    """Who holds the lock now (a run in progress), without taking it or writing the file:
    for reading commands (``state``), which may be on a read-only archive. None when nobody
    holds it, a killed holder's details left in the file included."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return LockHolder.parse(_read_all(fd)) or LockHolder(pid=None, host=None, since=None)
        except OSError:
            return None
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


class SiteLock:
    """``acquire()`` or raise ``LockHeld``, never wait; ``release()`` (or the holder's death)
    frees it. ``stale`` is the previous holder when it died holding the lock."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None
        self.stale: LockHolder | None = None

    def acquire(self, job: str | None = None) -> SiteLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = LockHolder.parse(_read_all(fd))
            os.close(fd)
            raise LockHeld(self.path, holder) from None
        except BaseException:
            os.close(fd)
            raise
        # Free, yet someone's details are in it: that holder ended without releasing (killed).
        self.stale = LockHolder.parse(_read_all(fd))
        self.fd = fd
        try:
            self.set_holder(os.getpid(), job=job)
        except OSError as exc:  # a full disk: say which file could not be written
            self.release()
            raise OSError(exc.errno, exc.strerror, str(self.path)) from exc
        return self

    def set_holder(self, pid: int, job: str | None = None, supervisor: int | None = None) -> None:
        """Name ``pid`` as the holder (the crawl, once started; the scheduler before that)."""
        if self.fd is None:
            raise RuntimeError("lock not held")
        holder = LockHolder(
            pid=pid,
            host=socket.gethostname(),
            since=datetime.now(timezone.utc),
            job=job,
            supervisor=supervisor,
        )
        data = (holder.to_json() + "\n").encode("utf-8")
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, data, 0)

    def release(self) -> None:
        """Empty the file (a clean release leaves no holder behind), then unlock."""
        if self.fd is None:
            return
        try:
            os.ftruncate(self.fd, 0)
        finally:
            os.close(self.fd)  # also drops the flock, unless a child still has the descriptor
            self.fd = None

    def __enter__(self) -> SiteLock:
        return self.acquire() if self.fd is None else self

    def __exit__(self, *exc: object) -> None:
        self.release()


def _read_all(fd: int) -> str:
    chunks = []
    offset = 0
    while True:
        chunk = os.pread(fd, 4096, offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks).decode("utf-8", "replace")
