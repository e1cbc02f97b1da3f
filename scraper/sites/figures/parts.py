"""One figure's parts: its picture, its caption and its credit.

The caption is the <figcaption> (or an element named for it); the credit an element named or
labelled for it ("© …", "Foto: …", <footer>, <cite>, microdata), a trailing credit of the
caption ("(Foto: dpa)", "… Andrew Harnik / AP"), which then leaves the caption, or the
ImageObject a template puts beside the picture in JSON-LD.  The same reading serves a block
of <div>s around an image outside any figure.

Pages are hostile: every walk here is iterative and bounded.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from bs4 import NavigableString, Tag

from scraper.sites.figures.class_hints import hinted
from scraper.sites.figures.credits import (
    ld_image_credit,
    split_credit,
    starts_with_credit_label,
    strip_credit_label,
)
from scraper.sites.figures.urls import IMAGE_TAGS, best_image_url, is_not_content, widest_in_srcset
from scraper.sites.html import BLOCK_TAGS, SKIP_TAGS, clean_text
from scraper.sites.listing import absolute_url

_MAX_CAPTION = 2000
# A block that names no element its caption: what it says is one only when this short.
_MAX_UNNAMED_CAPTION = 400

_CREDIT_HINT = re.compile(
    r"credit|copyright|photographer|fotograf|attribution|courtesy|source|quelle|byline|author|"
    r"urheber|rights|autor",
    re.I,
)
_CREDIT_ITEMPROPS = frozenset(
    {"copyrightholder", "author", "creator", "credittext", "copyrightnotice"}
)
_CAPTION_HINT = re.compile(
    r"caption|legend|subtitle|info-?text|info__text|description|beschreibung|bildunterschrift",
    re.I,
)
_CAPTION_ITEMPROPS = frozenset({"caption", "description"})
_NO_PROPS: frozenset[str] = frozenset()


def _itemprops(tag: Tag) -> frozenset[str]:
    value = tag.attrs.get("itemprop")
    if value is None:
        return _NO_PROPS
    if isinstance(value, list):
        value = " ".join(value)
    return frozenset(value.lower().split()) if isinstance(value, str) else _NO_PROPS


class FigureParts:
    """The images, caption elements and credit elements of one figure (or of a block around
    an image), nested figures excluded, in one walk; ``widen`` adds the rest of an enclosing
    block without walking the first again."""

    def __init__(self, figure: Tag, limit: int | None = None) -> None:
        self.images: list[Tag] = []  # <img>, and <source> of <picture>s
        self.figcaption: Tag | None = None
        self.captions: list[Tag] = []
        self.credits: list[Tag] = []
        self.scripts: list[Tag] = []  # JSON-LD, where a template describes the picture
        self.root = figure
        self.truncated = False  # more than ``limit`` elements: not one picture's block
        self._limit = limit
        self._seen = 0
        self._walk(figure, None)

    def widen(self, block: Tag) -> None:
        """Take in ``block``, the parent of the current root."""
        previous, self.root = self.root, block
        self._walk(block, previous)

    def _walk(self, root: Tag, skip: Tag | None) -> None:
        stack: list[Tag] = [c for c in reversed(root.contents) if type(c) is Tag and c is not skip]
        while stack:
            tag = stack.pop()
            self._seen += 1
            if self._limit is not None and self._seen > self._limit:
                self.truncated = True
                break
            name = tag.name
            if name == "figure":
                continue  # its own figure
            if name in IMAGE_TAGS or name == "source":
                self.images.append(tag)
                continue
            if name == "script":
                kind = tag.attrs.get("type")
                if isinstance(kind, str) and "ld+json" in kind.lower():
                    self.scripts.append(tag)
                continue
            if name == "figcaption" and self.figcaption is None:
                self.figcaption = tag
            contents = tag.contents
            # HTML's own places for a credit: a figure's <footer>, a <cite>; or an element
            # that only says "© Jane Doe", "Foto: dpa".
            if name == "footer" or name == "cite" or (len(contents) == 1 and _says_credit(tag)):
                self.credits.append(tag)
            elif tag.attrs:
                props = _itemprops(tag)
                if props & _CREDIT_ITEMPROPS or (name != "picture" and hinted(tag, _CREDIT_HINT)):
                    self.credits.append(tag)
                elif props & _CAPTION_ITEMPROPS or hinted(tag, _CAPTION_HINT):
                    self.captions.append(tag)
            if contents:
                stack.extend(c for c in reversed(contents) if type(c) is Tag)

    def credit_elements(self) -> list[Tag]:
        """The credit elements that are credits: not a wrapper of the picture ("image-source"),
        and the outermost of nested ones ("<div class=credit>Foto: <span class=author>…")."""
        root = self.root
        # Bounded: a hostile figure may hold thousands of them, each deep down.
        credits = self.credits[:_MAX_PARTS]
        if credits and self.images:
            wrapping = {
                id(a) for img in self.images[:_MAX_PARTS] for a in _ancestors_below(img, root)
            }
            credits = [c for c in credits if id(c) not in wrapping]
        if len(credits) > 1:
            ids = {id(c) for c in credits}
            credits = [
                c for c in credits if not any(id(a) in ids for a in _ancestors_below(c, root))
            ]
        return credits


_MAX_PARTS = 20


def _says_credit(tag: Tag) -> bool:
    contents = tag.contents
    if len(contents) != 1 or type(contents[0]) is not NavigableString:
        return False
    text = str(contents[0])
    return len(text) <= 200 and starts_with_credit_label(text)


def _ancestors_below(tag: Tag, root: Tag) -> Iterable[Tag]:
    parent = tag.parent
    while parent is not None and parent is not root:
        yield parent
        parent = parent.parent


def _text(root: Tag, skip: Iterable[Tag] = ()) -> str:
    """The visible text of ``root`` without the subtrees in ``skip``; blocks and <br> part
    words that inline markup would run together.  A <meta>'s text is its content."""
    if root.name == "meta":  # microdata that states a value in an attribute, not as text
        content = root.attrs.get("content")
        return clean_text(content) if isinstance(content, str) else ""
    skipped = {id(tag) for tag in skip}
    parts: list[str] = []
    length = 0
    stack: list[Any] = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, Tag):
            if id(node) in skipped or node.name in SKIP_TAGS:
                continue
            if node.name == "br" or node.name in BLOCK_TAGS:
                parts.append(" ")
                stack.append(" ")  # after its content too
            stack.extend(reversed(node.contents))
        elif isinstance(node, NavigableString):
            if type(node) is NavigableString:  # not a comment, CDATA, doctype…
                parts.append(str(node))
                length += len(node)
                if length > 20 * _MAX_CAPTION:
                    break
        else:
            parts.append(node)  # the space after a block
    return clean_text("".join(parts))


