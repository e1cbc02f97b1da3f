"""Cutting, page-wide and before scoring, the tags that are never article text (menus,
sidebars, figures, forms…) and hidden elements; but not a landmark that holds the text
(a template's ``<header>`` round the article, a ``<nav>`` libxml2 left open round the page),
nor a ``<figure>`` that holds a table.

All tree walks are bounded: hostile pages nest thousands deep.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag

from scraper.sites.body.hints import has_negative_hint
from scraper.sites.body.vocabulary import STRIP_TAGS
from scraper.sites.html import all_tags, is_gone


def strip_boilerplate_tags(soup: BeautifulSoup) -> None:
    """Cut, page-wide, the tags that are never article text and the hidden elements."""
    page = _PageProse(soup)
    for tag in all_tags(soup):
        if is_gone(tag):
            continue
        if tag.name == "noscript" and _holds_text(tag):
            # Blogger's templates ship the post in a <script type="text/template"> for the
            # browser to render and the same post in a <noscript> for everyone else.
            tag.unwrap()
        elif tag.name in STRIP_TAGS and not (
            tag.name in _LANDMARKS
            and _holds_the_text(tag, page)
            or tag.name == "figure"
            and _a_table(tag)
        ):
            tag.decompose()
        elif _is_hidden(tag):
            tag.decompose()


# Page landmarks that are chrome when they are what they say; but a template that wraps
# the article in its <header> ("section_blog-post-content"), or a <nav> that libxml2 leaves
# open round the rest of the page, holds the text itself: the scorer then weighs it.
_LANDMARKS = frozenset({"header", "nav", "footer", "aside"})
_STORY_TAGS = frozenset({"main", "article"})
_LONG_PARAGRAPH = 150
_LONG_PARAGRAPHS = 5
_MAX_PARAGRAPHS_SEEN = 400


def _a_table(figure: Tag) -> bool:
    """A ``<figure>`` round a table, not a picture: the table is text (WordPress sets every
    table it renders in a ``<figure class="wp-block-table">``).  Only its first few tags
    are looked at: figures nested without end are each asked."""
    names: set[str] = set()
    stack = [figure]
    for _ in range(_FIGURE_LOOKUP):  # not .descendants: bs4 first walks it to its end
        if not stack:
            break
        tag = stack.pop()
        children = [child for child in tag.contents if isinstance(child, Tag)]
        names.update(child.name for child in children)
        stack.extend(reversed(children))
    return "table" in names and not names & _MEDIA_TAGS


_MEDIA_TAGS = frozenset("img picture video audio iframe svg canvas object embed".split())
_FIGURE_LOOKUP = 12


def _holds_text(landmark: Tag) -> bool:
    # A walk of the descendants, not find_all("p"): its matching machinery tripled the cost
    # of a page's menus and footers, every one of which is asked.
    long_paragraphs = paragraphs = 0
    for node in landmark.descendants:
        if not isinstance(node, Tag) or node.name != "p":
            continue
        paragraphs += 1
        if paragraphs > _MAX_PARAGRAPHS_SEEN:
            break
        if len(node.get_text()) >= _LONG_PARAGRAPH:
            long_paragraphs += 1
            if long_paragraphs >= _LONG_PARAGRAPHS:
                return True
    return False


def _holds_the_text(landmark: Tag, page: _PageProse) -> bool:
    if landmark.name == "nav":
        # A mega-menu's teasers are long paragraphs too, under headings of their own: only
        # a <nav> libxml2 left open round the rest of the page holds its <main> or <article>.
        return _holds_text(landmark) and any(
            getattr(node, "name", None) in _STORY_TAGS for node in landmark.descendants
        )
    if _holds_text(landmark):
        return True
    # A sidebar is chrome however much it says; the role a <header> has ("banner") is no
    # evidence, it is what the tag says already.
    names = " ".join(str(landmark.attrs.get(attr, "")) for attr in ("class", "id"))
    return not has_negative_hint(names) and page.mostly_in(landmark)


class _PageProse:
    """How much of the page's text, links aside, a landmark holds: a short story set in an
    <aside> by its template, or a page whose broken markup leaves the <header> open round
    everything, has few long paragraphs but is most of what the page says."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self._soup = soup
        self._total: int | None = None

    def mostly_in(self, landmark: Tag) -> bool:
        prose = _unlinked_length(landmark)
        if prose < _MIN_LANDMARK_PROSE:
            return False
        if self._total is None:  # counted once, for the first landmark that holds enough
            self._total = _unlinked_length(self._soup)
        return prose >= _MOST_OF_PAGE * self._total


def _unlinked_length(element: Tag) -> int:
    """Its text's length, links' text aside, in one walk (``get_text`` is a walk of its own)."""
    text = links = 0
    for node in element.descendants:
        if type(node) is NavigableString:
            text += len(node)
        elif isinstance(node, Tag) and node.name == "a":
            links += len(node.get_text())
    return text - links


_MIN_LANDMARK_PROSE = 500
_MOST_OF_PAGE = 0.5


def _is_hidden(tag: Tag) -> bool:
    attrs = tag.attrs
    if "hidden" in attrs:
        # React's streaming server rendering sends each finished part of the page in a
        # ``<div hidden id="S:…">`` that a script then moves into place: shown content.
        ident = attrs.get("id")
        return not (isinstance(ident, str) and _STREAMED_PART.match(ident))
    if attrs.get("aria-hidden") == "true":
        return True
    style = attrs.get("style")
    if isinstance(style, str) and "none" in style:
        compact = style.replace(" ", "").lower()
        return "display:none" in compact or "visibility:hidden" in compact
    return False


_STREAMED_PART = re.compile(r"S:[0-9a-z]+\Z")
