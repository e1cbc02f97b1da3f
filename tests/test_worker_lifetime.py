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


def start(seconds: float) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.pool_program", str(seconds)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's job has
    )
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "started"
    return process


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
def test_ctrl_c_at_a_terminal_lets_the_workers_finish_their_pages() -> None:
    process = start(2.0)
    time.sleep(0.5)  # the pages are in the workers' hands
    os.killpg(process.pid, signal.SIGINT)  # what the terminal sends the whole job
    out, err = process.communicate(timeout=30)
    assert "KeyboardInterrupt" not in err and "BrokenProcessPool" not in err, err
    assert out.strip() == "finished 2 interrupted"
    assert process.returncode == 0


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
@pytest.mark.timeout(60)
def test_kill_9_leaves_no_worker_or_forkserver_behind() -> None:
    process = start(30.0)
    time.sleep(0.5)
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
