"""An article page object for a family whose markup names its fields (a ``*_markup.py``
module of selectors): the family's own reading of each field, the generic reading of the same
page (structured metadata, the generic body detection) for any field the markup does not give
believably, and those fields named in ``fallbacks``. A family says how it reads its own
fields (``_own``) and, where it must, its text (``_body_paragraphs``); the rest is here."""

from __future__ import annotations

from datetime import timezone, tzinfo
from types import ModuleType
from typing import cast

from bs4 import BeautifulSoup, Tag

from scraper.sites.article import ArticleData
from scraper.sites.body.chrome_lines import without_trailing_chrome
from scraper.sites.body.extract import extract_body_paragraphs
from scraper.sites.html import TreeIndex, block_paragraphs, indexed_soup
from scraper.sites.listing import page_hrefs, resolve_links
from scraper.sites.markup_fields import decompose, field_order, first, merge_own
from scraper.sites.metadata.read import read_metadata
from scraper.sites.plausibility import CHECK_BODY_BELOW, body_is_fragment

# The fields a family's markup gives; a gap in one of them is template drift.
OWN_FIELDS = ("title", "published", "section", "authors", "description", "body", "images")


class MarkupArticlePage:
    markup: ModuleType  # the family's selectors: BODY, BODY_CHROME and PAGE_CHROME at least

    def __init__(self, url: str, html: str, default_tz: tzinfo | None = None) -> None:
        self.url = url
        self.html = html
        # The pages state their offset; a profile's zone only dates a page that does not.
        self.zone = default_tz or timezone.utc
        self._links: list[str] | None = None
        self._hrefs: tuple[list[str], str] | None = None  # taken before the tree is pruned

    def to_item(self) -> ArticleData | None:
        index = indexed_soup(self.html)
        soup = cast(BeautifulSoup, index.root)
        if self._links is None:
            self._hrefs = page_hrefs(soup, self.url)
        structured = read_metadata(soup, self.url, default_tz=self.zone)
        # Everything outside the text is read before the text's chrome is decomposed.
        own = self._own(index, structured)
        own.body, generic_body = self._body(index)
        item, fallbacks = merge_own(own, structured, OWN_FIELDS)
        if generic_body:
            fallbacks.add("body")
        if not item.body:
            return None
        item.fallbacks = field_order(fallbacks)
        return item

    def links(self) -> list[str]:
        if self._links is None:
            if self._hrefs is None:
                root = cast(BeautifulSoup, indexed_soup(self.html).root)
                self._hrefs = page_hrefs(root, self.url)
            self._links = resolve_links(*self._hrefs)
        return list(self._links)

    def _own(self, index: TreeIndex, structured: ArticleData) -> ArticleData:
        """The fields the family's markup gives (the body aside), None where it gives none."""
        raise NotImplementedError

    def _body_paragraphs(self, index: TreeIndex, container: Tag) -> list[str]:
        decompose(self.markup.BODY_CHROME.select(index, within=container))
        return block_paragraphs(container)

    def _body(self, index: TreeIndex) -> tuple[str, bool]:
        """The text, and whether it came from the generic body detection (no container the
        family's markup names, or one holding a fragment of what the page shows)."""
        container = first(index, self.markup.BODY)
        if container is None:
            return self._generic_body(), True
        text = "\n\n".join(self._body_paragraphs(index, container))
        if len(text) >= CHECK_BODY_BELOW:
            return text, False
        generic = self._generic_body()
        if not text or body_is_fragment(text, generic):
            return generic, True
        return text, False

    def _generic_body(self) -> str:
        """The generic body detection on a fresh parse, the family's chrome cut first."""
        fresh = indexed_soup(self.html)
        decompose(self.markup.PAGE_CHROME.select(fresh))
        paragraphs = extract_body_paragraphs(cast(BeautifulSoup, fresh.root))
        return "\n\n".join(without_trailing_chrome(paragraphs))
