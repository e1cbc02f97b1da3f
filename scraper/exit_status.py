"""What a ``newsarchive`` command's exit status means, and the error that gives status 2.

Its own module, imported by every command module and by the scheduler (which reads its
child crawls' status): a class defined in ``scraper/cli/main.py`` would be defined twice
under ``python -m scraper.cli`` (once as ``__main__``), and one copy would escape
``main()``'s handler.
"""

EXIT_OK = 0  # all good
EXIT_FAILURES = 1  # finished, but something failed or raised an alert (see the run report)
EXIT_USAGE = 2  # bad arguments or configuration: one line, no traceback

EXIT_MEANINGS = {
    EXIT_OK: "ok",
    EXIT_FAILURES: "finished with failures or an alert",
    EXIT_USAGE: "usage or configuration error",
}


class UsageError(Exception):
    """Bad arguments or configuration: reported in one line, exit status 2."""
