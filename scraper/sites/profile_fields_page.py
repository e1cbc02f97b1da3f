"""The article page object of a profile with ``[fields]`` (``profile_fields.py``): each field
the profile gives a selector for is read through it, before the profile's own page object
(the generic one, or a family's), and kept only when it is believable; the page object's
reading fills every other field, and any field whose selector matched nothing or gave
something unbelievable, which ``fallbacks`` then names.

The path is the family page objects' (``markup_page.py``): the site's own reading of a field,
judged by ``plausibility.py``, merged field by field with the fuller reading by
``markup_fields.merge_own``. Here the fuller reading is the profile's whole page object rather
than the structured metadata alone, so a profile that gives one selector loses nothing the
generic reading gave before (its title from the ``<h1>``, its byline, its date from the URL).
Profiles without ``[fields]`` never come here: their page object runs as it always did.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo
from typing import Any

from bs4 import BeautifulSoup, Tag

from scraper.sites import article_page_class
from scraper.sites.article import ArticleData, ArticlePage, Image, noted_field
from scraper.sites.body.chrome_lines import without_trailing_chrome
from scraper.sites.figures.credits import split_credit
from scraper.sites.figures.urls import best_image_url
from scraper.sites.headline import title_key
from scraper.sites.html import block_paragraphs, clean_text, make_soup
from scraper.sites.markup_fields import attr, decompose, field_order, merge_own
from scraper.sites.metadata.authors import clean_authors
from scraper.sites.metadata.dates import parse_date, with_offset
from scraper.sites.metadata.read import read_metadata
from scraper.sites.plausibility import body_is_fragment, title_fails
from scraper.sites.profile_fields import FieldSelector, FieldSelectors
from scraper.sites.url_syntax import join_url

# Inside a text's container, never its text (a profile's body_exclude cuts the rest).
BODY_CHROME = FieldSelector(
    "script, style, noscript, template, iframe, object, embed, form, button, select, svg, "
    "figure, figcaption"
)
# A section name is a word or three; a selector that matched a whole block gives a paragraph.
MAX_SECTION_CHARS = 120
# A byline names a few people: more matches are a selector that matched too much, and each
# costs the text of its element (of nested elements, the page's text again and again).
MAX_AUTHOR_MATCHES = 20


@dataclass(frozen=True)
class FieldReading:
    """What one field's selector gave on one page (``sites check`` prints these)."""

    name: str
    selector: FieldSelector
    matched: int  # elements the selector matched
    value: Any  # what it read, believable or not (None: nothing)
    why_not: str | None = None  # why the value was not taken; None: taken

    @property
    def taken(self) -> bool:
        return self.why_not is None


def article_page(
    extractor: str, url: str, html: str, zone: tzinfo | None, fields: FieldSelectors | None
) -> ArticlePage:
    """The page object a profile reads an article page with: its extractor's, under its
    ``[fields]`` when it has any."""
    page_class = article_page_class(extractor)
    if not fields:
        return page_class(url, html, zone)
    return ProfileFieldsPage(page_class(url, html, zone), fields, url, html, zone)


