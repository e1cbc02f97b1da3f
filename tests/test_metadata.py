from __future__ import annotations

import json
from zoneinfo import ZoneInfo

import pytest

from scraper.sites.headline import site_keys
from scraper.sites.html import make_soup
from scraper.sites.metadata.authors import clean_authors
from scraper.sites.metadata.dates import parse_date
from scraper.sites.metadata.jsonld import jsonld_article
from scraper.sites.metadata.read import read_metadata

URL = "https://www.presstv.ir/Detail/2023/02/19/698345/Russia-says"
TEHRAN = ZoneInfo("Asia/Tehran")


def page(head: str = "", body: str = "", lang: str | None = None) -> str:
    lang_attr = f' lang="{lang}"' if lang else ""
    return f"<!DOCTYPE html><html{lang_attr}><head>{head}</head><body>{body}</body></html>"


def ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


def meta(html: str, default_tz=None):  # type: ignore[no-untyped-def]
    return read_metadata(make_soup(html), URL, default_tz)


NEWS_ARTICLE = {
    "@context": "https://schema.org",
    "@type": "NewsArticle",
    "headline": "Russia says Ukraine talks &amp; sanctions",
    "datePublished": "2023-02-19T14:05:00+03:30",
    "dateModified": "2023-02-19T15:00:00Z",
    "author": [
        {"@type": "Person", "name": "By Jane Doe"},
        {"@type": "Person", "name": "JANE DOE"},
        "John Roe | Reuters",
        {"@type": "Organization", "name": "Press TV"},
    ],
    "publisher": {"@type": "Organization", "name": "Press TV"},
    "image": [
        {"@type": "ImageObject", "url": "/photo/a.jpg", "caption": "Kremlin"},
        "https://cdn.test/b.jpg",
    ],
    "keywords": "Russia, Ukraine, sanctions, russia",
    "articleSection": ["Politics", "World"],
    "inLanguage": "en",
    "description": "Moscow\u00a0says\u200b talks are possible.",
    "mainEntityOfPage": {
        "@type": "WebPage",
        "@id": "https://www.presstv.ir/Detail/2023/02/19/698345",
    },
}


def test_jsonld_news_article_gives_every_field() -> None:
    data = meta(page(ld(NEWS_ARTICLE)))
    assert data.title == "Russia says Ukraine talks & sanctions"
    assert data.published == "2023-02-19T14:05:00+03:30"
    assert data.modified == "2023-02-19T15:00:00+00:00"
    assert data.authors == ["Jane Doe", "John Roe"]  # prefix, dupe, role, publisher gone
    assert [(i.url, i.caption) for i in data.images] == [
        ("https://www.presstv.ir/photo/a.jpg", "Kremlin"),
        ("https://cdn.test/b.jpg", None),
    ]
    assert data.tags == ["Russia", "Ukraine", "sanctions"]
    assert data.section == "Politics"
    assert data.language == "en"
    assert data.description == "Moscow says talks are possible."
    assert data.canonical_url == "https://www.presstv.ir/Detail/2023/02/19/698345"
    assert data.body == ""


def test_jsonld_wins_over_opengraph() -> None:
    # JSON-LD wins every field but the title (see test_title_*): og:description loses here
    html = page(ld(NEWS_ARTICLE) + '<meta property="og:description" content="OG text">')
    assert meta(html).description == "Moscow says talks are possible."


def test_title_the_visible_headline_confirms() -> None:
    # og:title is the declared headline, unless only the JSON-LD one is what the <h1> shows
    head = ld(NEWS_ARTICLE) + '<meta property="og:title" content="Social title | Press TV">'
    assert meta(page(head)).title == "Social title"
    shown = page(head, "<article><h1>Russia says Ukraine talks &amp; sanctions</h1></article>")
    assert meta(shown).title == "Russia says Ukraine talks & sanctions"


