"""The one place where HTML bytes become text and text becomes a BeautifulSoup tree.

Crawl and replay must decode and parse a page identically, or replaying a crawl's WARCs
would not reproduce its records; so both go through these two functions.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass
from typing import Any

import charset_normalizer
from bs4 import BeautifulSoup, NavigableString, PageElement, Tag, XMLParsedAsHTMLWarning
from w3lib.encoding import html_to_unicode

from scraper.sites.lxml_soup import build_soup

PARSER = "lxml"


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a response body the way browsers do: BOM, then HTTP charset, then <meta>.

    When the bytes are not valid in the declared charset (a legacy page served as UTF-8 is
    common), the charset is detected from the bytes instead; never raises on bad bytes.
    """
    encoding, text = html_to_unicode(content_type or "", body)
    if "\ufffd" in text and not _decodes(body, encoding):
        guess = charset_normalizer.from_bytes(body[:DETECTION_SAMPLE]).best()
        if guess is not None and _decodes(body, guess.encoding):
            return body.decode(guess.encoding)
    return text


# Enough bytes for detection to be sure, few enough that a huge page costs little.
DETECTION_SAMPLE = 256 * 1024


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def make_soup(html: str | bytes) -> BeautifulSoup:
    """BeautifulSoup with the lxml parser; for text, the tree is built from lxml's own parse
    (``lxml_soup``: the same tree, several times faster)."""
    if isinstance(html, str):
        soup = build_soup(html)
        if soup is not None:
            return soup
    with warnings.catch_warnings():
        # Pages are HTML by contract, whatever they declare: an XHTML page with an XML
        # declaration is read as HTML on purpose.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        return BeautifulSoup(html, PARSER)


def indexed_soup(html: str) -> TreeIndex:
    """``make_soup``'s tree, indexed: with the elements listed as the tree is built, where
    it is built from lxml's parse (one walk of the tree fewer, a tenth of a page's time)."""
    tags: list[Tag] = []
    soup = build_soup(html, tags)
    if soup is not None:
        return TreeIndex(soup, tags)
    return TreeIndex(make_soup(html))


# Elements that end the paragraph before them and start a new one.  Everything else is
# inline: its text runs on into its neighbours' (so "<b>Tehran</b>, Iran" stays one line).
BLOCK_TAGS = frozenset(
    """address article aside blockquote body dd details dialog div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html li main nav ol p pre section
    summary table tbody td tfoot th thead tr ul caption center""".split()
)
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
# Elements whose text is never prose.
SKIP_TAGS = frozenset(
    "script style noscript template svg math iframe object embed canvas select option textarea "
    "button head title input video audio source picture map".split()
)
# Comment, CData, Doctype… subclass NavigableString; only the exact type is prose.
_PROSE_STRINGS = (NavigableString,)
# Zero-width characters and soft hyphens, and the control characters no text shows (a NUL
# that html.parser passes through, C1 codes from a wrong charset).
_INVISIBLE = dict.fromkeys(
    [
        *map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"),
        *range(0x00, 0x09),
        *range(0x0E, 0x1C),
        0x7F,
        *range(0x80, 0xA0),
    ],
    None,
)


