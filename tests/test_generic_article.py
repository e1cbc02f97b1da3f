from __future__ import annotations

import gzip
import json
import unicodedata
from pathlib import Path

import pytest

from scraper.sites import article_page_class
from scraper.sites.generic import GenericArticlePage
from scraper.sites.html import clean_text, decode_html

FIXTURES = Path(__file__).parent / "fixtures" / "generic"


def load(case: str) -> tuple[GenericArticlePage, dict]:
    directory = FIXTURES / case
    meta = json.loads((directory / "meta.json").read_text("utf-8"))
    html = decode_html(gzip.decompress((directory / "page.html.gz").read_bytes()))
    return GenericArticlePage(meta["url"], html), meta


def fundus_truth(meta: dict) -> dict:
    (version,) = meta["ground_truth"].values()
    return version  # type: ignore[no-any-return]


def fundus_paragraphs(truth: dict) -> list[str]:
    return [clean_text(p) for s in truth["body"]["sections"] for p in s["paragraphs"]]


def test_registry_names_the_generic_page() -> None:
    assert article_page_class("generic") is GenericArticlePage


def test_voa_real_page() -> None:
    page, meta = load("fundus/voa")
    item = page.to_item()
    assert item is not None
    truth = fundus_truth(meta)
    assert item.title == clean_text(truth["title"])
    assert item.published == "2024-04-28T07:00:00+00:00"
    assert item.authors == truth["authors"] == ["Associated Press"]
    assert item.language == "en-US"
    paragraphs = item.body.split("\n\n")
    truth_paragraphs = fundus_paragraphs(truth)
    assert sum(p in paragraphs for p in truth_paragraphs) >= 0.95 * len(truth_paragraphs)
    for chrome in [
        "Skip to main content",
        "Link has been copied to clipboard",
        "All About America",
    ]:
        assert chrome not in item.body


def test_taipei_times_real_page() -> None:
    page, meta = load("fundus/taipeitimes")
    item = page.to_item()
    assert item is not None
    truth = fundus_truth(meta)
    assert item.title == truth["title"]
    assert item.published == "2024-10-16T00:00:00+08:00"
    assert item.canonical_url == meta["url"]
    for paragraph in fundus_paragraphs(truth)[:3] + fundus_paragraphs(truth)[-2:]:
        assert paragraph in item.body
    for chrome in [
        "You might also like",
        "Copyright © 1999-2024",
        "Taiwan on alert over Chinese carrier",
    ]:
        assert chrome not in item.body


def test_arabic_real_page_comes_through_intact() -> None:
    page, meta = load("fundus/lbcgroup")
    item = page.to_item()
    assert item is not None
    truth = fundus_truth(meta)
    assert item.language == "ar"
    assert item.published == "2026-01-08T11:42:50+00:00"
    assert item.authors == []  # the page names only the channel, LBCI
    assert item.body.split("\n\n") == fundus_paragraphs(truth)
    assert unicodedata.is_normalized("NFC", item.body)
    assert 'شبّه كثيرون لونه بـ"حلوى القطن"' in item.body  # shadda and tatweel kept
    assert 'لوحة "الفتاة ذات القرط اللؤلؤي"' not in item.body  # the "next article" teaser


def test_extraction_benchmark_bbc_page() -> None:
    page, meta = load("extraction-benchmark/bbc-newsbeat")
    item = page.to_item()
    assert item is not None
    assert item.title == "Taylor Swift's AMA row seems to be over"
    assert item.published == "2019-11-19T09:44:09+00:00"
    truth_lines = [clean_text(line) for line in meta["ground_truth"]["articleBody"].splitlines()]
    for line in filter(None, truth_lines):
        assert line in item.body
    assert "Share this with" not in item.body


def test_links_are_absolute_unique_and_in_order() -> None:
    html = """<html><head><base href="https://mirror.test/news/"></head><body>
    <a href="a.html">A</a> <a href="/b">B</a> <a href="a.html#top">A again</a>
    <a href="https://other.test/c">C</a> <a href="mailto:x@y.z">mail</a>
    <a href="javascript:void(0)">js</a> <a href="#">top</a> <a>no href</a>
    <a href="//cdn.test/d">D</a></body></html>"""
    assert GenericArticlePage("https://www.presstv.ir/x/y", html).links() == [
        "https://mirror.test/news/a.html",
        "https://mirror.test/b",
        "https://other.test/c",
        "https://cdn.test/d",
    ]


def test_links_resolve_against_page_url_without_base() -> None:
    html = "<html><body><a href='../Detail/1'>x</a></body></html>"
    page = GenericArticlePage("https://presstv.tv/Section/101/", html)
    assert page.links() == ["https://presstv.tv/Section/Detail/1"]


def test_links_survive_to_item_pruning() -> None:
    html = (
        "<html><body><nav><a href='/nav'>nav</a></nav><article><p>"
        + "Body text, long enough to be the article body here. " * 3
        + "</p></article></body></html>"
    )
    page = GenericArticlePage("https://x.test/", html)
    assert page.to_item() is not None
    assert page.links() == ["https://x.test/nav"]


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><h1>This domain has been seized</h1></body></html>",
        "<html><body></body></html>",
        "",
    ],
)
def test_no_body_means_no_item(html: str) -> None:
    assert GenericArticlePage("https://x.test/", html).to_item() is None


