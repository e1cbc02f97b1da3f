"""The article page object of the RFE/RL and VOA family (one CMS, dozens of outlets).

The family's markup is named in ``rferl_markup.py``; this module only reads it.  Templates
drift under selectors, so every field the family's markup should give is checked and, when
the markup gives nothing believable, taken from the generic reading of the same page
(structured metadata; the generic body detection for the text), and the field is named in
``fallbacks``.  The other fields (tags, language, canonical URL, modified) are the
structured metadata's, which the family's pages fill well.
"""

from __future__ import annotations

from bs4 import Tag
from dateutil import parser as dateparser

from scraper.sites import rferl_markup as markup
from scraper.sites.article import ArticleData, Image
from scraper.sites.figures.credits import split_credit
from scraper.sites.html import TreeIndex, clean_text
from scraper.sites.markup_fields import (
    attr,
    first,
    first_text,
    meta,
)
from scraper.sites.markup_page import MarkupArticlePage
from scraper.sites.plausibility import title_fails
from scraper.sites.url_syntax import join_url


class RferlArticlePage(MarkupArticlePage):
    markup = markup

    def _own(self, index: TreeIndex, structured: ArticleData) -> ArticleData:
        return ArticleData(
            title=self._headline(index),
            published=self._published(index),
            section=first_text(index, markup.SECTION),
            authors=_authors(index),
            description=meta(index, "description") or meta(index, "og:description"),
            images=self._images(index),
        )

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

    def _body_paragraphs(self, index: TreeIndex, container: Tag) -> list[str]:
        dateline = markup.DATELINE.select_one(index, within=container)
        dateline_text = clean_text(dateline.get_text(" ")) if dateline is not None else ""
        paragraphs = super()._body_paragraphs(index, container)
        if paragraphs and dateline_text:
            # "AUBURN, Wash. —" opens the first paragraph, as a newspaper prints it.
            paragraphs[0] = f"{dateline_text} {paragraphs[0]}"
        return paragraphs


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
