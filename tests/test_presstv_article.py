"""PressTvArticlePage on saved pages (web-poet style: page.html, meta.json, output.json).

The rendered fixtures are committed; regenerate their page.html with
``PRESSTV_REGENERATE=1 python -m pytest tests/test_presstv_article.py`` after a deliberate
template change, then review the diff (output.json is written by hand, never regenerated).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import scraper.sites.presstv as presstv
from scraper.demo.model import SampleArticle, SampleImage
from scraper.demo.presstv_chrome import TEHRAN
from scraper.demo.presstv_pages import render_article_legacy, render_article_modern
from scraper.demo.presstv_seed import seed_article
from scraper.sites import article_page_class
from scraper.sites.article import ArticleData, Image
from scraper.sites.html import clean_text
from scraper.sites.presstv import PressTvArticlePage
from tests.localsite.presstv_variants import (
    logo_headline_legacy,
    moved_legacy,
    renamed_modern,
    standfirst_modern,
    wrapped_modern,
)

FIXTURES = Path(__file__).parent / "fixtures" / "presstv"
CASES = sorted(p.parent.name for p in FIXTURES.glob("*/output.json"))
# What a page object's item holds, each with its value when the page gives none: an
# output.json names only the fields it expects something else of (a field added with a
# default needs no edit of the nine files), and every field is still compared.
DEFAULTS = ArticleData().to_dict()
FIELDS = list(DEFAULTS)
SUBHEADING = "West must accelerate military support to Ukraine"


def summer_2019_article() -> SampleArticle:
    """Synthetic: Iranian summer time (+04:30), a modification, authors, tags, two pictures."""
    return SampleArticle(
        id=598765,
        published=datetime(2019, 6, 10, 9, 30, tzinfo=TEHRAN),
        modified=datetime(2019, 6, 11, 10, 15, tzinfo=TEHRAN),
        slug="Local-test-article-summer-time",
        title="Local test page: a summer article with two pictures",
        section="Iran",
        description="A synthetic article dated in Iranian summer time.",
        paragraphs=[
            "The first paragraph of the synthetic article says what happened.",
            "The second paragraph\u00a0has a non-breaking space and a <b>-like text.",
            "## A sub-heading in the middle",
            "The third paragraph follows the sub-heading.",
            "The last paragraph ends the story.",
        ],
        images=[
            SampleImage(url="/photo/20190610/lead-picture.jpg", caption="The lead picture."),
            SampleImage(url="https://cdn.presstv.ir/photo/20190610/second.jpg"),
        ],
        tags=["Iran", "Tehran"],
        authors=["Sample Writer", "Second Writer"],
        related=seed_article().related[:2],
    )


RENDERERS: dict[str, Callable[[], str]] = {
    "seed_modern": lambda: render_article_modern(seed_article()),
    "seed_legacy": lambda: render_article_legacy(seed_article()),
    "summer2019_legacy": lambda: render_article_legacy(summer_2019_article()),
    "summer2019_modern_jsonld": lambda: render_article_modern(summer_2019_article(), json_ld=True),
    # markups the page object was not written against (tests/localsite/presstv_variants.py)
    "seed_renamed_modern": lambda: renamed_modern(seed_article()),
    "seed_moved_legacy": lambda: moved_legacy(seed_article()),
    "seed_wrapped_modern": lambda: wrapped_modern(seed_article()),
    "seed_logo_headline_legacy": lambda: logo_headline_legacy(seed_article()),
    "seed_standfirst_modern": lambda: standfirst_modern(seed_article()),
}


def page_html(case: str) -> str:
    # Bytes, not read_text(): the legacy dateline div keeps its \r\n.
    return (FIXTURES / case / "page.html").read_bytes().decode("utf-8")


def page_url(case: str) -> str:
    return json.loads((FIXTURES / case / "meta.json").read_text("utf-8"))["url"]


def extract(case: str) -> ArticleData | None:
    return PressTvArticlePage(page_url(case), page_html(case)).to_item()


def expected(case: str) -> dict | None:
    return json.loads((FIXTURES / case / "output.json").read_text("utf-8"))


def expected_field(case: str, field: str) -> Any:
    """The value ``case``'s output.json expects of ``field``: its default when not named."""
    want = expected(case)
    assert want is not None, f"{case}: no article expected"
    return want.get(field, DEFAULTS[field])