@pytest.mark.parametrize(
    ("og_title", "h1", "expected"),
    [
        # the site's name (or section, date) after or before a separator
        (
            "Steigende US-Zinsen setzen Dax zu | Börsen-Zeitung",
            "",
            "Steigende US-Zinsen setzen Dax zu",
        ),
        ("停戦「最も合意に近い」 | 毎日新聞", "", "停戦「最も合意に近い」"),
        ("Press TV - Russia says talks possible", "", "Russia says talks possible"),
        (
            "Ziele, Chancen, Risiken | Europa | DW | 28.04.2023",
            "Ziele, Chancen, Risiken",
            "Ziele, Chancen, Risiken",
        ),
        # a dash inside the headline is not an affix
        (
            "Bill worth THOUSANDS - here's how to check",
            "",
            "Bill worth THOUSANDS - here's how to check",
        ),
        # a kicker inside the <h1>: the declared title is the headline
        (
            "Judy Lybke, ganz und gar nicht eigenartig",
            "Neue Leipziger Schule: Judy Lybke, ganz und gar nicht eigenartig",
            "Judy Lybke, ganz und gar nicht eigenartig",
        ),
        # cut short for a share card: the <h1> is whole
        (
            "Iran says talks with the…",
            "Iran says talks with the United States can resume",
            "Iran says talks with the United States can resume",
        ),
    ],
)
def test_title_affixes_and_kickers(og_title: str, h1: str, expected: str) -> None:
    head = (
        f'<meta property="og:title" content="{og_title}">'
        '<meta property="og:site_name" content="Börsen-Zeitung"><meta property="og:site_name" content="毎日新聞">'
    )
    body = f"<article><h1>{h1}</h1></article>" if h1 else ""
    assert meta(page(head, body)).title == expected, "title"


def test_title_from_h1_and_title_tag_without_declared_titles() -> None:
    html = page(
        "<title>The Headline | Press TV</title>",
        "<nav><h1>Press TV</h1></nav><h1>The Headline</h1>",
    )
    assert meta(html).title == "The Headline"
    assert meta(page("<title>The Headline | presstv.ir</title>")).title == "The Headline"
    assert meta(page("<title>\u200bThe\u00a0Headline\u00ad</title>")).title == "The Headline"


def test_title_hgroup_heading_referees_when_the_h1_is_the_breadcrumb() -> None:
    # og:title is an SEO variant; the page shows the JSON-LD headline as its <hgroup>'s <h2>
    head = (
        '<meta property="og:title" content="Archäologische Sensation: Maya-Städte entdeckt">'
        + ld({"@type": "NewsArticle", "headline": "Unbekannte Maya-Städte werfen neues Licht"})
    )
    body = (
        "<nav><h1>Archäologische Sensation: Maya-Städte entdeckt</h1></nav>"
        "<article><hgroup><span>Sensation</span><h2> Unbekannte Maya-Städte werfen neues Licht "
        "</h2></hgroup><p>Text</p></article>"
    )
    assert meta(page(head, body)).title == "Unbekannte Maya-Städte werfen neues Licht"
    assert meta(
        page(head, body.replace("<hgroup>", "<div>").replace("</hgroup>", "</div>"))
    ).title == ("Archäologische Sensation: Maya-Städte entdeckt")


