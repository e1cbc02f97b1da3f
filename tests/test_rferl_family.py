"""The RFE/RL and VOA family: its page object on real pages, its built-in profiles, and a
crawl archiving a real page of the family with the family's profile.

The pages are in tests/fixtures/rferl (sources and licences in its LICENSE.md); every value
expected below was read off the page itself.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest

from scraper.demo.server import LoopbackServers, Reply, Request
from scraper.sites import article_page_class
from scraper.sites.article import ArticleData
from scraper.sites.generic import GenericArticlePage
from scraper.sites.listing import GenericListingPage
from scraper.sites.profile import BUILTIN_PACKAGE, builtin_profile_names, load_profile
from scraper.sites.rferl import RferlArticlePage
from scraper.sites.site_pages import read_site_page
from tests.conftest import FAST_CRAWL, run_newsarchive

FIXTURES = Path(__file__).parent / "fixtures" / "rferl"
VOA_URL = (
    "https://www.voanews.com/a/"
    "america-s-child-care-crisis-is-holding-back-moms-without-college-degrees-/7585813.html"
)
VOA_PATH = urlsplit(VOA_URL).path
RFERL_FRONT_URL = "https://www.rferl.org/"
FAMILY = [name for name in builtin_profile_names() if load_profile(name).extractor == "rferl"]


def voa_html() -> str:
    return (FIXTURES / "voanews_7585813.html").read_text(encoding="utf-8")


def rferl_front_html() -> str:
    return (FIXTURES / "rferl_front_2018.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def voa() -> ArticleData:
    item = RferlArticlePage(VOA_URL, voa_html()).to_item()
    assert item is not None
    return item


# --- the page object on a real page --------------------------------------------------------


def test_the_family_extractor_is_registered() -> None:
    assert article_page_class("rferl") is RferlArticlePage


def test_voa_page_fields_from_the_family_markup(voa: ArticleData) -> None:
    assert voa.title == "America's child care crisis is holding back moms without college degrees"
    # <time datetime="2024-04-28T03:00:00-04:00">: the page's own offset, kept
    assert voa.published == "2024-04-28T03:00:00-04:00"
    assert voa.published_offset_assumed is False
    assert voa.authors == ["Associated Press"]
    assert voa.section == "USA"
    assert voa.description == (
        "High-quality child care programs are prohibitively expensive, and government "
        "assistance is limited"
    )
    assert voa.language == "en-US"
    assert voa.canonical_url == VOA_URL
    assert voa.fallbacks == []  # every field came from the family's markup


def test_voa_body_starts_with_the_dateline_and_ends_with_the_last_paragraph(
    voa: ArticleData,
) -> None:
    paragraphs = voa.body.split("\n\n")
    assert len(paragraphs) == 26
    assert paragraphs[0].startswith(
        "AUBURN, Wash. — After a series of lower-paying jobs, Nicole Slemp finally landed one"
    )
    assert paragraphs[-1] == (
        '"Our country is doing nothing to try to help fill that gap," Slemp said. As a parent, '
        "\"we're supposed to keep the population going, and they're not giving us a chance to "
        'provide for our kids to be able to do that."'
    )
    assert '"My kids need me," Burnett said, "but I also have to work."' in paragraphs


def test_voa_body_holds_no_captions_related_links_or_share_bar(voa: ArticleData) -> None:
    for chrome in (
        "FILE - Mike and Jane Roberts",  # a caption inside the text
        "Israel-Gaza war protests",  # the Related box
        "More US Stories",
        "Share on Facebook",
        "Email to a Friend",
        "Print",
        "Comments",
    ):
        assert chrome not in voa.body


def test_voa_images_are_the_lead_and_the_embedded_pictures_with_captions(
    voa: ArticleData,
) -> None:
    assert [(image.url, image.caption) for image in voa.images] == [
        (
            "https://gdb.voanews.com/01000000-0aff-0242-d5d7-08dc658aabd0_w250_r1_s.jpg",
            "Adriane Burnett reads to her son Karter Robinson in Birmingham, Alabama, "
            "April 14, 2024.",
        ),
        (
            "https://gdb.voanews.com/01000000-0aff-0242-50f7-08dc658aabde_w250_r0_s.jpg",
            "FILE - Mike and Jane Roberts tend to their son, Dennis, at their Pocatello, "
            "Idaho, home on March 1, 2024.",
        ),
        (
            "https://gdb.voanews.com/01000000-0aff-0242-6257-08dc658aabd6_w250_r1_s.jpg",
            "Adriane Burnett helps her son Josiah with his studies April 14, 2024, in "
            "Birmingham, Ala.",
        ),
    ]


def test_the_family_reading_is_never_worse_than_the_generic_one(voa: ArticleData) -> None:
    generic = GenericArticlePage(VOA_URL, voa_html()).to_item()
    assert generic is not None
    assert voa.title == generic.title
    assert voa.authors == generic.authors
    # the same text, with the dateline where the page prints it rather than on its own
    assert voa.body.replace("AUBURN, Wash. — ", "AUBURN, Wash. —\n\n") == generic.body
    # the same instant; the page's own offset rather than JSON-LD's UTC
    assert generic.published == "2024-04-28T07:00:00+00:00"


def test_links_of_the_page_are_absolute(voa: ArticleData) -> None:
    page = RferlArticlePage(VOA_URL, voa_html())
    page.to_item()
    links = page.links()
    assert "https://www.voanews.com/z/599" in links
    assert (
        "https://www.voanews.com/a/us-official-announces-business-partnership-with-kenya/"
        "7585238.html" in links
    )


# --- template drift: the generic reading, field by field ------------------------------------


def drifted(html: str, renames: dict[str, str]) -> str:
    for old, new in renames.items():
        html = html.replace(old, new)
    return html


def test_a_redesigned_text_container_falls_back_to_the_generic_body() -> None:
    html = drifted(voa_html(), {'<div class="wsw">': '<div class="story-text">'})
    item = RferlArticlePage(VOA_URL, html).to_item()
    assert item is not None
    assert item.fallbacks == ["body"]
    assert item.body.startswith("AUBURN, Wash. —")
    assert item.body.endswith('to be able to do that."')
    assert "Israel-Gaza war protests" not in item.body


def test_renamed_headline_date_byline_and_section_come_from_the_metadata() -> None:
    html = drifted(
        voa_html(),
        {
            'class="title pg-title"': 'class="headline"',
            'class="published"': 'class="when"',
            '<span class="date" >': '<span class="when" >',
            "/author/associated-press/": "/people/associated-press/",
            '<div class="category js-category">': '<div class="topic">',
            'class="col-title ': 'class="col-head ',
        },
    )
    item = RferlArticlePage(VOA_URL, html).to_item()
    assert item is not None
    assert item.fallbacks == ["title", "published", "section", "authors"]
    assert item.title == "America's child care crisis is holding back moms without college degrees"
    assert item.published == "2024-04-28T07:00:00+00:00"  # JSON-LD's
    assert item.authors == ["Associated Press"]
    assert item.section == "USA"
    assert len(item.images) == 3  # the pictures' markup is as it was
    assert item.body.startswith("AUBURN, Wash. — After a series")


def test_a_headline_that_is_only_the_site_name_is_not_taken() -> None:
    html = drifted(
        voa_html(),
        {
            "America&#39;s child care crisis is holding back moms without college degrees\n</h1>": (
                "Voice of America\n</h1>"
            )
        },
    )
    item = RferlArticlePage(VOA_URL, html).to_item()
    assert item is not None
    assert "title" in item.fallbacks
    assert item.title == "America's child care crisis is holding back moms without college degrees"


def test_a_page_without_text_is_no_article() -> None:
    html = (
        "<html><head><title>Page doesn&#39;t exist</title></head><body><h1>404</h1></body></html>"
    )
    assert RferlArticlePage("https://www.voanews.com/a/1.html", html).to_item() is None


# --- the built-in profiles ------------------------------------------------------------------

# The family's article links, as real pages write them: /a/slug/ID.html and /a/ID.html.
REAL_ARTICLE_PATHS = {
    "/a/putin-expected-to-sail-to-fourth-term-as-russians-vote/29105971.html": "29105971",
    "/a/29105649.html": "29105649",  # a video, linked without its slug
    "/a/russia-elections-generation-putin/29098899.html": "29098899",
    "/a/29098899.html": "29098899",  # the same article, without its slug
    VOA_PATH: "7585813",
}
# Listings, sections and tags, authors, media hubs, search and feeds of the same pages.
REAL_OTHER_PATHS = [
    "/",
    "/p/5547.html",  # RFE/RL's Russia listing
    "/p/2905.html",  # RFE/RL's Multimedia listing
    "/z/599",  # VOA's USA section
    "/z/16973",  # RFE/RL's Graphics
    "/author/associated-press/j_-yt",
    "/podcasts",
    "/programs/tv",
    "/rssfeeds",
    "/navigation/allsites",
    "/s",
    "/api/",
    "/jobs/detail/BNA1332-1801.html",
    "/usa",
]


def test_at_least_twenty_family_profiles_are_built_in() -> None:
    assert len(FAMILY) >= 20
    for expected in ("rferl", "svoboda", "radiofarda", "azattyq", "currenttime", "voanews"):
        assert expected in FAMILY


@pytest.mark.parametrize("name", FAMILY)
def test_every_family_profile_loads_and_matches_the_family_url_shapes(name: str) -> None:
    profile = load_profile(name)
    assert profile.name == name
    assert profile.extractor == "rferl"
    assert profile.feeds == ("/api/",)
    origins = [profile.primary, *profile.mirrors]
    for origin in origins:
        assert urlsplit(origin).scheme == "https"
        assert not urlsplit(origin).hostname.endswith(".onion")  # type: ignore[union-attr]
        for path, article_id in REAL_ARTICLE_PATHS.items():
            match = profile.match_article(origin + path)
            assert match is not None, (origin, path)
            assert match.groups["id"] == article_id
        for path in REAL_OTHER_PATHS:
            assert profile.match_article(origin + path) is None, (origin, path)


@pytest.mark.parametrize("name", FAMILY)
def test_every_family_profile_reads_a_real_page_of_the_cms(name: str) -> None:
    """The family's real page as if served by each outlet: its profile takes the URL for an
    article and its extractor reads every field from the markup."""
    profile = load_profile(name)
    url = profile.primary + VOA_PATH
    assert profile.match_article(url) is not None
    zone = ZoneInfo(profile.timezone or "UTC")
    item = article_page_class(profile.extractor)(url, voa_html(), zone).to_item()
    assert item is not None
    assert item.fallbacks == []
    assert item.published == "2024-04-28T03:00:00-04:00"
    assert item.body.endswith('to be able to do that."')


def test_one_article_under_both_of_its_urls_is_one_canonical_url() -> None:
    profile = load_profile("rferl")
    canonical = set()
    for url in (
        "https://www.rferl.org/a/russia-elections-generation-putin/29098899.html",
        "https://www.rferl.org/a/29098899.html",
        "https://rferlbryvdgsruipc-h4hpc2f8f8drdxh3.z02.azurefd.net/a/29098899.html",
    ):
        article = profile.match_article(url)
        assert article is not None
        canonical.add((profile.article_id(article), profile.canonical_url(article)))
    assert canonical == {("rferl:29098899", "https://www.rferl.org/a/29098899.html")}


def test_mirrors_come_from_the_mirror_list_only() -> None:
    # One https mirror a main domain in the list; none invented for hosts it does not name.
    assert load_profile("voanews").mirrors == ("https://d2c72hkaqrcfxm.cloudfront.net",)
    assert load_profile("radiofarda").mirrors == ("https://d2wfeulciyv7sy.cloudfront.net",)


# --- the family's listing pages ------------------------------------------------------------


def test_the_real_front_page_lists_articles_the_profile_recognises() -> None:
    profile = load_profile("rferl")
    links = GenericListingPage(RFERL_FRONT_URL, rferl_front_html()).article_links()
    articles = [link for link in links if profile.match_article(link)]
    ids = {profile.match_article(link).groups["id"] for link in articles}  # type: ignore[union-attr]
    assert "https://www.rferl.org/a/29105649.html" in articles
    assert "https://www.rferl.org/a/tajik-cinema-without-the-sex/29106011.html" in articles
    assert (len(articles), len(ids)) == (9, 8)  # 29098899 with and without its slug
    assert "https://www.rferl.org/p/5458.html" in links
    assert "https://www.rferl.org/p/5458.html" not in articles


@pytest.mark.parametrize(
    ("url", "html"),
    [(RFERL_FRONT_URL, rferl_front_html), (VOA_URL, voa_html)],
    ids=["rferl-front-2018", "voa-article-2024"],
)
def test_the_family_pages_declare_the_api_feed(url: str, html: Any) -> None:
    page = read_site_page(url, html().encode("utf-8"), "text/html; charset=utf-8")
    origin = f"{urlsplit(url).scheme}://{urlsplit(url).netloc}"
    assert page.feeds == [f"{origin}/api/"]


# --- a crawl with the family's profile, from loopback --------------------------------------

SITE = "voanews"
EMPTY_SITEMAP = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"></urlset>'
)


def _feed(origin: str) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>VOA</title>'
        f"<link>{origin}/</link><description>Top stories</description><item>"
        "<title>America's child care crisis is holding back moms without college degrees"
        f"</title><link>{origin}{VOA_PATH}</link>"
        "<pubDate>Sun, 28 Apr 2024 07:00:00 GMT</pubDate></item></channel></rss>"
    )


@pytest.fixture(scope="module")
def loopback_voa() -> Iterator[LoopbackServers]:
    page = voa_html()
    holder: dict[str, str] = {}

    def handler(request: Request) -> Reply:
        path = request.target.split("?", 1)[0]
        if path == "/api/":
            return Reply.xml(_feed(holder["origin"]))
        if path == "/sitemap.xml":
            return Reply.xml(EMPTY_SITEMAP)
        if path == VOA_PATH:
            return Reply.html(page)
        return Reply.html("<html><body>Not found</body></html>", status=404)

    with LoopbackServers(handler, ["127.0.0.1"]) as servers:
        holder["origin"] = servers.origins[0]
        yield servers


def family_profile_on(origin: str, path: Path) -> Path:
    """The built-in voanews profile, served from ``origin`` alone.  Mirror discovery is off:
    the page names www.voanews.com, which a test must never look up."""
    text = resources.files(BUILTIN_PACKAGE).joinpath("voanews.toml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^primary = .*$", f'primary = "{origin}"', text)
    text = re.sub(r"(?m)^mirrors = .*$", "mirrors = []\ndiscover_mirrors = false", text)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.timeout(240)
def test_a_crawl_archives_a_real_family_page_with_the_family_profile(
    loopback_voa: LoopbackServers, tmp_path: Path
) -> None:
    origin = loopback_voa.origins[0]
    profile = family_profile_on(origin, tmp_path / "voanews.toml")
    out = tmp_path / "out"
    result = run_newsarchive(
        "crawl",
        str(profile),
        "--out",
        str(out),
        # the page links nine other articles (Related, More US Stories) this site does not
        # serve: the run ends with the one it does
        "--max-articles",
        "1",
        *FAST_CRAWL,
        "-s",
        "NEWSARCHIVE_ASSETS=none",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    records = [
        json.loads(line)
        for path in sorted((out / "json" / SITE).glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    assert len(records) == 1
    record = records[0]
    assert record["id"] == "voanews:7585813"
    assert record["title"] == (
        "America's child care crisis is holding back moms without college degrees"
    )
    assert record["published"] == "2024-04-28T03:00:00-04:00"
    assert record["authors"] == ["Associated Press"]
    assert record["body"].startswith("AUBURN, Wash. — After a series of lower-paying jobs")
    assert record["fallbacks"] == []
    assert list((out / "warc" / SITE).glob("*.warc.gz"))
    asked = [request.target for request in loopback_voa.requests]
    assert VOA_PATH in asked
    assert "voanews.com" not in result.stderr.replace(origin, "")  # never looked up


# --- hostile and broken markup -------------------------------------------------------------


@pytest.mark.timeout(30)
@pytest.mark.parametrize(
    "stated",
    ["not a date", "2024-02-30T10:00:00Z", "99999-01-01", "2024-04-28T03:00:00+99:00", ""],
)
def test_a_broken_date_attribute_is_no_date(stated: str) -> None:
    html = voa_html().replace('datetime="2024-04-28T03:00:00-04:00"', f'datetime="{stated}"')
    item = RferlArticlePage(VOA_URL, html).to_item()
    assert item is not None
    assert item.published == "2024-04-28T07:00:00+00:00"  # the structured reading's
    assert item.fallbacks == ["published"]


@pytest.mark.timeout(60)
def test_deeply_nested_text_and_thousands_of_figures_are_read_in_bounded_time() -> None:
    nested = "<div>" * 3000 + "<p>Deep text.</p>" + "</div>" * 3000
    figures = '<div class="wsw__embed"><figure><img src="/x.jpg"></figure></div>' * 5000
    html = (
        '<html><body><div id="article-content"><div class="wsw">'
        f"<p>{'Word ' * 300}</p>{nested}{figures}</div></div></body></html>"
    )
    item = RferlArticlePage("https://www.rferl.org/a/1.html", html).to_item()
    assert item is not None
    assert item.body.startswith("Word Word")
    assert len(item.images) == 1  # one address, however often embedded
