"""Scrapy's robots.txt middleware, with every waiting request checked.

In Scrapy 2.19 the requests that arrive while a host's robots.txt is still downloading all
await one Deferred; only the first gets the parser, the rest get None and are let through
unchecked (so a start request to a disallowed path is fetched). Reading the parser back
from the cache after the wait gives every request the real answer.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as ScrapyRobotsTxtMiddleware
from scrapy.robotstxt import RobotParser
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class RobotsTxtMiddleware(ScrapyRobotsTxtMiddleware):
    async def robot_parser(self, request: Request) -> RobotParser | None:
        parser = await super().robot_parser(request)
        cached = self._parsers.get(urlparse_cached(request).netloc)
        return parser if isinstance(cached, Deferred) else cached