def test_title_shown_headline_where_the_declared_titles_disagree() -> None:
    # og:title and the JSON-LD headline are two SEO variants and the page shows a third:
    # the publisher states no one headline, the reader sees the <h1>
    og = '<meta property="og:title" content="Wenn Straßenbahnen schlappmachen und Beton platzt">'
    other = ld({"@type": "NewsArticle", "headline": "Verkehrschaos durch Hitze: alte Trams"})
    shown = "<article><h1>So sind Straßenbahnen auf Hitzewellen vorbereitet</h1></article>"
    label = "<aside><h1>Mehr aus Sachsen-Anhalt</h1></aside>"
    assert meta(page(og + other, shown + label)).title == (
        "So sind Straßenbahnen auf Hitzewellen vorbereitet"
    )
    # where the declared titles agree, they are the headline and the <h1> a display variant
    same = ld(
        {"@type": "NewsArticle", "headline": "Wenn Straßenbahnen schlappmachen und Beton platzt"}
    )
    assert meta(page(og + same, shown)).title == "Wenn Straßenbahnen schlappmachen und Beton platzt"
    # a section's label (a few words) or a heading ending in a colon is no headline
    for heading in ("M&amp;A Updates", "A message from our co-founder, Jane Doe:"):
        body = f"<article><h1>{heading}</h1></article>"
        assert (
            meta(page(og + other, body)).title
            == "Wenn Straßenbahnen schlappmachen und Beton platzt"
        )


@pytest.mark.parametrize(
    ("og_title", "expected"),
    [
        # a closing guillemet is a separator only when it closes no quotation
        ("Macron : « Je ne partirai pas » | Press TV", "Macron : « Je ne partirai pas »"),
        ("Macron : « Je ne partirai pas » - Press TV", "Macron : « Je ne partirai pas »"),
        ("Press TV » Macron dit non", "Macron dit non"),
        ("Press TV › Macron dit non", "Macron dit non"),
        # the Hangul letter Korean sites use as a bar, unspaced
        ("민주당 선호투표제 도입 또다시 불발ㅣPress TV", "민주당 선호투표제 도입 또다시 불발"),
    ],
)
def test_title_separators(og_title: str, expected: str) -> None:
    head = f'<meta property="og:title" content="{og_title}"><meta property="og:site_name" content="Press TV">'
    assert meta(page(head)).title == expected


def test_title_unspaced_tail_another_declared_title_goes_without() -> None:
    # "…불발-정치ㅣ한국일보": the site goes at "ㅣ"; the section "-정치" has no spaces to be seen
    # as an affix by, but the JSON-LD (or a meta "headline") states the title without it
    og = '<meta property="og:title" content="민주당 선호투표제 도입 또다시 불발-정치ㅣ한국일보">'
    site = '<meta property="og:site_name" content="한국일보">'
    assert meta(page(og + site)).title == "민주당 선호투표제 도입 또다시 불발-정치"
    stated = ld({"@type": "NewsArticle", "headline": "민주당 선호투표제 도입 또다시 불발"})
    assert meta(page(og + site + stated)).title == "민주당 선호투표제 도입 또다시 불발"
    named = '<meta name="headline" content="민주당 선호투표제 도입 또다시 불발">'
    assert meta(page(og + site + named)).title == "민주당 선호투표제 도입 또다시 불발"
    # an unspaced tail is one word: more is a compound going on ("Busan-style summit")
    compound = '<meta property="og:title" content="Trump meets Xi in a Busan-style summit">'
    other = ld({"@type": "NewsArticle", "headline": "Trump meets Xi in a Busan"})
    assert meta(page(compound + other)).title == "Trump meets Xi in a Busan-style summit"
    # a spaced one may be two words ("… - World News"), but no more ("… - here's how to check")
    spaced = '<meta property="og:title" content="Streik legt Berlin lahm - World News">'
    other = ld({"@type": "NewsArticle", "headline": "Streik legt Berlin lahm"})
    assert meta(page(spaced + other)).title == "Streik legt Berlin lahm"
    longer = '<meta property="og:title" content="Bill worth THOUSANDS - here\'s how to check">'
    other = ld({"@type": "NewsArticle", "headline": "Bill worth THOUSANDS"})
    assert meta(page(longer + other)).title == "Bill worth THOUSANDS - here's how to check"


def test_site_keys_name_the_registrable_domain_under_a_country_code() -> None:
    assert site_keys([], "https://www.mirror.co.uk/news/x") == {"mirror", "mirrorcouk"}
    assert site_keys([], "http://politics.people.com.cn/n1/x.html") == {"people", "peoplecomcn"}
    assert site_keys([], "https://www.t-online.de/x") == {"tonline", "tonlinede"}
    assert site_keys([], "https://news.bt.dk/x") == {"bt", "btdk"}


