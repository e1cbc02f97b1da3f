"""Page objects run in worker processes.

BeautifulSoup costs several milliseconds a page, more than fetching and archiving it, and
Scrapy uses one core; parsing in a pool of processes is what lets a crawl (or a replay)
use the machine's other cores. Every function here is a pure (url, bytes) -> data call,
so the same code runs inline when ``workers`` is 0.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import multiprocessing
import multiprocessing.forkserver
import multiprocessing.resource_tracker
import os
import resource
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from archive.limits import WORKER_MEMORY_BYTES
from archive.simhash import text_simhash
from archive.worker_lifetime import sigint_blocked, start_worker
from scraper.sites import article_page_class, listing_page_class
from scraper.sites.html import decode_html
from scraper.sites.lxml_soup import tree_arena
from scraper.sites.profile_fields import FieldSelectors
from scraper.sites.profile_fields_page import article_page

T = TypeVar("T")
logger = logging.getLogger(__name__)


@dataclass
class ArticleResult:
    article: dict[str, Any] | None  # ArticleData.to_dict(), or None: the page holds no article
    links: list[str] = field(default_factory=list)
    simhash: int | None = None  # of the article's text, when asked for (see archive.simhash)


@dataclass
class ListingResult:
    article_links: list[str]
    next_page: str | None


def extract_article(
    extractor: str,
    url: str,
    body: bytes,
    content_type: str | None,
    timezone: str | None = None,
    *,
    links: bool = True,
    simhash: bool = False,
    fields: FieldSelectors | None = None,
) -> ArticleResult:
    """``links``: the page's links too (discovery; replay has no use for them). ``simhash``:
    the text's simhash too, so the process that versions the article need not compute it.
    ``fields``: the profile's ``[fields]`` selectors, read before the extractor's own."""
    zone = ZoneInfo(timezone) if timezone else None
    with tree_arena():
        page = article_page(extractor, url, decode_html(body, content_type), zone, fields)
        item = page.to_item()
        article = item.to_dict() if item is not None else None
        found = page.links() if links else []
    return ArticleResult(
        article,
        found,
        text_simhash(article.get("title"), article.get("body") or "")
        if simhash and article
        else None,
    )


def extract_listing(
    extractor: str, url: str, body: bytes, content_type: str | None
) -> ListingResult:
    with tree_arena():
        page = listing_page_class(extractor)(url, decode_html(body, content_type))
        return ListingResult(page.article_links(), page.next_page())


def default_workers() -> int:
    return max(1, (os.cpu_count() or 1))


def _start_worker(memory_bytes: int) -> None:
    start_worker()
    if memory_bytes:
        # A page that needs more memory fails here with MemoryError, sent back as the
        # page's error, instead of growing until the kernel kills something.
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    load_page_objects()


def load_page_objects() -> None:
    """Imports the page objects, so no worker pays for it on its first page. The forkserver
    does it once (``forkserver_preload``) and forks every worker with them loaded: each worker
    importing them took 0.2 s of a core at the start of every crawl and replay."""
    for name in ("presstv", "generic"):
        article_page_class(name)
        listing_page_class(name)
    # and numpy, for the simhash they compute (archive.simhash imports it when first asked)
    importlib.import_module("numpy")


class ExtractionPool:
    """``await pool.run(extract_article, ...)`` from asyncio code, ``pool.submit`` from plain code;
    inline when workers == 0.  Each worker runs under an address-space cap
    (``memory_bytes``); a worker that dies anyway (killed, crashed) breaks only the pages
    it had: the pool is started afresh for the next page."""

    def __init__(self, workers: int, memory_bytes: int = WORKER_MEMORY_BYTES) -> None:
        self.workers = workers
        self.memory_bytes = memory_bytes
        self.restarts = 0
        self._executor: ProcessPoolExecutor | None = None
        if workers > 0:
            self._executor = self._start()

    def _start(self) -> ProcessPoolExecutor:
        # forkserver: workers must not inherit the crawler's reactor, sockets and threads.
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["archive.forkserver_preload"])
        # Started now, not by the first page, and with SIGINT blocked: the forkserver and
        # every worker it forks inherit the mask, so a Ctrl-C during their start-up (imports
        # before the initializer runs) cannot kill one (see worker_lifetime).  The resource
        # tracker first: starting it unblocks SIGINT (CPython's own guard for that process).
        multiprocessing.resource_tracker.ensure_running()
        with sigint_blocked():
            multiprocessing.forkserver.ensure_running()
        return ProcessPoolExecutor(
            self.workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(self.memory_bytes,),
        )

    def _live_executor(self) -> Executor | None:
        executor = self._executor
        if executor is not None and getattr(executor, "_broken", False):
            logger.warning(
                "an extraction worker died (%s); its pages are reported, new workers started",
                executor._broken,
            )
            executor.shutdown(wait=False, cancel_futures=True)
            self.restarts += 1
            executor = self._executor = self._start()
        return executor

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        executor = self._live_executor()
        if executor is None:
            return function(*args)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, function, *args)

    def submit(self, function: Callable[..., T], *args: Any) -> Future[T]:
        """For callers without an event loop (replay); inline (already done) when workers == 0."""
        executor = self._live_executor()
        if executor is not None:
            return executor.submit(function, *args)
        future: Future[T] = Future()
        try:
            future.set_result(function(*args))
        except Exception as exc:  # delivered through the future, as a worker's would be
            future.set_exception(exc)
        return future

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)
            self._executor = None