def test_title_and_byline_fallbacks() -> None:
    html = (
        "<html><head><title>Site | Headline</title></head><body><h1>The Headline</h1>"
        "<p class='byline'>By Sara Karimi and Ali Rezaei</p><article>"
        + "<p>Paragraph text, long enough, with some commas, to count as body.</p>" * 3
        + "</article></body></html>"
    )
    item = GenericArticlePage("https://x.test/", html).to_item()
    assert item is not None
    assert item.title == "The Headline"
    assert item.authors == ["Sara Karimi", "Ali Rezaei"]
    assert "By Sara Karimi" not in item.body


def test_every_title_the_page_states_is_kept_with_its_sources() -> None:
    """The chosen headline is one title; the SEO title and the <title> with the site's name
    stay in ``titles``, each once with every place stating it; a logo <h1> is no title."""
    html = (
        "<html><head><title>Oil exports rose in May | Daily Example</title>"
        '<meta property="og:title" content="Why oil exports rose">'
        '<meta name="twitter:title" content="Why oil exports rose">'
        '<meta property="og:site_name" content="Daily Example">'
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Oil exports rose in May"}</script>'
        "</head><body><header><h1>Daily Example</h1></header><article>"
        "<h1>Oil exports rose in May</h1>"
        + "<p>Paragraph text, long enough, with some commas, to count as body.</p>" * 3
        + "</article></body></html>"
    )
    item = GenericArticlePage("https://daily.example/a/1", html).to_item()
    assert item is not None and item.title == "Oil exports rose in May"
    assert [(t.text, t.sources) for t in item.titles] == [
        ("Why oil exports rose", ["og:title", "twitter:title"]),
        ("Oil exports rose in May", ["json-ld headline", "h1"]),
        ("Oil exports rose in May | Daily Example", ["title"]),
    ]
    assert "titles" not in item.fallbacks


def test_a_page_repeating_titles_without_end_keeps_a_few() -> None:
    headings = "".join(f"<h1>Headline number {n}</h1>" for n in range(500))
    html = (
        f"<html><body>{headings}<article>"
        + "<p>Paragraph text, long enough, with some commas, to count as body.</p>" * 3
        + "</article></body></html>"
    )
    item = GenericArticlePage("https://x.test/a", html).to_item()
    assert item is not None and 0 < len(item.titles) <= 12


def test_jsonld_article_body_used_when_html_lacks_the_text() -> None:
    body = "First paragraph of the article, only in JSON-LD.\nSecond paragraph, also long." * 3
    ld = json.dumps({"@type": "NewsArticle", "headline": "Scripted", "articleBody": body})
    html = (
        f'<html><head><script type="application/ld+json">{ld}</script></head>'
        "<body><div id='app'>Loading…</div></body></html>"
    )
    item = GenericArticlePage("https://x.test/", html).to_item()
    assert item is not None
    assert item.body.split("\n\n")[0] == "First paragraph of the article, only in JSON-LD."


def test_jsonld_teaser_does_not_replace_the_html_text() -> None:
    ld = json.dumps({"@type": "NewsArticle", "headline": "H", "articleBody": "A teaser only."})
    paragraphs = [
        f"Paragraph {i}, of the real article text, which is long enough." for i in range(5)
    ]
    html = (
        f'<html><head><script type="application/ld+json">{ld}</script></head><body><article>'
        + "".join(f"<p>{p}</p>" for p in paragraphs)
        + "</article></body></html>"
    )
    item = GenericArticlePage("https://x.test/", html).to_item()
    assert item is not None and item.body == "\n\n".join(paragraphs)


def test_jsonld_text_with_more_than_the_html_article_does_not_replace_it() -> None:
    # the structured text is the body's textContent: the fact box the HTML reading cut
    paragraphs = [
        f"Paragraph {i}, of the real article text, which is long enough." for i in range(5)
    ]
    box = ["Fact box: what you need to know about the topic, in many words, again and again."] * 2
    ld = json.dumps(
        {
            "@type": "NewsArticle",
            "headline": "H",
            "articleBody": "\n".join(paragraphs[:2] + box + paragraphs[2:]),
        }
    )
    html = (
        f'<html><head><script type="application/ld+json">{ld}</script></head><body><article>'
        + "".join(f"<p>{p}</p>" for p in paragraphs[:2])
        + f'<div class="factbox"><p>{box[0]}</p><p>{box[1]}</p></div>'
        + "".join(f"<p>{p}</p>" for p in paragraphs[2:])
        + "</article></body></html>"
    )
    item = GenericArticlePage("https://x.test/", html).to_item()
    assert item is not None and item.body == "\n\n".join(paragraphs)