def test_graph_with_id_references_and_typed_list() -> None:
    graph = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "@id": "https://x.test/#site", "name": "X News"},
            {"@type": "Person", "@id": "https://x.test/#/person/1", "name": "Ali Rezaei"},
            {
                "@type": ["Article", "NewsArticle"],
                "headline": "In the graph",
                "author": {"@id": "https://x.test/#/person/1"},
                "datePublished": "2024-05-01T08:00:00+02:00",
                "keywords": ["a", "b"],
            },
        ],
    }
    data = meta(page(ld(graph)))
    assert data.title == "In the graph"
    assert data.authors == ["Ali Rezaei"]
    assert data.tags == ["a", "b"]


def test_top_level_list_and_schema_url_types() -> None:
    blocks = [
        {"@type": "BreadcrumbList", "name": "crumbs"},
        {"@type": "http://schema.org/ReportageNewsArticle", "headline": "From a list"},
    ]
    assert meta(page(ld(blocks))).title == "From a list"


def test_blog_posting_with_given_and_family_name() -> None:
    post = {
        "@type": "BlogPosting",
        "headline": "Post",
        "author": {"givenName": "Sara", "familyName": "Karimi"},
    }
    assert meta(page(ld(post))).authors == ["Sara Karimi"]


@pytest.mark.parametrize(
    "script",
    [
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": </script>',
        '<script type="application/ld+json">not json at all</script>',
        '<script type="application/ld+json"></script>',
        '<script type="application/ld+json">' + "[" * 5000 + "]" * 5000 + "</script>",
    ],
)
def test_malformed_jsonld_falls_back_without_raising(script: str) -> None:
    html = page(script + '<meta property="og:title" content="From OpenGraph">')
    assert meta(html).title == "From OpenGraph"


def test_jsonld_with_trailing_comma_and_raw_newline_is_repaired() -> None:
    script = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Line one\n'
        'line two", "datePublished": "2023-01-02T03:04:05Z",}</script>'
    )
    data = meta(page(script))
    assert data.title == "Line one line two"
    assert data.published == "2023-01-02T03:04:05+00:00"


@pytest.mark.parametrize(
    "opening, closing",
    [
        ("//<![CDATA[\n", "\n//]]>"),
        ("/*<![CDATA[*/", "/*]]>*/"),
        ("<!--", "-->"),
    ],
)
def test_jsonld_inside_cdata_or_comment_marks_is_read(opening: str, closing: str) -> None:
    document = json.dumps(
        {
            "@type": "NewsArticle",
            "headline": "Wrapped",
            "datePublished": "2024-08-22T12:00:00+02:00",
        }
    )
    script = f'<script type="application/ld+json">{opening}{document}{closing}</script>'
    data = meta(page(script))
    assert data.title == "Wrapped"
    assert data.published == "2024-08-22T12:00:00+02:00"


def test_jsonld_article_exposes_article_body() -> None:
    soup = make_soup(page(ld({"@type": "NewsArticle", "articleBody": "Full text."})))
    node = jsonld_article(soup)
    assert node is not None and node["articleBody"] == "Full text."
    assert jsonld_article(make_soup(page(ld({"@type": "WebPage"})))) is None


OPENGRAPH = """
<meta property="og:title" content="OG title">
<meta property="og:description" content="OG description">
<meta property="og:url" content="https://www.presstv.ir/Detail/2023/02/19/698345">
<meta property="og:image" content="/img/og.jpg">
<meta property="og:site_name" content="Press TV">
<meta property="article:published_time" content="2023-02-19T14:05:00+03:30">
<meta property="article:modified_time" content="2023-02-20T10:00:00+03:30">
<meta property="article:section" content="Middle East">
<meta property="article:tag" content="Iran">
<meta property="article:tag" content="Oil">
<meta property="article:author" content="https://facebook.com/someone">
<meta property="article:author" content="Maryam Ahmadi">
"""


