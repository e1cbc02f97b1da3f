"""A profile's [fields] (issue 25, item 5): CSS selectors per field, checked when the profile
loads, read before the profile's page object field by field, a selector that gives nothing
believable falling back to the page object's reading (named in ``fallbacks``), and one that
never gives its field a notice at the end of a run (field coverage)."""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import replace
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from archive.field_coverage import FieldCoverage
from scraper.demo.presstv_pages import PRIMARY, render_article_legacy, render_article_modern
from scraper.demo.site import SampleArticle, SampleImage, generate_articles
from scraper.sites.article import ArticleData
from scraper.sites.generic import GenericArticlePage
from scraper.sites.profile import ProfileError, SiteProfile, load_profile, parse_profile
from scraper.sites.profile_fields import MAX_MATCHES, FieldSelector, FieldSelectors
from scraper.sites.profile_fields_page import ProfileFieldsPage, article_page
from scraper.sites.rferl import RferlArticlePage
from tests.conftest import memory_cap, newsarchive_command

MEMORY_CAP = 1536 << 20  # the command, its imports and one page

ARTICLE_URL = r"^/[Dd]etail/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<id>\d+)"
# The demo site's modern template, as a user would name its fields.
DEMO_FIELDS = """
[fields]
title = "h1.news-title"
published = "span.news-date"
authors = "div.news-writer a"
section = "ol.breadcrumb li:last-child"
body = "div.news-body"
body_exclude = [".share-box", "div.app-promo"]
images = "figure img"
"""


def profile_text(fields: str = DEMO_FIELDS, extractor: str = "generic") -> str:
    return (
        f'name = "localnews"\nprimary = "{PRIMARY}"\narticle_url = \'{ARTICLE_URL}\'\n'
        f'extractor = "{extractor}"\ntimezone = "Asia/Tehran"\n{fields}'
    )


def demo_profile(fields: str = DEMO_FIELDS) -> SiteProfile:
    return parse_profile(profile_text(fields), source="site.toml")


@pytest.fixture(scope="module")
def article() -> SampleArticle:
    # the demo's articles name no author; this one has two
    return replace(generate_articles(1)[0], authors=["Jane Doe", "Ali Rezaei"])


def read(profile: SiteProfile, article: SampleArticle, html: str) -> ProfileFieldsPage:
    zone = ZoneInfo(profile.timezone) if profile.timezone else None
    page = article_page(profile.extractor, PRIMARY + article.path, html, zone, profile.fields)
    assert isinstance(page, ProfileFieldsPage)
    return page


# --- loading ---------------------------------------------------------------------------------


def test_fields_load_as_selectors_with_their_attributes() -> None:
    profile = demo_profile(
        DEMO_FIELDS.replace(
            'images = "figure img"', 'images = { css = "figure img", attr = "data-src" }'
        )
    )
    fields = profile.fields
    assert fields.names == ("title", "published", "section", "authors", "body", "images")
    assert fields.title is not None and fields.title.css == "h1.news-title"
    assert fields.images is not None and fields.images.attr == "data-src"
    assert fields.body_exclude == (".share-box", "div.app-promo")
    assert not demo_profile("").fields  # no [fields]: nothing given, falsy


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ('title = "h1["', "fields.title selector 'h1[' is not CSS soupsieve reads"),
        ('section = "::before"', "fields.section selector '::before' is not CSS"),
        ('authors = ""', "fields.authors selector '' is not CSS"),
        ('body = "div"\nbody_exclude = ["p >"]', "fields.body_exclude selector 'p >'"),
        ('headline = "h1"', "unknown key 'fields.headline'"),
        ('title = { css = "h1", at = "x" }', "unknown key 'fields.title.at'"),
        ('title = { attr = "content" }', "fields.title needs css"),
        ('title = { css = "h1", attr = "two words" }', "fields.title.attr must be an attribute"),
        ("title = 3", "fields.title must be a CSS selector or a table"),
        ('body_exclude = [".ad"]', "fields.body_exclude needs fields.body"),
        ('body = { css = "div", attr = "x" }', "fields.body takes no attr"),
        ('title = "' + "a " * 600 + '"', "fields.title selector is over 1000 characters"),
    ],
)
def test_a_bad_selector_is_one_line_naming_the_file_the_field_and_the_selector(
    fields: str, message: str
) -> None:
    with pytest.raises(ProfileError) as raised:
        demo_profile(f"[fields]\n{fields}\n")
    assert str(raised.value).startswith("site.toml: ")
    assert message in str(raised.value)
    assert "\n" not in str(raised.value)


