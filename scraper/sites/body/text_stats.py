"""Text statistics of a page's paragraph blocks, read by both the scorer and the cleanup.

Every text node belongs to its nearest block ancestor; per block, its visible characters,
those inside links, its commas, and the runs of text no ``<br>`` or other block cuts (what
``block_paragraphs`` makes paragraphs of); per element, the sums over the blocks below it.

All tree walks are loops over bs4's own iterators (``descendants``, ``parents``): hostile
pages nest thousands deep and must not hit the recursion limit.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag

from scraper.sites.html import BLOCK_TAGS, SKIP_TAGS

# How far up a text node looks for its block, and how far up a block's length is summed:
# bounds the work on hostile nesting (lxml keeps 20,000-deep trees).
MAX_CLIMB = 100
MAX_SUM_LEVELS = 40
_COMMAS = re.compile(r"[,،，、]")


class TextStats:
    """Text and link-text lengths per element, summed from the paragraph blocks below it."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.blocks = _paragraph_blocks(soup)
        self.text: dict[int, int] = {}
        self.links: dict[int, int] = {}
        for block, length, link_length, _commas, _runs in self.blocks:
            level = 0
            element: Tag | None = block
            while element is not None and level < MAX_SUM_LEVELS:
                key = id(element)
                self.text[key] = self.text.get(key, 0) + length
                self.links[key] = self.links.get(key, 0) + link_length
                element = element.parent
                level += 1

    def length(self, tag: Tag) -> int:
        return self.text.get(id(tag), 0)

    def link_density(self, tag: Tag) -> float:
        length = self.text.get(id(tag), 0)
        return min(self.links.get(id(tag), 0) / length, 1.0) if length else 1.0


_Block = tuple[Tag, int, int, int, list[list[int]]]


def visible_chars(text: str) -> int:
    """Characters that are not white space (a split and join is faster past a few dozen)."""
    return len(text) - sum(map(str.isspace, text)) if len(text) < 64 else len("".join(text.split()))


def _paragraph_blocks(soup: BeautifulSoup) -> list[_Block]:
    """Per nearest block ancestor of prose text: (text length, link text length, commas,
    runs), where runs are the same three figures for each stretch of that text that no
    ``<br>`` or other block interrupts: what ``block_paragraphs`` makes paragraphs of."""
    totals: dict[int, list] = {}
    owners: dict[int, Tag] = {}
    breaks = 0  # <br>s seen so far
    last_key = 0
    last_breaks = -1
    for node in soup.descendants:
        if type(node) is not NavigableString:
            if node.name == "br":  # type: ignore[attr-defined]  # a Tag: the only other kind walked
                breaks += 1
            continue
        # visible_chars inlined: this runs for every string of every page
        length = (
            len(node) - sum(map(str.isspace, node))
            if len(node) < 64
            else len("".join(node.split()))
        )
        if not length:
            continue
        block = None
        in_link = False
        climbed = 0
        for parent in node.parents:
            name = parent.name
            if name in SKIP_TAGS:
                block = None
                break
            if name == "a":
                in_link = True
            if name in BLOCK_TAGS or name == "[document]":
                block = parent
                break
            climbed += 1
            if climbed > MAX_CLIMB:
                break
        if block is None:
            continue
        key = id(block)
        commas = len(_COMMAS.findall(node))
        entry = totals.get(key)
        if entry is None:
            run = [length, length if in_link else 0, commas]
            entry = totals[key] = [0, 0, 0, [run]]
            owners[key] = block
        else:
            runs = entry[3]
            if key == last_key and breaks == last_breaks:
                run = runs[-1]
            else:
                run = [0, 0, 0]
                runs.append(run)
            run[0] += length
            if in_link:
                run[1] += length
            run[2] += commas
        last_key, last_breaks = key, breaks
        entry[0] += length
        if in_link:
            entry[1] += length
        entry[2] += commas
    return [(owners[key], v[0], v[1], v[2], v[3]) for key, v in totals.items()]


def reached_past_little_text(
    walk: Iterator[PageElement],
    reached: Callable[[PageElement], bool],
    most_text: int,
    most_nodes: int,
) -> bool:
    """Whether a walk of the tree (``next_elements``, ``previous_elements``) comes to an
    element ``reached`` accepts before it has passed ``most_text`` characters of text (a
    byline, a label may stand between; a paragraph may not) or ``most_nodes`` nodes."""
    between = 0
    for count, element in enumerate(walk):
        if reached(element):
            return True
        if count == most_nodes:
            return False
        if type(element) is NavigableString:
            between += len(element.strip())
            if between > most_text:
                return False
    return False
