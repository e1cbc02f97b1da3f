"""Structured article metadata: JSON-LD, OpenGraph, Dublin Core, itemprop, <time>.

Each field takes the first source that states it, in the order JSON-LD, OpenGraph/article:*,
Dublin Core, itemprop, plain HTML; except the title, chosen among all of them and the visible
<h1>s (``headline``), and authors, where an organisation counts only when no person is named.  Nothing is guessed from prose: a field no markup states
stays ``None``/``[]``.  Pages are hostile input, so every reader here swallows its own errors
rather than losing the whole record to one malformed block.
"""
from __future__ import annotations

import html as html_lib
import json
import re
import warnings
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any

from bs4 import BeautifulSoup, Tag
from dateutil import parser as date_parser

from scraper.sites.article import ArticleData, Image
from scraper.sites.figures import article_figures, merge_images
from scraper.sites.headline import choose_title, site_keys, title_key
from scraper.sites.html import all_tags, clean_text
from scraper.sites.image_credits import ld_image_credit
from scraper.sites.listing import absolute_url

ARTICLE_TYPES = frozenset(
    """Article NewsArticle ReportageNewsArticle AnalysisNewsArticle OpinionNewsArticle
    BackgroundNewsArticle ReviewNewsArticle AskPublicNewsArticle SatiricalArticle
    AdvertiserContentArticle BlogPosting LiveBlogPosting SocialMediaPosting DiscussionForumPosting
    TechArticle ScholarlyArticle Report""".split()
)
# <meta name> of author names (article:author, more often a profile URL, is read first).
_META_AUTHOR_KEYS = (
    "dc.creator", "dcterms.creator", "author", "sailthru.author", "parsely-author", "byl",
    "cxenseparse:author", "articleauthor", "twitter:data1:author",
)
# Yoast SEO (on countless WordPress news sites) states the author as a Twitter card label:
# twitter:label1 "Written by" with twitter:data1 the name, or twitter:misc:Written by; the
# label is in the site's language.
_WRITTEN_BY_LABELS = frozenset({
    "written by", "verfasst von", "geschrieben von", "écrit par", "escrito por", "scritto da",
    "geschreven door", "skrevet av", "skrevet af", "skriven av", "napisane przez",
    "kirjoittanut", "napsal", "yazan", "автор", "написано",
})
# Visible headlines looked at: a page's own is among its first few <h1>s.
_MAX_H1S = 6
# Bounds on hostile JSON-LD: how many nodes we look at and how deep we walk.
_MAX_JSONLD_NODES = 500
_MAX_JSONLD_DEPTH = 6


# --------------------------------------------------------------------------- page index


class _PageIndex:
    """The elements metadata comes from, gathered in one walk: each ``find_all`` is a full
    tree traversal, and a page needs a dozen of them."""

    def __init__(self, soup: BeautifulSoup) -> None:
        self.metas: list[Tag] = []
        self.scripts: list[Tag] = []
        self.itemprops: list[Tag] = []
        self.times: list[Tag] = []
        self.links: list[Tag] = []
        self.tag_links: list[Tag] = []  # rel="tag": the microformat for an article's topics
        self.html: Tag | None = None
        self.base: Tag | None = None
        self.h1s: list[Tag] = []
        self.hgroups: list[Tag] = []
        self.title: Tag | None = None
        for node in soup.descendants:
            if not isinstance(node, Tag):
                continue
            name = node.name
            attrs = node.attrs
            if name == "meta":
                self.metas.append(node)
            elif name == "script":
                kind = attrs.get("type")
                if isinstance(kind, str) and "ld+json" in kind.lower():
                    self.scripts.append(node)
            elif name == "time":
                if "datetime" in attrs:
                    self.times.append(node)
            elif name == "link":
                if "href" in attrs:
                    self.links.append(node)
            elif name == "a":
                rel = attrs.get("rel")
                if rel and "tag" in (rel if isinstance(rel, list) else str(rel).split()):
                    self.tag_links.append(node)
            elif name == "html":
                if self.html is None:
                    self.html = node
            elif name == "base" and self.base is None and "href" in attrs:
                self.base = node
            elif name == "h1":
                if len(self.h1s) < _MAX_H1S:
                    self.h1s.append(node)
            elif name == "hgroup":
                if len(self.hgroups) < _MAX_H1S:
                    self.hgroups.append(node)
            elif name == "title":
                if self.title is None:
                    self.title = node
            if "itemprop" in attrs:
                self.itemprops.append(node)

    def base_url(self, url: str) -> str:
        href = self.base.get("href") if self.base is not None else None
        if isinstance(href, str):
            return absolute_url(href, url) or url
        return url


