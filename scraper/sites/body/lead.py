"""The lead a template sets apart from the text: a standfirst just before the article's
container, in a box its class calls the lead ("intro", "leader", "standfirst", "teaser"),
or an unnamed box of whole sentences with nothing but a byline between it and the ``<h1>``;
either one standing alone or closing the box that holds the headline.

The scorer chooses the container of the paragraphs; the lead, one paragraph in a box of its
own a level or two up, scores too little to be chosen with it.  Readers read it as the
article's first paragraph, and most ground truths count it.  An unnamed paragraph before the
text is as often a caption, a kicker or a teaser for something else: without a name, only
its place right under the headline, its sentences and its lack of links make it the lead.
"""

from __future__ import annotations

from bs4 import PageElement, Tag

from scraper.sites.body.hints import has_negative_hint, hint_text, split_camel_case
from scraper.sites.body.text_stats import TextStats, reached_past_little_text
from scraper.sites.body.vocabulary import CLOSING_QUOTES, FULL_STOPS, LEAD_HINT


def with_lead(containers: list[Tag], stats: TextStats) -> list[Tag]:
    """``containers`` with the lead that stands right before the first of them, if any."""
    if not containers:
        return containers
    element: Tag | None = containers[0]
    for _ in range(_LEVELS):
        if element is None or element.name in ("body", "html", "[document]"):
            break
        lead = _lead_before(element, stats)
        if lead is not None:
            return [lead, *containers]
        element = element.parent
    return containers


def _lead_before(element: Tag, stats: TextStats) -> Tag | None:
    """A lead among the few element siblings before ``element``, or closing the one that
    holds the headline; none once a box with more text than a lead stands between (the
    lead of something else)."""
    seen = 0
    for sibling in element.previous_siblings:
        if not isinstance(sibling, Tag):
            continue
        seen += 1
        if seen > _SIBLINGS:
            return None
        length = stats.length(sibling)
        if _is_lead(sibling, length, stats):
            return sibling if _lead_sized(sibling, length, stats) else None
        inside = _closing_headline_box(sibling, length, stats)
        if inside is not None:
            return inside
        if length > _MAX_LENGTH:
            return None
    return None


def _is_lead(box: Tag, length: int, stats: TextStats) -> bool:
    return _named_lead(box, length, stats) or _right_after_headline(box, length, stats)


def _lead_sized(box: Tag, length: int, stats: TextStats) -> bool:
    return _MIN_LENGTH <= length <= _MAX_LENGTH and stats.link_density(box) < _MAX_LINKS


def _closing_headline_box(box: Tag, length: int, stats: TextStats) -> Tag | None:
    """The lead as the last block of the box that holds the headline (``<section
    class="article__header"><h1>…</h1><div class="article__abstract">…``)."""
    if length > _MAX_HEADER or box.find("h1") is None:
        return None
    element = box
    for _ in range(_HEADER_LEVELS):
        last = next(
            (
                child
                for child in reversed(list(element.children))
                if isinstance(child, Tag) and stats.length(child)
            ),
            None,
        )
        if last is None or last.name == "h1":
            return None
        last_length = stats.length(last)
        if _is_lead(last, last_length, stats):
            return last if _lead_sized(last, last_length, stats) else None
        element = last
    return None


def _named_lead(box: Tag, length: int, stats: TextStats) -> bool:
    """``box``, or a wrapper inside it that holds all its text, is named as the lead
    ("ce_articleIntro", ``<div><div class="chapo_block">``)."""
    for _ in range(_WRAPPERS):
        if LEAD_HINT.search(split_camel_case(hint_text(box))):
            return True
        inner = [child for child in box.children if isinstance(child, Tag)]
        if len(inner) != 1 or stats.length(inner[0]) != length:
            return False
        box = inner[0]
    return False


def _right_after_headline(box: Tag, length: int, stats: TextStats) -> bool:
    """An unnamed box of prose with next to nothing between it and the page's ``<h1>``
    (a byline, a date): the standfirst under the headline."""
    if not _MIN_UNNAMED <= length <= _MAX_LENGTH or stats.link_density(box) > 0:
        return False
    # A full stop, not a bracket: a photo's caption ends in its credit, "(NASA via AP)".
    text = box.get_text(" ").strip().rstrip(CLOSING_QUOTES)
    if not text.endswith(FULL_STOPS) or has_negative_hint(hint_text(box)):
        return False
    # Walking back, the headline's own words come before its <h1> and count: a box under
    # a long headline is as often a "Highlights" list or a quote as the standfirst.
    return reached_past_little_text(box.previous_elements, _is_h1, _MAX_BETWEEN, _MAX_BETWEEN_NODES)


def _is_h1(element: PageElement) -> bool:
    return isinstance(element, Tag) and element.name == "h1"


_MAX_HEADER = 1500  # the headline box: a kicker, the headline, a byline, the lead
_HEADER_LEVELS = 4
_MIN_UNNAMED = 80
_MAX_BETWEEN = 120
_MAX_BETWEEN_NODES = 200


# How far up from the chosen container, and how many siblings back, the lead is looked for;
# how long a lead is, and how few of its words may be links.
_LEVELS = 3
_WRAPPERS = 3  # how deep a wrapper that holds all the box's text is looked into
_SIBLINGS = 4
_MIN_LENGTH = 40
_MAX_LENGTH = 800
_MAX_LINKS = 0.3
