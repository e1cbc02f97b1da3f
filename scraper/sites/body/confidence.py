"""Whether the scorer's choice of the article's containers can be trusted, and the second
reading when it cannot.

A readability-style scorer picks the container with the most prose points.  It goes wrong
in a known way: when the text is split from a box that scores well on its own (a lead
paragraph in a box the template hints is the article, the text under a class hinting a
paywall), it chooses the box and loses the text.  The tell is a choice that is short and a
small share of the page's text while a candidate outside it holds much more prose; then
that candidate is the text, and the chosen box, when it stands right before it, its lead.
"""

from __future__ import annotations

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag

from scraper.sites.body.hints import has_negative_hint, hint_text, string_attr
from scraper.sites.body.scoring import Reading
from scraper.sites.body.text_stats import TextStats
from scraper.sites.body.vocabulary import ARTICLE_BODY_PROP


def checked_containers(reading: Reading, soup: BeautifulSoup, stats: TextStats) -> list[Tag]:
    chosen = reading.containers
    chosen_length = sum(stats.length(tag) for tag in chosen)
    if not chosen or not _weak(chosen_length, stats.length(soup)) or _marked_body(chosen):
        return chosen
    other = reading.runner_up()
    if (
        other is None
        or stats.length(other) < _MORE_TEXT * chosen_length
        or stats.link_density(other) > _MAX_LINK_DENSITY
        or has_negative_hint(hint_text(other))  # the comments, the related stories
    ):
        return chosen
    if _comes_before(chosen[-1], other):
        return [*chosen, other]  # the lead, then the text
    return [other]


def _marked_body(chosen: list[Tag]) -> bool:
    """Schema.org markup says which element is the text: not a guess to doubt."""
    return len(chosen) == 1 and bool(ARTICLE_BODY_PROP.search(string_attr(chosen[0], "itemprop")))


def _weak(chosen_length: int, page_length: int) -> bool:
    return chosen_length < _SHORT and chosen_length < _SMALL_SHARE * page_length


# A choice shorter than this, and under this share of the page's text, is doubted.
_SHORT = 500
_SMALL_SHARE = 0.3
# The other candidate must hold this many times the text, mostly not in links.
_MORE_TEXT = 2
_MAX_LINK_DENSITY = 0.3


def _comes_before(first: Tag, second: Tag) -> bool:
    """``second`` follows ``first`` with little text between them (a byline, a label)."""
    last: PageElement = first
    for _ in range(_MAX_DEPTH):  # the last node inside ``first``: the walk starts past it
        if not isinstance(last, Tag) or not last.contents:
            break
        last = last.contents[-1]
    between = 0
    for count, element in enumerate(last.next_elements):
        if element is second:
            return True
        if count == _MAX_GAP:
            return False
        if type(element) is NavigableString:
            between += len(element.strip())
            if between > _MAX_BETWEEN:
                return False
    return False


_MAX_DEPTH = 100
_MAX_GAP = 200
_MAX_BETWEEN = 100
