"""A profile's ``[fields]`` table: CSS selectors (and an attribute) that say where a site's
pages keep each field, for a site the generic reading gets wrong and that needs no page
object of its own.

    [fields]
    title = "h1.headline"
    published = { css = "time.pub", attr = "datetime" }
    authors = "a[rel=author]"            # every match is one author
    section = ".breadcrumb li:last-child"
    body = "div.article-body"            # every match is a part of the text, in page order
    body_exclude = [".related", ".newsletter-signup"]
    images = { css = "figure img", attr = "src" }

Only the vocabulary is here: what the profile says, checked when it loads (a selector
soupsieve cannot compile is a ``ProfileError`` naming the file, the field and the
selector). The page object that applies it is ``scraper/sites/profile_fields_page.py``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import soupsieve
from bs4 import Tag

# The fields a selector may be given for, in ArticleData's order; "body_exclude" goes with
# "body" (elements cut from the text's containers).
SELECTOR_FIELDS = ("title", "published", "section", "authors", "body", "images")
_KEYS = (*SELECTOR_FIELDS, "body_exclude")
# A selector is a few dozen characters; a longer one is a mistake (or a hostile profile).
MAX_SELECTOR_CHARS = 1000
# Matches read of one selector: far more than a page's authors, pictures or text parts, and
# a bound on what a selector like "*" costs on a page of a million elements.
MAX_MATCHES = 1000


@dataclass(frozen=True)
class FieldSelector:
    """Where one field is: the elements ``css`` matches, read as text, or as their ``attr``."""

    css: str
    attr: str | None = None

    def select(self, root: Tag) -> list[Tag]:
        return _compiled(self.css).select(root, limit=MAX_MATCHES)

    def describe(self) -> str:
        return f"{self.css} @{self.attr}" if self.attr else self.css


@dataclass(frozen=True)
class FieldSelectors:
    """A profile's ``[fields]``: None for a field it gives no selector."""

    title: FieldSelector | None = None
    published: FieldSelector | None = None
    section: FieldSelector | None = None
    authors: FieldSelector | None = None
    body: FieldSelector | None = None
    images: FieldSelector | None = None
    body_exclude: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The fields given a selector, in ArticleData's order."""
        return tuple(name for name in SELECTOR_FIELDS if getattr(self, name) is not None)

    def given(self, name: str) -> FieldSelector | None:
        value = getattr(self, name) if name in SELECTOR_FIELDS else None
        return value if isinstance(value, FieldSelector) else None

    def __bool__(self) -> bool:
        return bool(self.names)


def parse_fields(data: dict[str, Any], fail: Callable[[str], Exception]) -> FieldSelectors:
    """``[fields]`` as the TOML gave it; ``fail`` makes the one-line error (file named)."""
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise fail(f"unknown key 'fields.{unknown[0]}' (allowed: {', '.join(_KEYS)})")
    given: dict[str, Any] = {}
    for name in SELECTOR_FIELDS:
        if name in data:
            given[name] = _selector(name, data[name], fail)
    if given.get("body") is not None and given["body"].attr is not None:
        raise fail("fields.body takes no attr: its elements' text is the article's text")
    exclude = data.get("body_exclude", [])
    if not isinstance(exclude, list) or not all(isinstance(css, str) for css in exclude):
        raise fail("fields.body_exclude must be a list of CSS selectors (strings)")
    if exclude and "body" not in given:
        raise fail("fields.body_exclude needs fields.body (the containers it is cut from)")
    for css in exclude:
        _check_css("body_exclude", css, fail)
    return FieldSelectors(**given, body_exclude=tuple(exclude))


def _selector(name: str, value: Any, fail: Callable[[str], Exception]) -> FieldSelector:
    if isinstance(value, str):
        return FieldSelector(_check_css(name, value, fail))
    if not isinstance(value, dict):
        raise fail(
            f'fields.{name} must be a CSS selector or a table {{ css = "...", attr = "..." }}'
        )
    extra = sorted(set(value) - {"css", "attr"})
    if extra:
        raise fail(f"unknown key 'fields.{name}.{extra[0]}' (allowed: css, attr)")
    css, attr = value.get("css"), value.get("attr")
    if not isinstance(css, str):
        raise fail(f"fields.{name} needs css, a CSS selector (a string)")
    if attr is not None and (not isinstance(attr, str) or not attr.strip() or " " in attr):
        raise fail(f"fields.{name}.attr must be an attribute name, like 'datetime'")
    return FieldSelector(_check_css(name, css, fail), attr.strip() if attr else None)


def _check_css(name: str, css: str, fail: Callable[[str], Exception]) -> str:
    css = css.strip()
    if len(css) > MAX_SELECTOR_CHARS:
        raise fail(f"fields.{name} selector is over {MAX_SELECTOR_CHARS} characters")
    try:
        _compiled(css)
    except (soupsieve.SelectorSyntaxError, NotImplementedError, ValueError) as exc:
        problem = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise fail(
            f"fields.{name} selector {css!r} is not CSS soupsieve reads: {problem}"
        ) from None
    except RecursionError:
        raise fail(f"fields.{name} selector {css[:80]!r} is nested too deeply") from None
    return css


@lru_cache(maxsize=256)
def _compiled(css: str) -> soupsieve.SoupSieve:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ':contains' still works, only renamed
        return soupsieve.compile(css)
