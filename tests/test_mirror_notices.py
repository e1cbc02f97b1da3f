"""A site's notice of alternate addresses, read from a page (issue 16, item 1):
``scraper.sites.mirror_notices``. The addresses a notice names; nothing else on the page."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from scraper.sites.mirror_notices import announced_origins

SHARED = Path(__file__).resolve().parents[2] / "shared"
PAGE = "https://www.presstv.ir/Detail/2023/02/19/698345/x"

CASES = [
    (  # the seed article's own words, with its share block right after
        "<p>Press TV’s website can also be accessed at the following alternate addresses:</p>"
        '<p><a href="https://www.presstv.co.uk">www.presstv.co.uk</a></p>'
        '<ul class="share"><li><a href="https://twitter.com/intent/tweet?url=x"></a></li>'
        '<li><a href="https://t.me/share/url?url=x">Share on Telegram</a></li></ul>',
        ["https://www.presstv.co.uk"],
    ),
    (  # legacy markup: the notice and the link inside one text block, between <br>s
        "<div>Text of the story.<br/>Press TV’s website can also be accessed at the following"
        ' alternate addresses:<br/><br/><a href="http://www.presstv.co.uk">www.presstv.co.uk</a>'
        "<br/></div>",
        ["http://www.presstv.co.uk"],
    ),
    (
        "<p>Our new address: news.example.org and 10.0.0.1:8080</p>",
        ["https://news.example.org", "https://10.0.0.1:8080"],
    ),
    (
        "<p>آدرس‌های جایگزین: tv.example و https://tv2.example</p>",
        ["https://tv2.example", "https://tv.example"],
    ),
    (
        "<p>العناوين البديلة للموقع: <a href='http://ar.example'>ar.example</a></p>",
        ["http://ar.example"],
    ),
    ("<p>Альтернативный адрес сайта: ru.example</p>", ["https://ru.example"]),
    ("<p>Nos adresses alternatives : fr.example</p>", ["https://fr.example"]),
    ("<p>The site can also be accessed at www.presstv.ir</p>", []),  # the page's own origin
    ("<p>Read more at <a href='https://other.example/x'>other.example</a></p>", []),  # no notice
    ("<p>Please update your email address: help@mail.example</p>", []),
]


@pytest.mark.parametrize(("html", "origins"), CASES, ids=[str(n) for n in range(len(CASES))])
def test_the_addresses_a_notice_names(html: str, origins: list[str]) -> None:
    assert announced_origins(html, PAGE) == origins


def test_a_profile_can_name_the_notice_block() -> None:
    html = "<div class='mirrors'><a href='//m1.example'>one</a> <a href='/x'>two</a></div><p>x</p>"
    assert announced_origins(html, PAGE, ".mirrors") == ["https://m1.example"]
    assert announced_origins(html, PAGE) == []  # no phrase: nothing read generically


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="../shared corpus not present")
def test_no_notice_is_read_on_real_news_pages_that_have_none() -> None:
    pages = sorted((SHARED / "corpus").rglob("*.html")) + sorted(
        (SHARED / "corpus").rglob("*.html.gz")
    )
    assert len(pages) > 100
    for path in pages:
        data = path.read_bytes()
        text = (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8", "replace")
        assert announced_origins(text, "https://example.test/x") == [], path
