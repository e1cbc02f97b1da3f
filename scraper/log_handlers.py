"""Where a crawl's log lines go, when the newsarchive command runs it: stderr, concise, and a
file per run with everything.

Scrapy opens every run with its versions, add-ons, component lists and overridden settings,
and ends it with its stats dict: a hundred lines before the first page, read by nobody at a
terminal or in cron mail. Below ``--log-level DEBUG`` they go to the run's log file
(``OUT/logs/<run-id>.log``) only, as does the run report's closing lines, which the command's
own summary repeats. What stays on stderr: progress lines, warnings, errors and the summary.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from archive.index.sqlite_damage import IndexDamagedError

# Loggers whose INFO lines are start-up and close-down bookkeeping.
CHATTER = (
    "scrapy.utils.log",
    "scrapy.addons",
    "scrapy.middleware",
    "scrapy.crawler",
    "scrapy.core.engine",
    "scrapy.extensions.telnet",
    "scrapy.statscollectors",
    "scraper.extensions.run_report",
)
# Loggers whose warnings our own lines repeat with the outcome: "Gave up retrying" is followed
# by the failover to a mirror, or by the "failed article …" line.
REPEATED_WARNINGS = ("scrapy.downloadermiddlewares.retry",)
# Warnings that tell a user nothing to act on: the log file keeps them, the console leaves
# them out (issue 22, item 12). Scrapy calls every aiohttp-based handler experimental; ours
# (SOCKS proxies, scraper/proxied_download.py) is chosen knowingly and tested here.
_NOT_FOR_USERS = (("scrapy.core.downloader.handlers", "SocksDownloadHandler is experimental"),)
TEXT_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"


class _IsoTimeJsonFormatter(JsonFormatter):
    """``time`` in ISO 8601 with its UTC offset, the one format every line uses (the log
    module's default, "2026-12-05 09:35:39,123", says no zone)."""

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, timezone.utc).isoformat(
            timespec="milliseconds"
        )


def json_formatter() -> logging.Formatter:
    return _IsoTimeJsonFormatter(
        "{asctime}{levelname}{name}{message}",
        style="{",
        rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
    )


def _not_for_users(record: logging.LogRecord) -> bool:
    """A warning of a library that says nothing a user can act on: Scrapy's "experimental"
    download handler, or "Disabled <our component>: X is off" for a component its own
    setting turned off (the WARC capture on ``--from-warc``: an offline crawl writes none)."""
    if record.levelno >= logging.ERROR:
        return False
    if record.name == "scrapy.middleware" and isinstance(record.args, dict):
        component, why = str(record.args.get("clspath", "")), str(record.args.get("eargs", ""))
        return component.startswith("scraper.") and why.endswith(" is off")
    message = record.getMessage()
    return any(
        record.name.startswith(name) and message.startswith(start) for name, start in _NOT_FOR_USERS
    )


class _WithoutChatter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            return True
        if _not_for_users(record):
            return False
        quiet = CHATTER if record.levelno < logging.WARNING else REPEATED_WARNINGS
        return record.name not in quiet and not record.name.startswith(
            tuple(n + "." for n in quiet)
        )


# ``extra={CLOSING_SUMMARY: True}``: a line the newsarchive command prints itself in its
# closing summary (an ALERT), so its console leaves the log record out; the log file keeps it.
CLOSING_SUMMARY = "closing_summary"


def _not_in_closing_summary(record: logging.LogRecord) -> bool:
    if getattr(record, CLOSING_SUMMARY, False):
        return False
    # A damaged index stops the run with one line in the closing summary (scraper.index_damage):
    # the pages in flight when it was found would each say it again, with a traceback.
    return not (record.exc_info and isinstance(record.exc_info[1], IndexDamagedError))


def install(settings: Any, log_format: str, log_file: Path) -> None:
    """Our root handlers instead of Scrapy's, from the very first line: stderr at the run's
    LOG_LEVEL (chatter only at DEBUG), and ``log_file`` with every line from INFO up."""
    level = logging.getLevelName(str(settings.get("LOG_LEVEL")).upper())
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    settings.set("LOG_LEVEL", "DEBUG" if level == logging.DEBUG else "INFO", priority="cmdline")
    console = logging.StreamHandler(sys.stderr)
    console.setFormatter(
        json_formatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
    )
    console.setLevel(level)
    if level > logging.DEBUG:
        console.addFilter(_WithoutChatter())
    console.addFilter(_not_in_closing_summary)
    log_file.parent.mkdir(parents=True, exist_ok=True)
    written = logging.FileHandler(log_file, encoding="utf-8")
    written.setFormatter(logging.Formatter(TEXT_FORMAT))
    written.setLevel(min(level, logging.INFO))
    logging.root.setLevel(logging.NOTSET)
    logging.root.addHandler(console)
    logging.root.addHandler(written)
    global _console
    _console = console


_console: logging.Handler | None = None


def console_handler() -> logging.Handler | None:
    """The handler writing log lines to the terminal: ours when the newsarchive command
    installed it, else Scrapy's (``scrapy crawl``); None when neither did."""
    from scrapy.utils.log import get_scrapy_root_handler

    return _console if _console is not None else get_scrapy_root_handler()
