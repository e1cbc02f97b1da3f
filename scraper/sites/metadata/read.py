"""Structured article metadata read from a page: which source wins for each field.

Each field takes the first source that states it, in the order JSON-LD, OpenGraph/article:*,
Dublin Core, itemprop, plain HTML; except the title, chosen among all of them and the visible
<h1>s (``headline``), and authors, where an organisation counts only when no person is
named.  Nothing is guessed from prose: a field no markup states stays ``None``/``[]``.
Pages are hostile input, so every reader swallows its own errors rather than losing the
whole record to one malformed block.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import tzinfo
from typing import Any

from bs4 import BeautifulSoup, Tag

from scraper.sites.article import ArticleData, Image
from scraper.sites.figures.collect import article_figures, merge_images
from scraper.sites.figures.credits import ld_image_credit
from scraper.sites.headline import choose_title, site_keys, stated_titles, title_key
from scraper.sites.html import clean_text
from scraper.sites.listing import absolute_url
from scraper.sites.metadata.authors import clean_authors, is_url
from scraper.sites.metadata.dates import first_date, with_offset
from scraper.sites.metadata.jsonld import article_node, jsonld_nodes, ld_list, ld_names, ld_text
from scraper.sites.metadata.meta_tags import (
    FOREIGN_CONTAINERS,
    ItemProps,
    MetaTags,
    heading_text,
    inside,
    time_elements,
    visible_headings,
)
from scraper.sites.metadata.page_index import PageIndex

# <meta name> of author names (article:author, more often a profile URL, is read first).
_META_AUTHOR_KEYS = (
    "dc.creator",
    "dcterms.creator",
    "author",
    "sailthru.author",
    "parsely-author",
    "byl",
    "cxenseparse:author",
    "articleauthor",
    "twitter:data1:author",
)
# Yoast SEO (on countless WordPress news sites) states the author as a Twitter card label:
# twitter:label1 "Written by" with twitter:data1 the name, or twitter:misc:Written by; the
# label is in the site's language.
_WRITTEN_BY_LABELS = frozenset(
    {
        "written by",
        "verfasst von",
        "geschrieben von",
        "écrit par",
        "escrito por",
        "scritto da",
        "geschreven door",
        "skrevet av",
        "skrevet af",
        "skriven av",
        "napisane przez",
        "kirjoittanut",
        "napsal",
        "yazan",
        "автор",
        "написано",
    }
)


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
    index = PageIndex(soup)
    base = index.base_url(url)
    meta = MetaTags(index.metas)
    ld_article = article_node(jsonld_nodes(index.scripts))
    ld = ld_article or {}
    items = ItemProps(index.itemprops)

    publishers = ld_names(ld_list(ld.get("publisher"))) + meta.all("og:site_name")
    data = ArticleData()
    sites = site_keys(
        publishers + meta.all("application-name", "apple-mobile-web-app-title", "twitter:site"),
        url,
    )
    declared = (
        ("og:title", meta.first("og:title")),
        ("json-ld headline", ld_text(ld.get("headline"))),
        ("twitter:title", meta.first("twitter:title")),
        ("json-ld name", ld_text(ld.get("name"))),
        ("dc.title", meta.first("dc.title", "dcterms.title")),
        ("itemprop headline", items.text("headline")),
        ("meta headline", meta.first("headline")),
    )
    h1s = [heading_text(h) for h in visible_headings(index)]
    title_tag = clean_text(index.title.get_text()) if index.title is not None else None
    data.title = choose_title((text for _, text in declared), h1s, title_tag, sites)
    data.titles = stated_titles([*declared, *(("h1", h) for h in h1s), ("title", title_tag)], sites)
    stated_published = first_date(
        ld_text(ld.get("datePublished")),
        ld_text(ld.get("dateCreated")),
        *meta.all(
            "article:published_time",
            "og:article:published_time",
            "og:published_time",
            "dc.date.issued",
            "dcterms.issued",
            "dc.date.created",
            "dcterms.created",
            "dc.date",
            "dcterms.date",
            "pubdate",
            "publishdate",
            "publish-date",
            "date",
            "parsely-pub-date",
            "sailthru.date",
        ),
        *items.all_text("datePublished"),
        *time_elements(index.times),
    )
    stated_modified = first_date(
        ld_text(ld.get("dateModified")),
        *meta.all(
            "article:modified_time",
            "og:article:modified_time",
            "og:updated_time",
            "dc.date.modified",
            "dcterms.modified",
            "last-modified",
        ),
        *items.all_text("dateModified"),
    )
    data.published, data.published_offset_assumed = with_offset(
        stated_published, default_tz, stated_modified
    )
    data.modified = with_offset(stated_modified, default_tz, stated_published)[0]
    data.section = _first_text(
        ld_text(ld.get("articleSection")),
        meta.first("article:section", "og:article:section"),
        items.text("articleSection"),
    )
    ld_authors = ld_names(ld_list(ld.get("author")))
    meta_authors = [a for a in meta.all(*_META_AUTHOR_KEYS) if not is_url(a)]
    data.authors = _first_nonempty(
        lambda: clean_authors(ld_authors, publishers),
        lambda: clean_authors(
            [a for a in meta.all("article:author", "og:article:author") if not is_url(a)],
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
        ld_text(ld.get("description")),
        meta.first(
            "og:description",
            "dc.description",
            "dcterms.description",
            "description",
            "twitter:description",
        ),
        items.text("description"),
    )
    data.images = _images(ld, meta, base, soup)
    data.tags = _first_nonempty(
        lambda: _split_tags(ld_list(ld.get("keywords")), sites),
        lambda: _split_tags(meta.all("article:tag", "og:article:tag"), sites),
        lambda: _split_tags(meta.all("news_keywords", "keywords", "dc.subject"), sites),
        lambda: _split_tags(items.all_text("keywords"), sites),
        lambda: _split_tags(
            [a.get_text(" ") for a in index.tag_links if not inside(a, FOREIGN_CONTAINERS)],
            sites,
        ),
    )
    data.language = _language(ld, meta, index.html, items)
    data.canonical_url = _canonical(index.links, meta, ld, base)
    return data, ld_article, organisations


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
            return values
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
        text = ld_text(value)
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


def _images(ld: dict[str, Any], meta: MetaTags, base: str, soup: BeautifulSoup) -> list[Image]:
    """The cover the markup states (JSON-LD, else OpenGraph, else Twitter), then the
    article's own figures, each picture once (``merge_images``)."""
    images: list[Image] = []
    for value in ld_list(ld.get("image")):
        if isinstance(value, str):
            images.append(Image(value))
        elif isinstance(value, dict):
            src = value.get("url") or value.get("contentUrl")
            if isinstance(src, list):
                src = next((s for s in src if isinstance(s, str)), None)
            if isinstance(src, str):
                images.append(Image(src, ld_text(value.get("caption")), ld_image_credit(value)))
    if not images:
        alt = meta.first("og:image:alt")
        images = [
            Image(src, alt) for src in meta.all("og:image", "og:image:url", "og:image:secure_url")
        ]
    if not images:
        images = [Image(src) for src in meta.all("twitter:image", "twitter:image:src")]
    covers: list[Image] = []
    for image in images:
        src = _absolute(image.url, base)
        if src:
            covers.append(Image(src, image.caption, image.credit))
    return merge_images(covers, article_figures(soup, base, covers))


