"""Hostile input never breaks extraction: random and malformed HTML never raises and never
loops; 100,000 levels of nesting and a 20 MB page finish (the bounds are generous timeouts that
catch a loop or a quadratic blow-up, not speed targets: those live in bench/)."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from archive.extraction import extract_article, extract_listing

EXTRACTORS = ("generic", "presstv")
URL = "https://www.example.com/news/2026/03/09/story"

TAGS = [
    "html",
    "head",
    "body",
    "title",
    "meta",
    "script",
    "style",
    "div",
    "p",
    "span",
    "a",
    "article",
    "main",
    "section",
    "h1",
    "h2",
    "ul",
    "li",
    "table",
    "tr",
    "td",
    "br",
    "img",
    "figure",
    "figcaption",
    "time",
    "template",
    "svg",
    "noscript",
    "iframe",
    "blockquote",
    "pre",
    "textarea",
    "!--",
    "![CDATA[",
]
ATTRIBUTES = [
    'class="body"',
    'class="article-body content"',
    'property="og:title" content="PressTV-x"',
    'name="DC.Date.Created" content="3/9/2026 11:50:13 AM"',
    'itemprop="author"',
    'href="/a?b=1#c"',
    'datetime="2026-03-09T11:50:13+03:30"',
    'type="application/ld+json"',
    'dir="rtl"',
    "hidden",
    'src="data:,x"',
    'lang="fa"',
    'content="\u0000"',
    "=",
    '"',
    "'",
]
TEXT = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=80)


@st.composite
def html_soup(draw: st.DrawFn) -> bytes:
    """Markup-shaped noise: tags opened and closed in any order, attributes, entities, JSON-LD
    fragments, text in any script, NULs and stray bytes."""
    parts = []
    for _ in range(draw(st.integers(0, 60))):
        kind = draw(st.integers(0, 6))
        tag = draw(st.sampled_from(TAGS))
        if kind == 0:
            parts.append(
                f"<{tag} {' '.join(draw(st.lists(st.sampled_from(ATTRIBUTES), max_size=3)))}>"
            )
        elif kind == 1:
            parts.append(f"</{tag}>")
        elif kind == 2:
            parts.append(
                draw(
                    st.sampled_from(
                        ["&amp;", "&nbsp;", "&#0;", "&#x110000;", "&bogus;", "&", "<", ">"]
                    )
                )
            )
        elif kind == 3:
            parts.append(
                '{"@context":"https://schema.org","@type":"NewsArticle","headline":'
                + draw(st.sampled_from(['"x"', "null", "[]", '{"@id":1}', '"\\ud800"', "1e999"]))
                + "}"
            )
        else:
            parts.append(draw(TEXT))
    encoded = "".join(parts).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        encoded += draw(st.binary(max_size=40))
    return encoded


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    page=html_soup(),
    extractor=st.sampled_from(EXTRACTORS),
    content_type=st.sampled_from(
        [
            None,
            "text/html",
            "text/html; charset=utf-8",
            "text/html; charset=bogus",
            "text/html; charset=windows-1256",
            "application/octet-stream",
        ]
    ),
)
def test_random_markup_never_raises(page: bytes, extractor: str, content_type: str | None) -> None:
    result = extract_article(extractor, URL, page, content_type, "Asia/Tehran")
    if result.article is not None:
        assert isinstance(result.article["body"], str) and result.article["body"].strip()
        assert result.article["title"] is None or "\x00" not in result.article["title"]
    assert all(link.startswith(("http://", "https://")) for link in result.links)
    listing = extract_listing(extractor, URL, page, content_type)
    assert all(link.startswith(("http://", "https://")) for link in listing.article_links)


@settings(max_examples=60, deadline=None)
@given(body=st.binary(max_size=2000))
@example(body=b"<meta")  # truncated markup a charset sniffer once panicked on (w3lib 2.6)
def test_arbitrary_bytes_never_raise(body: bytes) -> None:
    for extractor in EXTRACTORS:
        result = extract_article(extractor, URL, body, None, None)
        assert result.article is None or result.article["body"].strip()
        assert all(link.startswith(("http://", "https://")) for link in result.links)


ARTICLE = (
    "<p>"
    + "A sentence of the article, long enough to be prose, with commas, and a point. " * 4
    + "</p>"
) * 5


@pytest.mark.timeout(120)
@pytest.mark.parametrize("extractor", EXTRACTORS)
@pytest.mark.parametrize("tag", ["div", "b"])
def test_a_hundred_thousand_levels_of_nesting(extractor: str, tag: str) -> None:
    page = (
        f"<html><head><title>Deep</title></head><body>{f'<{tag}>' * 100_000}{ARTICLE}"
        f"{f'</{tag}>' * 100_000}</body></html>"
    ).encode()
    started = time.monotonic()
    result = extract_article(extractor, URL, page, "text/html; charset=utf-8", None)
    assert time.monotonic() - started < 100
    assert result.article is None or "A sentence of the article" in result.article["body"]


@pytest.mark.timeout(180)
@pytest.mark.parametrize("extractor", EXTRACTORS)
def test_a_twenty_megabyte_page(extractor: str) -> None:
    filler = (
        "<div class='related'><a href='/x'>Related story</a></div>" * 20_000
    )  # ~1.1 MB of chrome
    one_paragraph = "<p>" + "word " * 4_000_000 + "</p>"  # one 20 MB text node
    page = f"<html><body>{filler}<article>{ARTICLE}{one_paragraph}</article></body></html>".encode()
    assert len(page) > 20_000_000
    result = extract_article(extractor, URL, page, "text/html; charset=utf-8", None)
    assert result.article is None or result.article["body"]
