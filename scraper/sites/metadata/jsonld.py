"""JSON-LD: the page's article node, found among its ``application/ld+json`` scripts, and
the values read out of it.

Every script is looked through, with its top-level lists, ``@graph``, ``mainEntity`` and
``itemListElement``; ``@id`` references of the article node are resolved one level.  Pages
are hostile input: malformed blocks are skipped (after the repairs common templates need),
and how many nodes are looked at and how deep the walk goes are bounded.
"""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from bs4 import BeautifulSoup, Tag

from scraper.sites.html import all_tags, clean_text

ARTICLE_TYPES = frozenset(
    """Article NewsArticle ReportageNewsArticle AnalysisNewsArticle OpinionNewsArticle
    BackgroundNewsArticle ReviewNewsArticle AskPublicNewsArticle SatiricalArticle
    AdvertiserContentArticle BlogPosting LiveBlogPosting SocialMediaPosting DiscussionForumPosting
    TechArticle ScholarlyArticle Report""".split()
)
# Bounds on hostile JSON-LD: how many nodes we look at and how deep we walk.
_MAX_JSONLD_NODES = 500
_MAX_JSONLD_DEPTH = 6


def jsonld_article(soup: BeautifulSoup) -> dict[str, Any] | None:
    """The page's first JSON-LD node typed as an article (``@id`` references resolved).

    Looks through every ``application/ld+json`` script, top-level lists, ``@graph`` and
    ``mainEntity``; malformed blocks are skipped.
    """
    scripts = [
        s
        for s in all_tags(soup, "script")
        if s.attrs.get("type") is not None and "ld+json" in str(s.get("type")).lower()
    ]
    return article_node(jsonld_nodes(scripts))


def article_node(found: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    nodes = list(found)
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    for node in nodes:
        if _types(node) & ARTICLE_TYPES:
            return _resolve_refs(node, by_id)
    return None


# What XHTML-era templates wrap a script's JSON in: an HTML comment, or CDATA marks hidden
# from JavaScript in a block or line comment (Rails' ``//<![CDATA[`` … ``//]]>``).
_LD_WRAPPERS = re.compile(
    r"^\s*(?:<!--|/\*\s*<!\[CDATA\[\s*\*/|//\s*<!\[CDATA\[|<!\[CDATA\[)"
    r"|(?:-->|/\*\s*\]\]>\s*\*/|//\s*\]\]>|\]\]>)\s*$"
)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def jsonld_nodes(scripts: Iterable[Tag]) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object in ``scripts``, flattened out of lists, @graph and mainEntity."""
    count = 0
    for script in scripts:
        for document in _json_documents(script.get_text()):
            # Iterative walk: hostile pages nest lists thousands deep.
            stack: list[tuple[Any, int]] = [(document, 0)]
            found: list[dict[str, Any]] = []
            while stack and count < _MAX_JSONLD_NODES:
                value, depth = stack.pop()
                if depth > _MAX_JSONLD_DEPTH:
                    continue
                if isinstance(value, list):
                    stack.extend((v, depth + 1) for v in reversed(value))
                elif isinstance(value, dict):
                    count += 1
                    found.append(value)
                    for key in ("@graph", "mainEntity", "itemListElement"):
                        if key in value:
                            stack.append((value[key], depth + 1))
            yield from found


def _json_documents(text: str) -> list[Any]:
    text = _LD_WRAPPERS.sub("", text.strip()).strip().rstrip(";")
    if not text:
        return []
    for candidate in (text, _TRAILING_COMMA.sub(r"\1", text)):
        try:
            return _decode_concatenated(candidate)
        except (ValueError, RecursionError):
            continue
    return []


def _decode_concatenated(text: str) -> list[Any]:
    """Some CMSes put several JSON documents in one script, one after another."""
    decoder = json.JSONDecoder(strict=False)  # raw newlines inside strings are common
    documents = []
    index = 0
    while index < len(text):
        document, index = decoder.raw_decode(text, index)
        documents.append(document)
        while index < len(text) and (text[index].isspace() or text[index] in ",;"):
            index += 1
    return documents


def _types(node: dict[str, Any]) -> set[str]:
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    # "http://schema.org/NewsArticle" and "schema:NewsArticle" mean NewsArticle
    return {re.split(r"[/:#]", v)[-1] for v in values if isinstance(v, str)}


def _resolve_refs(node: dict[str, Any], by_id: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One level of {"@id": …} references (Yoast-style graphs point at Person nodes)."""

    def resolve(value: Any) -> Any:
        if isinstance(value, dict) and set(value) <= {"@id", "@type"} and value.get("@id") in by_id:
            return by_id[value["@id"]]
        if isinstance(value, list):
            return [resolve(v) for v in value[:50]]
        return value

    return {key: resolve(value) for key, value in node.items()}


def ld_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value[:50] if isinstance(value, list) else [value]


def ld_text(value: Any) -> str | None:
    """A JSON-LD text value: a string, the first of a list, or an object's name/@value."""
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return clean_text(html_lib.unescape(value)) or None


def ld_names(values: Iterable[Any]) -> list[str]:
    """The names a JSON-LD author or publisher value states: strings, and the nodes' name
    (else givenName familyName)."""
    names = []
    for value in values:
        if isinstance(value, list):  # a list nested in the list of authors
            names.extend(ld_names(v for v in value[:50] if not isinstance(v, list)))
        elif isinstance(value, str):
            names.append(value)
        elif isinstance(value, dict):
            name = value.get("name")
            if isinstance(name, list):
                name = next((n for n in name if isinstance(n, str)), None)
            if not isinstance(name, str) or not name.strip():
                parts = [value.get("givenName"), value.get("familyName")]
                name = " ".join(p for p in parts if isinstance(p, str))
            if name:
                names.append(name)
    return names
