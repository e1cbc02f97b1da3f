"""Extraction processes live no longer than the process they work for, and leave Ctrl-C to
it.

A terminal sends Ctrl-C's SIGINT to its whole process group: the workers would die with
``KeyboardInterrupt`` mid-page while the crawl finishes its in-flight pages for a graceful
stop; they ignore it, and the crawl's own shutdown ends them.  Ignoring it in the worker's
initializer comes too late for a Ctrl-C in a run's first second: the forkserver imports its
preload, a worker unpickles (imports) the page objects, both with Python's default handler.
So the forkserver is started with SIGINT blocked (``sigint_blocked``, as CPython starts its
resource tracker): it and every worker it forks inherit the mask, a Ctrl-C stays pending, and
the worker's initializer ignores SIGINT (which discards a pending one) before unblocking it.
A crawl killed outright
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
from collections.abc import Iterator
from contextlib import contextmanager

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


@contextmanager
def sigint_blocked() -> Iterator[None]:
    """SIGINT blocked in this thread meanwhile: a process started here inherits the mask; a
    Ctrl-C for this process waits until the block ends (no-op where there are no masks)."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def start_worker() -> None:
    """A worker's first act: leave Ctrl-C to the process it works for, and die with it.  The
    worker started with SIGINT blocked (see ``sigint_blocked``): ignored first, then let
    through, so a Ctrl-C pressed while it started is dropped, not delivered."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    die_with_parent()
