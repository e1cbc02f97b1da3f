"""What a page of a site says about where the rest of the site is: its links, its next page,
the feeds it declares (``<link rel=alternate>``), and where sites usually keep feeds and
sitemaps when nothing declares them. A minimal profile (name, primary, article_url) is
crawled from these alone (``scraper/spiders/link_following.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

from scraper.sites.html import decode_html
from scraper.sites.listing import GenericListingPage, absolute_url

# Where CMSes put their feeds (WordPress /feed, Drupal /rss.xml, Ghost /rss/, Blogger and
# Jekyll /feeds/posts/default and /atom.xml…): asked once each when the profile lists none.
# A short list: each path costs a request on every run of every minimal profile.
COMMON_FEED_PATHS = (
    "/feed",
    "/feed/",
    "/rss",
    "/rss.xml",
    "/atom.xml",
    "/feed.xml",
    "/index.xml",
    "/feeds/posts/default",
    "/feeds/all.atom.xml",
    "/rss/",
)
# Asked only when robots.txt names no sitemap (its ``Sitemap:`` lines are the usual way).
COMMON_SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml")
# A page declares at most a handful of feeds; a page naming hundreds is not to be trusted
# with as many requests.
MAX_DECLARED_FEEDS = 10
_FEED_TYPES = frozenset({"application/rss+xml", "application/atom+xml"})


@dataclass
class SitePage:
    """What discovery reads off one page of the site."""

    links: list[str]  # absolute http(s), unique, in page order
    next_page: str | None
    feeds: list[str]  # declared by <link rel=alternate type=application/rss+xml|atom+xml>


class _Page(GenericListingPage):
    def declared_feeds(self) -> list[str]:
        feeds: dict[str, None] = {}
        for tag in self._soup.find_all("link", href=True):
            rel = tag.get("rel")
            rels = rel if isinstance(rel, list) else str(rel or "").split()
            kind = str(tag.get("type") or "").split(";", 1)[0].strip().lower()
            if "alternate" not in (r.lower() for r in rels) or kind not in _FEED_TYPES:
                continue
            url = absolute_url(str(tag["href"]), self._base)
            if url:
                feeds.setdefault(url, None)
            if len(feeds) >= MAX_DECLARED_FEEDS:
                break
        return list(feeds)


def read_site_page(url: str, body: bytes, content_type: str | None) -> SitePage:
    """Every link of the page (menus and section links included: discovery wants them, a
    site's listing page object may keep only its headlines), its next page, its feeds."""
    page = _Page(url, decode_html(body, content_type))
    return SitePage(page.article_links(), page.next_page(), page.declared_feeds())