def test_headline_repeated_atop_the_text_is_dropped() -> None:
    html = (
        '<html><head><meta property="og:title" content="Big news"></head><body><article>'
        "<h2>Big news</h2>"
        + "<p>Paragraph text, long enough, with commas, to count.</p>" * 3
        + "</article></body></html>"
    )
    item = GenericArticlePage("https://x.test/", html).to_item()
    assert item is not None and not item.body.startswith("Big news")


_GERMAN_PARAGRAPHS = "".join(
    f"<p>{p}</p>"
    for p in (
        "Die Feuerwehr in Nordrhein-Westfalen warnt vor einem Personalmangel, wenn das Rentenalter "
        "für Einsatzkräfte erhöht wird, sagte der Verbandschef am Montag in Düsseldorf.",
        "Viele Kameradinnen und Kameraden seien schon heute an der Grenze ihrer Belastbarkeit, und "
        "die Landesregierung will die Pläne im Herbst im Landtag vorstellen.",
        "Die Gewerkschaft kündigte Widerstand an und verlangt Gespräche mit dem Innenministerium, "
        "bevor ein Gesetzentwurf vorgelegt wird.",
    )
)


def test_a_page_stating_no_date_gets_the_day_its_url_names() -> None:
    html = f"<html><head><title>Einsatz</title></head><body><article>{_GERMAN_PARAGRAPHS}</article></body></html>"
    item = GenericArticlePage("https://www.example.it/2025/04/01/einsatz/", html).to_item()
    assert item is not None and item.published == "2025-04-01"  # the day, no invented time
    stated = html.replace(
        "</title>",
        '</title><meta property="article:published_time" content="2025-04-02T08:00:00+02:00">',
    )
    item = GenericArticlePage("https://www.example.it/2025/04/01/einsatz/", stated).to_item()
    assert item is not None and item.published == "2025-04-02T08:00:00+02:00"


def test_the_template_language_the_text_contradicts_is_overruled() -> None:
    html = f'<html lang="en"><head><title>Einsatz</title></head><body><article>{_GERMAN_PARAGRAPHS}</article></body></html>'
    item = GenericArticlePage("https://x.test/a", html).to_item()
    assert item is not None and item.language == "de"
    item = GenericArticlePage(
        "https://x.test/a", html.replace('lang="en"', 'lang="de_at"')
    ).to_item()
    assert item is not None and item.language == "de-AT"


def test_a_byline_line_with_the_authors_address_is_dropped() -> None:
    html = (
        '<html><head><meta name="author" content="신현주 기자"><title>제목</title></head><body><article>'
        + "<p>장동혁 국민의힘 대표가 당권을 위협하던 한동훈 전 대표를 제명했지만, 어깨는 한층 무거워졌다.</p>"
        * 3
        + "<p>신현주 기자 spicy@hankookilbo.com</p></article></body></html>"
    )
    item = GenericArticlePage("https://x.test/a", html).to_item()
    assert item is not None and item.authors == ["신현주"]
    assert "spicy@" not in item.body


def test_the_kicker_and_headline_atop_the_text_are_dropped_not_a_first_sentence() -> None:
    text = "<p>Paragraph text, long enough, with commas, to count as the article's body.</p>" * 3
    html = (
        '<html><head><meta property="og:title" content="Trump plant Helikopterlandeplatz">'
        "</head><body><article><p>Umbau des Weissen Hauses</p><h2>Trump plant Helikopterlandeplatz</h2>"
        + text
        + "</article></body></html>"
    )
    item = GenericArticlePage("https://x.test/", html).to_item()
    assert item is not None and item.body.split("\n\n")[0].startswith("Paragraph text")
    # a sentence before a line that repeats the title: the text had begun, nothing is cut
    html = html.replace(
        "<p>Umbau des Weissen Hauses</p>",
        "<p>Der Präsident hat am Montag neue Pläne vorgelegt.</p>",
    )
    item = GenericArticlePage("https://x.test/", html).to_item()
    assert item is not None and item.body.startswith("Der Präsident hat am Montag")


# The Press TV templates of the local test site, read by the generic page object alone.
def _expected_body(article) -> str:  # type: ignore[no-untyped-def]
    # as tests/test_crawl_e2e.py: expected_body
    return "\n\n".join(clean_text(p.removeprefix("## ")) for p in article.paragraphs)


@pytest.mark.parametrize("template", ["legacy", "modern"])
def test_presstv_templates_give_the_whole_text(template: str) -> None:
    # legacy: the text straight in <div class="item-text"> in <br><br>-separated lines, a
    # <strong> sub-heading, a captioned figure, the mirror notice and a link after it.
    from scraper.demo.presstv_pages import render_article_legacy, render_article_modern
    from scraper.demo.site import generate_articles

    render = render_article_legacy if template == "legacy" else render_article_modern
    articles = generate_articles(40)[:12]
    assert any(p.startswith("## ") for a in articles for p in a.paragraphs)
    assert any(i.caption for a in articles for i in a.images)
    for article in articles:
        item = GenericArticlePage(
            "https://www.presstv.ir" + article.path, render(article)
        ).to_item()
        assert item is not None, article.id
        assert item.body == _expected_body(article), article.id
