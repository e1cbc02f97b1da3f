"""``sites check``'s reading (scraper/sites/site_check.py): each field of an article page with
its source and whether its selector fell back, a page's article links and the links a run
would follow; on saved pages (the command itself: test_sites_check_cli.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scraper.demo.presstv_pages import PRIMARY, render_article_legacy, render_article_modern
from scraper.demo.site import generate_articles
from scraper.sites.profile import load_profile, parse_profile
from scraper.sites.site_check import GENERIC, NOWHERE, SELECTOR, check_article, check_front_page

FIXTURES = Path(__file__).parent / "fixtures" / "rferl"
VOA_URL = (
    "https://www.voanews.com/a/"
    "america-s-child-care-crisis-is-holding-back-moms-without-college-degrees-/7585813.html"
)
ARTICLE_URL = r"^/[Dd]etail/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<id>\d+)"
FIELDS = """
[fields]
title = "h1.news-title"
section = "nav.no-such-breadcrumb li"
body = "div.news-body"
body_exclude = [".share-box"]
"""


def demo_profile(fields: str = FIELDS) -> Any:
    return parse_profile(
        f'name = "localnews"\nprimary = "{PRIMARY}"\narticle_url = \'{ARTICLE_URL}\'\n'
        f'timezone = "Asia/Tehran"\n{fields}'
    )


def sources(check: Any) -> dict[str, str]:
    return {f.name: f.source for f in check.fields}


# --- the reading ---------------------------------------------------------------------------


def test_each_field_says_where_it_came_from() -> None:
    article = generate_articles(1)[0]
    check = check_article(demo_profile(), PRIMARY + article.path, render_article_modern(article))
    assert check.article and check.is_article_url and check.from_page
    assert sources(check) == {
        "title": SELECTOR,
        "published": GENERIC,
        "section": NOWHERE,  # the selector matched nothing, nor does the generic reading
        "authors": NOWHERE,
        "body": SELECTOR,
        "images": GENERIC,
    }
    section = next(f for f in check.fields if f.name == "section")
    assert section.fell_back and section.matched == 0 and section.why == "matched nothing"
    assert section.selector == "nav.no-such-breadcrumb li"
    assert check.fallbacks == []  # nothing was filled from another reading


def test_the_other_template_falls_back_field_by_field() -> None:
    article = generate_articles(1)[0]
    check = check_article(demo_profile(), PRIMARY + article.path, render_article_legacy(article))
    by_name = {f.name: f for f in check.fields}
    assert by_name["title"].fell_back and by_name["title"].source == GENERIC
    assert by_name["body"].fell_back and by_name["body"].source == GENERIC
    assert {"title", "body"} <= set(check.fallbacks)


def test_a_family_page_object_is_named_as_the_source() -> None:
    html = (FIXTURES / "voanews_7585813.html").read_text(encoding="utf-8")
    check = check_article(load_profile("voanews"), VOA_URL, html)
    assert set(sources(check).values()) == {"page object rferl"}
    assert not any(f.fell_back for f in check.fields)


def test_a_page_without_an_article_gives_no_field() -> None:
    check = check_article(demo_profile(), PRIMARY + "/", "<html><body><p>Hi</p></body></html>")
    assert not check.article and not check.from_page and not check.is_article_url


def test_a_front_page_says_which_links_are_articles_and_which_a_run_follows() -> None:
    html = (FIXTURES / "rferl_front_2018.html").read_bytes()
    url = "https://www.rferl.org/"
    full = check_front_page(load_profile("rferl"), url, html, "text/html; charset=utf-8")
    assert full.link_depth == 0 and full.followed == []  # it names its feeds
    assert len(full.article_links) == 9
    assert all("/a/" in link for link in full.article_links)
    minimal = parse_profile(
        'name = "rferl"\nprimary = "https://www.rferl.org"\n'
        "article_url = '^/a/(?:(?P<slug>[^/?#]+)/)?(?P<id>\\d+)\\.html$'\n"
    )
    found = check_front_page(minimal, url, html, "text/html; charset=utf-8", (".jpg", ".pdf"))
    assert found.link_depth == 2 and found.reads_feeds
    assert found.article_links == full.article_links
    assert found.followed and url not in found.followed
    assert not set(found.followed) & set(found.article_links)
    assert all(minimal.owns(link) for link in found.followed)
    assert found.feeds == ["https://www.rferl.org/api/"]
    assert found.off_site == 2