# --------------------------------------------------------------------------- public API


def read_metadata(soup: BeautifulSoup, url: str, default_tz: tzinfo | None = None) -> ArticleData:
    """Every field the page states in structured markup; ``body`` stays empty.

    ``default_tz`` is the zone of dates that carry no offset (a site profile knows it).
    """
    return read_metadata_and_jsonld(soup, url, default_tz)[0]


def read_metadata_and_jsonld(
    soup: BeautifulSoup, url: str, default_tz: tzinfo | None = None
) -> tuple[ArticleData, dict[str, Any] | None]:
    """``read_metadata`` and ``jsonld_article`` together, for a caller that needs both: one
    walk over the page and one JSON decode of its scripts instead of two."""
    data, ld, organisations = read_metadata_parts(soup, url, default_tz)
    if not data.authors:
        data.authors = organisations
    return data, ld


def read_metadata_parts(
    soup: BeautifulSoup, url: str, default_tz: tzinfo | None = None
) -> tuple[ArticleData, dict[str, Any] | None, list[str]]:
    """``read_metadata_and_jsonld`` with the authors split: ``data.authors`` holds persons
    only, and the organisations the markup names as author come apart, for a caller that
    looks for a byline in the HTML before settling for an organisation."""
    index = _PageIndex(soup)
    base = index.base_url(url)
    meta = _MetaTags(index.metas)
    ld_article = _article_node(_jsonld_nodes(index.scripts))
    ld = ld_article or {}
    items = _ItemProps(index.itemprops)

    publishers = _names(_ld_list(ld.get("publisher"))) + meta.all("og:site_name")
    data = ArticleData()
    sites = site_keys(
        publishers + meta.all("application-name", "apple-mobile-web-app-title", "twitter:site"),
        url,
    )
    data.title = choose_title(
        (
            meta.first("og:title"),
            _ld_text(ld.get("headline")),
            meta.first("twitter:title"),
            _ld_text(ld.get("name")),
            meta.first("dc.title", "dcterms.title"),
            items.text("headline"),
            meta.first("headline"),
        ),
        [_heading_text(h) for h in _visible_headings(index)],
        clean_text(index.title.get_text()) if index.title is not None else None,
        sites,
    )
    stated_published = _first_date(
        _ld_text(ld.get("datePublished")),
        _ld_text(ld.get("dateCreated")),
        *meta.all(
            "article:published_time", "og:article:published_time", "og:published_time",
            "dc.date.issued", "dcterms.issued", "dc.date.created", "dcterms.created", "dc.date",
            "dcterms.date", "pubdate", "publishdate", "publish-date", "date",
            "parsely-pub-date", "sailthru.date",
        ),
        *items.all_text("datePublished"),
        *_time_elements(index.times),
    )
    stated_modified = _first_date(
        _ld_text(ld.get("dateModified")),
        *meta.all(
            "article:modified_time", "og:article:modified_time", "og:updated_time",
            "dc.date.modified", "dcterms.modified", "last-modified",
        ),
        *items.all_text("dateModified"),
    )
    data.published, data.published_offset_assumed = _with_offset(
        stated_published, default_tz, stated_modified
    )
    data.modified = _with_offset(stated_modified, default_tz, stated_published)[0]
    data.section = _first_text(
        _ld_text(ld.get("articleSection")),
        meta.first("article:section", "og:article:section"),
        items.text("articleSection"),
    )
    ld_authors = _names(_ld_list(ld.get("author")))
    meta_authors = [a for a in meta.all(*_META_AUTHOR_KEYS) if not _is_url(a)]
    data.authors = _first_nonempty(
        lambda: clean_authors(ld_authors, publishers),
        lambda: clean_authors(
            [a for a in meta.all("article:author", "og:article:author") if not _is_url(a)],
            publishers,
        ),
        lambda: clean_authors(meta_authors, publishers),
        lambda: clean_authors(meta.labelled(_WRITTEN_BY_LABELS), publishers),
        lambda: clean_authors(items.authors(), publishers),
    )
    # When no person is named, the organisation the markup names as author (a newsroom,
    # an agency, the outlet itself) is the author: "DER SPIEGEL", "Redaktion hessenschau.de".
    organisations = _first_nonempty(
        lambda: clean_authors(ld_authors, organisations=True),
        lambda: clean_authors(meta_authors, organisations=True),
    )
    data.description = _first_text(
        _ld_text(ld.get("description")),
        meta.first(
            "og:description", "dc.description", "dcterms.description", "description",
            "twitter:description",
        ),
        items.text("description"),
    )
    data.images = _images(ld, meta, base, soup)
    data.tags = _first_nonempty(
        lambda: _split_tags(_ld_list(ld.get("keywords")), sites),
        lambda: _split_tags(meta.all("article:tag", "og:article:tag"), sites),
        lambda: _split_tags(meta.all("news_keywords", "keywords", "dc.subject"), sites),
        lambda: _split_tags(items.all_text("keywords"), sites),
        lambda: _split_tags(
            [a.get_text(" ") for a in index.tag_links if not _inside(a, _FOREIGN_CONTAINERS)],
            sites,
        ),
    )
    data.language = _language(ld, meta, index.html, items)
    data.canonical_url = _canonical(index.links, meta, ld, base)
    return data, ld_article, organisations


