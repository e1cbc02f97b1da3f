"""Whether the scorer's choice of the article's containers can be trusted, and the second
reading when it cannot.

A readability-style scorer picks the container with the most prose points.  It goes wrong
in a known way: when the text is split from a box that scores well on its own (a lead
paragraph in a box the template hints is the article, the text under a class hinting a
paywall), it chooses the box and loses the text.  The tell is a choice that is short and a
small share of the page's text while a candidate outside it holds much more prose; then
that candidate is the text, and the chosen box, when it stands right before it, its lead.

It goes wrong the other way on an article cut into sections (a list of products or
agencies, a heading and a few paragraphs each, each in a box of its own): the best section
wins, the rest are lost.  The tell is a container around the choice that scores nearly as
well and holds several times its prose: then that container is the text.

Either second reading, when it wins, says so in ``notes`` (the record's ``fallbacks``).
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, PageElement, Tag

from scraper.sites.article import reading_note
from scraper.sites.body.hints import class_key, has_negative_hint, hint_text, string_attr
from scraper.sites.body.scoring import Reading, within
from scraper.sites.body.text_stats import TextStats, reached_past_little_text
from scraper.sites.body.vocabulary import ARTICLE_BODY_PROP


def checked_containers(
    reading: Reading, soup: BeautifulSoup, stats: TextStats, notes: list[str] | None = None
) -> list[Tag]:
    """The containers to read the text from; ``notes`` gets why, when a second reading
    overruled the scorer."""
    chosen = reading.containers
    chosen_length = sum(stats.length(tag) for tag in chosen)
    if not chosen or _marked_body(chosen):
        return chosen
    whole = _whole_story(reading, stats)
    if whole is not None:
        if notes is not None:
            notes.append(WHOLE_STORY_NOTE)
        return [whole]
    enclosing = _enclosing_story(chosen, stats)
    if enclosing is not None:
        if notes is not None:
            notes.append(ENCLOSING_STORY_NOTE)
        return [enclosing]
    if not _weak(chosen_length, stats.length(soup)):
        return chosen
    other = reading.runner_up()
    if (
        other is None
        or stats.length(other) < _MORE_TEXT * chosen_length
        or stats.link_density(other) > _MAX_LINK_DENSITY
        or has_negative_hint(hint_text(other))  # the comments, the related stories
        or _a_listing(other, stats)  # the events, the products, the other stories
    ):
        return chosen
    if notes is not None:
        notes.append(RUNNER_UP_NOTE)
    if _comes_before(chosen[-1], other):
        return [*chosen, other]  # the lead, then the text
    return [other]


# What ``notes`` records (the record's ``fallbacks``) when a second reading wins.
WHOLE_STORY_NOTE = reading_note("body", "the prose around the choice", "it was one section")
ENCLOSING_STORY_NOTE = reading_note(
    "body", "the <article> or text box around the choice", "it held most prose"
)
RUNNER_UP_NOTE = reading_note("body", "the runner-up", "the choice was short, it held more prose")


def _whole_story(reading: Reading, stats: TextStats) -> Tag | None:
    """An article cut into sections (a list-style piece: a heading and a few paragraphs
    per item, each in a box of its own) gives the scorer one section as the best box; the
    container the sections share scores nearly as well and holds several times its prose.
    That ancestor, when it is mostly prose and not a box of chrome, is the text."""
    chosen = reading.containers
    top_score = max(reading.scores.get(id(tag), 0.0) for tag in chosen)
    if top_score <= 0:
        return None
    candidates: list[tuple[float, Tag]] = []
    for level, ancestor in enumerate(chosen[0].parents):
        if level >= _CLIMB_LEVELS or ancestor.name in ("body", "html", "[document]"):
            break
        score = reading.scores.get(id(ancestor), 0.0)
        if (
            score >= _ANCESTOR_SCORE * top_score
            and stats.link_density(ancestor) <= _MAX_ANCESTOR_LINKS
            and all(within(tag, ancestor) for tag in chosen)
            and not has_negative_hint(hint_text(ancestor))
        ):
            candidates.append((score, ancestor))
    if not candidates:
        return None  # the common case: the prose is not counted at all
    prose = _prose_lengths(stats, [tag for _, tag in candidates] + chosen)
    chosen_prose = sum(prose.get(id(tag), 0) for tag in chosen)
    # A choice of lines that are no prose (a table of names) against a box round it that
    # holds prose: the box, not a row of the table.  A page with no prose anywhere (a short
    # notice) has nothing to weigh: the best-scoring box round the choice.
    some_prose = any(prose.get(id(tag), 0) for _, tag in candidates)
    best: Tag | None = None
    best_score = 0.0
    for score, ancestor in candidates:
        held = prose.get(id(ancestor), 0)
        if score > best_score and held >= _MORE_PROSE * chosen_prose and (held or not some_prose):
            best, best_score = ancestor, score
    return best


# How far above the choice the shared container is looked for, what share of the choice's
# score it must have, how many times its prose, and how few of its words may be links.
_CLIMB_LEVELS = 5
_ANCESTOR_SCORE = 0.5
_MORE_PROSE = 3
_MAX_ANCESTOR_LINKS = 0.2
# A block counts as prose from this length, with under this share of it in links.
_PROSE_BLOCK = 80
_PROSE_LINKS = 0.3
# Lines shorter than this on average (letters, spaces aside) are a list, not prose.
_PROSE_LINE = 35


def _enclosing_story(chosen: list[Tag], stats: TextStats) -> Tag | None:
    """A page builder (Elementor, a guide's product boxes) nests each part of the text in a
    box of its own, many levels below the ``<article>`` or ``entry-content`` box that holds
    them all: the scorer's points never reach that far up, so its choice is one part.  The
    nearest such named box around the choice that holds several times its prose, most of
    the page's prose, and few links, is the text."""
    ancestors: list[Tag] = []
    # Holding several times the choice's prose, a box holds well over its text: the prose
    # is counted (a walk of the page's blocks) only for boxes twice the choice's length.
    least = _LONGER * sum(stats.length(tag) for tag in chosen)
    for level, ancestor in enumerate(chosen[0].parents):
        if level >= _ENCLOSING_LEVELS or ancestor.name in ("body", "html", "[document]"):
            break
        if stats.length(ancestor) >= least and (
            ancestor.name == "article" or _STORY_BOX.search(hint_text(ancestor))
        ):
            ancestors.append(ancestor)
    if not ancestors:
        return None
    prose = _prose_lengths(stats, ancestors + chosen, levels=_ENCLOSING_LEVELS + 2)
    chosen_prose = sum(prose.get(id(tag), 0) for tag in chosen)
    page_prose = sum(
        _prose_length(length, link_length, runs)
        for _, length, link_length, _c, runs in stats.blocks
    )
    for ancestor in ancestors:
        held = prose.get(id(ancestor), 0)
        if (
            held >= _MORE_PROSE * chosen_prose
            and held >= _MOST_OF_PAGE * page_prose
            and stats.link_density(ancestor) <= _MAX_ANCESTOR_LINKS
            and all(within(tag, ancestor) for tag in chosen)
        ):
            return ancestor
    return None


# Class or id words that name the box of the text itself ("main-content" names a page's
# whole middle column, sidebars and lists included: not one of them).
_STORY_BOX = re.compile(
    r"(?:article|story|entry|post)[-_]*(?:body|content|text)|articlebody", re.IGNORECASE
)
_ENCLOSING_LEVELS = 16
_LONGER = 2
_MOST_OF_PAGE = 0.6


def _prose(length: int, link_length: int) -> bool:
    return length >= _PROSE_BLOCK and link_length <= _PROSE_LINKS * length


def _prose_length(length: int, link_length: int, runs: list[list[int]]) -> int:
    """A block's prose: all of it, but none in a block of short lines one ``<br>`` apart (a
    list of names, an address book): sentences written line by line are longer."""
    if len(runs) > 1 and length < _PROSE_LINE * len(runs):
        return 0
    return length if _prose(length, link_length) else 0


def _prose_lengths(stats: TextStats, targets: list[Tag], levels: int = 0) -> dict[int, int]:
    """Per target element, the characters of the prose paragraphs below it (up to
    ``levels`` above each paragraph; the climb's reach by default)."""
    prose = {id(tag): 0 for tag in targets}
    for block, length, link_length, _commas, runs in stats.blocks:
        length = _prose_length(length, link_length, runs)
        if not length:
            continue
        element: Tag | None = block
        for _ in range(levels or _PROSE_LEVELS):
            if element is None:
                break
            key = id(element)
            if key in prose:
                prose[key] += length
            element = element.parent
    return prose


# How far up a paragraph's prose is counted: the climb's ceiling plus a section's depth.
_PROSE_LEVELS = 12


def _marked_body(chosen: list[Tag]) -> bool:
    """Schema.org markup says which element is the text: not a guess to doubt."""
    return len(chosen) == 1 and bool(ARTICLE_BODY_PROP.search(string_attr(chosen[0], "itemprop")))


def _weak(chosen_length: int, page_length: int) -> bool:
    return chosen_length < _SHORT and chosen_length < _SMALL_SHARE * page_length


# A choice shorter than this, and under this share of the page's text, is doubted.
_SHORT = 800
_SMALL_SHARE = 0.3
# The other candidate must hold this many times the text, mostly not in links.
_MORE_TEXT = 2
_MAX_LINK_DENSITY = 0.3


def _a_listing(tag: Tag, stats: TextStats) -> bool:
    """Most of ``tag``'s text in three or more boxes of one class side by side, at its top
    or under the wrappers that hold nearly all of it: a list of items (events, products,
    teasers), not one text."""
    for _ in range(_LISTING_LEVELS):
        total = stats.length(tag)
        if not total:
            return False
        groups: dict[tuple[str, frozenset[str]], list[int]] = {}
        widest: Tag | None = None
        for child in tag.find_all(True, recursive=False):
            key = class_key(child)
            if key is not None:
                groups.setdefault(key, []).append(stats.length(child))
            if widest is None or stats.length(child) > stats.length(widest):
                widest = child
        if any(
            len(items) >= _LISTED_ITEMS and sum(items) >= _LISTED_SHARE * total
            for items in groups.values()
        ):
            return True
        if widest is None or stats.length(widest) < _WRAPPER_SHARE * total:
            return False
        tag = widest
    return False


_LISTING_LEVELS = 6
_LISTED_ITEMS = 3
_LISTED_SHARE = 0.6
_WRAPPER_SHARE = 0.9


def _comes_before(first: Tag, second: Tag) -> bool:
    """``second`` follows ``first`` with little text between them (a byline, a label)."""
    last: PageElement = first
    for _ in range(_MAX_DEPTH):  # the last node inside ``first``: the walk starts past it
        if not isinstance(last, Tag) or not last.contents:
            break
        last = last.contents[-1]
    return reached_past_little_text(
        last.next_elements, lambda element: element is second, _MAX_BETWEEN, _MAX_GAP
    )


_MAX_DEPTH = 100
_MAX_GAP = 200
_MAX_BETWEEN = 100
