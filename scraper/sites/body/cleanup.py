"""Cutting boilerplate out of the chosen containers (``page_tags`` cuts the page's tags
before scoring): the title, elements whose class/id hints name boilerplate (comments,
sharing, related stories…), link lists, a link alone on its line, "Read also: <link>"
paragraphs, image captions typed as text, and the short lead-in lines ("Related:") that
introduced a list being cut.

All tree walks are bounded loops over bs4's own iterators: hostile pages nest thousands
deep and must not hit the recursion limit, nor make one test cost more than a short walk.
"""

from __future__ import annotations

from collections.abc import Iterator

from bs4 import NavigableString, PageElement, Tag

from scraper.sites.body.chrome_lines import MAX_CAPTION
from scraper.sites.body.hints import (
    BEM_MODIFIER,
    class_key,
    has_negative_hint,
    hint_text,
    split_camel_case,
)
from scraper.sites.body.text_stats import MAX_CLIMB, TextStats, visible_chars
from scraper.sites.body.vocabulary import (
    BODY_HINT,
    ITALIC_TAGS,
    LAYOUT_BOX_WORDS,
    LEAD_IN_TAGS,
    LINK_LIST_TAGS,
    NEGATIVE_HINT,
    PROTECTED_TAGS,
    RUN_CONTAINERS,
)
from scraper.sites.html import BLOCK_TAGS, all_tags, is_gone


def clean_container(container: Tag, stats: TextStats, alone: bool = False) -> None:
    """Cut what is inside the article container but not article text.  ``alone``: it is
    all the text read, so links that are most of it are its text (one of several boxes
    that is all links is a box of links)."""
    total = max(stats.length(container), 1)
    shared = _SharedClasses(container, stats)
    seen_h1 = False
    link_cuts: list[Tag] = []  # cut once the walk is over: unless they are the text
    for tag in all_tags(container):
        if is_gone(tag):
            continue
        name = tag.name
        if name == "h1":
            # The first is the title, a field of its own; a later one heads a section of
            # the text (a page whose every heading is an <h1>).
            if not seen_h1:
                seen_h1 = True
                tag.decompose()
            continue
        hints = hint_text(tag)
        if (
            hints
            and name not in PROTECTED_TAGS
            and not (name == "a" and _is_inline_link(tag, stats))
            and has_negative_hint(hints)
            and not BODY_HINT.search(hints)
            and not _is_lead_teaser(tag, container, hints, stats)
            # a wrapper holding most of the text is not boilerplate whatever its class says
            and stats.length(tag) < 0.4 * total
            and shared.length(tag, hints) < 0.4 * total
        ):
            tag.decompose()
        elif (
            name in LINK_LIST_TAGS
            and _is_link_list(tag, stats)
            or (name == "a" and (_is_link_line(tag) or _is_link_card(tag)))
            or (name == "p" and (_is_labelled_link(tag, stats) or _is_image_caption(tag, stats)))
        ):
            link_cuts.append(tag)
    if not (alone and _links_are_the_text(container, link_cuts, stats)):
        for tag in link_cuts:
            if not is_gone(tag):
                _cut_lead_in(tag)
                tag.decompose()


def _links_are_the_text(container: Tag, cuts: list[Tag], stats: TextStats) -> bool:
    """The link cuts would leave next to nothing of a container that held a text: a
    link-roll post, a list of sources with a line of its own.  The links are the text."""
    held = stats.length(container)
    if held < _MIN_HELD or not cuts:
        return False
    marked = {id(tag) for tag in cuts}
    cut = 0
    for tag in cuts:  # the outermost ones: a list's links are counted with the list
        if not any(id(parent) in marked for parent in _parents_within(tag, container)):
            cut += _visible_length(tag)
    if cut < held - _LEFT_TEXT:
        return False  # most of it stays: the common case, decided without another walk
    return _visible_length(container) - cut < _LEFT_TEXT


def _visible_length(tag: Tag) -> int:
    return sum(map(visible_chars, tag.strings))


# A container holding this much text, left with less than this by the link cuts alone.
_MIN_HELD = 1000
_LEFT_TEXT = 200


class _SharedClasses:
    """The text of all the container's elements that share an element's tag and classes
    (ids in class names aside): a page builder that calls every box of the page a
    "widget" ("elementor-widget") or cuts the text into "skip-item" sections cuts the
    text into boxes that each hold little of it, but together hold most of it.  Only boxes
    whose negative words are such layout words count (``LAYOUT_BOX_WORDS``: a thread of
    comments is many prose boxes of one class too), and only while mostly not links
    (another story's card, repeated)."""

    def __init__(self, container: Tag, stats: TextStats) -> None:
        self._container = container
        self._stats = stats
        self._sums: dict[tuple[str, frozenset[str]], list[int]] | None = None

    def length(self, tag: Tag, hints: str) -> int:
        key = class_key(tag)
        if key is None or not _layout_words_only(hints):
            return 0
        if self._sums is None:  # counted once, the first time a hinted box is weighed
            self._sums = {}
            for element in all_tags(self._container):
                element_key = class_key(element)
                if element_key is not None and not _inside_same(
                    element, element_key, self._container
                ):
                    sums = self._sums.setdefault(element_key, [0, 0])
                    sums[0] += self._stats.length(element)
                    sums[1] += self._stats.links.get(id(element), 0)
        length, links = self._sums.get(key, (0, 0))
        return length if links <= _SHARED_MAX_LINKS * length else 0