def jsonld_article(soup: BeautifulSoup) -> dict[str, Any] | None:
    """The page's first JSON-LD node typed as an article (``@id`` references resolved).

    Looks through every ``application/ld+json`` script, top-level lists, ``@graph`` and
    ``mainEntity``; malformed blocks are skipped.
    """
    scripts = [
        s for s in all_tags(soup, "script")
        if s.attrs.get("type") is not None and "ld+json" in str(s.get("type")).lower()
    ]
    return _article_node(_jsonld_nodes(scripts))


def _article_node(found: Iterable[dict[str, Any]]) -> dict[str, Any] | None:
    nodes = list(found)
    by_id = {n["@id"]: n for n in nodes if isinstance(n.get("@id"), str)}
    for node in nodes:
        if _types(node) & ARTICLE_TYPES:
            return _resolve_refs(node, by_id)
    return None


def parse_date(value: Any, default_tz: tzinfo | None = None) -> str | None:
    """An ISO 8601 string for a date as pages and feeds write it, or None for garbage.

    A datetime without offset is put in ``default_tz`` when given, else left naive.  A bare
    date stays a bare date: a time of day the page did not state would be invented.
    """
    if not isinstance(value, str):
        return None
    text = clean_text(value)
    if not 4 <= len(text) <= 80 or not any(c.isdigit() for c in text):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # UnknownTimezoneWarning on odd abbreviations
            # Two defaults tell which parts the string really states.
            first = date_parser.parse(text, default=_DEFAULT_A, tzinfos=_TZ_ABBREVIATIONS)
            second = date_parser.parse(text, default=_DEFAULT_B, tzinfos=_TZ_ABBREVIATIONS)
    except (ValueError, OverflowError, TypeError, LookupError):
        return None
    if first.year != second.year or first.month != second.month or first.day != second.day:
        return None  # no full date in it (a bare time, a year alone)
    if not 1800 <= first.year <= 2200:
        return None
    if first.hour != second.hour:
        return first.date().isoformat()
    moment = first
    if moment.tzinfo is None and default_tz is not None:
        localize = getattr(default_tz, "localize", None)  # pytz zones need localize()
        moment = localize(moment) if localize else moment.replace(tzinfo=default_tz)
    try:
        return moment.isoformat()
    except (ValueError, OverflowError):
        return None


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
        if not text or _is_url(text):
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
                or _is_url(name)
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
    """"n-tv NACHRICHTEN" is publisher "ntv NACHRICHTEN"; a one-word "LBCI" is site "LBCIV7";
    "MDR THÜRINGEN" is a desk of publisher "MDR"."""
    key = _org_key(name)
    if key in publisher_keys:
        return True
    words = name.split()
    if len(words) > 1 and _org_key(words[0]) in publisher_keys:
        return True
    return " " not in name and len(key) >= 4 and any(p.startswith(key) for p in publisher_keys)