def test_opengraph_and_article_properties() -> None:
    data = meta(page(OPENGRAPH))
    assert data.title == "OG title"
    assert data.description == "OG description"
    assert data.published == "2023-02-19T14:05:00+03:30"
    assert data.modified == "2023-02-20T10:00:00+03:30"
    assert data.section == "Middle East"
    assert data.tags == ["Iran", "Oil"]
    assert data.authors == ["Maryam Ahmadi"]  # the profile URL is not a name
    assert [i.url for i in data.images] == ["https://www.presstv.ir/img/og.jpg"]
    assert data.canonical_url == "https://www.presstv.ir/Detail/2023/02/19/698345"


def test_link_canonical_is_made_absolute_and_preferred() -> None:
    html = page('<link rel="canonical" href="/Detail/2023/02/19/698345/x">' + OPENGRAPH)
    assert meta(html).canonical_url == "https://www.presstv.ir/Detail/2023/02/19/698345/x"


def test_dublin_core_names_are_case_insensitive() -> None:
    head = """
    <meta name="DC.title" content="DC title">
    <meta name="dc.Date.Created" content="2023-02-19 14:05">
    <meta name="DCTERMS.modified" content="2023-02-21T09:00:00+01:00">
    <meta name="DC.creator" content="By Hamid Nouri">
    <meta name="DC.Language" content="fa">
    """
    data = meta(page(head), TEHRAN)
    assert data.title == "DC title"
    assert data.published == "2023-02-19T14:05:00+03:30"
    assert data.modified == "2023-02-21T09:00:00+01:00"
    assert data.authors == ["Hamid Nouri"]
    assert data.language == "fa"


def test_meta_names_spelled_with_colons_dots_or_underscores_alike() -> None:
    head = """
    <meta name="article:published:time" content="2024-10-23T15:48:15+00:00">
    <meta property="article_modified_time" content="2024-10-23T15:48:17+00:00">
    <meta name="DC:title" content="Colon-spelled title">
    """
    data = meta(page(head))
    assert data.published == "2024-10-23T15:48:15+00:00"
    assert data.modified == "2024-10-23T15:48:17+00:00"
    assert data.title == "Colon-spelled title"


@pytest.mark.parametrize(
    "head",
    [
        '<meta name="twitter:label1" content="Est. reading time"><meta name="twitter:data1" '
        'content="3 minutes"><meta name="twitter:label2" content="Verfasst von">'
        '<meta name="twitter:data2" content="Anna Sleegers">',
        '<meta name="twitter:misc:Written by" content="Anna Sleegers">',
    ],
)
def test_author_from_the_written_by_label_of_a_twitter_card(head: str) -> None:
    # Yoast SEO's markup: the only place many WordPress sites name the author
    assert meta(page(head + '<meta name="author" content="a.sleegers@example.com">')).authors == [
        "Anna Sleegers"
    ]


def test_twitter_card_data_under_another_label_is_no_author() -> None:
    head = (
        '<meta name="twitter:label1" content="Est. reading time">'
        '<meta name="twitter:data1" content="Anna Sleegers">'
    )
    assert meta(page(head)).authors == []


def test_dc_date_issued() -> None:
    assert meta(page('<meta name="DC.date.issued" content="2022-12-01T10:00:00Z">')).published == (
        "2022-12-01T10:00:00+00:00"
    )


