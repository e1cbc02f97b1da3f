"""The article page object of the RFE/RL and VOA family (one CMS, dozens of outlets).

The family's markup is named in ``rferl_markup.py``; this module only reads it.  Templates
drift under selectors, so every field the family's markup should give is checked and, when
the markup gives nothing believable, taken from the generic reading of the same page
(structured metadata; the generic body detection for the text), and the field is named in
``fallbacks``.  The other fields (tags, language, canonical URL, modified) are the
structured metadata's, which the family's pages fill well.
"""

from __future__ import annotations

from datetime import timezone, tzinfo
from typing import cast

from bs4 import BeautifulSoup
from dateutil import parser as dateparser

from scraper.sites import rferl_markup as markup
from scraper.sites.article import ArticleData, Image
from scraper.sites.body.chrome_lines import without_trailing_chrome
from scraper.sites.body.extract import extract_body_paragraphs
from scraper.sites.figures.credits import split_credit
from scraper.sites.html import TreeIndex, block_paragraphs, clean_text, indexed_soup
from scraper.sites.listing import page_hrefs, resolve_links
from scraper.sites.markup_fields import (
    attr,
    decompose,
    field_order,
    first,
    first_text,
    merge_own,
    meta,
)
from scraper.sites.metadata.read import read_metadata
from scraper.sites.plausibility import CHECK_BODY_BELOW, body_is_fragment, title_fails
from scraper.sites.url_syntax import join_url

# The fields the family's markup gives; a gap in one of them is template drift.
OWN_FIELDS = ("title", "published", "section", "authors", "description", "body", "images")


class RferlArticlePage:
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
        own = ArticleData(
            title=self._headline(index),
            published=self._published(index),
            section=first_text(index, markup.SECTION),
            authors=_authors(index),
            description=meta(index, "description") or meta(index, "og:description"),
            images=self._images(index),
        )
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
                self._hrefs = page_hrefs(
                    cast(BeautifulSoup, indexed_soup(self.html).root), self.url
                )
            self._links = resolve_links(*self._hrefs)
        return list(self._links)

    def _headline(self, index: TreeIndex) -> str | None:
        headline = first_text(index, markup.HEADLINE)
        names = [*markup.SITE_NAMES, meta(index, "og:site_name") or ""]
        return None if title_fails(headline, names, self.url) else headline

    def _published(self, index: TreeIndex) -> str | None:
        time = first(index, markup.PUBLISHED)
        stated = attr(time, "datetime") if time is not None else None
        if not stated:
            return None
        try:
            parsed = dateparser.isoparse(stated)
        except ValueError:
            return None
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=self.zone)).isoformat()

    def _images(self, index: TreeIndex) -> list[Image]:
        images: dict[str, Image] = {}
        for img in markup.IMAGES.select(index):
            # Lazy loading keeps the picture in data-src and a placeholder in src.
            src = attr(img, "data-src") or attr(img, "src")
            url = join_url(self.url, src) if src and not src.startswith("data:") else None
            if url is None or url in images:
                continue
            figure = next((p for p in img.parents if p.name == "figure"), None)
            caption_tag = markup.CAPTION.select_one(index, within=figure) if figure else None
            caption = clean_text(caption_tag.get_text(" ")) or None if caption_tag else None
            images[url] = Image(url=url, caption=caption, credit=split_credit(caption)[1])
        return list(images.values())

    def _body(self, index: TreeIndex) -> tuple[str, bool]:
        """The text, and whether it came from the generic body detection (no container the
        family's markup names, or one holding a fragment of what the page shows)."""
        container = first(index, markup.BODY)
        if container is None:
            return self._generic_body(), True
        dateline = markup.DATELINE.select_one(index, within=container)
        dateline_text = clean_text(dateline.get_text(" ")) if dateline is not None else ""
        decompose(markup.BODY_CHROME.select(index, within=container))
        paragraphs = block_paragraphs(container)
        if paragraphs and dateline_text:
            # "AUBURN, Wash. —" opens the first paragraph, as a newspaper prints it.
            paragraphs[0] = f"{dateline_text} {paragraphs[0]}"
        text = "\n\n".join(paragraphs)
        if len(text) >= CHECK_BODY_BELOW:
            return text, False
        generic = self._generic_body()
        if not text or body_is_fragment(text, generic):
            return generic, True
        return text, False

    def _generic_body(self) -> str:
        """The generic body detection on a fresh parse, the family's chrome cut first."""
        fresh = indexed_soup(self.html)
        decompose(markup.PAGE_CHROME.select(fresh))
        paragraphs = extract_body_paragraphs(cast(BeautifulSoup, fresh.root))
        return "\n\n".join(without_trailing_chrome(paragraphs))


def _authors(index: TreeIndex) -> list[str]:
    for selector in markup.BYLINE_LINKS:
        names = [
            clean_text(link.get_text(" "))
            for link in selector.select(index)
            if markup.AUTHOR_HREF.search(attr(link, "href") or "")
        ]
        found = list(dict.fromkeys(name for name in names if name))
        if found:
            return found
    return []