# --------------------------------------------------------------------------- dates

def _first_date(*candidates: Any) -> str | None:
    """The first candidate that parses, as the page states it (naive when it has no offset)."""
    for value in candidates:
        parsed = parse_date(value)
        if parsed:
            return parsed
    return None


def _with_offset(
    stated: str | None, default_tz: tzinfo | None, other: str | None
) -> tuple[str | None, bool]:
    """``stated`` with an offset, and whether that offset was assumed: a time the page gives
    without one is put in the profile's zone, else in the offset the page's other date
    (published/modified) states, when that one is near enough to share it."""
    if stated is None or len(stated) <= 10:
        return stated, False  # nothing, or a bare date
    moment = datetime.fromisoformat(stated)
    if moment.tzinfo is not None:
        return stated, False
    if default_tz is not None:
        return parse_date(stated, default_tz), True
    if other and len(other) > 10:
        reference = datetime.fromisoformat(other)
        offset = reference.utcoffset()
        if offset is not None and abs(reference.replace(tzinfo=None) - moment) <= timedelta(days=60):
            return moment.replace(tzinfo=timezone(offset)).isoformat(), True
    return stated, False


_DEFAULT_A = datetime(1904, 1, 1, 0, 0, 0)
_DEFAULT_B = datetime(1905, 2, 2, 1, 1, 1)
_TZ_ABBREVIATIONS = {
    name: timezone(timedelta(hours=hours))
    for name, hours in {
        "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
        "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3, "IRST": 3.5,
        "IRDT": 4.5, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11,
    }.items()
}


# --------------------------------------------------------------------------- JSON-LD

# What XHTML-era templates wrap a script's JSON in: an HTML comment, or CDATA marks hidden
# from JavaScript in a block or line comment (Rails' ``//<![CDATA[`` … ``//]]>``).
_LD_WRAPPERS = re.compile(
    r"^\s*(?:<!--|/\*\s*<!\[CDATA\[\s*\*/|//\s*<!\[CDATA\[|<!\[CDATA\[)"
    r"|(?:-->|/\*\s*\]\]>\s*\*/|//\s*\]\]>|\]\]>)\s*$"
)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def _jsonld_nodes(scripts: Iterable[Tag]) -> Iterator[dict[str, Any]]:
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


def _ld_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value[:50] if isinstance(value, list) else [value]


def _ld_text(value: Any) -> str | None:
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


def _names(values: Iterable[Any]) -> list[str]:
    names = []
    for value in values:
        if isinstance(value, list):  # a list nested in the list of authors
            names.extend(_names(v for v in value[:50] if not isinstance(v, list)))
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


# --------------------------------------------------------------------------- <meta>, itemprop