def clean_text(text: str) -> str:
    """NFC, no invisible characters, every run of whitespace (NBSP included) one space."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return " ".join(text.split())


def block_paragraphs(element: Tag) -> list[str]:
    """The text of ``element`` as paragraphs, one per block.

    Two runs of text are in the same paragraph only when they share their nearest block
    ancestor and no ``<br>`` stands between them, which is what keeps "…agency TASS" and
    "Peskov said…" apart when a template puts them in sibling blocks.
    """
    paragraphs: list[str] = []
    current: list[str] = []
    current_block: Tag | None = None
    current_cell: Tag | None = None

    def flush() -> None:
        text = clean_text("".join(current))
        if text:
            paragraphs.append(text)
        current.clear()

    for node in element.descendants:
        if isinstance(node, Tag):
            if node.name == "br":
                flush()
            continue
        if not isinstance(node, NavigableString) or type(node) not in _PROSE_STRINGS:
            continue
        block = _nearest_block(node, element)
        if block is None:  # inside a script, style, …
            continue
        # A data table's cells are one line per row ("DL | Larry Ogunjobi | 63 | 85%"): apart,
        # "63" and "85%" would mean nothing, and repeats of them would be dropped as duplicates.
        cell = None
        if block.name in _CELL_TAGS and block.parent is not None and block.parent.name == "tr":
            cell, block = block, block.parent
        elif block.name in _TABLE_TAGS and node.isspace():
            continue  # the markup's own line breaks between rows and cells

        if block is not current_block:
            flush()
            current_block = block
        elif cell is not current_cell and current:
            current.append(TABLE_CELL_SEPARATOR)
        current_cell = cell
        current.append(str(node))
    flush()
    return paragraphs


_CELL_TAGS = frozenset({"td", "th"})
# Between the cells of a table row in the text.
TABLE_CELL_SEPARATOR = " | "
_TABLE_TAGS = frozenset({"table", "thead", "tbody", "tfoot", "tr"})


def _nearest_block(node: PageElement, stop: Tag) -> Tag | None:
    parent = node.parent
    while parent is not None:
        name = parent.name
        if name in SKIP_TAGS:
            return None
        if name in BLOCK_TAGS or parent is stop:
            return parent
        parent = parent.parent
    return stop


def all_tags(root: Tag, name: str | None = None) -> list[Tag]:
    """The elements below ``root`` in document order, all or those named ``name``: what
    ``find_all(True)``/``find_all(name)`` return, at a fraction of their matching cost."""
    if name is None:
        return [node for node in root.descendants if isinstance(node, Tag)]
    return [node for node in root.descendants if isinstance(node, Tag) and node.name == name]


def is_gone(tag: Tag) -> bool:
    """Cut from the tree (inside a decomposed element) while a walk listed before the cut
    still holds it.  Not ``tag.decomposed``: on a live Tag that getattr falls through to a
    subtree search."""
    return bool(tag.__dict__.get("_decomposed"))


# --- selection -----------------------------------------------------------------------------
#
# soupsieve tests every element of the document against a selector, at ~10-70 µs a test:
# a page object's dozen full-document select() calls cost more than the parse.  Page
# objects use a small CSS subset instead, matched against candidates looked up in a
# TreeIndex built in one walk.  The results are those soupsieve gives for the same CSS.


class TreeIndex:
    """The elements of a tree by tag name, class and id, in document order, from one walk."""

    def __init__(self, root: Tag, tags: list[Tag] | None = None) -> None:
        """``tags``: every element under ``root`` in document order, when already known."""
        self.root = root
        self.by_name: dict[str, list[Tag]] = {}
        self.by_class: dict[str, list[Tag]] = {}
        self.by_id: dict[str, list[Tag]] = {}
        self.position: dict[int, int] = {}  # an element's place among the elements
        if tags is None:
            tags = [node for node in root.descendants if isinstance(node, Tag)]
        for position, node in enumerate(tags):
            self.position[id(node)] = position
            self.by_name.setdefault(node.name, []).append(node)
            attrs = node.attrs
            classes = attrs.get("class")
            if classes:
                for name in classes.split() if isinstance(classes, str) else classes:
                    self.by_class.setdefault(name, []).append(node)
            element_id = attrs.get("id")
            if isinstance(element_id, str):
                self.by_id.setdefault(element_id, []).append(node)

    def first(self, name: str) -> Tag | None:
        tags = self.by_name.get(name)
        return tags[0] if tags else None

    def all(self, name: str) -> list[Tag]:
        return self.by_name.get(name, [])


_COMPOUND = re.compile(
    r"(?P<name>[a-z][a-z0-9-]*)?(?P<parts>(?:[.#][\w-]+|:last-child)*)", re.IGNORECASE
)


@dataclass(frozen=True)
class _Compound:
    name: str | None
    classes: tuple[str, ...]
    element_id: str | None
    last_child: bool

    @classmethod
    def parse(cls, text: str) -> _Compound:
        match = _COMPOUND.fullmatch(text)
        parts = re.findall(r"[.#][\w-]+|:last-child", match["parts"]) if match else []
        ids = {p[1:] for p in parts if p[0] == "#"}
        classes = tuple(p[1:] for p in parts if p[0] == ".")
        # A name, class or id is what the index looks candidates up by.
        if match is None or len(ids) > 1 or not (match["name"] or classes or ids):
            raise ValueError(f"unsupported selector: {text!r}")
        return cls(
            name=match["name"].lower() if match["name"] else None,
            classes=classes,
            element_id=ids.pop() if ids else None,
            last_child=":last-child" in parts,
        )

    def matches(self, tag: Tag) -> bool:
        if self.name is not None and tag.name != self.name:
            return False
        attrs = tag.attrs
        if self.element_id is not None and attrs.get("id") != self.element_id:
            return False
        if self.classes:
            classes: Any = attrs.get("class") or ()
            if isinstance(classes, str):
                classes = classes.split()
            if any(c not in classes for c in self.classes):
                return False
        if self.last_child:
            if tag.parent is None or any(isinstance(s, Tag) for s in tag.next_siblings):
                return False
        return True

    @property
    def keyed(self) -> bool:
        return bool(self.classes) or self.element_id is not None

    def indexed(self, index: TreeIndex) -> list[Tag]:
        """The elements this compound may match, looked up by its most selective key."""
        if self.classes:
            return index.by_class.get(self.classes[0], [])
        if self.element_id is not None:
            return index.by_id.get(self.element_id, [])
        return index.by_name.get(self.name or "", [])


def _candidates(part: tuple[_Compound, ...], index: TreeIndex) -> list[Tag]:
    """Elements that may match ``part``, few enough to test one by one."""
    target = part[0]
    anchor = _via_anchor(part)
    if anchor is None:
        return target.indexed(index)
    # "div.news-body img": every <img> of the page is many more than the tags inside the few
    # (often no) div.news-body, and an ancestor walk per <img> costs more than a descendant.
    found: list[Tag] = []
    for container in anchor.indexed(index):
        if anchor.matches(container):
            found.extend(
                tag
                for tag in container.descendants
                if isinstance(tag, Tag) and (target.name is None or tag.name == target.name)
            )
    return found


def _via_anchor(part: tuple[_Compound, ...]) -> _Compound | None:
    """The ancestor compound whose subtrees hold the candidates, when the element's own
    compound has no class or id to look it up by."""
    if part[0].keyed:
        return None
    return next((compound for compound in part[1:] if compound.keyed), None)


class Selector:
    """A CSS selector list in the subset page objects need: compounds of a tag name, classes,
    an id and ``:last-child``, joined by descendant combinators.  Anything else raises
    ValueError when the module defining the selector is imported."""

    def __init__(self, css: str) -> None:
        self.css = css
        # Each part as compounds from the element itself up to its furthest ancestor.
        self._parts: list[tuple[_Compound, ...]] = [
            tuple(_Compound.parse(token) for token in reversed(part.split()))
            for part in css.split(",")
        ]
        if any(not part for part in self._parts):
            raise ValueError(f"empty selector in {css!r}")
        # One part whose candidates come straight from the index: already in document order.
        self._in_order = len(self._parts) == 1 and not _via_anchor(self._parts[0])

    def __repr__(self) -> str:
        return f"Selector({self.css!r})"

    def matches(self, tag: Tag) -> bool:
        return any(_matches_part(part, tag) for part in self._parts)

    def select(self, index: TreeIndex, within: Tag | None = None) -> list[Tag]:
        """Matching elements in document order, like ``(within or root).select(css)``;
        elements decomposed since the index was built are skipped."""
        lists = [_candidates(part, index) for part in self._parts]
        if self._in_order:
            candidates = lists[0]
        else:
            unique = {id(tag): tag for tags in lists for tag in tags}
            candidates = sorted(unique.values(), key=lambda tag: index.position[id(tag)])
        return [
            tag
            for tag in candidates
            if not tag.__dict__.get("_decomposed")
            and (within is None or _is_inside(tag, within))
            and self.matches(tag)
        ]

    def select_one(self, index: TreeIndex, within: Tag | None = None) -> Tag | None:
        found = self.select(index, within)
        return found[0] if found else None


def _matches_part(part: tuple[_Compound, ...], tag: Tag) -> bool:
    if not part[0].matches(tag):
        return False
    # Descendant combinators only: taking the nearest matching ancestor at each step never
    # loses a match a further one would have given.
    ancestor = tag.parent
    for compound in part[1:]:
        while ancestor is not None and not compound.matches(ancestor):
            ancestor = ancestor.parent
        if ancestor is None:
            return False
        ancestor = ancestor.parent
    return True


def _is_inside(tag: Tag, container: Tag) -> bool:
    parent = tag.parent
    while parent is not None:
        if parent is container:
            return True
        parent = parent.parent
    return False
