"""Listing pages (section fronts, archives, the homepage): where article links come from.

The page object only reports links; the spider filters them by the profile's article
regex and maps hosts to mirrors.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from bs4 import BeautifulSoup, Tag

from scraper.sites.html import all_tags, clean_text, make_soup
from scraper.sites.url_syntax import split_url, web_url

_NEXT_TEXT = re.compile(
    r"^(?:next(?: page)?|older(?: posts| entries| articles)?|more|weiter|suivant|siguiente|"
    r"التالي|بعدی|下一页|次へ|›|»|>|>>|→)\s*[›»>→]*$",
    re.I,
)
_NEXT_CLASS = re.compile(r"(?<![a-z])(?:next|older)(?![a-z])", re.I)


def base_url(soup: BeautifulSoup, url: str) -> str:
    """What relative links on the page resolve against: ``<base href>``, else the page URL."""
    return _resolved_base(all_tags(soup, "base"), url)


def _resolved_base(bases: list[Tag], url: str) -> str:
    base = next((tag for tag in bases if tag.attrs.get("href") is not None), None)
    if base is not None:
        href = base.get("href")
        if isinstance(href, str) and href.strip():
            resolved = absolute_url(href, url)
            if resolved:
                return resolved
    return url


def join_base(base: str, href: str) -> str:
    """The part of ``base`` that ``urljoin(base, href)`` depends on.

    For a root-relative href ("/Section/101") that is the scheme and host alone, so its
    resolution can be memoised across a site's pages: menus repeat the same hrefs on every
    page, and the join is most of what a link costs.  Any other href needs the whole base.
    """
    # isprintable(): urlsplit drops tabs and newlines, and "/\n/x" would become "//x".
    if href[:1] == "/" and href[1:2] != "/" and href.isprintable():
        parts = split_url(base)
        if parts is not None and parts.scheme in ("http", "https") and parts.netloc:
            return f"{parts.scheme}://{parts.netloc}"
    return base


def absolute_url(href: str, base: str) -> str | None:
    """``href`` resolved against ``base`` without its fragment; None unless http(s)."""
    href = href.strip()
    return _absolute_url(href, join_base(base, href))


@lru_cache(maxsize=4096)
def _absolute_url(href: str, base: str) -> str | None:
    if not href or href.startswith("#"):
        return None
    return web_url(base, href)  # None for a link urllib cannot parse (a bad host or port)


def page_links(soup: BeautifulSoup, url: str) -> list[str]:
    """Absolute http(s) URLs of every ``<a href>``, unique, in page order."""
    return resolve_links(*page_hrefs(soup, url))


def page_hrefs(soup: BeautifulSoup, url: str) -> tuple[list[str], str]:
    """Every ``<a href>`` as written, and the base they resolve against: what ``page_links``
    needs from the tree, for a caller that prunes the tree before anyone asks for links
    (resolving them is most of their cost, and replay never asks)."""
    hrefs: list[str] = []
    bases: list[Tag] = []
    for node in soup.descendants:  # one walk for both: each find_all is a full traversal
        if isinstance(node, Tag):
            if node.name == "a":
                href = node.attrs.get("href")
                if isinstance(href, str):
                    hrefs.append(href)
            elif node.name == "base":
                bases.append(node)
    return hrefs, _resolved_base(bases, url)


def resolve_links(hrefs: list[str], base: str) -> list[str]:
    """``hrefs`` as absolute http(s) URLs, unique, in order."""
    links: dict[str, None] = {}
    for href in hrefs:
        link = absolute_url(href, base)
        if link:
            links.setdefault(link, None)
    return list(links)


class GenericListingPage:
    def __init__(self, url: str, html: str) -> None:
        self.url = url
        self._soup = make_soup(html)
        self._base = base_url(self._soup, url)

    def article_links(self) -> list[str]:
        return page_links(self._soup, self.url)

    def next_page(self) -> str | None:
        """The next (older) page of the listing, from rel=next or a "next"-looking anchor."""
        for tag in self._soup.find_all(("link", "a"), rel=True, href=True):
            rel = tag.get("rel")
            rels = rel if isinstance(rel, list) else str(rel).split()
            if "next" in (r.lower() for r in rels):
                link = absolute_url(str(tag["href"]), self._base)
                if link and link != self.url:
                    return link
        for anchor in self._soup.find_all("a", href=True):
            text = clean_text(anchor.get_text(" "))
            label = anchor.get("aria-label") or anchor.get("title") or ""
            classes: Any = anchor.get("class") or []
            class_text = " ".join(classes) if isinstance(classes, list) else str(classes)
            if (
                (text and _NEXT_TEXT.match(text))
                or (isinstance(label, str) and _NEXT_TEXT.match(clean_text(label)))
                or _NEXT_CLASS.search(class_text)
            ):
                link = absolute_url(str(anchor["href"]), self._base)
                if link and link != self.url:
                    return link
        return None
