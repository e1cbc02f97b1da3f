"""The publication day of pages whose markup states no date (htmldate as the last resort)."""

from __future__ import annotations

import socket

import pytest

from scraper.sites.page_date import publication_day

_NO_MARKUP_DATE = """<html><head><title>Einsatz</title></head><body><article><h1>Einsatz</h1>
<p>Ein Text ohne Datum im Markup, so lang wie ein kurzer Artikel eben ist.</p></article>
</body></html>"""


def test_day_from_the_url_when_the_markup_states_none() -> None:
    day = publication_day(
        _NO_MARKUP_DATE, "https://www.example.it/2025/04/01/unermuedlicher-einsatz/"
    )
    assert day == "2025-04-01"


def test_day_from_script_data() -> None:
    html = _NO_MARKUP_DATE.replace(
        "</head>",
        '<script>var page = {"datePublished": "2024-10-23T15:48:15+00:00"};</script></head>',
    )
    assert publication_day(html, "https://example.com/news/a-story") == "2024-10-23"


def test_only_the_day_never_an_invented_time() -> None:
    day = publication_day(_NO_MARKUP_DATE, "https://example.com/2025/04/01/story")
    assert day is not None and len(day) == 10


def test_no_date_anywhere_gives_none() -> None:
    assert publication_day(_NO_MARKUP_DATE, "https://example.com/news/a-story") is None


@pytest.mark.parametrize("html", ["", "   ", "<", "\x00\x00", "<html>" * 5000])
def test_garbage_gives_none_without_raising(html: str) -> None:
    assert publication_day(html, "https://example.com/news/x") is None


def test_a_page_that_looks_like_a_url_is_never_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    # htmldate downloads a string that looks like a URL; a page object must never go online
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access from a page object")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    assert publication_day("https://example.com/2020/01/01/story", None) in (None, "2020-01-01")