# --- fixtures, field by field ---------------------------------------------------------------


@pytest.mark.parametrize("case", sorted(RENDERERS))
def test_fixture_page_is_what_the_renderer_renders(case: str) -> None:
    path = FIXTURES / case / "page.html"
    rendered = RENDERERS[case]()
    if os.environ.get("PRESSTV_REGENERATE"):
        path.write_bytes(rendered.encode("utf-8"))
    assert path.read_bytes().decode("utf-8") == rendered


def test_every_rendered_case_has_a_fixture() -> None:
    assert set(RENDERERS) <= set(CASES)


@pytest.mark.parametrize(
    ("case", "field"),
    [(c, f) for c in CASES if expected(c) is not None for f in FIELDS],
)
def test_field(case: str, field: str) -> None:
    item = extract(case)
    assert item is not None, f"{case}: no article extracted"
    assert item.to_dict()[field] == expected_field(case, field), f"{case}: field {field!r}"


@pytest.mark.parametrize("case", [c for c in CASES if expected(c) is not None])
def test_an_expected_output_names_only_fields_of_the_item(case: str) -> None:
    assert sorted(set(expected(case) or {}) - set(FIELDS)) == []


@pytest.mark.parametrize("case", [c for c in CASES if expected(c) is None])
def test_no_article(case: str) -> None:
    assert extract(case) is None


def test_not_article_cases_exist() -> None:
    assert {"seizure", "block_page"} <= set(CASES)


# --- the seed article: what a naive scraper got wrong ---------------------------------------

SEED_CASES = ["seed_modern", "seed_legacy"]


@pytest.fixture(params=SEED_CASES)
def seed_item(request: pytest.FixtureRequest) -> ArticleData:
    item = extract(request.param)
    assert item is not None
    return item


def test_seed_body_is_the_seed_paragraphs(seed_item: ArticleData) -> None:
    want = [clean_text(p.removeprefix("## ")) for p in seed_article().paragraphs]
    assert seed_item.body.split("\n\n") == want


def test_seed_sub_heading_is_its_own_paragraph(seed_item: ArticleData) -> None:
    assert SUBHEADING in seed_item.body.split("\n\n")


def test_seed_tass_and_peskov_are_two_paragraphs(seed_item: ArticleData) -> None:
    paragraphs = seed_item.body.split("\n\n")
    tass = next(i for i, p in enumerate(paragraphs) if "news agency TASS" in p)
    assert paragraphs[tass].endswith("TASS")
    assert paragraphs[tass + 1].startswith("Peskov said")
    assert "TASSPeskov" not in seed_item.body


def test_seed_nbsp_normalised(seed_item: ArticleData) -> None:
    assert "\u00a0" not in seed_item.body
    assert "shown willingness" in seed_item.body
    assert "AMX-10 RC armored" in seed_item.body
    assert seed_item.body.split("\n\n")[4].startswith('"It is hardly possible')


@pytest.mark.parametrize(
    "boilerplate",
    [
        "alternate addresses",
        "presstv.co.uk",
        "SHARE THIS ARTICLE",
        "Roku",
        "Google Play",
        "Breaking News",
        "Related News",
        "Latest News",
        "newsletter",
        "Sample related story",  # related, latest, most-viewed lists and the ticker
        "A Ukrainian soldier stands near a damaged Russian tank",  # the caption
        "West not willing to engage",  # the title
        "Sun Feb 19",  # the legacy dateline
        "2:05 PM",  # the modern date line
        "Tags:",
    ],
)
def test_seed_boilerplate_absent(seed_item: ArticleData, boilerplate: str) -> None:
    assert boilerplate.lower() not in seed_item.body.lower()


def test_seed_title_has_no_site_prefix(seed_item: ArticleData) -> None:
    assert seed_item.title == "West not willing to engage in Ukraine peace efforts: Kremlin"


def test_seed_published_is_tehran_time_with_offset(seed_item: ArticleData) -> None:
    assert seed_item.published == "2023-02-19T14:05:00+03:30"