class ProfileFieldsPage:
    def __init__(
        self,
        inner: ArticlePage,
        fields: FieldSelectors,
        url: str,
        html: str,
        default_tz: tzinfo | None = None,
    ) -> None:
        self.inner = inner
        self.fields = fields
        self.url = url
        self.html = html
        self.default_tz = default_tz
        self.readings: dict[str, FieldReading] = {}  # filled by to_item
        self.inner_item: ArticleData | None = None  # the page object's own reading

    def links(self) -> list[str]:
        return self.inner.links()

    def to_item(self) -> ArticleData | None:
        inner = self.inner_item = self.inner.to_item()
        soup = make_soup(self.html)
        # Where the page object found no article, the selectors may still find one: the
        # rest of the record is then the structured metadata's.
        base = inner if inner is not None else read_metadata(soup, self.url, self.default_tz)
        own, assumed = self._read(soup, base)
        item, filled = merge_own(own, base, self.fields.names)
        taken = {name for name, reading in self.readings.items() if reading.taken}
        # the page object's notes of which reading won ("body: second reading…") stay,
        # unless the profile's selector read that field
        notes = [n for n in base.fallbacks if noted_field(n) not in (None, *taken)]
        item.fallbacks = field_order((set(base.fallbacks) - taken) | filled) + notes
        item.published_offset_assumed = (
            assumed if "published" in taken else base.published_offset_assumed
        )
        return item if item.body else None

    def _read(self, soup: BeautifulSoup, base: ArticleData) -> tuple[ArticleData, bool]:
        """The fields the selectors give believably (None or empty where not), and whether
        the date's offset was assumed. The text is read last: it cuts its exclusions."""
        own = ArticleData()
        assumed = False
        names = _site_names(soup)
        readers: dict[str, Callable[[FieldSelector, list[Tag]], tuple[Any, str | None]]] = {
            "title": lambda s, tags: self._title(s, tags, names),
            "published": lambda s, tags: self._published(s, tags, base),
            "section": _section,
            "authors": lambda s, tags: _authors(s, tags, names),
            "images": self._images,
        }
        # The text last: it cuts what is not text (figures among them) out of the tree.
        for name in sorted(self.fields.names, key=lambda name: name == "body"):
            selector = self.fields.given(name)
            assert selector is not None
            tags = selector.select(soup)
            if name == "body":
                value, why_not = self._body(tags, base.body, own.title or base.title)
            elif not tags:
                value, why_not = None, "matched nothing"
            else:
                value, why_not = readers[name](selector, tags)
            self.readings[name] = FieldReading(name, selector, len(tags), value, why_not)
            if why_not is not None:
                continue
            if name == "published":
                value, assumed = value
            setattr(own, name, value)
        return own, assumed

    def _title(
        self, selector: FieldSelector, tags: list[Tag], site_names: list[str]
    ) -> tuple[Any, str | None]:
        title = _text(selector, tags[0])
        if not title:
            return None, "empty"
        if title_fails(title, site_names, self.url):
            return title, "only the site's name"
        return title, None

    def _published(
        self, selector: FieldSelector, tags: list[Tag], base: ArticleData
    ) -> tuple[Any, str | None]:
        tag = tags[0]
        if selector.attr:
            stated = attr(tag, selector.attr)
        else:  # a <time>'s datetime, a <meta>'s content, else what the element shows
            stated = attr(tag, "datetime") or attr(tag, "content") or _text(selector, tag)
        parsed = parse_date(stated)
        if parsed is None:
            return stated, f"not a date: {(stated or '')[:60]!r}"
        published, assumed = with_offset(parsed, self.default_tz, base.modified)
        return (published, assumed), None

    def _images(self, selector: FieldSelector, tags: list[Tag]) -> tuple[Any, str | None]:
        images: dict[str, Image] = {}
        # A match that is no <img> (a <figure>) gives the pictures inside it; each element is
        # looked at once, however the matches nest.
        found = tags if selector.attr else _pictures(tags)
        for img in found:
            src = attr(img, selector.attr) if selector.attr else best_image_url(img)
            url = join_url(self.url, src) if src and not src.startswith("data:") else None
            if url is None or not url.startswith(("http://", "https://")) or url in images:
                continue
            figure = next((p for p in img.parents if p.name == "figure"), None)
            caption_tag = figure.find("figcaption") if figure is not None else None
            caption = clean_text(caption_tag.get_text(" ")) or None if caption_tag else None
            caption, credit = split_credit(caption)
            images[url] = Image(url=url, caption=caption, credit=credit)
        if not images:
            return None, f"no picture address in {len(tags)} matched elements"
        return list(images.values()), None

    def _body(self, tags: list[Tag], generic: str, title: str | None) -> tuple[Any, str | None]:
        containers = _outermost(tags)
        if not containers:
            return None, "matched nothing"
        excluded = [FieldSelector(css) for css in self.fields.body_exclude]
        paragraphs: list[str] = []
        for container in containers:
            for selector in (*excluded, BODY_CHROME):
                decompose(selector.select(container))
            paragraphs.extend(block_paragraphs(container))
        if paragraphs and title and title_key(paragraphs[0]) == title_key(title):
            paragraphs = paragraphs[1:]  # the headline, in a container that holds it too
        text = "\n\n".join(without_trailing_chrome(paragraphs))
        if not text:
            return None, "no text in what it matched"
        if body_is_fragment(text, generic):
            return text, (
                f"a fragment: {len(text):,} characters against the generic reading's "
                f"{len(generic):,}"
            )
        return text, None


def _text(selector: FieldSelector, tag: Tag) -> str | None:
    if selector.attr:
        return clean_text(attr(tag, selector.attr) or "") or None
    return clean_text(tag.get_text(" ")) or None


def _section(selector: FieldSelector, tags: list[Tag]) -> tuple[Any, str | None]:
    section = _text(selector, tags[0])
    if not section:
        return None, "empty"
    if len(section) > MAX_SECTION_CHARS:
        return section, f"{len(section)} characters: a block, not a section's name"
    return section, None


def _authors(
    selector: FieldSelector, tags: list[Tag], site_names: list[str]
) -> tuple[Any, str | None]:
    read = tags[:MAX_AUTHOR_MATCHES]
    names = clean_authors([_text(selector, tag) or "" for tag in read], site_names)
    if not names:
        return None, f"no person's name in {len(tags)} matched elements"
    return names, None


def _pictures(tags: list[Tag]) -> list[Tag]:
    pictures: list[Tag] = []
    for tag in _outermost(tags):
        pictures.extend([tag] if tag.name == "img" else tag.find_all("img"))
    return pictures


def _outermost(tags: list[Tag]) -> list[Tag]:
    """The matches not inside another match (a text split over several containers)."""
    chosen = {id(tag) for tag in tags}
    return [tag for tag in tags if not any(id(p) in chosen for p in tag.parents)]


def _site_names(soup: BeautifulSoup) -> list[str]:
    found = []
    for tag in soup.find_all("meta", attrs={"property": "og:site_name"}):
        content = attr(tag, "content")
        if content:
            found.append(content)
    return found
