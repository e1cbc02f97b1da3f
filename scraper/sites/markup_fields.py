"""Reading fields through a site's own selectors, for the page objects of a site or a CMS
family (rferl.py, dw.py): the first match, a meta's content, an attribute, pruning, and the
field-by-field merge with the generic (structured) reading that names the fields it filled."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from bs4 import Tag

from scraper.sites.article import ArticleData
from scraper.sites.html import Selector, TreeIndex, clean_text


def first(index: TreeIndex, selectors: Iterable[Selector]) -> Tag | None:
    """The first element the first matching selector finds (selectors in order of trust)."""
    return next((tag for tag in (s.select_one(index) for s in selectors) if tag is not None), None)


def first_text(index: TreeIndex, selectors: Iterable[Selector]) -> str | None:
    tag = first(index, selectors)
    return clean_text(tag.get_text(" ")) or None if tag is not None else None


def meta(index: TreeIndex, key: str) -> str | None:
    """A ``<meta>``'s content by property, else by name."""
    for attribute in ("property", "name"):
        for tag in index.all("meta"):
            if tag.attrs.get(attribute) == key:
                return clean_text(attr(tag, "content") or "") or None
    return None


def attr(tag: Tag | None, name: str) -> str | None:
    value = tag.get(name) if tag is not None else None
    if isinstance(value, list):
        value = " ".join(value)
    return value.strip() or None if value else None


def decompose(tags: list[Tag]) -> None:
    for tag in tags:
        if not tag.__dict__.get("_decomposed"):  # not already gone with a decomposed parent
            tag.decompose()


def merge_own(
    own: ArticleData, structured: ArticleData, own_fields: Iterable[str]
) -> tuple[ArticleData, set[str]]:
    """The site's reading of ``own_fields`` where it has one, the structured reading
    elsewhere; and which of ``own_fields`` had to be filled from the structured reading
    (template drift, or a page without that field)."""
    mine = set(own_fields)
    values = {}
    filled = set()
    for f in dataclasses.fields(ArticleData):
        ours, theirs = getattr(own, f.name), getattr(structured, f.name)
        if f.name not in mine:
            values[f.name] = theirs
            continue
        values[f.name] = ours or theirs
        if not ours and theirs:
            filled.add(f.name)
    return ArticleData(**values), filled


def field_order(names: set[str]) -> list[str]:
    """``names`` in ArticleData's field order (how ``fallbacks`` lists them)."""
    return [f.name for f in dataclasses.fields(ArticleData) if f.name in names]