def test_fields_must_be_a_table() -> None:
    with pytest.raises(ProfileError, match="'fields' must be a table"):
        parse_profile(profile_text('fields = "h1"\n'), source="site.toml")


@pytest.mark.timeout(120)
def test_extract_reads_through_the_selectors_even_the_longest_on_a_deep_page(
    tmp_path: Path, article: SampleArticle
) -> None:
    """``newsarchive extract --site`` takes the profile's [fields]; the deepest nesting a
    selector's length allows, on a page nested as deep, costs bounded time and memory."""
    nested = ":is(" * 120 + "h1.news-title" + ")" * 120
    profile = tmp_path / "site.toml"
    profile.write_text(
        profile_text(DEMO_FIELDS.replace('"h1.news-title"', f'"{nested}"')), encoding="utf-8"
    )
    page = tmp_path / "page.html"
    html = render_article_modern(article)
    page.write_text(html.replace("<body>", "<body>" + "<div>" * 2000, 1), encoding="utf-8")
    result = subprocess.run(
        [*newsarchive_command(), "extract", str(page), "--url", PRIMARY + article.path]
        + ["--site", str(profile)],
        capture_output=True,
        text=True,
        timeout=100,
        preexec_fn=memory_cap(MEMORY_CAP),
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    record = json.loads(result.stdout)
    assert record["title"] == article.title
    assert record["section"] == article.section
    assert record["fallbacks"] == []


# --- reading ---------------------------------------------------------------------------------


def test_every_field_comes_from_its_selector_when_the_template_fits(
    article: SampleArticle,
) -> None:
    page = read(demo_profile(), article, render_article_modern(article))
    item = page.to_item()
    assert item is not None
    assert all(r.taken for r in page.readings.values()), page.readings
    assert item.fallbacks == []
    assert item.title == article.title
    assert item.section == article.section
    assert item.authors == article.authors
    assert item.published == article.published.isoformat()
    assert [image.url.rsplit("/", 1)[-1] for image in item.images] == [
        image.url.rsplit("/", 1)[-1] for image in article.images
    ]
    assert item.body.startswith(article.paragraphs[0][:40])
    assert "Share" not in item.body.split("\n\n")[-1]  # the share box is cut (body_exclude)


def test_a_selector_matching_nothing_falls_back_and_says_so(article: SampleArticle) -> None:
    """The legacy template has none of the modern one's classes: each field is the generic
    reading's, and ``fallbacks`` names those the generic reading filled."""
    html = render_article_legacy(article)
    page = read(demo_profile(), article, html)
    item = page.to_item()
    generic = GenericArticlePage(PRIMARY + article.path, html).to_item()
    assert item is not None and generic is not None
    assert page.readings["title"].why_not == "matched nothing"
    assert item.title == generic.title and item.body == generic.body
    assert {"title", "published", "body"} <= set(item.fallbacks)
    assert item.fallbacks == [name for name in item.fallbacks if getattr(generic, name)]


def test_an_unbelievable_value_is_not_taken(article: SampleArticle) -> None:
    fields = """
[fields]
title = { css = "meta[property='og:site_name']", attr = "content" }
published = "h1.news-title"
section = "div.news-body"
body = "div.news-body p:first-of-type"
"""
    page = read(demo_profile(fields), article, render_article_modern(article))
    item = page.to_item()
    assert item is not None
    why = {name: reading.why_not for name, reading in page.readings.items()}
    assert why["title"] == "only the site's name"
    assert (why["published"] or "").startswith("not a date: ")
    assert "a block, not a section's name" in (why["section"] or "")
    assert (why["body"] or "").startswith("a fragment: ")  # the first paragraph alone
    assert item.title and "PressTV" != item.title
    assert set(item.fallbacks) >= {"title", "published", "body"}
    assert len(item.body) > len(article.paragraphs[0]) * 2


def test_body_parts_are_joined_and_exclusions_cut() -> None:
    html = (
        "<html><head><title>A story - Site</title></head><body><h1>A story</h1>"
        '<div class="part"><p>First part, first paragraph of the story.</p>'
        '<div class="ad"><p>Buy now</p></div></div><aside><p>Elsewhere</p></aside>'
        '<div class="part"><p>Second part of the story, its last paragraph.</p>'
        '<div class="part"><p>A nested part, read once.</p></div></div></body></html>'
    )
    fields = FieldSelectors(
        body=parse_profile(profile_text('[fields]\nbody = ".part"\n')).fields.body,
        body_exclude=(".ad",),
    )
    url = f"{PRIMARY}/Detail/2023/02/19/1"
    item = ProfileFieldsPage(GenericArticlePage(url, html), fields, url, html).to_item()
    assert item is not None
    assert item.body.split("\n\n") == [
        "First part, first paragraph of the story.",
        "Second part of the story, its last paragraph.",
        "A nested part, read once.",
    ]


def test_a_profile_without_fields_reads_as_its_page_object_alone(article: SampleArticle) -> None:
    html = render_article_modern(article)
    page = article_page("generic", PRIMARY + article.path, html, None, FieldSelectors())
    assert isinstance(page, GenericArticlePage)


def test_a_family_page_object_is_read_under_the_profile_selectors() -> None:
    """[fields] goes before a family's own markup too; where a selector gives nothing, the
    family's reading is taken and named a fallback."""
    fixtures = Path(__file__).parent / "fixtures" / "rferl"
    html = (fixtures / "voanews_7585813.html").read_text(encoding="utf-8")
    url = "https://www.voanews.com/a/7585813.html"
    plain = RferlArticlePage(url, html).to_item()
    fields = parse_profile(
        profile_text(
            '[fields]\ntitle = { css = "meta[name=description]", attr = "content" }\n'
            'section = "nav.no-such-section"\n',
            extractor="rferl",
        )
    ).fields
    page = ProfileFieldsPage(RferlArticlePage(url, html), fields, url, html)
    item = page.to_item()
    assert plain is not None and item is not None
    assert page.readings["title"].taken and item.title == plain.description
    assert page.readings["section"].why_not == "matched nothing"
    assert item.section == plain.section  # the family's own reading
    assert item.fallbacks == sorted({*plain.fallbacks, "section"}, key=list(vars(plain)).index)
    assert item.body == plain.body


def test_built_in_profiles_give_no_selectors() -> None:
    for name in ("presstv", "dw", "voanews"):
        assert not load_profile(name).fields


def test_published_offset_comes_from_the_profile_zone(article: SampleArticle) -> None:
    profile = demo_profile('[fields]\npublished = "span.news-date"\n')
    item = read(profile, article, render_article_modern(article)).to_item()
    assert item is not None
    assert item.published == article.published.isoformat()
    assert item.published_offset_assumed  # the page prints a clock, no offset


# --- field coverage --------------------------------------------------------------------------


def test_a_selector_that_never_gives_its_field_is_a_notice() -> None:
    coverage = FieldCoverage()
    given = ("title", "section")
    for n in range(40):
        coverage.add(
            {"url": f"u{n}", "title": "T", "section": "S", "fallbacks": ["section"]}, given
        )
    coverage.add({"url": "other", "title": "T"})  # a record of a profile without [fields]
    assert coverage.to_dict()["selectors"] == {
        "title": {"pages": 40, "taken": 40},
        "section": {"pages": 40, "taken": 0},
    }
    [notice] = coverage.selector_notices()
    assert notice.startswith("fields.section selector gave the section of 0 of 40 pages")
    assert "selectors" not in FieldCoverage().to_dict()


def test_item_data_is_unchanged_for_fields_not_given(article: SampleArticle) -> None:
    html = render_article_modern(article)
    page = read(demo_profile('[fields]\nsection = "ol.breadcrumb li:last-child"\n'), article, html)
    item = page.to_item()
    generic = GenericArticlePage(PRIMARY + article.path, html, ZoneInfo("Asia/Tehran")).to_item()
    assert item is not None and generic is not None
    assert item.published_offset_assumed == generic.published_offset_assumed
    for name in ArticleData.__dataclass_fields__:
        if name != "section":
            assert getattr(item, name) == getattr(generic, name), name


def test_the_headline_atop_a_body_container_is_not_text() -> None:
    html = (
        "<html><body><article><h1>A story of the day</h1>"
        "<p>The first paragraph of the story, a sentence.</p>"
        "<p>The second paragraph of the story, another one.</p></article></body></html>"
    )
    url = f"{PRIMARY}/Detail/2023/02/19/1"
    fields = parse_profile(profile_text('[fields]\nbody = "article"\n')).fields
    page = ProfileFieldsPage(GenericArticlePage(url, html), fields, url, html)
    item = page.to_item()
    assert item is not None and page.readings["body"].taken
    assert item.title == "A story of the day"
    assert item.body.split("\n\n")[0] == "The first paragraph of the story, a sentence."


@pytest.mark.timeout(120)
def test_selectors_matching_everything_cost_bounded_time() -> None:
    """ "*" for every field, on a page of 40,000 elements nested 2,000 deep: each selector is
    read at most MAX_MATCHES times, no element is read as pictures twice."""
    html = (
        "<html><head><title>T</title></head><body>"
        + "<div><p>word " * 2000
        + "</p></div>" * 2000
        + "".join(f"<p>Paragraph {i} of the page, a sentence.</p>" for i in range(36000))
        + "</body></html>"
    )
    star = '"*"'
    fields = parse_profile(
        profile_text(
            "[fields]\n"
            + "".join(f"{name} = {star}\n" for name in ("title", "published", "section"))
            + f"authors = {star}\nimages = {star}\nbody = {star}\nbody_exclude = [{star}]\n"
        )
    ).fields
    url = f"{PRIMARY}/Detail/2023/02/19/1"
    started = time.perf_counter()
    page = ProfileFieldsPage(GenericArticlePage(url, html), fields, url, html)
    page.to_item()
    assert time.perf_counter() - started < 60
    assert all(reading.matched <= MAX_MATCHES for reading in page.readings.values())
    assert not page.readings["published"].taken and not page.readings["section"].taken


def test_pictures_inside_the_text_are_read_before_the_text_cuts_them(
    article: SampleArticle,
) -> None:
    inline = SampleImage("/photo/20230219/inline-map.jpg", "A map of the region. (Photo by AFP)")
    both = replace(article, images=[*article.images, inline])
    page = read(demo_profile(), both, render_article_modern(both))
    item = page.to_item()
    assert item is not None and page.readings["images"].taken and page.readings["body"].taken
    assert [image.url.rsplit("/", 1)[-1] for image in item.images][-1] == "inline-map.jpg"
    assert item.images[-1].caption == "A map of the region."
    assert item.images[-1].credit == "AFP"
    assert "A map of the region" not in item.body  # the caption is no text


def test_the_docs_fields_examples_load() -> None:
    docs = (Path(__file__).parents[1] / "docs" / "site-profiles.md").read_text(encoding="utf-8")
    section = docs.split("## Selectors in the profile ([fields])", 1)[1]
    blocks = [block.split("```", 1)[0] for block in section.split("```toml\n")[1:]]
    assert len(blocks) == 2
    table = parse_profile(profile_text(blocks[0])).fields
    assert table.names == ("title", "published", "section", "authors", "body", "images")
    whole = parse_profile(blocks[1], source="voa-fields.toml")
    assert whole.fields.section is not None and whole.fields.body_exclude


def test_the_note_of_which_reading_won_stays_under_a_profiles_selectors() -> None:
    """A profile's [fields] selector for another field keeps the generic reading's note."""
    from scraper.sites.profile_fields_page import article_page
    from tests.test_generic_real_wrecks import list_article_html

    fields = FieldSelectors(title=FieldSelector("h1"))
    page = article_page(
        "generic", "https://example.com/agencies", list_article_html(), None, fields
    )
    item = page.to_item()
    assert item is not None and item.title == "Top agencies"
    assert any(note.startswith("body: second reading") for note in item.fallbacks)
