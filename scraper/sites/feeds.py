"""RSS 2.0, RSS 1.0 (RDF), Atom and sitemap (incl. Google News, gzip) parsing.

Feeds and sitemaps come from servers we do not trust, served by mirrors that may be seized
or hijacked: the XML parser never touches the network, never expands entities (billion
laughs) and keeps libxml2's size limits; ``recover`` tolerates the slightly broken XML that
real CMSes emit.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from lxml import etree

from scraper.sites.html import clean_text
from scraper.sites.metadata.dates import parse_date
from scraper.sites.url_syntax import join_url

# A gzip bomb must not exhaust memory: the sitemap protocol caps a file at 50 MB unpacked.
MAX_DECOMPRESSED = 50 * 1024 * 1024
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass
class FeedEntry:
    url: str  # absolute; the host as the feed wrote it (the spider maps hosts to mirrors)
    title: str | None = None
    published: str | None = None  # ISO 8601


@dataclass
class SitemapEntry:
    url: str
    lastmod: str | None = None  # ISO 8601; news:publication_date when the sitemap has one


@dataclass
class Sitemap:
    pages: list[SitemapEntry] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # children, for a sitemap index


class NotAFeed(ValueError):
    pass


class NotASitemap(ValueError):
    pass


def parse_feed(url: str, body: bytes) -> list[FeedEntry]:
    """The entries of an RSS 2.0, RSS 1.0/RDF or Atom feed, unique by URL, in feed order."""
    try:
        root = _parse_xml(body)
    except ValueError as error:
        raise NotAFeed(str(error)) from None
    kind = _local(root)
    if kind == "rss" or kind == "RDF":
        entries = [_rss_item(item, url) for item in root.iter(_tag_named("item"))]
    elif kind == "feed":
        entries = [_atom_entry(entry, url) for entry in root.iter(_tag_named("entry"))]
    else:
        raise NotAFeed(f"root element <{kind}> is not rss, rdf:RDF or feed")
    return _unique(e for e in entries if e is not None)


def parse_sitemap(url: str, body: bytes) -> Sitemap:
    """Pages of a urlset (with Google News dates) or children of a sitemapindex."""
    try:
        body = _gunzip(body)
    except ValueError as error:
        raise NotASitemap(str(error)) from None
    if _looks_like_text_sitemap(body):
        return _text_sitemap(url, body)
    try:
        root = _parse_xml(body)
    except ValueError as error:
        raise NotASitemap(str(error)) from None
    kind = _local(root)
    sitemap = Sitemap()
    if kind == "sitemapindex":
        seen: set[str] = set()
        for element in root.iter(_tag_named("sitemap")):
            loc = _absolute(_child_text(element, "loc"), url)
            if loc and loc not in seen:
                seen.add(loc)
                sitemap.sitemaps.append(loc)
    elif kind == "urlset":
        seen = set()
        for element in root.iter(_tag_named("url")):
            loc = _absolute(_child_text(element, "loc"), url)
            if not loc or loc in seen:
                continue
            seen.add(loc)
            date = _descendant_text(element, "publication_date") or _child_text(element, "lastmod")
            sitemap.pages.append(SitemapEntry(loc, parse_date(date) if date else None))
    else:
        raise NotASitemap(f"root element <{kind}> is not urlset or sitemapindex")
    return sitemap


# --------------------------------------------------------------------------- XML


def _make_parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        recover=True,
        remove_comments=True,
        remove_pis=True,
        strip_cdata=True,
    )


def _parse_xml(body: bytes) -> etree._Element:
    body = _gunzip(body)
    start = body.lstrip()[:512].lower()
    if not start:
        raise ValueError("empty body")
    if start.startswith((b"<!doctype html", b"<html")) or b"<html" in start[:200]:
        raise ValueError("an HTML page, not XML")
    if not start.lstrip(b"\xef\xbb\xbf").startswith(b"<"):
        raise ValueError("does not start with markup")
    try:
        root = etree.fromstring(body, parser=_make_parser())
    except (etree.XMLSyntaxError, ValueError) as error:
        raise ValueError(f"not well-formed XML: {error}") from None
    if root is None:
        raise ValueError("no XML element in the body")
    return root


def _gunzip(body: bytes) -> bytes:
    if not body.startswith(_GZIP_MAGIC):
        return body
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = decompressor.decompress(body, MAX_DECOMPRESSED)
    except zlib.error as error:
        raise ValueError(f"bad gzip data: {error}") from None
    if decompressor.unconsumed_tail:
        raise ValueError(f"more than {MAX_DECOMPRESSED} bytes once decompressed")
    return data


def _local(element: etree._Element) -> str:
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def _tag_named(name: str) -> str:
    return "{*}" + name  # any namespace, or none


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element:
        if _local(child) == name:
            text = clean_text("".join(child.itertext()))
            return text or None
    return None


def _descendant_text(element: etree._Element, name: str) -> str | None:
    for child in element.iter(_tag_named(name)):
        text = clean_text("".join(child.itertext()))
        if text:
            return text
    return None


def _absolute(value: str | None, base: str) -> str | None:
    if not value:
        return None
    resolved = join_url(base, value.strip())
    return resolved if resolved and resolved.startswith(("http://", "https://")) else None


# --------------------------------------------------------------------------- feeds


def _rss_item(item: etree._Element, feed_url: str) -> FeedEntry | None:
    link = _child_text(item, "link")
    if not link:
        guid = next((c for c in item if _local(c) == "guid"), None)
        if guid is not None and (guid.get("isPermaLink") or "true").lower() != "false":
            link = clean_text(guid.text or "")
    if not link:
        about = item.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")
        link = about
    url = _absolute(link, feed_url)
    if not url:
        return None
    date = (
        _child_text(item, "pubDate") or _child_text(item, "date") or _child_text(item, "published")
    )
    return FeedEntry(url, _child_text(item, "title"), parse_date(date) if date else None)


def _atom_entry(entry: etree._Element, feed_url: str) -> FeedEntry | None:
    href = None
    for child in entry:
        if _local(child) == "link" and child.get("href"):
            if (child.get("rel") or "alternate") == "alternate":
                href = child.get("href")
                break
            href = href or child.get("href")  # no alternate link: the first one will do
    url = _absolute(href, feed_url)
    if not url:
        return None
    date = _child_text(entry, "published") or _child_text(entry, "updated")
    return FeedEntry(url, _child_text(entry, "title"), parse_date(date) if date else None)


def _unique(entries: Iterable[FeedEntry]) -> list[FeedEntry]:
    seen: set[str] = set()
    unique = []
    for entry in entries:
        if entry.url not in seen:
            seen.add(entry.url)
            unique.append(entry)
    return unique


# --------------------------------------------------------------------------- text sitemaps

_URL_LINE = re.compile(rb"^https?://\S+$")


def _looks_like_text_sitemap(body: bytes) -> bool:
    """The protocol also allows a plain list of URLs, one a line."""
    head = body.lstrip()[:2048]
    return (
        bool(head)
        and not head.startswith(b"<")
        and bool(_URL_LINE.match(head.split(b"\n")[0].strip()))
    )


def _text_sitemap(url: str, body: bytes) -> Sitemap:
    sitemap = Sitemap()
    seen: set[str] = set()
    for line in body.decode("utf-8", "replace").splitlines():
        loc = _absolute(line.strip(), url) if line.strip() else None
        if loc and loc not in seen:
            seen.add(loc)
            sitemap.pages.append(SitemapEntry(loc))
    return sitemap
