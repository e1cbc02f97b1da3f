"""Extraction processes live no longer than the process they work for, and leave Ctrl-C to
it.

A terminal sends Ctrl-C's SIGINT to its whole process group: the workers would die with
``KeyboardInterrupt`` mid-page while the crawl finishes its in-flight pages for a graceful
stop; they ignore it, and the crawl's own shutdown ends them.  A crawl killed outright
(``kill -9``, the OOM killer) cannot stop its workers: on Linux each asks the kernel for
SIGKILL when its parent dies (``PR_SET_PDEATHSIG``): the forkserver when the crawl dies
(``forkserver_preload`` is imported into it), each worker when the forkserver does.  Elsewhere that
is not available and nothing is done.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    """Ask for SIGKILL when the parent process exits (Linux only; a no-op elsewhere)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before the request: do not outlive it
        os._exit(1)


def start_worker() -> None:
    """A worker's first act: leave Ctrl-C to the process it works for, and die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
