"""The page's own markup as metadata sources: <meta> tags, itemprop microdata, <time>
elements and the visible headings.

Values inside nav/aside/footer belong to other things (related stories, comments) and are
skipped.
"""

from __future__ import annotations

import html as html_lib
from collections.abc import Iterable

from bs4 import Tag

from scraper.sites.html import HEADING_TAGS, clean_text
from scraper.sites.metadata.page_index import PageIndex

# Templates spell one name with any of these: "article:published_time",
# "article:published:time", "DC.date.issued", "dc:date:issued", "og_title".
_META_KEY_SEPARATORS = str.maketrans("_.", "::")


def _meta_key(name: str) -> str:
    return name.strip().lower().translate(_META_KEY_SEPARATORS)


_TWITTER_MISC = "twitter:misc:"


class MetaTags:
    """<meta> contents by name/property, in page order; names compared lower-cased and with
    ``:``, ``_`` and ``.`` alike."""

    def __init__(self, metas: Iterable[Tag]) -> None:
        self._values: dict[str, list[str]] = {}
        for tag in metas:
            content = tag.get("content")
            if not isinstance(content, str):
                continue
            content = (
                clean_text(html_lib.unescape(content)) if "&" in content else clean_text(content)
            )
            if not content:
                continue
            for attr in ("property", "name", "http-equiv"):
                key = tag.get(attr)
                if isinstance(key, str) and key:
                    self._values.setdefault(_meta_key(key), []).append(content)

    def all(self, *keys: str) -> list[str]:
        return [value for key in keys for value in self._values.get(_meta_key(key), ())]

    def labelled(self, labels: frozenset[str]) -> list[str]:
        """Twitter card label/data pairs ("twitter:label1" "Written by", "twitter:data1"
        the value), and their "twitter:misc:<label>" spelling, whose label is in ``labels``
        (lower-case)."""
        values = []
        for number in range(1, 5):
            label = self.first(f"twitter:label{number}")
            if label and label.casefold() in labels:
                values += self.all(f"twitter:data{number}")
        # page order, not the set's (which varies from run to run): records must not
        for key, found in self._values.items():
            if key.startswith(_TWITTER_MISC) and key[len(_TWITTER_MISC) :] in labels:
                values += found
        return values

    def first(self, *keys: str) -> str | None:
        for key in keys:
            values = self._values.get(_meta_key(key))
            if values:
                return values[0]
        return None


# itemprops in these containers belong to other things (related stories, comments).
FOREIGN_CONTAINERS = frozenset({"nav", "aside", "footer"})


class ItemProps:
    """Microdata values by itemprop, skipping ones inside nav/aside/footer."""

    def __init__(self, tags: Iterable[Tag]) -> None:
        self._elements: dict[str, list[Tag]] = {}
        for tag in tags:
            names = tag.get("itemprop")
            if isinstance(names, list):
                names = " ".join(names)
            if not isinstance(names, str) or inside(tag, FOREIGN_CONTAINERS):
                continue
            for name in names.split():
                self._elements.setdefault(name, []).append(tag)

    def all_text(self, name: str) -> list[str]:
        values = [_microdata_value(tag) for tag in self._elements.get(name, ())]
        return [v for v in values if v]

    def text(self, name: str) -> str | None:
        values = self.all_text(name)
        return values[0] if values else None

    def authors(self) -> list[str]:
        names = []
        for tag in self._elements.get("author", ()):
            inner = tag.find(itemprop="name") if tag.name not in ("meta", "link") else None
            value = _microdata_value(inner) if isinstance(inner, Tag) else _microdata_value(tag)
            if value:
                names.append(value)
        return names


def _microdata_value(tag: Tag) -> str | None:
    for attr in ("content", "datetime"):
        value = tag.get(attr)
        if isinstance(value, str) and value.strip():
            return clean_text(value)
    if tag.name in ("meta", "link"):
        return None
    return clean_text(tag.get_text(" ")) or None


def visible_headings(index: PageIndex) -> list[Tag]:
    """The page's own headings: its <h1>s, and the heading of each <hgroup> (HTML's element
    for a heading with its kicker and subheadings), which some templates make an <h2> while
    their one <h1> sits in the breadcrumb; none inside nav/aside/footer."""
    headings = list(index.h1s)
    for group in index.hgroups:
        ranked = group.find_all(HEADING_TAGS)
        if ranked:
            top = min(ranked, key=lambda h: h.name)  # "h1" < "h2" < …; the first of a rank
            if not any(top is h for h in headings):
                headings.append(top)
    return [h for h in headings if not inside(h, FOREIGN_CONTAINERS)]


def heading_text(tag: Tag) -> str:
    return clean_text(tag.get_text(" "))


def inside(tag: Tag, names: frozenset[str]) -> bool:
    return any(parent.name in names for parent in tag.parents)


def time_elements(tags: Iterable[Tag]) -> list[str]:
    """<time datetime> values, ones marked pubdate first."""
    times = [t for t in tags if not inside(t, FOREIGN_CONTAINERS)]
    times.sort(key=lambda t: not t.has_attr("pubdate"))  # stable: page order otherwise
    return [value for t in times if isinstance(value := t.get("datetime"), str)]