def figure_image(parts: FigureParts, base: str) -> str | None:
    """The absolute address of the figure's picture; None when it has none or shows no content."""
    # The <img> first: a <picture>'s <source>s come before it but are often other crops
    # (for phones) or formats; they stand in when the <img> offers only a placeholder.
    for tag in sorted(parts.images, key=lambda t: t.name not in IMAGE_TAGS):
        is_img = tag.name in IMAGE_TAGS
        url = (
            best_image_url(tag)
            if is_img
            else widest_in_srcset(tag.get("data-srcset") or tag.get("srcset"))
        )
        if not url:
            continue
        absolute = absolute_url(url, base)
        if absolute and absolute.startswith(("http://", "https://")):
            if is_img and is_not_content(tag, absolute):
                return None
            return absolute
    return None


def caption_and_credit(parts: FigureParts) -> tuple[str | None, str | None]:
    """The figure's caption and credit, each None when it states none."""
    credits = parts.credit_elements()
    texts: list[str] = []
    for text in (strip_credit_label(_text(t)) for t in credits):
        # templates repeat it (a visible credit and a screen-reader one)
        if text and not any(text.casefold() in seen.casefold() for seen in texts):
            texts = [seen for seen in texts if seen.casefold() not in text.casefold()] + [text]
    credit = " / ".join(texts) or None
    holder = parts.figcaption or (parts.captions[0] if parts.captions else None)
    if holder is not None:
        caption: str | None = _text(holder, credits)[:_MAX_CAPTION]
    else:
        # No element is named for it: what the block says besides its credit, when short.
        caption = _text(parts.root, credits)
        caption = caption if len(caption) <= _MAX_UNNAMED_CAPTION else ""
    if credit is None:
        caption, credit = split_credit(caption)
    if credit is None and holder is not None and caption:
        caption, credit = _trailing_element(holder, caption)
    elif credit is not None:
        # the credit element's text may sit in the caption as well: a trailing label then
        rest, trailing = split_credit(caption)
        if trailing and trailing.casefold() == credit.casefold():
            caption = rest or ""
    if (not caption or not credit) and parts.scripts:
        described = _described(parts.scripts)
        caption = caption or described[0] or ""
        credit = credit or described[1]
    return caption or None, credit


_MAX_SCRIPT = 20_000
_MAX_UNMARKED_CREDIT = 80


def _trailing_element(holder: Tag, caption: str) -> tuple[str, str | None]:
    """A caption's sentences, then a short element of its own that is no sentence:
    "<span>Rescue workers at the site.</span><span>Jane Doe (Reuters)</span>" ends in
    its credit, which no class or label marks."""
    last = next(
        (
            c
            for c in reversed(holder.contents)
            if type(c) is Tag or (type(c) is NavigableString and c.strip())
        ),
        None,
    )
    if type(last) is not Tag or last.name in ("br", "a"):
        return caption, None
    tail = _text(last)
    if not tail or len(tail) > _MAX_UNMARKED_CREDIT or tail.endswith((".", "!", "?", ":")):
        return caption, None
    if not caption.endswith(tail):
        return caption, None
    rest = caption[: len(caption) - len(tail)].rstrip()
    if not rest.endswith((".", "!", "?", "»", "«", "“", "”", '"', ")")):
        return caption, None
    return rest, strip_credit_label(tail)


def _described(scripts: list[Tag]) -> tuple[str | None, str | None]:
    """Caption and credit from a JSON-LD ImageObject that a template puts beside its picture."""
    for script in scripts[:3]:
        text = script.get_text()
        if len(text) > _MAX_SCRIPT:
            continue
        try:
            node = json.loads(text, strict=False)
        except (ValueError, RecursionError):
            continue
        if not isinstance(node, dict) or "ImageObject" not in str(node.get("@type")):
            continue
        caption = node.get("caption") or node.get("description")
        caption = clean_text(caption) if isinstance(caption, str) else None
        return caption or None, ld_image_credit(node)
    return None, None
