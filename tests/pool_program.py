"""A program using the extraction pool, run by tests/test_worker_lifetime.py as a separate
process (so it can be interrupted or killed as a terminal or the OOM killer would)."""

from __future__ import annotations

import os
import signal
import sys
import time

from archive.extraction import ExtractionPool


def slow_page(seconds: float) -> int:
    time.sleep(seconds)
    return os.getpid()


def main() -> None:
    interrupted = []
    # As Scrapy does: the first Ctrl-C asks for a graceful stop, in-flight work finishes.
    signal.signal(signal.SIGINT, lambda *_: interrupted.append(True))
    pool = ExtractionPool(2, memory_bytes=0)
    futures = [pool.submit(slow_page, float(sys.argv[1])) for _ in range(2)]
    print("started", flush=True)
    pids = [future.result() for future in futures]
    print("finished", len(pids), "interrupted" if interrupted else "", flush=True)
    pool.close()


if __name__ == "__main__":
    main()