def test_itemprop_time_and_html_lang() -> None:
    body = """
    <nav><time datetime="2001-01-01T00:00:00Z">old</time></nav>
    <article itemscope itemtype="https://schema.org/NewsArticle">
      <h1 itemprop="headline">Microdata headline</h1>
      <span itemprop="author" itemscope><span itemprop="name">Reza Tehrani</span></span>
      <time datetime="2023-02-19T14:05:00+03:30">19 Feb</time>
      <meta itemprop="dateModified" content="2023-02-19T16:00:00+03:30">
    </article>
    """
    data = meta(page(body=body, lang="en-GB"))
    assert data.title == "Microdata headline"
    assert data.authors == ["Reza Tehrani"]
    assert data.published == "2023-02-19T14:05:00+03:30"  # not the one in <nav>
    assert data.modified == "2023-02-19T16:00:00+03:30"
    assert data.language == "en-GB"


def test_missing_values_stay_empty() -> None:
    data = meta(page(body="<p>Nothing structured here.</p>"))
    assert data.title is None and data.published is None and data.modified is None
    assert data.section is None and data.description is None and data.language is None
    assert data.canonical_url is None
    assert data.authors == [] and data.images == [] and data.tags == []


def test_text_is_normalised() -> None:
    decomposed = "Tehra\u0301n"  # "á" as a + combining accent
    html = page(f'<meta property="og:title" content="  {decomposed}\u00a0news\u200d  ">')
    assert meta(html).title == "Tehr\u00e1n news"


@pytest.mark.parametrize(
    ("value", "tz", "expected"),
    [
        ("2023-02-19T14:05:00+03:30", None, "2023-02-19T14:05:00+03:30"),
        ("2023-02-19T14:05:00Z", TEHRAN, "2023-02-19T14:05:00+00:00"),
        ("2023-02-19T14:05:00", TEHRAN, "2023-02-19T14:05:00+03:30"),
        ("2023-02-19T14:05:00", None, "2023-02-19T14:05:00"),
        ("2008-06-01T12:00:00", TEHRAN, "2008-06-01T12:00:00+04:30"),  # Tehran had DST then
        ("Sun, 19 Feb 2023 10:35:00 GMT", None, "2023-02-19T10:35:00+00:00"),
        ("Sun, 19 Feb 2023 10:35:00 +0330", None, "2023-02-19T10:35:00+03:30"),
        ("February 19, 2023 2:05 PM EST", None, "2023-02-19T14:05:00-05:00"),
        ("2023-02-19", TEHRAN, "2023-02-19"),  # no time of day is invented
        ("19.02.2023 14:05", None, "2023-02-19T14:05:00"),
        ("", None, None),
        ("garbage", None, None),
        ("14:05", None, None),
        ("2023", None, None),
        ("99999-99-99T99:99", None, None),
        ("0001-01-01T00:00:00", None, None),
    ],
)
def test_parse_date(value: str, tz: ZoneInfo | None, expected: str | None) -> None:
    assert parse_date(value, tz) == expected


def test_parse_date_ignores_non_strings() -> None:
    assert parse_date(None) is None
    assert parse_date(20230219) is None


@pytest.mark.parametrize(
    ("names", "publishers", "expected"),
    [
        (["By Jane Doe | Reuters"], [], ["Jane Doe"]),
        (["Jane Doe", "jane doe", "JANE DOE"], [], ["Jane Doe"]),
        (
            ["Felix Schröder und Jörg Soldwisch", "dpa"],
            [],
            ["Felix Schröder", "Jörg Soldwisch", "dpa"],
        ),
        (["Jane Doe and John Roe"], [], ["Jane Doe", "John Roe"]),
        (["Press TV", "Ali Rezaei"], ["Press TV"], ["Ali Rezaei"]),
        (["n-tv NACHRICHTEN"], ["ntv NACHRICHTEN"], []),
        (["mdr.de", "Deutsche Welle (www.dw.com)"], [], []),
        (["https://facebook.com/jane", "jane@example.com"], [], []),
        (["Andrew Anderson"], [], ["Andrew Anderson"]),  # "and" inside words is no separator
        (["Updated 3 hours ago"], [], []),
        ([None, 5, ""], [], []),
        (["Von Seb Dumitru, Lille"], [], ["Seb Dumitru"]),  # "von", the place written from
        (["von Weizsäcker"], [], ["von Weizsäcker"]),  # a name, not a prefix
        (
            ["Par Marie Dupont, Paris", "Felix Schröder, dpa"],
            [],
            ["Marie Dupont", "Felix Schröder", "dpa"],
        ),
        (["Emma Mackenzie", "emma-mackenzie"], [], ["Emma Mackenzie"]),  # the URL slug twin
        (["red", "Nachrichten", "admin"], [], []),  # placeholders, not people
        # East Asian bylines: the role after the name (Korean, Japanese) or before (Chinese)
        (["신현주 기자", "박준석 선임기자"], [], ["신현주", "박준석"]),
        (["山田太郎記者", "本报记者 张三"], [], ["山田太郎", "张三"]),
        (["기자", "記者"], [], []),
        (["David Straub", "MDR THÜRINGEN"], ["mdr.de"], ["David Straub"]),  # the publisher's desk
        (["Redaktion: Roman Warschauer"], [], []),  # a label line
    ],
)
def test_clean_authors(names: list, publishers: list[str], expected: list[str]) -> None:
    assert clean_authors(names, publishers) == expected


