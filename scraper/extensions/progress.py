"""Progress on long runs: a live panel on a terminal, plain log lines otherwise.

``NEWSARCHIVE_PROGRESS``: ``auto`` (live on a terminal, lines elsewhere), ``live``, ``lines``
or ``off``; ``NEWSARCHIVE_PROGRESS_INTERVAL`` seconds between lines (0 turns progress off).
Lines carry their figures as structured fields too (``pages``, ``pages_per_s``, …), so
``--log-format json`` gives log shippers numbers rather than prose.

The live panel shows pages/s and the pages queued, articles new / changed / unchanged / skipped
as known (with ``--max-articles``: how many of them are done and a rough time left), pages
failed after every mirror was tried, and per mirror what became of its requests, in the words
of the closing summary (``archive.mirror_tally``: they add up, retries included). While it is up, log records below WARNING are held back from the terminal
(they would scroll the panel away); warnings and errors print above it.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import create_looping_call

from archive.mirror_tally import mirror_tally
from archive.wording import count, duration
from scraper.log_handlers import console_handler
from scraper.run import ArchiveRun

logger = logging.getLogger(__name__)

MODES = ("auto", "live", "lines", "off")
LIVE_REFRESH_SECONDS = 0.5


class ProgressExtension:
    def __init__(self, crawler: Crawler, mode: str, interval: float) -> None:
        self.crawler = crawler
        self.mode = mode
        self.interval = interval
        self.task: Any = None
        self.started = time.monotonic()
        self.last = (self.started, 0, 0)
        self.live: Any = None
        self._handler_state: tuple[logging.Handler, Any, int] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        settings = crawler.settings
        interval = settings.getfloat("NEWSARCHIVE_PROGRESS_INTERVAL")
        mode = settings.get("NEWSARCHIVE_PROGRESS") or "auto"
        if mode not in MODES:
            raise ValueError(
                f"NEWSARCHIVE_PROGRESS must be one of {', '.join(MODES)}, got {mode!r}"
            )
        if mode == "auto":
            mode = (
                "live"
                if sys.stderr.isatty() and settings.get("NEWSARCHIVE_LOG_FORMAT") == "text"
                else "lines"
            )
        if mode == "off" or interval <= 0:
            raise NotConfigured
        extension = cls(crawler, mode, interval)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self.last = (self.started, 0, 0)
        if self.mode == "live":
            self._start_live()
            self.task = create_looping_call(self.refresh)
            self.task.start(LIVE_REFRESH_SECONDS, now=True)
        else:
            self.task = create_looping_call(self.log)
            self.task.start(self.interval, now=False)

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        if self.live is not None:
            self.refresh()
            self.live.stop()
            self.live = None
            if self._handler_state is not None:
                handler, stream, level = self._handler_state
                if isinstance(handler, logging.StreamHandler):
                    handler.setStream(stream)
                handler.setLevel(level)

    # -- figures --------------------------------------------------------------------------

    def figures(self) -> dict[str, Any]:
        stats = self.crawler.stats
        assert stats is not None
        values = stats.get_stats()
        now = time.monotonic()
        pages = int(values.get("response_received_count", 0))
        articles = int(values.get("item_scraped_count", 0))
        then, pages_then, articles_then = self.last
        elapsed = max(now - then, 1e-9)
        self.last = (now, pages, articles)
        unchanged = int(values.get("newsarchive/unchanged/same_text", 0)) + int(
            values.get("newsarchive/unchanged/not_modified", 0)
        )
        # requests the scheduler holds: the work left that is known so far
        queued = int(values.get("scheduler/enqueued", 0)) - int(values.get("scheduler/dequeued", 0))
        limit = getattr(self.crawler.spider, "max_articles", None)
        return {
            "pages": pages,
            "pages_per_s": round((pages - pages_then) / elapsed, 1),
            "articles": articles,
            "articles_per_s": round((articles - articles_then) / elapsed, 1),
            "new": int(values.get("newsarchive/new", 0)),
            "changed": int(values.get("newsarchive/changed", 0)),
            "unchanged": unchanged,
            "known": int(values.get("newsarchive/skipped/known", 0)),
            "failures": sum(
                int(v) for k, v in values.items() if k.startswith("newsarchive/failed/")
            ),
            "elapsed_s": round(now - self.started, 1),
            "queued": max(queued, 0),
            # --max-articles: articles fetched and read (recorded or unchanged) count towards it
            "max_articles": limit,
            "articles_done": articles + unchanged,
        }

    def time_left(self, f: dict[str, Any]) -> float | None:
        """Seconds until --max-articles at the run's pace so far; None when unbounded or
        nothing is done yet (a guess: a run also ends when the site has no more articles)."""
        limit, done = f["max_articles"], f["articles_done"]
        if not limit or not done or f["elapsed_s"] <= 0:
            return None
        return max(limit - done, 0) * f["elapsed_s"] / done

    def mirror_tallies(self) -> dict[str, str]:
        """Per mirror, what became of its requests (``archive.mirror_tally``)."""
        mirrors = ArchiveRun.of(self.crawler).mirrors
        if mirrors is None:
            return {}
        return {origin: mirror_tally(mirror) for origin, mirror in mirrors.report().items()}

    # -- plain lines ----------------------------------------------------------------------

    def log(self) -> None:
        f = self.figures()
        bounded = (
            f" ({f['articles_done']:,} of {f['max_articles']:,} --max-articles)"
            if f["max_articles"]
            else ""
        )
        logger.info(
            "progress: %s (%.1f/s), %s%s (%.1f/s): %d new, %d changed, "
            "%d unchanged, %d skipped as known; %s failed (every mirror tried); %d queued",
            count(f["pages"], "page"),
            f["pages_per_s"],
            count(f["articles"], "article"),
            bounded,
            f["articles_per_s"],
            f["new"],
            f["changed"],
            f["unchanged"],
            f["known"],
            count(f["failures"], "page"),
            f["queued"],
            extra={"progress": f},
        )

    # -- live panel -----------------------------------------------------------------------

    def _start_live(self) -> None:
        from rich.console import Console
        from rich.live import Live

        console = Console(stderr=True)
        self.live = Live(
            console=console, refresh_per_second=4, redirect_stderr=True, transient=False
        )
        self.live.start()
        handler = console_handler()
        if handler is not None:
            stream = (
                handler.setStream(sys.stderr)
                if isinstance(handler, logging.StreamHandler)
                else None
            )
            self._handler_state = (handler, stream, handler.level)
            handler.setLevel(max(handler.level, logging.WARNING))

    def refresh(self) -> None:
        if self.live is not None:
            self.live.update(self.panel())

    def panel(self) -> Any:
        from rich.table import Table

        f = self.figures()
        spider = self.crawler.spider
        elapsed = time.strftime("%H:%M:%S", time.gmtime(f["elapsed_s"]))
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold")
        table.add_column()
        table.add_row(getattr(spider, "name", "crawl"), f"running {elapsed}")
        table.add_row("pages", f"{f['pages']:,} ({f['pages_per_s']:.1f}/s), {f['queued']:,} queued")
        done = ""
        if f["max_articles"]:
            done = f"{f['articles_done']:,} of {f['max_articles']:,} (--max-articles)"
            left = self.time_left(f)
            if left is not None:
                done += f", about {duration(left)} left"
            done += "; "
        table.add_row(
            "articles",
            f"{done}{f['articles']:,} recorded: {f['new']:,} new, {f['changed']:,} changed; "
            f"{f['unchanged']:,} unchanged, {f['known']:,} skipped as known",
        )
        table.add_row("pages failed", f"{f['failures']:,} (every mirror tried)")
        for origin, tally in self.mirror_tallies().items():
            table.add_row(f"  {origin}", tally)
        return table