def _layout_words_only(hints: str) -> bool:
    """The negative words, BEM modifiers aside, are layout words or none: a modifier says
    what a box may also hold ("TestReport__Section--Ads": a section that may carry an ad),
    not what it is."""
    words = NEGATIVE_HINT.finditer(split_camel_case(BEM_MODIFIER.sub("", hints)))
    return {match.group().lower() for match in words} <= LAYOUT_BOX_WORDS


def _inside_same(tag: Tag, key: tuple[str, frozenset[str]], container: Tag) -> bool:
    """Nested in an element of the same kind inside ``container``, whose length already
    counts it (one outside, around the container, counts nothing: a page builder wraps its
    whole page in the boxes it wraps each part of the text in)."""
    for level, parent in enumerate(tag.parents):
        if level >= _MAX_NESTED_LOOKUP or parent is container:
            return False
        if parent.name == key[0] and class_key(parent) == key:
            return True
    return False


_MAX_NESTED_LOOKUP = 20
_SHARED_MAX_LINKS = 0.2


def _is_link_card(link: Tag) -> bool:
    """A link wrapped round a heading or paragraphs: another story's card (its headline and
    summary) set into the text, never a part of a sentence."""
    for count, node in enumerate(link.descendants):
        if count == _MAX_PARAGRAPH_NODES:
            return False
        if type(node) is Tag and node.name in _CARD_PARTS:
            return True
    return False


_CARD_PARTS = frozenset("h2 h3 h4 h5 h6 p div".split())


def _is_inline_link(link: Tag, stats: TextStats) -> bool:
    """A link inside a sentence: its class names what it points to ("textTag" for a topic
    page), not a box of chrome, and cutting it would cut words out of the sentence."""
    for level, parent in enumerate(link.parents):
        if level >= MAX_CLIMB:
            return False
        block_length = stats.length(parent)
        if block_length:
            return block_length >= _MIN_PROSE_BLOCK and _text_length(link) < 0.5 * block_length
    return False


_MIN_PROSE_BLOCK = 80


def _text_length(tag: Tag) -> float:
    """Visible characters of a short element; infinite for one too big to count."""
    length = 0
    for node in _bounded_nodes(tag):
        if node is None:
            return float("inf")
        if type(node) is NavigableString:
            length += visible_chars(node)
    return length


def _is_lead_teaser(tag: Tag, container: Tag, hints: str, stats: TextStats) -> bool:
    """German CMSes call the article's own lead its "teaser" (``teaser_text``): the
    container's first text, with no link.  A teaser for another story links to it, and
    sits among or after the paragraphs."""
    words = {match.group().lower() for match in NEGATIVE_HINT.finditer(split_camel_case(hints))}
    return (
        words == {"teaser"}
        and stats.length(tag) > 0
        and not stats.links.get(id(tag))
        and _opens(tag, container)
    )


def _opens(tag: Tag, container: Tag) -> bool:
    """No text comes before ``tag`` in ``container`` (looked for over a bounded stretch)."""
    for count, element in enumerate(tag.previous_elements):
        if element is container:
            return True
        if count == _MAX_LEAD_LOOKBACK:
            return False
        if type(element) is NavigableString and not element.isspace():
            return False
    return False


_MAX_LEAD_LOOKBACK = 200


def _is_link_list(tag: Tag, stats: TextStats) -> bool:
    """ "Read more" / "Related" blocks: mostly link text."""
    length = stats.length(tag)
    if not length:
        return False
    ratio = stats.links.get(id(tag), 0) / length
    if tag.name in ("ul", "ol", "dl"):
        return ratio > 0.5
    return ratio > 0.7 and length < 300


