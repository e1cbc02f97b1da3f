"""The generic body on pages of the kinds that wreck extractors (issue 13): each kind its own
page, built here, every rule general (no host is named)."""

from __future__ import annotations

from scraper.sites.generic import GenericArticlePage

ITEM = (
    "The {n}th place is worth it because of its views, its food and its people, and you can "
    "reach it by tram in twenty minutes from the centre of town."
)


def listicle(items: int = 10) -> str:
    """A list article: an introduction, then numbered items, each a heading, a picture and a
    paragraph in a box of its own; related stories beside it."""
    boxes = "".join(
        f'<div class="list-item"><h2>{n}. Item number {n}</h2><figure><img src="/i{n}.jpg">'
        f'</figure><div class="item-text"><p>{ITEM.format(n=n)}</p></div></div>'
        for n in range(1, items + 1)
    )
    return (
        "<html><head><title>Ten things to do in Lisbon | Travel Weekly</title></head><body>"
        '<header><nav><a href="/">Home</a> <a href="/travel">Travel</a></nav></header>'
        "<main><article><h1>Ten things to do in Lisbon</h1>"
        '<div class="intro"><p>Lisbon is a city of hills and trams; here is what to see when '
        "you visit for a weekend, from the castle to the river.</p></div>"
        f"{boxes}</article></main>"
        '<aside class="related"><h3>More stories</h3><ul><li><a href="/a">A story</a></li>'
        '<li><a href="/b">B story</a></li></ul></aside><footer>© Travel Weekly</footer>'
        "</body></html>"
    )


def test_a_list_article_keeps_every_item_not_only_its_introduction() -> None:
    item = GenericArticlePage("https://travel.example/lisbon", listicle()).to_item()
    assert item is not None
    paragraphs = item.body.split("\n\n")
    assert paragraphs[0].startswith("Lisbon is a city of hills")
    for n in range(1, 11):
        assert f"{n}. Item number {n}" in paragraphs
        assert ITEM.format(n=n) in paragraphs
    assert len(paragraphs) == 21
    assert "More stories" not in item.body and "Travel Weekly" not in item.body
