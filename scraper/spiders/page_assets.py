"""Page assets: what an archived article shows, archived after it (``--assets``,
``NEWSARCHIVE_ASSETS``).

- ``images`` (the default): the record's pictures (its ``images``), so that a replay in pywb
  shows the article with them, as a Browsertrix or Heritrix capture would;
- ``page``: those, plus what the page loads: stylesheets, scripts, icons, preloaded fonts,
  every ``<img src>``, and the fonts and pictures a stylesheet names (``url(…)``);
- ``none``: the article's HTML only.

Assets on the site's hosts go through failover like any page of the site, from whichever
mirror serves them; others go straight to their host. At most
``NEWSARCHIVE_ASSETS_MAX_PER_ARTICLE`` are asked per article, what its stylesheets name
included, and none over ``NEWSARCHIVE_ASSETS_MAX_BYTES``; stylesheets that import
stylesheets are followed ``NEWSARCHIVE_ASSETS_MAX_DEPTH`` levels down (a site's stylesheets
once imported each other 1,305 levels deep, 26,077 of them, without end). A picture that
many articles use is asked once a run (the duplicate filter) and, with the dedup index,
stored once: the same bytes later are a revisit. Assets are never records and count for no article; what they cost is counted under
``assets/``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import SplitResult

from lxml import html as lxml_html
from lxml.etree import ParserError
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response

from scraper.sites.profile import SiteProfile
from scraper.sites.url_syntax import join_url, split_url

MODES = ("none", "images", "page")
ASSET_PRIORITY = 5
_ASKED_KEPT = 200_000  # after articles (10): an article's text first, its pictures next
# what a page loads (for --assets page)
_LOADED = (
    "//link[contains(concat(' ', normalize-space(@rel), ' '), ' stylesheet ')]/@href"
    " | //link[contains(@rel, 'icon')]/@href"
    " | //link[@rel='preload' and (@as='font' or @as='style' or @as='script' or @as='image')]/@href"
    " | //script/@src | //img/@src | //img/@data-src | //source/@srcset"
)
_CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)['"]?\s*\)""", re.IGNORECASE)


