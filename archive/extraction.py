"""Page objects run in worker processes.

BeautifulSoup costs several milliseconds a page, more than fetching and archiving it, and
Scrapy uses one core; parsing in a pool of processes is what lets a crawl (or a replay)
use the machine's other cores. Every function here is a pure (url, bytes) -> data call,
so the same code runs inline when ``workers`` is 0.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from archive.simhash import text_simhash
from scraper.sites import article_page_class, listing_page_class
from scraper.sites.html import decode_html

T = TypeVar("T")


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
) -> ArticleResult:
    """``links``: the page's links too (discovery; replay has no use for them). ``simhash``:
    the text's simhash too, so the process that versions the article need not compute it."""
    zone = ZoneInfo(timezone) if timezone else None
    page = article_page_class(extractor)(url, decode_html(body, content_type), zone)
    item = page.to_item()
    article = item.to_dict() if item is not None else None
    return ArticleResult(
        article,
        page.links() if links else [],
        text_simhash(article.get("title"), article.get("body") or "")
        if simhash and article
        else None,
    )


def extract_listing(
    extractor: str, url: str, body: bytes, content_type: str | None
) -> ListingResult:
    page = listing_page_class(extractor)(url, decode_html(body, content_type))
    return ListingResult(page.article_links(), page.next_page())


def default_workers() -> int:
    return max(1, (os.cpu_count() or 1))


def _warm_up() -> None:
    # Import the page objects once per worker, not on its first page.
    for name in ("presstv", "generic"):
        article_page_class(name)
        listing_page_class(name)


class ExtractionPool:
    """``await pool.run(extract_article, ...)`` from asyncio code, ``pool.submit`` from plain code;
    inline when workers == 0."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: Executor | None = None
        if workers > 0:
            # forkserver: workers must not inherit the crawler's reactor, sockets and threads.
            context = multiprocessing.get_context("forkserver")
            self._executor = ProcessPoolExecutor(workers, mp_context=context, initializer=_warm_up)

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        if self._executor is None:
            return function(*args)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, function, *args)

    def submit(self, function: Callable[..., T], *args: Any) -> Future[T]:
        """For callers without an event loop (replay); inline (already done) when workers == 0."""
        if self._executor is not None:
            return self._executor.submit(function, *args)
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