def _language(
    ld: dict[str, Any], meta: MetaTags, html_tag: Tag | None, items: ItemProps
) -> str | None:
    ld_lang = ld.get("inLanguage")
    if isinstance(ld_lang, dict):
        ld_lang = ld_lang.get("alternateName") or ld_lang.get("name")
    html_lang = html_tag.get("lang") if isinstance(html_tag, Tag) else None
    locale = meta.first("og:locale")
    for value in (
        ld_text(ld_lang),
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


def _canonical(links: Iterable[Tag], meta: MetaTags, ld: dict[str, Any], base: str) -> str | None:
    # rel=canonical is the page's own statement of its address; og:url and JSON-LD are
    # more often templated wrong, so they only fill in.
    candidates: list[Any] = []
    for link in links:
        rel: Any = link.get("rel") or []
        rels = rel if isinstance(rel, list) else str(rel).split()
        if "canonical" in (r.lower() for r in rels):
            candidates.append(link["href"])
    candidates.append(meta.first("og:url"))
    entity = ld.get("mainEntityOfPage")
    candidates.append(
        entity.get("@id") or entity.get("url") if isinstance(entity, dict) else entity
    )
    candidates.append(ld.get("url"))
    for candidate in candidates:
        if isinstance(candidate, str):
            absolute = _absolute(candidate, base)
            if absolute:
                return absolute
    return None


def _absolute(value: str, base: str) -> str | None:
    return absolute_url(value, base)