# Templates spell one name with any of these: "article:published_time",
# "article:published:time", "DC.date.issued", "dc:date:issued", "og_title".
_META_KEY_SEPARATORS = str.maketrans("_.", "::")


def _meta_key(name: str) -> str:
    return name.strip().lower().translate(_META_KEY_SEPARATORS)


_TWITTER_MISC = "twitter:misc:"


class _MetaTags:
    """<meta> contents by name/property, in page order; names compared lower-cased and with
    ``:``, ``_`` and ``.`` alike."""

    def __init__(self, metas: Iterable[Tag]) -> None:
        self._values: dict[str, list[str]] = {}
        for tag in metas:
            content = tag.get("content")
            if not isinstance(content, str):
                continue
            content = clean_text(html_lib.unescape(content)) if "&" in content else clean_text(content)
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
            if key.startswith(_TWITTER_MISC) and key[len(_TWITTER_MISC):] in labels:
                values += found
        return values

    def first(self, *keys: str) -> str | None:
        for key in keys:
            values = self._values.get(_meta_key(key))
            if values:
                return values[0]
        return None


# itemprops in these containers belong to other things (related stories, comments).
_FOREIGN_CONTAINERS = frozenset({"nav", "aside", "footer"})


class _ItemProps:
    """Microdata values by itemprop, skipping ones inside nav/aside/footer."""

    def __init__(self, tags: Iterable[Tag]) -> None:
        self._elements: dict[str, list[Tag]] = {}
        for tag in tags:
            names = tag.get("itemprop")
            if isinstance(names, list):
                names = " ".join(names)
            if not isinstance(names, str) or _inside(tag, _FOREIGN_CONTAINERS):
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


def _visible_headings(index: _PageIndex) -> list[Tag]:
    """The page's own headings: its <h1>s, and the heading of each <hgroup> (HTML's element
    for a heading with its kicker and subheadings), which some templates make an <h2> while
    their one <h1> sits in the breadcrumb; none inside nav/aside/footer."""
    headings = list(index.h1s)
    for group in index.hgroups:
        ranked = group.find_all(_HEADING_NAMES)
        if ranked:
            top = min(ranked, key=lambda h: h.name)  # "h1" < "h2" < …; the first of a rank
            if not any(top is h for h in headings):
                headings.append(top)
    return [h for h in headings if not _inside(h, _FOREIGN_CONTAINERS)]


_HEADING_NAMES = ("h1", "h2", "h3", "h4", "h5", "h6")


def _heading_text(tag: Tag) -> str:
    return clean_text(tag.get_text(" "))


def _inside(tag: Tag, names: frozenset[str]) -> bool:
    return any(parent.name in names for parent in tag.parents)


def _time_elements(tags: Iterable[Tag]) -> list[str]:
    """<time datetime> values, ones marked pubdate first."""
    times = [t for t in tags if not _inside(t, _FOREIGN_CONTAINERS)]
    times.sort(key=lambda t: not t.has_attr("pubdate"))  # stable: page order otherwise
    return [t["datetime"] for t in times if isinstance(t.get("datetime"), str)]


# --------------------------------------------------------------------------- fields


def _first_text(*values: str | None) -> str | None:
    for value in values:
        if value:
            text = clean_text(value)
            if text:
                return text
    return None


def _first_nonempty(*producers: Any) -> list[str]:
    for produce in producers:
        values = produce()
        if values:
            return values  # type: ignore[no-any-return]
    return []


# What CMSes put among the keywords for their own use: content ids (numbers, UUIDs, hashes).
_CONTENT_ID = re.compile(
    r"^(?:\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{24,})$", re.I
)


