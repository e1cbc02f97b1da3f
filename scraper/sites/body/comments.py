"""Readers' comments: never the article, however much text they hold.

A comment thread outweighs a short story in every count the scorer makes (paragraphs,
commas, length), and its boxes often carry neutral class names ("c2", "item").  What gives
a comment away is its reply action: each comment is the smallest block around a "Reply"
link or button, cut from the page before scoring.  The thread's heading ("Comments (12)")
is cut from the text by ``chrome_lines``.
"""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from scraper.sites.body.cleanup import line_edge
from scraper.sites.body.vocabulary import PROTECTED_TAGS, REPLY_ACTION
from scraper.sites.html import BLOCK_TAGS, all_tags


def strip_comment_blocks(soup: BeautifulSoup) -> None:
    for action in all_tags(soup):
        if action.name not in ("a", "button") or action.__dict__.get("_decomposed"):
            continue
        label = action.get_text(" ", strip=True)
        if len(label) <= _MAX_ACTION and REPLY_ACTION.match(label) and _alone_on_its_line(action):
            block = _comment_around(action, len(label))
            if block is not None:
                block.decompose()


_MAX_ACTION = 30


def _alone_on_its_line(action: Tag) -> bool:
    """A button or link of its own, not the word "reply" linked inside a sentence."""
    return (
        line_edge(action.previous_siblings) is not None
        and line_edge(action.next_siblings) is not None
    )


def _comment_around(action: Tag, label_length: int) -> Tag | None:
    """The nearest block holding some text besides the action, unless it is too long to
    be one comment (then the action sits in the article itself: leave it)."""
    for level, parent in enumerate(action.parents):
        if level >= _MAX_LEVELS or parent.name in PROTECTED_TAGS or parent.name == "[document]":
            return None
        if parent.name not in BLOCK_TAGS:
            continue
        length = len(parent.get_text(" ", strip=True))
        if length > _MAX_COMMENT:
            return None
        if length - label_length >= _MIN_COMMENT:
            return parent
    return None


_MAX_LEVELS = 4
_MIN_COMMENT = 20
_MAX_COMMENT = 3000
