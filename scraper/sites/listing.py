"""Listing pages (section fronts, archives, the homepage): where article links come from.

The page object only reports links; the spider filters them by the profile's article
regex and maps hosts to mirrors.
"""
from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin

from bs4 import BeautifulSoup, Tag

from scraper.sites.html import clean_text, make_soup

_NEXT_TEXT = re.compile(
    r"^(?:next(?: page)?|older(?: posts| entries| articles)?|more|weiter|suivant|siguiente|"
    r"التالي|بعدی|下一页|次へ|›|»|>|>>|→)\s*[›»>→]*$",
    re.I,
)
_NEXT_CLASS = re.compile(r"(?<![a-z])(?:next|older)(?![a-z])", re.I)


def base_url(soup: BeautifulSoup, url: str) -> str:
    """What relative links on the page resolve against: ``<base href>``, else the page URL."""
    base = soup.find("base", href=True)
    if isinstance(base, Tag):
        href = base.get("href")
        if isinstance(href, str) and href.strip():
            resolved = absolute_url(href, url)
            if resolved:
                return resolved
    return url


def absolute_url(href: str, base: str) -> str | None:
    """``href`` resolved against ``base`` without its fragment; None unless http(s)."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        resolved, _fragment = urldefrag(urljoin(base, href))
    except ValueError:  # e.g. an invalid IPv6 host
        return None
    return resolved if resolved.startswith(("http://", "https://")) else None


def page_links(soup: BeautifulSoup, url: str) -> list[str]:
    """Absolute http(s) URLs of every ``<a href>``, unique, in page order."""
    base = base_url(soup, url)
    links: list[str] = []
    seen: set[str] = set()
    for anchor in soup.find_all("a", href=True):
        href = anchor.get("href")
        link = absolute_url(href, base) if isinstance(href, str) else None
        if link and link not in seen:
            seen.add(link)
            links.append(link)
    return links


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
            classes = anchor.get("class") or []
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
