"""An element's markup hints: the words of its class, id, itemprop and role attributes,
which say what a template meant it for ("related-stories", "articleBody"), read against
the ``vocabulary``."""

from __future__ import annotations

import re

from bs4 import Tag

from scraper.sites.body.vocabulary import NEGATIVE_HINT
from scraper.sites.html import HEADING_TAGS


def has_negative_hint(hints: str) -> bool:
    return bool(NEGATIVE_HINT.search(split_camel_case(hints)))


def split_camel_case(hints: str) -> str:
    """CSS-module class names run words together in camelCase ("Article_elementPoll",
    "relatedArticles"): a word starting in capitals after a lower-case letter is a word."""
    return _CAMEL_BOUNDARY.sub("-", hints)


_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z])(?=[A-Z])")


def class_key(tag: Tag) -> tuple[str, frozenset[str]] | None:
    """The tag and its classes without ids or BEM modifiers: a template's sections are one
    kind of box whatever variant each one is."""
    classes = tag.get("class")
    if not isinstance(classes, list):
        return None
    words = frozenset(BEM_MODIFIER.sub("", c) for c in classes if not any(ch.isdigit() for ch in c))
    return (tag.name, words) if words else None


BEM_MODIFIER = re.compile(r"--\S*")


def hint_text(tag: Tag) -> str:
    values: list[str] = []
    for attr in ("class", "id", "itemprop", "role"):
        value = tag.attrs.get(attr)
        if isinstance(value, list):
            values.extend(v for v in value if isinstance(v, str))
        elif isinstance(value, str) and not (attr == "id" and _anchors_its_heading(tag, value)):
            values.append(value)
    return " ".join(values)


def _anchors_its_heading(tag: Tag, ident: str) -> bool:
    """An id made of the words its heading begins with ("sharing-with-a-single-developer",
    "nav_nur_die_folie__1"), as documentation generators and tables of contents make
    anchors, names a heading, not the box's purpose."""
    if ident.count("-") + ident.count("_") < _ANCHOR_WORDS - 1:  # most ids: no slug
        return False
    words = _SLUG_WORD.findall(ident.lower())
    if len(words) < _ANCHOR_WORDS:
        return False
    heading = tag if tag.name in HEADING_TAGS else None
    for count, node in enumerate(tag.descendants):
        if heading is not None or count == _HEADING_LOOKUP:
            break
        if isinstance(node, Tag) and node.name in HEADING_TAGS:
            heading = node
    if heading is None:
        return False
    opening = _SLUG_WORD.findall(heading.get_text().lower())[:_ANCHOR_WORDS]
    return len(opening) == _ANCHOR_WORDS and any(
        words[start : start + _ANCHOR_WORDS] == opening for start in range(len(words))
    )


_ANCHOR_WORDS = 3
_HEADING_LOOKUP = 8
_SLUG_WORD = re.compile(r"[^\W_]+")


def string_attr(tag: Tag, name: str) -> str:
    """An attribute as ``find(attrs={name: pattern})`` searches it: missing is no match."""
    value = tag.attrs.get(name)
    if isinstance(value, list):
        return " ".join(value)
    return value if isinstance(value, str) else ""