class PageAssets:
    def __init__(self, crawler: Crawler, mode: str) -> None:
        settings = crawler.settings
        if mode not in MODES:
            raise NotConfigured(f"NEWSARCHIVE_ASSETS {mode!r} must be one of: {', '.join(MODES)}")
        self.crawler = crawler
        self.mode = mode
        self.per_article = settings.getint("NEWSARCHIVE_ASSETS_MAX_PER_ARTICLE")
        self.max_bytes = settings.getint("NEWSARCHIVE_ASSETS_MAX_BYTES")
        self.max_depth = settings.getint("NEWSARCHIVE_ASSETS_MAX_DEPTH")
        self.asked: set[str] = set()  # asset URLs asked this run
        # article URL -> assets asked for it, those its stylesheets name included
        self.spent: dict[str, int] = {}

    @classmethod
    def for_crawl(cls, crawler: Crawler) -> PageAssets | None:
        mode = str(crawler.settings.get("NEWSARCHIVE_ASSETS") or "none").lower()
        return None if mode == "none" else cls(crawler, mode)

    def _count(self, stat: str, n: int = 1) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(f"assets/{stat}", n)

    def requests(
        self,
        response: Response,
        images: Iterable[dict[str, Any]],
        profile: SiteProfile,
        callback: Any,
        errback: Any,
    ) -> list[Request]:
        """The asset requests of an article just recorded from ``response``."""
        urls = [str(image["url"]) for image in images if image.get("url")]
        if self.mode == "page":
            urls += list(_loaded_by(response))
        # only what parses: Request() raises on a bad host or port, and the rest would be lost
        wanted = [u for u in dict.fromkeys(urls) if _web(split_url(u))]
        if len(self.asked) > _ASKED_KEPT:
            self.asked.clear()  # the duplicate filter still holds; this only keeps counts right
            self.spent.clear()  # each stylesheet's depth still bounds what it names
        shared = [u for u in wanted if u in self.asked]
        if shared:
            self._count("shared", len(shared))  # asked for another article this run already
            wanted = [u for u in wanted if u not in self.asked]
        if len(wanted) > self.per_article:
            self._count("skipped/over_per_article", len(wanted) - self.per_article)
            wanted = wanted[: self.per_article]
        self.asked.update(wanted)
        self.spent[response.url] = len(wanted)
        return [self._request(url, profile, callback, errback, of=response.url) for url in wanted]

    def again(
        self, urls: Iterable[str], profile: SiteProfile, callback: Any, errback: Any
    ) -> list[Request]:
        """Pictures of articles recorded by a run that ended before asking them (found by
        ``archive/archive_gaps.py``): asked once more, counted ``assets/asked_again``."""
        wanted = [u for u in dict.fromkeys(urls) if _web(split_url(u)) and u not in self.asked]
        self.asked.update(wanted)
        if wanted:
            self._count("asked_again", len(wanted))
        return [self._request(url, profile, callback, errback) for url in wanted]

    def from_stylesheet(
        self, response: Response, profile: SiteProfile, callback: Any, errback: Any
    ) -> list[Request]:
        """``--assets page``: the fonts, pictures and stylesheets a stylesheet names, one
        level deeper than it, from what is left of its article's share."""
        if self.mode != "page" or b"css" not in (response.headers.get("Content-Type") or b""):
            return []
        text = response.body[: self.max_bytes].decode("utf-8", "replace")
        joined = (join_url(response.url, m.group(1)) for m in _CSS_URL.finditer(text))
        # join_url parsed each: only the scheme is left to ask (data: URLs are no request)
        urls = [u for u in dict.fromkeys(joined) if u and _is_web(u) and u not in self.asked]
        if not urls:
            return []
        depth = int(response.meta.get("asset_depth", 0)) + 1
        if depth > self.max_depth:
            self._count("skipped/too_deep", len(urls))
            return []
        # an asset asked on its own (not for an article) shares its own share with what it names
        article = str(response.meta.get("asset_of") or response.url)
        left = max(self.per_article - self.spent.get(article, 0), 0)
        if len(urls) > left:
            self._count("skipped/over_per_article", len(urls) - left)
            urls = urls[:left]
        self.spent[article] = self.spent.get(article, 0) + len(urls)
        self.asked.update(urls)
        return [self._request(u, profile, callback, errback, of=article, depth=depth) for u in urls]

    def _request(
        self,
        url: str,
        profile: SiteProfile,
        callback: Any,
        errback: Any,
        *,
        of: str | None = None,
        depth: int = 0,
    ) -> Request:
        """``of``: the article whose share it takes; ``depth``: stylesheets followed to it."""
        meta: dict[str, Any] = {"page_type": "asset", "download_maxsize": self.max_bytes}
        if of is not None:
            meta.update(asset_of=of, asset_depth=depth)
        if profile.owns(url):  # on the site: from whichever mirror serves it
            meta.update(site_profile=profile, mirror_verify=False)
        self._count("requested")
        return Request(url, callback=callback, errback=errback, priority=ASSET_PRIORITY, meta=meta)

    def fetched(self, response: Response) -> None:
        self._count("fetched")
        self._count("bytes", len(response.body))

    def failed(self, reason: str) -> None:
        self._count("failed")
        self._count(f"failed/{reason}")


def not_an_asset(response: Response) -> bool:
    """An HTML page where a picture, stylesheet, script or font was asked for: a block or
    seizure banner (assets are never pages)."""
    declared = (response.headers.get("Content-Type") or b"").split(b";")[0].strip().lower()
    return declared in (b"text/html", b"application/xhtml+xml")


def _loaded_by(response: Response) -> Iterator[str]:
    try:
        root = lxml_html.document_fromstring(response.text)
    except (ParserError, ValueError, AttributeError):
        return
    for value in root.xpath(_LOADED):
        for part in str(value).split(","):  # srcset: "a.jpg 1x, b.jpg 2x"
            url = part.strip().split(" ", 1)[0]
            if url and not url.startswith("data:"):
                joined = join_url(response.url, url)  # None: a bad host or port, skipped
                if joined:
                    yield joined


def _web(parts: SplitResult | None) -> bool:
    return parts is not None and parts.scheme in ("http", "https")


def _is_web(joined: str) -> bool:
    """Whether a URL ``join_url`` gave (so one that parses) is an http(s) one."""
    return joined.startswith(("http://", "https://"))
