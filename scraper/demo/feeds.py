"""Feeds and sitemaps of the local test site, as the real sites write them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from xml.sax.saxutils import escape


def render_presstv_rss(entries: list[tuple[str, str]]) -> str:
    """Press TV's /rss.xml for ``(url, title)`` pairs, with the real feed's quirks.

    The real feed is one line with no pubDate and no guid; titles are padded with spaces and
    newlines; every other link is listed twice; links use whatever host the caller gives
    (Press TV writes bare ``presstv.ir`` even when a mirror serves the feed).
    """
    items = []
    for index, (url, title) in enumerate(entries):
        item = (
            # padding as character references: newlines in the title, still one line of XML
            f"<item><title>&#13;&#10;      {escape(title)}   &#10;    </title>"
            f"<link>{escape(url)}</link><description>{escape(title)}</description></item>"
        )
        items.append(item)
        if index % 2 == 0:
            items.append(item)  # the duplicate Press TV emits
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>PressTV</title><link>https://www.presstv.ir</link>"
        "<description>PressTV News Feed</description>" + "".join(items) + "</channel></rss>"
    )


def render_sitemap_index(urls: Iterable[str]) -> str:
    children = "".join(f"<sitemap><loc>{escape(url)}</loc></sitemap>" for url in urls)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{children}</sitemapindex>\n"
    )


def render_news_sitemap(entries: list[tuple[str, datetime]]) -> str:
    """A Google News sitemap: the date is ``news:publication_date``, not ``lastmod``."""
    urls = "".join(
        f"<url><loc>{escape(url)}</loc><news:news><news:publication>"
        "<news:name>Press TV</news:name><news:language>en</news:language></news:publication>"
        f"<news:publication_date>{published.isoformat()}</news:publication_date>"
        "<news:title>Article</news:title></news:news></url>"
        for url, published in entries
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{urls}</urlset>\n"
    )
