from __future__ import annotations

import gzip
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from scraper.demo.feeds import render_news_sitemap, render_sitemap_index
from scraper.sites import feeds
from scraper.sites.feeds import NotASitemap, Sitemap, SitemapEntry, parse_sitemap

TEHRAN = ZoneInfo("Asia/Tehran")

URLSET = b"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://www.presstv.ir/Detail/2023/02/19/698345/a</loc><lastmod>2023-02-19T14:05:00+03:30</lastmod></url>
<url><loc> /Detail/2023/02/18/698300/b </loc><lastmod>2023-02-18</lastmod></url>
<url><loc>https://www.presstv.ir/Detail/2023/02/19/698345/a</loc></url>
<url><loc>https://www.presstv.ir/Detail/2023/02/17/698200/c</loc><lastmod>not a date</lastmod></url>
<url><lastmod>2023-02-17</lastmod></url>
</urlset>"""


def test_urlset() -> None:
    assert parse_sitemap("https://presstv.tv/sitemap.xml", URLSET) == Sitemap(
        pages=[
            SitemapEntry(
                "https://www.presstv.ir/Detail/2023/02/19/698345/a", "2023-02-19T14:05:00+03:30"
            ),
            SitemapEntry("https://presstv.tv/Detail/2023/02/18/698300/b", "2023-02-18"),
            SitemapEntry("https://www.presstv.ir/Detail/2023/02/17/698200/c", None),
        ]
    )


def test_google_news_sitemap_uses_publication_date() -> None:
    published = datetime(2023, 2, 19, 14, 5, tzinfo=TEHRAN)
    xml = render_news_sitemap([("https://www.presstv.ir/Detail/2023/02/19/698345/a", published)])
    xml = xml.replace("<url><loc>", "<url><lastmod>2020-01-01</lastmod><loc>")
    sitemap = parse_sitemap("https://www.presstv.ir/sitemap-news.xml", xml.encode())
    assert sitemap.pages == [
        SitemapEntry(
            "https://www.presstv.ir/Detail/2023/02/19/698345/a", "2023-02-19T14:05:00+03:30"
        )
    ]
    assert sitemap.sitemaps == []


def test_sitemap_index() -> None:
    urls = [
        "https://www.presstv.ir/sitemap-1.xml",
        "/sitemap-2.xml.gz",
        "https://www.presstv.ir/sitemap-1.xml",
    ]
    sitemap = parse_sitemap("https://presstv.tv/sitemap.xml", render_sitemap_index(urls).encode())
    assert sitemap == Sitemap(
        pages=[],
        sitemaps=["https://www.presstv.ir/sitemap-1.xml", "https://presstv.tv/sitemap-2.xml.gz"],
    )


def test_gzip_body_is_decompressed() -> None:
    assert parse_sitemap("https://presstv.tv/s.xml.gz", gzip.compress(URLSET)) == parse_sitemap(
        "https://presstv.tv/s.xml.gz", URLSET
    )


def test_gzip_bomb_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feeds, "MAX_DECOMPRESSED", 1000)
    body = gzip.compress(URLSET + b"<!--" + b" " * 10_000 + b"-->")
    with pytest.raises(NotASitemap, match="decompressed"):
        parse_sitemap("https://x.test/s.xml.gz", body)


def test_plain_text_sitemap() -> None:
    body = b"https://x.test/a\nhttps://x.test/b\n\nhttps://x.test/a\n"
    assert parse_sitemap("https://x.test/sitemap.txt", body).pages == [
        SitemapEntry("https://x.test/a"),
        SitemapEntry("https://x.test/b"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x00\x01\x02garbage",
        b"<!DOCTYPE html><html><body>Not found</body></html>",
        b'<?xml version="1.0"?><rss version="2.0"><channel></channel></rss>',
        b"\x1f\x8b\x08\x00broken",
    ],
)
def test_not_a_sitemap(body: bytes) -> None:
    with pytest.raises(NotASitemap):
        parse_sitemap("https://x.test/sitemap.xml", body)
