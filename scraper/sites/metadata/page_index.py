"""The elements of a page its metadata is read from (JSON-LD scripts, <meta> tags,
itemprops, <time>s, headings, links), collected in one walk over the tree."""

from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from scraper.sites.listing import absolute_url

# Visible headlines looked at: a page's own is among its first few <h1>s.
_MAX_H1S = 6


class PageIndex:
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
