"""The extraction pool under pages that take too much (issue 14, item 3): each worker has
an address-space cap, so a page needing more fails alone with MemoryError; a worker that
dies anyway is replaced, and the pages after it are extracted."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from archive.extraction import ExtractionPool
from archive.limits import too_large_to_extract

CAP = 512 * 1024 * 1024


def worker_pid() -> int:
    return os.getpid()


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def take(size: int) -> int:
    return len(bytearray(size))


@pytest.fixture
def pool() -> ExtractionPool:
    pool = ExtractionPool(1, memory_bytes=CAP)
    yield pool
    pool.close()


@pytest.mark.timeout(60)
def test_a_page_needing_more_than_the_cap_fails_alone(pool: ExtractionPool) -> None:
    with pytest.raises(MemoryError):
        pool.submit(take, 2 * CAP).result(timeout=30)
    assert pool.submit(take, 1024).result(timeout=30) == 1024
    assert pool.restarts == 0  # the worker survived its MemoryError


@pytest.mark.timeout(60)
def test_a_worker_that_dies_is_replaced_and_the_next_page_extracted(pool: ExtractionPool) -> None:
    first = pool.submit(worker_pid).result(timeout=30)
    with pytest.raises(Exception, match="terminated abruptly"):
        pool.submit(die).result(timeout=30)
    second = pool.submit(worker_pid).result(timeout=30)
    assert second != first and pool.restarts == 1


def test_the_size_limit_names_the_size_and_the_limit() -> None:
    assert too_large_to_extract(1000, limit=2000) is None
    assert too_large_to_extract(3000, limit=2000) == (
        "too large to extract: 3,000 bytes decoded (limit 2,000)"
    )
    assert too_large_to_extract(10**12, limit=0) is None  # 0: no limit


@pytest.mark.timeout(60)
def test_the_forkserver_loads_the_page_objects_so_no_worker_imports_them() -> None:
    """The forkserver imports them once and forks each worker with them loaded: each worker
    importing them itself cost 0.2 s of a core at the start of every crawl and replay."""
    program = (
        "import sys\n"
        "import archive.forkserver_preload\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(('scraper.sites.', 'numpy')))))\n"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=50, check=True
    ).stdout.split()
    # numpy too: the workers compute the simhash, which imports it when first asked
    assert {"scraper.sites.presstv", "scraper.sites.generic", "numpy"} <= set(loaded)


@pytest.mark.timeout(60)
def test_the_command_line_starts_without_numpy() -> None:
    """Every command imports the records, and with them the simhash; numpy, 40 ms of every
    start, is imported only by a process that computes one."""
    program = "import sys, scraper.cli.main\nprint('numpy' in sys.modules)\n"
    shown = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=50, check=True
    ).stdout.strip()
    assert shown == "False"