def test_organisation_authors_only_when_no_person_is_named() -> None:
    org = dict(NEWS_ARTICLE, author={"@type": "Organization", "name": "Press TV"})
    assert meta(page(ld(org))).authors == ["Press TV"]
    assert meta(page(ld(NEWS_ARTICLE))).authors == ["Jane Doe", "John Roe"]
    assert clean_authors(["Redaktion hessenschau.de", "BR24"], organisations=True) == [
        "Redaktion hessenschau.de",
        "BR24",
    ]


def _dated(published: str, modified: str | None = None) -> str:
    data = {"@type": "NewsArticle", "headline": "H", "datePublished": published}
    if modified:
        data["dateModified"] = modified
    return page(ld(data))


def test_naive_time_takes_the_profile_zone_and_says_so() -> None:
    data = meta(_dated("2023-02-19T14:05:00"), TEHRAN)
    assert (data.published, data.published_offset_assumed) == ("2023-02-19T14:05:00+03:30", True)
    data = meta(_dated("2023-02-19T14:05:00+01:00"), TEHRAN)
    assert (data.published, data.published_offset_assumed) == ("2023-02-19T14:05:00+01:00", False)
    assert data.to_dict()["published_offset_assumed"] is False


def test_naive_time_borrows_the_offset_of_the_other_date() -> None:
    data = meta(_dated("2023-04-28T18:11:01", "2023-04-28T19:00:00+02:00"))
    assert (data.published, data.published_offset_assumed) == ("2023-04-28T18:11:01+02:00", True)
    data = meta(_dated("2023-04-28T18:11:01"))  # nothing to go by: left as stated
    assert (data.published, data.published_offset_assumed) == ("2023-04-28T18:11:01", False)
    data = meta(_dated("2023-04-28"))  # a bare date stays a bare date
    assert (data.published, data.published_offset_assumed) == ("2023-04-28", False)


def test_topics_from_rel_tag_links_when_no_markup_lists_keywords() -> None:
    body = """
    <article><h1>Story</h1><p>Text.</p>
      <ul class="tags"><li><a rel="tag" href="/t/care">Care-Arbeit</a></li>
      <li><a rel="tag" href="/t/kolumne">Kolumne</a></li></ul></article>
    <aside><a rel="tag" href="/t/other">Elsewhere</a></aside>
    """
    assert meta(page("", body)).tags == ["Care-Arbeit", "Kolumne"]


def test_content_ids_and_the_sites_host_are_no_topics() -> None:
    head = (
        '<meta name="keywords" content="Politics, 100312362, '
        '26157981-b4f7-4929-adc1-e860c6f03636, example.com, Example, Courts">'
    )
    data = read_metadata(make_soup(page(head)), "https://www.example.com/a/story")
    assert data.tags == ["Politics", "Example", "Courts"]