def _split_tags(values: Iterable[Any], sites: set[str]) -> list[str]:
    """Topics, split at commas and semicolons, without content ids and the site's host."""
    tags: list[str] = []
    seen: set[str] = set()
    for value in values:
        text = _ld_text(value)
        if not text:
            continue
        for part in re.split(r"[,;]", text):
            tag = part.strip()
            # the site's host name ("ottawacitizen.com"); its plain name may be a topic
            if _CONTENT_ID.match(tag) or ("." in tag and title_key(tag) in sites):
                continue
            if tag and tag.casefold() not in seen:
                seen.add(tag.casefold())
                tags.append(tag)
    return tags


def _images(ld: dict[str, Any], meta: _MetaTags, base: str, soup: BeautifulSoup) -> list[Image]:
    """The cover the markup states (JSON-LD, else OpenGraph, else Twitter), then the
    article's own figures, each picture once (``merge_images``)."""
    images: list[Image] = []
    for value in _ld_list(ld.get("image")):
        if isinstance(value, str):
            images.append(Image(value))
        elif isinstance(value, dict):
            src = value.get("url") or value.get("contentUrl")
            if isinstance(src, list):
                src = next((s for s in src if isinstance(s, str)), None)
            if isinstance(src, str):
                images.append(Image(src, _ld_text(value.get("caption")), ld_image_credit(value)))
    if not images:
        alt = meta.first("og:image:alt")
        images = [Image(src, alt) for src in meta.all("og:image", "og:image:url", "og:image:secure_url")]
    if not images:
        images = [Image(src) for src in meta.all("twitter:image", "twitter:image:src")]
    covers: list[Image] = []
    for image in images:
        src = _absolute(image.url, base)
        if src:
            covers.append(Image(src, image.caption, image.credit))
    return merge_images(covers, article_figures(soup, base, covers))


def _language(
    ld: dict[str, Any], meta: _MetaTags, html_tag: Tag | None, items: _ItemProps
) -> str | None:
    ld_lang = ld.get("inLanguage")
    if isinstance(ld_lang, dict):
        ld_lang = ld_lang.get("alternateName") or ld_lang.get("name")
    html_lang = html_tag.get("lang") if isinstance(html_tag, Tag) else None
    locale = meta.first("og:locale")
    for value in (
        _ld_text(ld_lang),
        meta.first("dc.language", "dcterms.language", "language"),
        items.text("inLanguage"),
        html_lang if isinstance(html_lang, str) else None,
        meta.first("content-language"),
        locale.replace("_", "-") if locale else None,
    ):
        if value:
            text = clean_text(value).split(",")[0].strip()
            if _LANGUAGE_TAG.match(text):  # not "utf-8", "Deutsch"
                return text
    return None


# BCP 47's shape: a language, then script (4 letters), region (2 letters, 3 digits), variants
_LANGUAGE_TAG = re.compile(r"^[a-z]{2,3}(?:[-_](?:[a-z]{2}|[a-z]{4}|\d{3}|[a-z0-9]{5,8}))*$", re.I)


def _canonical(links: Iterable[Tag], meta: _MetaTags, ld: dict[str, Any], base: str) -> str | None:
    # rel=canonical is the page's own statement of its address; og:url and JSON-LD are
    # more often templated wrong, so they only fill in.
    candidates: list[Any] = []
    for link in links:
        rel = link.get("rel") or []
        rels = rel if isinstance(rel, list) else str(rel).split()
        if "canonical" in (r.lower() for r in rels):
            candidates.append(link["href"])
    candidates.append(meta.first("og:url"))
    entity = ld.get("mainEntityOfPage")
    candidates.append(entity.get("@id") or entity.get("url") if isinstance(entity, dict) else entity)
    candidates.append(ld.get("url"))
    for candidate in candidates:
        if isinstance(candidate, str):
            absolute = _absolute(candidate, base)
            if absolute:
                return absolute
    return None


def _absolute(value: str, base: str) -> str | None:
    return absolute_url(value, base)


def _is_url(value: str) -> bool:
    return bool(re.match(r"^(?:https?:)?//|^www\.", value.strip(), re.I))
