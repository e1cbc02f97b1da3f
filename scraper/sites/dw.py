"""Deutsche Welle's article page object (dw.com, both of its templates).

The markup is named in ``dw_markup.py``; this module only reads it.  The page prints the
day only ("30.01.2024"), its structured data the instant: the instant is taken when it falls
on the printed day (a day either side for time zones), the printed day when it does not (an
old template's metadata dates the first draft), and the metadata alone, named in
``fallbacks``, when the page prints no day ("vor 3 Stunden").  Every other field of its own
that the markup does not give is the generic reading's, named in ``fallbacks`` too.
"""

from __future__ import annotations

from datetime import date

from bs4 import Tag

from scraper.sites import dw_markup as markup
from scraper.sites.article import ArticleData, Image
from scraper.sites.figures.credits import strip_credit_label
from scraper.sites.figures.urls import best_image_url
from scraper.sites.html import TreeIndex, clean_text
from scraper.sites.markup_fields import attr, first_text
from scraper.sites.markup_page import MarkupArticlePage
from scraper.sites.plausibility import title_fails
from scraper.sites.url_syntax import join_url


class DwArticlePage(MarkupArticlePage):
    markup = markup

    def _own(self, index: TreeIndex, structured: ArticleData) -> ArticleData:
        headline = first_text(index, markup.HEADLINE)
        return ArticleData(
            title=None if title_fails(headline, markup.SITE_NAMES, self.url) else headline,
            published=_published(_printed_day(index), structured.published),
            section=first_text(index, markup.SECTION),
            authors=_authors(index),
            description=first_text(index, markup.DESCRIPTION),
            images=self._images(index),
        )

    def _images(self, index: TreeIndex) -> list[Image]:
        images: dict[str, Image] = {}
        for figure in markup.FIGURES.select(index):
            img = figure.find("img")
            url = _image_url(img, self.url) if isinstance(img, Tag) else None
            if url is None or url in images:
                continue
            credit_tag = markup.CREDIT.select_one(index, within=figure)
            credit = clean_text(credit_tag.get_text(" ")) if credit_tag is not None else ""
            caption_tag = markup.CAPTION.select_one(index, within=figure)
            caption = clean_text(caption_tag.get_text(" ")) if caption_tag is not None else ""
            if credit and caption.endswith(credit):
                caption = caption[: -len(credit)].strip()
            images[url] = Image(
                url=url, caption=caption or None, credit=strip_credit_label(credit) or None
            )
        return list(images.values())


def _image_url(img: Tag, base: str) -> str | None:
    src = best_image_url(img) or attr(img, "data-url")
    if src and markup.FORMAT_PLACEHOLDER in src:
        src = src.replace(markup.FORMAT_PLACEHOLDER, markup.LANDSCAPE_FORMAT)
    if not src or src.startswith("data:"):
        return None
    return join_url(base, src)


def _printed_day(index: TreeIndex) -> date | None:
    texts = [clean_text(tag.get_text(" ")) for s in markup.PRINTED_DAY for tag in s.select(index)]
    texts += [value for label, value in _facts(index) if markup.DATE_LABELS.match(label)]
    for text in texts:
        match = markup.DAY.search(text)
        if match:
            try:
                return date(int(match["year"]), int(match["month"]), int(match["day"]))
            except ValueError:
                continue
    return None


def _published(printed: date | None, structured: str | None) -> str | None:
    """The structured instant when it falls on the printed day (a day either side), else the
    printed day; None when the page prints no day."""
    if printed is None:
        return None
    if structured:
        try:
            stated = date.fromisoformat(structured[:10])
        except ValueError:
            stated = None
        if stated is not None and abs((stated - printed).days) <= 1:
            return structured
    return printed.isoformat()


def _authors(index: TreeIndex) -> list[str]:
    names = [clean_text(tag.get_text(" ")) for tag in markup.AUTHORS.select(index)]
    if not any(names):
        names = [value for label, value in _facts(index) if markup.AUTHOR_LABELS.match(label)]
    return list(dict.fromkeys(name for name in names if name))


def _facts(index: TreeIndex) -> list[tuple[str, str]]:
    """The legacy template's labelled facts: (label, value) of each ``ul.smallList li``."""
    facts = []
    for item in markup.FACTS.select(index):
        label_tag = item.find("strong")
        if not isinstance(label_tag, Tag):
            continue
        label = clean_text(label_tag.get_text(" "))
        whole = clean_text(item.get_text(" "))
        facts.append((label, whole[len(label) :].strip()))
    return facts