def test_rendered_pages_are_realistically_heavy() -> None:
    for render in (render_article_modern, render_article_legacy):
        size = len(render(seed_article()).encode("utf-8"))
        assert 60_000 <= size <= 90_000, (render.__name__, size)


# --- Press TV quirks on minimal pages -------------------------------------------------------


def minimal(head: str = "", body: str = "<div class='news-body'><p>Text.</p></div>") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


URL = "https://www.presstv.ir/Detail/2026/03/09/700001/x"


def url_on(day: str) -> str:
    """An article URL of ``day`` (2019-06-10): Press TV's URLs hold the publication day."""
    return f"https://www.presstv.ir/Detail/{day.replace('-', '/')}/700001/x"


@pytest.mark.parametrize(
    ("created", "iso"),
    [
        ("3/9/2026 11:50:13 AM", "2026-03-09T11:50:13+03:30"),
        ("6/10/2019 9:30:00 PM", "2019-06-10T21:30:00+04:30"),  # Iranian summer time, pre-2022
        ("7/1/2023 8:00:00 AM", "2023-07-01T08:00:00+03:30"),  # no summer time since 2022
    ],
)
def test_dc_date_created_is_tehran_wall_clock(created: str, iso: str) -> None:
    page = minimal(f'<meta name="DC.Date.Created" content="{created}">')
    item = PressTvArticlePage(url_on(iso[:10]), page)
    result = item.to_item()
    assert result is not None and result.published == iso


def test_dateline_at_the_start_of_the_text_gives_dates_and_leaves_the_body() -> None:
    body = (
        "<div class='item-text'>Sun Mar 17, 2019 01:16PM [Updated: Tue Mar 19, 2019 12:03PM ]"
        "<br><br>First.<br><br>Second.</div>"
    )
    item = PressTvArticlePage(url_on("2019-03-17"), minimal(body=body)).to_item()
    assert item is not None
    assert (item.published, item.modified) == (
        "2019-03-17T13:16:00+03:30",
        "2019-03-19T12:03:00+03:30",
    )
    assert item.body == "First.\n\nSecond."


def test_og_title_prefix_stripped_without_headline_element() -> None:
    item = PressTvArticlePage(URL, minimal('<meta property="og:title" content="PressTV-Foo bar">'))
    result = item.to_item()
    assert result is not None and result.title == "Foo bar"


@pytest.mark.parametrize(
    "line",
    [
        "Press TV\u2019s website can also be accessed at the following alternate addresses:",
        "Press TV's website can also be accessed at the following alternate address:",
        "www.presstv.co.uk",
        "presstv.tv",
        "SHARE THIS ARTICLE",
        "Press TV News Roku",
        "Get the Press TV app on Google Play",
    ],
)
def test_boilerplate_lines_dropped_by_text(line: str) -> None:
    body = f"<div class='news-body'><p>Real text.</p><p>{line}</p></div>"
    item = PressTvArticlePage(URL, minimal(body=body)).to_item()
    assert item is not None and item.body == "Real text."


def test_host_names_after_the_notice_are_dropped_but_not_elsewhere() -> None:
    body = (
        "<div class='news-body'><p>Real text.</p>"
        "<p>Press TV's website can also be accessed at the following alternate addresses:</p>"
        "<p>www.presstv.co.uk</p><p>mirror.example.org</p><p>Back to text.</p>"
        "<p>example.org</p></div>"
    )
    item = PressTvArticlePage(URL, minimal(body=body)).to_item()
    assert item is not None
    assert item.body == "Real text.\n\nBack to text.\n\nexample.org"


@pytest.mark.parametrize(
    "text",
    ["Press TV's app was removed from Google Play on Monday.", "Press TV app banned in UK"],
)
def test_real_text_about_an_app_is_kept(text: str) -> None:
    item = PressTvArticlePage(URL, minimal(body=f"<div class='news-body'><h3>{text}</h3></div>"))
    result = item.to_item()
    assert result is not None and result.body == text


def test_empty_body_container_is_no_article() -> None:
    body = "<div class='news-body'><div class='share-box'>SHARE THIS ARTICLE</div></div>"
    assert PressTvArticlePage(URL, minimal(body=body)).to_item() is None


# --- layering: structured metadata, site selectors, generic fallback ------------------------


