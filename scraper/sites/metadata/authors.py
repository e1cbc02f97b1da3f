"""Author names as bylines and markup state them, cleaned to person names.

Prefixes ("By"), roles, the place a byline was written from, duplicates, template filler
and the publisher's own name are removed; when no person is named, the organisations the
markup names can be asked for instead.
"""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterable
from typing import Any

from scraper.sites.html import clean_text

# "By", and its equivalents in the languages whose bylines put it first.  "von" only before
# two words: "von Weizsäcker" alone is a name.
_BY_PREFIX = re.compile(
    r"^(?:(?:(?:written|posted|reported|words|text)\s+)?by\b|(?:von|par|por|door|av|af|przez)"
    r"\s+(?=\S+\s+\S))[\s:]*",
    re.I,
)
_AUTHOR_SPLIT = re.compile(r"\s*(?:;|&|\n)\s*|\s+(?:and|AND|And|und|UND|et|y)\s+")
_DOMAIN = re.compile(r"(?:^|[\s(])(?:www\.)?[\w-]+\.(?:[a-z]{2,6})(?:[\s)/]|$)", re.I)
_ROLE_SUFFIX = re.compile(r"\s*(?:\||\s[-–—]\s).*$")
# The role East Asian bylines put beside the name: after it in Korean and Japanese
# ("신현주 기자", "山田太郎記者"), before it in Chinese ("本报记者 张三").
_CJK_ROLE = re.compile(
    r"^(?:本报|本報)?(?:记者|記者)\s*(?=\S)|(?<=\S)\s*(?:선임\s*)?(?:기자|특파원)$|(?<=\S)(?:記者|特派員)$"
)
# Words a template puts where a name goes; never a person ("red" is the German newsroom
# abbreviation of "Redaktion").
_NOT_NAMES = frozenset(
    """admin administrator author autor editor editors redaktion red staff news nachrichten
    newsroom desk web webmaster online internet user guest anonymous unknown noticias
    reporter correspondent 기자 특파원 記者 记者""".split()
)


def _is_place(part: str) -> bool:
    """A one-word, capitalised part after a comma in a byline is where the author wrote
    from ("Anna Sleegers, Frankfurt"); an agency's abbreviation ("…, dpa") is an author."""
    return (
        " " not in part
        and len(part) > 2
        and part[0].isupper()
        and part[1:].islower()
        and part.casefold() not in _AGENCY_WORDS
    )


# One-word, capitalised agency names (abbreviations like dpa, AFP, KNA never look like places).
_AGENCY_WORDS = frozenset({"reuters", "bloomberg", "xinhua", "belga", "anadolu", "yonhap"})


def clean_authors(
    names: Iterable[Any], publishers: Iterable[str] = (), organisations: bool = False
) -> list[str]:
    """Person names as a byline states them: prefixes, roles, places, duplicates and
    publisher names removed.  "By Jane Doe | Reuters" → ["Jane Doe"].

    ``organisations``: names of organisations are what is wanted (no person being named),
    so the publisher's own name, a domain or a digit does not disqualify one.
    """
    excluded = set()
    for publisher in publishers:
        if isinstance(publisher, str):
            # "mdr.de" is publisher "MDR" too
            excluded.update({_org_key(publisher), _org_key(publisher.split(".")[0])})
    excluded.discard("")
    result: list[str] = []
    seen: set[str] = set()
    for raw in names:
        if not isinstance(raw, str):
            continue
        text = clean_text(html_lib.unescape(raw))
        if not text or is_url(text):
            continue
        text = _BY_PREFIX.sub("", text)
        text = _ROLE_SUFFIX.sub("", text)  # "| Reuters", " - Staff writer"
        parts = [
            part
            for chunk_index, chunk in enumerate(text.split(","))
            for part in _AUTHOR_SPLIT.split(chunk)
            if organisations or chunk_index == 0 or not _is_place(chunk.strip())
        ]
        for part in parts:
            name = _CJK_ROLE.sub("", _BY_PREFIX.sub("", part).strip(" .,:;-–—|"))
            key = _org_key(name)
            if (
                len(name) < 2
                or len(name) > 80
                or "@" in name
                or len(name.split()) > 6
                or is_url(name)
                or key in seen
                or not any(c.isalpha() for c in name)
                or name.casefold() in _NOT_NAMES
                or ":" in name  # a label: "Redaktion: …", "Sendung: hr-INFO"
            ):
                continue
            if not organisations and (
                any(c.isdigit() for c in name)  # "Updated 3 hours ago"
                or _DOMAIN.search(name)  # "mdr.de", "Deutsche Welle (www.dw.com)": the site
                or _is_publisher(name, excluded)
            ):
                continue
            seen.add(key)
            result.append(name)
    return result


def _org_key(name: str) -> str:
    return re.sub(r"\W+", "", clean_text(name).casefold())


def _is_publisher(name: str, publisher_keys: set[str]) -> bool:
    """ "n-tv NACHRICHTEN" is publisher "ntv NACHRICHTEN"; a one-word "LBCI" is site "LBCIV7";
    "MDR THÜRINGEN" is a desk of publisher "MDR"."""
    key = _org_key(name)
    if key in publisher_keys:
        return True
    words = name.split()
    if len(words) > 1 and _org_key(words[0]) in publisher_keys:
        return True
    return " " not in name and len(key) >= 4 and any(p.startswith(key) for p in publisher_keys)


def is_url(value: str) -> bool:
    """Templates put the author's profile URL where a name goes."""
    return bool(re.match(r"^(?:https?:)?//|^www\.", value.strip(), re.I))
