"""PressTvListingPage on the real 2018 homepage and on the local site's section pages."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from scraper.demo.model import SampleArticle
from scraper.demo.presstv_chrome import TEHRAN
from scraper.demo.presstv_pages import render_listing
from scraper.demo.presstv_seed import seed_article
from scraper.sites.presstv import PressTvListingPage

FIXTURES = Path(__file__).parent / "fixtures" / "presstv"
HOMEPAGE = (FIXTURES / "homepage_2018-03-17.html").read_bytes().decode("utf-8")
HOMEPAGE_URL = "http://www.presstv.com/"


def homepage_article_paths() -> list[str]:
    """Independently of the page object: every href whose path is an article path."""
    hrefs = re.findall(r'href="([^"]*)"', HOMEPAGE)
    paths = [h for h in hrefs if re.match(r"^/[Dd]etail/\d{4}/\d{2}/\d{2}/\d+", h)]
    return list(dict.fromkeys(paths))


def test_homepage_yields_its_61_unique_article_urls() -> None:
    links = PressTvListingPage(HOMEPAGE_URL, HOMEPAGE).article_links()
    assert len(links) == 61
    assert links == ["http://www.presstv.com" + p for p in homepage_article_paths()]


def test_homepage_links_in_page_order_without_repeats() -> None:
    links = PressTvListingPage(HOMEPAGE_URL, HOMEPAGE).article_links()
    first = "http://www.presstv.com/Detail/2018/03/16/555675/Zarif-JCPOA-US-painful-mistake"
    assert links[0] == first
    assert len(set(links)) == len(links)


def test_homepage_resolves_against_the_host_it_came_from() -> None:
    links = PressTvListingPage("https://www.presstv.co.uk/", HOMEPAGE).article_links()
    assert links and all(u.startswith("https://www.presstv.co.uk/Detail/") for u in links)


def test_homepage_has_no_next_page() -> None:
    assert PressTvListingPage(HOMEPAGE_URL, HOMEPAGE).next_page() is None


def articles(n: int, start_id: int = 700000) -> list[SampleArticle]:
    base = datetime(2023, 3, 1, 12, 0, tzinfo=TEHRAN)
    template = seed_article()
    return [
        SampleArticle(
            id=start_id + i,
            published=base - timedelta(hours=i),
            slug=f"Story-{i}",
            title=f"Story number {i}",
            section="Russia",
            description=f"About story {i}.",
            paragraphs=[f"Body {i}."],
            images=template.images,
        )
        for i in range(n)
    ]


HOST = "http://127.0.0.1:8123"


@pytest.mark.parametrize(
    ("path", "page", "next_path"),
    [
        ("/Section/10602", 1, "/Section/10602/2"),
        ("/Section/10602/2", 2, "/Section/10602/3"),
        ("/Section/10602/9", 9, "/Section/10602/10"),
    ],
)
def test_rendered_listing_articles_and_next_page(path: str, page: int, next_path: str) -> None:
    listed = articles(12, start_id=700000 + 100 * page)
    listing = PressTvListingPage(HOST + path, render_listing(10602, page, listed, has_next=True))
    assert listing.article_links() == [HOST + a.path for a in listed]
    assert listing.next_page() == HOST + next_path


def test_last_page_has_no_next_page() -> None:
    listed = articles(3)
    html = render_listing(10602, 4, listed, has_next=False)
    listing = PressTvListingPage(HOST + "/Section/10602/4", html)
    assert listing.article_links() == [HOST + a.path for a in listed]
    assert listing.next_page() is None


def test_menu_links_to_sections_are_not_a_next_page() -> None:
    # Section 101's page 1 carries a menu link to /Section/101 itself and to other sections.
    html = render_listing(101, 1, articles(2), has_next=False)
    assert 'href="/Section/101"' in html
    assert PressTvListingPage(HOST + "/Section/101", html).next_page() is None


def test_empty_listing() -> None:
    listing = PressTvListingPage(HOST + "/Section/10602/5", render_listing(10602, 5, [], False))
    assert listing.article_links() == []
    assert listing.next_page() is None


@pytest.mark.parametrize(
    ("url", "href", "want"),
    [
        (
            "http://www.presstv.com/Default/Section/101",
            "/Default/Section/101/2",
            "http://www.presstv.com/Default/Section/101/2",
        ),
        (
            "http://www.presstv.com/Default/Section/101/2",
            "/Default/Section/101/3",
            "http://www.presstv.com/Default/Section/101/3",
        ),
        (
            "http://www.presstv.com/Default/Section/101/",
            "/Default/Section/101/2",
            "http://www.presstv.com/Default/Section/101/2",
        ),
        ("http://www.presstv.com/Default/Section/101", "/Default/Section/102/2", None),
        ("http://www.presstv.com/Default/Section/101/3", "/Default/Section/101/2", None),
    ],
)
def test_2018_default_section_pagination(url: str, href: str, want: str | None) -> None:
    html = f'<html><body><a href="/Default/Section/101">Iran</a><a href="{href}">more</a></body>'
    assert PressTvListingPage(url, html).next_page() == want


def test_article_links_only_detail_paths() -> None:
    html = (
        "<a href='/Section/101'>s</a><a href='/detail/2013/11/12/334416/us-writers/'>a</a>"
        "<a href='https://www.presstv.ir/Detail/2016/04/09/459911/x'>b</a>"
        "<a href='/Detail/latest'>c</a><a href='/Default/Live'>d</a>"
    )
    assert PressTvListingPage("https://presstv.tv/", html).article_links() == [
        "https://presstv.tv/detail/2013/11/12/334416/us-writers/",
        "https://www.presstv.ir/Detail/2016/04/09/459911/x",
    ]
