"""Extraction workers leave Ctrl-C to the crawl and die with it (issue 15, item 1)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def start(seconds: float, ready_dir: Path | None = None) -> subprocess.Popen[str]:
    """The pool program, once its own Ctrl-C handler is in place; with ``ready_dir``, once
    both workers have their pages too (each leaves a file there named after its pid)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.pool_program", str(seconds), str(ready_dir or "")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's job has
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "listening"
        if ready_dir is not None:
            assert process.stdout.readline().strip() == "started"
            deadline = time.monotonic() + 30  # a bound for a stuck start, not a speed target
            while len(list(ready_dir.iterdir())) < 2 and process.poll() is None:
                assert time.monotonic() < deadline, "the workers never took their pages"
                time.sleep(0.05)
    except BaseException:
        stop(process)
        raise
    return process


def stop(process: subprocess.Popen[str]) -> None:
    """Kill the program's whole process group (forkserver and workers too), whatever the
    test found: a failing test leaves nothing running on the machine."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    try:
        process.communicate(timeout=10)
    except (subprocess.TimeoutExpired, ValueError):
        pass


def descendants(pid: int) -> set[int]:
    """Every process below ``pid``, read from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.timeout(60)
def test_ctrl_c_at_a_terminal_lets_the_workers_finish_their_pages(tmp_path: Path) -> None:
    process = start(2.0, tmp_path)  # the pages are in the workers' hands
    try:
        os.killpg(process.pid, signal.SIGINT)  # what the terminal sends the whole job
        out, err = process.communicate(timeout=30)
        assert "KeyboardInterrupt" not in err and "BrokenProcessPool" not in err, err
        assert out.strip() == "finished 2 interrupted"
        assert process.returncode == 0
    finally:
        stop(process)


@pytest.mark.timeout(90)
def test_ctrl_c_while_the_pool_starts_breaks_no_worker() -> None:
    """Ctrl-C in a run's first second (issue 22, item 3): the forkserver importing its
    preload, a worker importing the page objects before its initializer ignores SIGINT.
    Ctrl-C is pressed again and again from the moment the program handles it until it is
    done, so every moment of the pool's start-up gets one, on a busy machine or an idle one."""
    process = start(1.0)
    sent = 0
    try:
        while process.poll() is None and sent < 20_000:
            try:
                os.killpg(process.pid, signal.SIGINT)
            except ProcessLookupError:
                break
            sent += 1
            time.sleep(0.002)
        out, err = process.communicate(timeout=30)
        assert "KeyboardInterrupt" not in err and "BrokenProcessPool" not in err, err
        assert out.strip() == "started\nfinished 2 interrupted", err
        assert process.returncode == 0
    finally:
        stop(process)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.timeout(60)
def test_kill_9_leaves_no_worker_or_forkserver_behind(tmp_path: Path) -> None:
    process = start(30.0, tmp_path)
    helpers = descendants(process.pid)
    assert len(helpers) >= 3, "a forkserver and two workers"
    os.kill(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(alive(pid) for pid in helpers):
        time.sleep(0.2)
    left = [pid for pid in helpers if alive(pid)]
    for pid in left:  # never leave them to the machine, even when the test fails
        os.kill(pid, signal.SIGKILL)
    assert left == [], f"processes outlived the crawl: {left}"