def _is_labelled_link(paragraph: Tag, stats: TextStats) -> bool:
    """A paragraph that is a short label ending in a separator, then one link to the end:
    "Read also | <a>headline</a>", "LIRE AUSSI : <a>…</a>", in whatever language — the
    label's own words need not be known, its shape says it is one."""
    links = stats.links.get(id(paragraph), 0)
    if not links or stats.length(paragraph) > _MAX_LABELLED_LINK:
        return False
    label: list[str] = []
    seen_link = False
    for node in _bounded_nodes(paragraph):
        if node is None:
            return False
        if type(node) is not NavigableString or node.isspace():
            continue
        in_link = any(parent.name == "a" for parent in _parents_within(node, paragraph))
        if in_link:
            seen_link = True
        elif seen_link:
            return False  # text after the link: a sentence that contains one
        else:
            label.append(str(node))
    text = "".join(label).strip()
    return seen_link and 0 < len(text) <= _MAX_LINK_LABEL and text.endswith(_LABEL_SEPARATORS)


def _is_image_caption(paragraph: Tag, stats: TextStats) -> bool:
    """A picture, a line break, then a line in italics, all in one paragraph: the caption
    an editor typed under a picture where the CMS has no ``<figcaption>``.  (Italic text
    beside a floated picture, on the same line, is text.)"""
    length = stats.length(paragraph)
    if not length or length > MAX_CAPTION:
        return False
    stage = 0  # 1: a picture seen, 2: then a line break
    for node in _bounded_nodes(paragraph):
        if node is None:
            return False
        if type(node) is Tag:
            if node.name == "img" and stage == 0:
                stage = 1
            elif node.name == "br" and stage == 1:
                stage = 2
            continue
        if type(node) is not NavigableString or node.isspace():
            continue
        if stage < 2 or not any(
            parent.name in ITALIC_TAGS for parent in _parents_within(node, paragraph)
        ):
            return False
    return stage == 2


def _parents_within(node: PageElement, ancestor: Tag) -> Iterator[Tag]:
    """``node``'s ancestors below ``ancestor``, the nearest ``MAX_CLIMB`` of them."""
    for level, parent in enumerate(node.parents):
        if parent is ancestor or level >= MAX_CLIMB:
            return
        yield parent


def _bounded_nodes(tag: Tag) -> Iterator[PageElement | None]:
    """``tag``'s descendants, or None for the rest once there are too many to be the
    one short paragraph these tests look for: a hostile page's deep nest of tags costs
    no more than a short walk."""
    for count, node in enumerate(tag.descendants):
        if count == _MAX_PARAGRAPH_NODES:
            yield None
            return
        yield node


_MAX_PARAGRAPH_NODES = 300


_MAX_LABELLED_LINK = 300
_MAX_LINK_LABEL = 40
_LABEL_SEPARATORS = (":", "|", "\uff1a", "»", "›", ">", "–", "—")


def _is_link_line(link: Tag) -> bool:
    """A link alone on its line of a container's ``<br>``-separated text: the "Read: …"
    line or mirror address an old CMS puts among the paragraphs, where a newer one would
    give it a ``<p>`` of its own (which ``_is_link_list`` cuts)."""
    parent = link.parent
    if parent is None or parent.name not in RUN_CONTAINERS:
        return False
    before = line_edge(link.previous_siblings)
    if before is None:
        return False
    after = line_edge(link.next_siblings)
    return after is not None and "br" in (before, after)


def line_edge(siblings: Iterator[PageElement]) -> str | None:
    """What ends the line on one side of an element: "br", "block" (a block element or the
    container's edge), or None when more text or inline content shares the line."""
    for count, sibling in enumerate(siblings):
        if count == _MAX_SIBLINGS:
            return None
        if type(sibling) is Tag:
            name = sibling.name
            return "br" if name == "br" else "block" if name in BLOCK_TAGS else None
        if isinstance(sibling, NavigableString) and (
            type(sibling) is not NavigableString or sibling.isspace()
        ):
            continue  # whitespace, a comment
        return None
    return "block"


# How many siblings a line's edge is looked for among: bounds the work on hostile pages.
_MAX_SIBLINGS = 20


def _cut_lead_in(links: Tag) -> None:
    """Cut the short line ending in a colon just before a link list being cut ("Related:",
    "… can also be accessed at the following addresses:"): it introduces nothing now."""
    for count, sibling in enumerate(links.previous_siblings):
        if count == _MAX_SIBLINGS:
            return
        if type(sibling) is Tag:
            name = sibling.name
            if name == "br":
                continue
            if name not in LEAD_IN_TAGS or (
                name not in BLOCK_TAGS and line_edge(sibling.previous_siblings) is None
            ):
                return  # not a line of its own
            text = sibling.get_text().strip()
            if text.endswith(_COLONS) and len(text) < _MAX_LEAD_IN:
                sibling.decompose()
            return
        if type(sibling) is not NavigableString:
            continue  # a comment
        text = sibling.strip()
        if not text:
            continue
        if (
            text.endswith(_COLONS)
            and len(text) < _MAX_LEAD_IN
            and line_edge(sibling.previous_siblings) is not None
        ):
            sibling.replace_with("")
        return


_COLONS = (":", "\uff1a")
_MAX_LEAD_IN = 150
