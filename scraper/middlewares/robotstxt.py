"""Scrapy's robots.txt middleware, with every waiting request checked, and one line per host
whose robots.txt cannot be fetched.

In Scrapy 2.19 the requests that arrive while a host's robots.txt is still downloading all
await one Deferred; only the first gets the parser, the rest get None and are let through
unchecked (so a start request to a disallowed path is fetched). Reading the parser back
from the cache after the wait gives every request the real answer.

Scrapy logs a robots.txt it cannot download as an error with a traceback, once per request
that waited for it: without a network, a screenful per host. Here it is one warning per host
saying what it means.
"""

from __future__ import annotations

import logging

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        scrapy_logger = logging.getLogger(ScrapyRobotsTxtMiddleware.__module__)
        if not any(isinstance(f, _OneLinePerHost) for f in scrapy_logger.filters):
            scrapy_logger.addFilter(_OneLinePerHost())

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        cached = self._parsers.get(urlparse_cached(request).netloc)
        return parser if isinstance(cached, Deferred) else cached


class _OneLinePerHost(logging.Filter):
    """Scrapy's "Error downloading <robots.txt>" records: the first of each host as one
    warning line, the rest dropped."""

    def __init__(self) -> None:
        super().__init__()
        self.hosts: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if not (isinstance(record.msg, str) and record.msg.startswith("Error downloading")):
            return True
        values = record.args if isinstance(record.args, dict) else {}
        request, error = values.get("request"), values.get("f_exception")
        host = urlparse_cached(request).netloc if isinstance(request, Request) else "?"
        if host in self.hosts:
            return False
        self.hosts.add(host)
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
        record.msg = (
            "robots.txt of %s not fetched (%s: %s): its pages are fetched as if it allowed them"
        )
        record.args = (host, type(error).__name__, first_line[:200])
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.exc_info, record.exc_text = None, None
        return True