def test_site_selectors_win_and_metadata_fills_gaps(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def fake_read_metadata(soup, url, default_tz=None):  # type: ignore[no-untyped-def]
        calls.append(default_tz)
        return ArticleData(
            title="PressTV-Meta title",
            section="Meta section",
            authors=["Meta Author"],
            images=[Image("https://x/y.jpg")],
        )

    monkeypatch.setattr(presstv, "read_metadata", fake_read_metadata)
    item = extract("seed_modern")
    assert item is not None
    assert calls == [presstv.TEHRAN]
    assert item.title == "West not willing to engage in Ukraine peace efforts: Kremlin"
    assert item.section == "Russia"
    assert item.authors == ["Meta Author"]  # the page names none; metadata may
    assert item.images[0].url.endswith("2c7b8a7e-5a8e-4c1d-9b0e-3f6f1f2d9a10.jpg")


def test_metadata_title_loses_the_site_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        presstv,
        "read_metadata",
        lambda soup, url, default_tz=None: ArticleData(title="PressTV-Only here"),
    )
    item = PressTvArticlePage(URL, minimal()).to_item()
    assert item is not None and item.title == "Only here"


def test_generic_body_only_when_site_selectors_find_none(monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def fake_body(soup):  # type: ignore[no-untyped-def]
        calls.append(soup)
        return ["Generic paragraph.", "SHARE THIS ARTICLE", "www.presstv.co.uk"]

    monkeypatch.setattr(presstv, "extract_body_paragraphs", fake_body)
    assert extract("seed_modern") is not None
    assert calls == []
    item = PressTvArticlePage(URL, minimal(body="<div class='content'><p>x</p></div>")).to_item()
    assert item is not None and item.body == "Generic paragraph."
    assert len(calls) == 1


@pytest.mark.parametrize("case", ["seizure", "block_page"])
def test_not_an_article_even_when_generic_extraction_finds_text(
    monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    monkeypatch.setattr(
        presstv,
        "extract_body_paragraphs",
        lambda soup: ["Some banner text that a generic extractor kept."],
    )
    assert extract(case) is None


# --- links and registry ---------------------------------------------------------------------


def test_links_are_absolute_unique_and_on_the_mirror() -> None:
    links = PressTvArticlePage(page_url("seed_modern"), page_html("seed_modern")).links()
    assert len(links) == len(set(links))
    assert all(u.startswith(("http://", "https://")) for u in links)
    for related in seed_article().related:
        assert "https://www.presstv.co.uk" + related.path in links
    assert "https://www.presstv.co.uk/Section/10602" in links
    assert "https://www.presstv.co.uk/" in links
    assert not any("#" in u or u.startswith("javascript:") for u in links)


def test_links_ignore_scripts_fragments_and_keep_order() -> None:
    html = minimal(
        body=(
            "<a href='javascript:void(0)'>x</a><a href='mailto:a@b.c'>m</a><a href='#top'>t</a>"
            "<a href=' /Detail/2020/01/01/1/a '>a</a><a href='/Detail/2020/01/01/1/a#c'>a</a>"
            "<a href='https://other.example/p'>o</a>"
        )
    )
    assert PressTvArticlePage(URL, html).links() == [
        URL,  # "#top" is this page
        "https://www.presstv.ir/Detail/2020/01/01/1/a",
        "https://other.example/p",
    ]


def test_links_survive_to_item_and_the_page_is_parsed_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    parses = []
    real_indexed_soup = presstv.indexed_soup
    monkeypatch.setattr(
        presstv, "indexed_soup", lambda html: parses.append(1) or real_indexed_soup(html)
    )
    page = PressTvArticlePage(page_url("seed_modern"), page_html("seed_modern"))
    assert page.to_item() is not None
    links = page.links()
    assert len(parses) == 1
    # the related list is decomposed by to_item(), its links are still reported
    assert "https://www.presstv.co.uk" + seed_article().related[0].path in links
    assert page.to_item() is not None  # a second call parses afresh
    assert len(parses) == 2


def test_registry_finds_the_page_object() -> None:
    assert article_page_class("presstv") is PressTvArticlePage


# --- a site's own page object is never worse than the generic one -------------------------


@pytest.mark.parametrize(
    "title",
    [
        "PressTV-West not willing",
        "West not willing - PressTV",
        "West not willing | Press TV",
        "Press TV News: West not willing",
        "West not willing – Press TV News",
    ],
)
def test_the_site_name_is_cut_from_either_side_of_the_title(title: str) -> None:
    page = minimal(f'<meta property="og:title" content="{title}">')
    item = PressTvArticlePage(URL, page).to_item()
    assert item is not None and item.title == "West not willing"


def test_a_logo_in_the_headlines_place_is_no_title() -> None:
    head = '<meta property="og:title" content="PressTV-West not willing">'
    body = "<h1 class='page-header'>Press TV</h1><div class='news-body'><p>Text.</p></div>"
    item = PressTvArticlePage(URL, minimal(head, body)).to_item()
    assert item is not None
    assert (item.title, item.fallbacks) == ("West not willing", ["title", "published"])


def test_a_declared_title_the_page_does_not_show_gives_way_to_its_headline() -> None:
    head = '<meta property="og:title" content="PressTV-Yesterday\'s story">'
    body = "<h1>West not willing</h1><div class='news-body'><p>Text.</p></div>"
    item = PressTvArticlePage(URL, minimal(head, body)).to_item()
    assert item is not None
    assert (item.title, item.fallbacks) == ("West not willing", ["title", "published"])


def test_a_short_text_the_generic_reading_agrees_with_is_the_sites() -> None:
    body = (
        "<h1 class='news-title'>Brief</h1><div class='news-body'><p>One line of news.</p></div>"
        "<div class='most-viewed'><ul><li><a href='/a'>Another story</a></li></ul></div>"
    )
    item = PressTvArticlePage(URL, minimal(body=body)).to_item()
    assert item is not None
    assert (item.body, item.fallbacks) == ("One line of news.", ["published"])


def test_a_page_stating_no_date_gets_the_day_in_its_url() -> None:
    item = PressTvArticlePage(URL, minimal()).to_item()
    assert item is not None and item.published == "2026-03-09"


def test_a_stated_date_far_from_the_urls_day_gives_way_to_it() -> None:
    page = minimal('<meta name="DC.Date.Created" content="6/10/2019 9:30:00 PM">')
    item = PressTvArticlePage(URL, page).to_item()
    assert item is not None and item.published == "2026-03-09"


def test_a_stated_time_on_the_urls_day_or_the_next_is_kept() -> None:
    # Tehran's evening is the next day in UTC, and a late edit may date the page a day on
    page = minimal('<meta name="DC.Date.Created" content="3/10/2026 1:15:00 AM">')
    item = PressTvArticlePage(URL, page).to_item()
    assert item is not None and item.published == "2026-03-10T01:15:00+03:30"


def test_a_moved_dateline_is_read_beside_the_headline() -> None:
    body = (
        "<h1>West not willing</h1><div class='meta'><span class='when'>"
        "Sunday, 19 February 2023 2:05 PM</span></div>"
        "<div class='news-body'><p>Text.</p></div>"
    )
    item = PressTvArticlePage(url_on("2023-02-19"), minimal(body=body)).to_item()
    assert item is not None and item.published == "2023-02-19T14:05:00+03:30"


@pytest.mark.parametrize(
    "case",
    [
        "seed_renamed_modern",
        "seed_moved_legacy",
        "seed_wrapped_modern",
        "seed_logo_headline_legacy",
        "seed_standfirst_modern",
    ],
)
def test_changed_markups_are_read_no_worse_than_the_generic_page_object(case: str) -> None:
    """Every field of these markups is asserted by ``test_field``; here: wherever the generic
    page object reads a field right, the site's own does too."""
    site = extract(case)
    generic = article_page_class("generic")(page_url(case), page_html(case)).to_item()
    assert site is not None and generic is not None
    want = {field: expected_field(case, field) for field in FIELDS}
    right_by_generic = [f for f in FIELDS if generic.to_dict()[f] == want[f]]
    assert right_by_generic, "the generic reading must get something right to compare with"
    for field in right_by_generic:
        assert site.to_dict()[field] == want[field], f"{case}: {field} worse than generic"
