"""Scrapy's redirect middlewares, kept inside the site.

A mirror that redirects to a host outside the site (a registrar's parking page, a look-alike
domain, a national block portal) must not be followed: its pages are not the site's, and
the redirect itself is the evidence. These subclasses leave such a 3xx (or meta refresh)
response alone and note the target in ``request.meta["offsite_redirect"]``
(``OFFSITE_META``); the mirror failover middleware then counts it as a failure of that
mirror and tries the next one. A loop or too long a chain raises ``RedirectFailed``; both
names live in ``scraper.crawl_failures``, which the spider reads too. Redirects within the
site (any host of the profile, aliases included) are followed as usual. robots.txt requests
(no site profile in their meta) of a site host are kept on the site the same way; requests
of other hosts behave as in Scrapy.
"""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from scraper.crawl_failures import OFFSITE_META, RedirectFailed


class _StaysOnSite:
    crawler: Any

    def _followed(self, request: Request, response: Response) -> Request | Response:
        try:
            result = super().process_response(request, response)  # type: ignore[misc]
        except IgnoreRequest as exc:
            if "max redirections" in str(exc):
                chain = len(request.meta.get("redirect_urls", ())) + 1
                raise RedirectFailed(f"more than {chain - 1} redirects in a row") from None
            raise
        if isinstance(result, Request):
            visited = [*request.meta.get("redirect_urls", ()), request.url]
            if result.url in visited:
                loop = " -> ".join([*visited[visited.index(result.url) :], result.url])
                raise RedirectFailed(f"redirect loop: {loop}")
        return self._kept_on_site(request, response, result)

    def _kept_on_site(
        self, request: Request, response: Response, result: Request | Response
    ) -> Request | Response:
        if not isinstance(result, Request):
            return result
        site = request.meta.get("site_profile")
        if site is None:
            # robots.txt of a site host: not followed off the site either, so a mirror
            # parked on a foreign domain gets no request at all from us.
            profile = getattr(self.crawler.spider, "profile", None)
            site = profile if profile is not None and profile.owns(request.url) else None
        if site is None or site.owns(result.url):
            return result
        request.meta[OFFSITE_META] = result.url
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("mirror/offsite_redirect_kept")
        return response


class SiteRedirectMiddleware(_StaysOnSite, RedirectMiddleware):
    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        return self._followed(request, response)


class SiteMetaRefreshMiddleware(_StaysOnSite, MetaRefreshMiddleware):
    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        return self._followed(request, response)
