"""A program using the extraction pool, run by tests/test_worker_lifetime.py as a separate
process (so it can be interrupted or killed as a terminal or the OOM killer would).

``pool_program SECONDS [READY_DIR]``: two pages of SECONDS each; a worker that takes one
makes a file named after its pid in READY_DIR, so the test knows the workers are ready."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

from archive.extraction import ExtractionPool


def slow_page(seconds: float, ready_dir: str) -> int:
    if ready_dir:
        (Path(ready_dir) / str(os.getpid())).touch()
    time.sleep(seconds)
    return os.getpid()


def main() -> None:
    seconds = float(sys.argv[1])
    ready_dir = sys.argv[2] if len(sys.argv) > 2 else ""
    interrupted = []
    # As Scrapy does: the first Ctrl-C asks for a graceful stop, in-flight work finishes.
    signal.signal(signal.SIGINT, lambda *_: interrupted.append(True))
    print("listening", flush=True)  # from here on, Ctrl-C is the program's to handle
    pool = ExtractionPool(2, memory_bytes=0)
    futures = [pool.submit(slow_page, seconds, ready_dir) for _ in range(2)]
    print("started", flush=True)
    pids = [future.result() for future in futures]
    pool.close()
    # Done: a Ctrl-C still arriving must not kill the interpreter on its way out.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    print("finished", len(pids), "interrupted" if interrupted else "", flush=True)


if __name__ == "__main__":
    main()
