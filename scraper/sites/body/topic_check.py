"""Whether the text read is about the page at all: the last way the scorer goes wrong.

A short story loses to a longer box that has nothing to do with it: the cookie notice, a
login form, the author's biography, the site's blurb.  Such a box shares hardly a word with
the page's headline and description, where an article's text nearly always repeats some.
When the text read shares at most one, and a candidate the scorer also weighed shares at
least two more, that candidate is the text.  A page that states too little of a headline
keeps the scorer's choice: the doubt needs the evidence on both sides.  Only the doubted
page (a few in a hundred) pays for reading the candidates' words.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bs4 import BeautifulSoup, Tag

from scraper.sites.article import reading_note
from scraper.sites.body.hints import has_negative_hint, hint_text
from scraper.sites.body.scoring import Reading, within
from scraper.sites.body.text_stats import TextStats
from scraper.sites.html import is_gone


def about_the_page(
    reading: Reading,
    containers: list[Tag],
    text: list[str],
    headline: set[str],
    stats: TextStats,
    notes: list[str] | None = None,
) -> Tag | None:
    """The candidate among the ``reading``'s about the page's ``headline`` when ``text``,
    read from ``containers`` (the reading's, or a second reading's), is not; None when the
    text stands."""
    if len(headline) < _MIN_HEADLINE_WORDS:
        return None
    shared = _shared_words(text, headline)
    if shared is None:
        return None
    ranked = sorted(reading.scores.items(), key=lambda item: item[1], reverse=True)

    def about(element: Tag) -> bool:
        return (
            not is_gone(element)  # cut from the text read: gone from the page
            and stats.length(element) >= _MIN_TEXT
            and stats.link_density(element) <= _MAX_LINKS
            and not any(within(element, tag) for tag in containers)
            # around the text read only when that text is the lesser part of it: else the
            # box not about the page comes back as most of the text
            and not any(
                within(tag, element) and 2 * stats.length(tag) > stats.length(element)
                for tag in containers
            )
            and not has_negative_hint(hint_text(element))
            and len(_words_outside_h1(element) & headline) >= shared + _MORE_SHARED
        )

    for key, score in ranked[:_CANDIDATES]:
        element = reading.elements[key]
        if score > 0 and about(element):
            if notes is not None:
                notes.append(ABOUT_THE_PAGE_NOTE)
            return _innermost(element, containers, about)
    return None


def _innermost(element: Tag, containers: list[Tag], about: Callable[[Tag], bool]) -> Tag:
    """The nearest box around the text read that is about the page, when ``element`` is
    around it: a page wrapper scores well, but it holds the related stories too."""
    inside = next((tag for tag in containers if within(tag, element)), None)
    box = inside.parent if inside is not None else None
    for _ in range(_INNER_LEVELS):
        if box is None or box is element:
            break
        if about(box):
            return box
        box = box.parent
    return element


ABOUT_THE_PAGE_NOTE = reading_note(
    "body", "the text about the headline", "the choice shared hardly a word with it"
)


def headline_words(soup: BeautifulSoup) -> set[str]:
    """Words of what the page's head says it is about: its ``<title>`` and og:title (the
    longest part: the site's name is the other) and description.  Read before any cut."""
    head = soup.head
    if head is None:
        return set()
    texts: list[str] = []
    title = head.find("title")
    if title is not None:
        texts.append(_longest_part(title.get_text(" ")))
    for meta in head.find_all("meta", limit=_MAX_META):
        name = meta.get("property") or meta.get("name")
        content = meta.get("content")
        if isinstance(name, str) and isinstance(content, str):
            if name.lower() in ("og:title", "twitter:title"):
                texts.append(_longest_part(content))
            elif name.lower() in ("description", "og:description"):
                texts.append(content)
    return _words(" ".join(texts))


def heading_words(stats: TextStats) -> set[str]:
    """Words of the page's ``<h1>``s (the first few)."""
    headings = [block for block, *_ in stats.blocks if block.name == "h1"][:_MAX_H1]
    return _words(" ".join(h1.get_text(" ") for h1 in headings))


def _words(text: str) -> set[str]:
    # The first five letters stand for the word: "Lawinen" and "Lawinensituation",
    # "Parteien" and "Partei" are one word here, as a reader takes them.
    return {word[:_STEM].casefold() for word in _WORD.findall(text)}


def _shared_words(text: list[str], headline: set[str]) -> int | None:
    """How many headline words ``text`` shares, read only until it shares more than a
    doubted text does (None then): an article names its subject in its first lines."""
    found: set[str] = set()
    for paragraph in text:
        for match in _WORD.finditer(paragraph):
            stem = match.group()[:_STEM].casefold()
            if stem in headline:
                found.add(stem)
                if len(found) > _DOUBTED_SHARE:
                    return None
    return len(found)


def _words_outside_h1(tag: Tag) -> set[str]:
    """A box that holds the headline beside other text is not about it for that.  Two walks
    of the box, whatever its depth (a hostile page nests thousands deep)."""
    text = tag.get_text(" ")
    for h1 in tag.find_all("h1", limit=_MAX_H1):
        text = text.replace(h1.get_text(" "), " ", 1)
    return _words(text)


def _longest_part(title: str) -> str:
    return max(_TITLE_SEPARATORS.split(title), key=len)


# Words of five letters or more (short ones are most languages' function words), by stem.
_WORD = re.compile(r"[^\W\d_]{5,}")
_STEM = 5
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»]\s+")
# Enough headline to judge by; a text sharing no more than this many of its words is
# doubted (one may be a common word: "unsere", "about"); how many candidates are weighed, how
# long and link-poor one must be, and how many more headline words it must share.
_MIN_HEADLINE_WORDS = 3
_DOUBTED_SHARE = 1
_CANDIDATES = 20
_MIN_TEXT = 100
_MAX_LINKS = 0.3
_MORE_SHARED = 2
_MAX_H1 = 3
_MAX_META = 200
_INNER_LEVELS = 24  # boxes looked at between the text and the candidate around it
