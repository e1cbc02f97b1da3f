"""Press TV page objects: the article page (two templates) and the section listing.

Every Press TV selector and pattern lives in the block below, so a template change is an
edit in one place (trafilatura style).  Two templates are known:

* modern (2020s): ``<div class="news-body">`` with ``<p>``/``<h2>``/``<h3>``, OpenGraph and
  Dublin Core metas (``DC.Date.Created`` in Tehran local time, no offset);
* legacy (2013–2019): ``<div class="item-text">`` with ``<br>``-separated text, a dateline
  ``Sun Mar 17, 2019 01:16PM [Updated: Tue Mar 19, 2019 12:03PM ]`` and few metas.

Templates change under the selectors, so the page object must never do worse than the
generic reading of the same page: with the selectors missing, the text comes from the
generic body detection and the rest from structured metadata; the site's name is cut from
either end of a title; a dateline is also looked for beside the headline; and the day in the
URL (``/Detail/2023/02/19/…``) dates a page that states no date, or one more than a day away
from it.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date, tzinfo
from functools import lru_cache
from typing import cast
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag
from dateutil import parser as dateparser
from w3lib.html import strip_html5_whitespace

from scraper.sites.article import STATED_BY_THE_PAGE, ArticleData, Image
from scraper.sites.body.extract import extract_body_paragraphs
from scraper.sites.figures.credits import split_credit
from scraper.sites.html import (
    Selector,
    TreeIndex,
    block_paragraphs,
    clean_text,
    indexed_soup,
    make_soup,
)
from scraper.sites.listing import join_base
from scraper.sites.metadata.read import read_metadata
from scraper.sites.plausibility import (
    CHECK_BODY_BELOW,
    body_is_fragment,
    title_fails,
    title_on_page,
)
from scraper.sites.url_syntax import join_url, url_path, web_url

# --- Press TV selectors and patterns -------------------------------------------------------
#
# Selectors are html.Selector: a CSS subset (tag, .class, #id, :last-child, descendant)
# matched against an index of the page built in one walk, since soupsieve's full-document
# scans cost twice the parse.  Unsupported CSS fails at import.

# Dates without an offset are Tehran wall-clock time; zoneinfo knows the +04:30 summers
# Iran kept until 2022.
TEHRAN = ZoneInfo("Asia/Tehran")

# The article text container, most specific first.
BODY = (Selector("div.news-body"), Selector("div.item-text"))
HEADLINE = (Selector("h1.news-title"), Selector("h2.page-header"), Selector("h1.page-header"))
# og:title and <title> carry the site name as a prefix ("PressTV-West not willing…") or, in
# other templates, as a suffix ("… - PressTV", "… | Press TV").
TITLE_AFFIX = re.compile(
    r"^\s*press\s*tv\s*(?:news\s*)?[-–—|:»]\s*|\s*[-–—|:»]\s*press\s*tv(?:\s*news)?\s*$",
    re.IGNORECASE,
)
SECTION = (Selector("ol.breadcrumb li:last-child a"), Selector("div.item-section a"))
AUTHORS = (Selector("div.news-writer a"), Selector("div.item-author a"))
TAGS = (Selector("div.news-tags a"), Selector("div.item-tags a"))
# Lead picture (outside the body) and pictures inside the body; captions are <figcaption>.
IMAGES = Selector(
    "figure.news-image img, div.news-body img, figure.item-image img, div.item-text img"
)
# The site's own names: a "title" that is only one of them is a logo, not a headline.
SITE_NAMES = ("Press TV", "PressTV", "Press TV News")
DATE_CREATED_META = "DC.Date.Created"
DATE_MODIFIED_META = "DC.Date.Modified"
# The dates as the page prints them: legacy "Sun Mar 17, 2019 01:16PM [Updated: …]" in a div
# or as the first line of the text, modern "Sunday, 19 February 2023 2:05 PM" beside the
# headline. Templates move them about, so they are also looked for in the few elements after
# the headline.
DATELINE_SELECTORS = (Selector("div.item-date"), Selector("span.news-date"))
_DATE = r"[A-Z][a-z]{2}\s+[A-Z][a-z]{2}\s+\d{1,2},\s+\d{4}\s+\d{1,2}:\d{2}\s*[AP]M"
DATELINE = re.compile(
    rf"^\s*(?P<published>{_DATE})\s*(?:\[\s*Updated:\s*(?P<modified>{_DATE})\s*\])?\s*$"
)
_LONG_DATE = r"[A-Z][a-z]+day,\s+\d{1,2}\s+[A-Z][a-z]+\s+\d{4}\s+\d{1,2}:\d{2}\s*[AP]M"
MODERN_DATELINE = re.compile(rf"^\s*(?P<published>{_LONG_DATE})\b")
DATELINES = (DATELINE, MODERN_DATELINE)
NEAR_HEADLINE = 12  # elements after the headline where a moved dateline is looked for

# Chrome that can sit inside or next to the text container: never body text, and its
# pictures (app badges, share icons, teasers) are not the article's.
CHROME_CSS = (
    "script, style, noscript, form, nav, aside, iframe, "
    ".share, .share-box, .social-share, .sharethis, .addthis_toolbox, "
    ".alternate-addresses, .mirror-notice, .app-promo, .apps, "
    ".related, .related-news, .more-news, .most-viewed, "
    ".ticker, #breaking, .breaking, .newsletter, "
    ".breadcrumb, .item-date, .dateline, .news-tags, .item-tags"
)
CHROME = Selector(CHROME_CSS)
# Captions are decomposed too, so a caption never becomes a body paragraph.
CAPTIONS_CSS = "figure, figcaption, .caption, .item-caption"
BOILERPLATE = Selector(f"{CHROME_CSS}, {CAPTIONS_CSS}")

# Text-level safety net: lines that are boilerplate whatever markup they came in.
ALTERNATE_NOTICE = re.compile(
    r"^press\s*tv['’]?s? website can (?:also )?be accessed at the following alternate"
    r" address(?:es)?\s*:?$",
    re.IGNORECASE,
)
BARE_HOST = re.compile(r"^(?:https?://)?(?:[a-z0-9-]+\.)+[a-z]{2,}/?$", re.IGNORECASE)
PRESSTV_HOST = re.compile(r"^(?:https?://)?(?:[a-z0-9-]+\.)*presstv\.[a-z.]+/?$", re.IGNORECASE)
SHARE_LINE = re.compile(r"^share (?:this )?(?:article|story|news)$", re.IGNORECASE)
# "Press TV News Roku", "Press TV News App on Google Play": short, no full stop, and ending
# in the platform, so a sub-heading like "Press TV app banned in UK" stays.
APP_PROMO = re.compile(
    r"^(?=.{0,80}$)(?=.*press\s*tv)[^.]*\b(?:roku|apps?|google play|app store|apple tv"
    r"|android|ios)$",
    re.IGNORECASE,
)

# Pages that hold no article even though they answer 200: domain seizure banners and
# national block pages.  Only consulted when the article container is missing, since a
# real article may well report on a seizure.
NOT_AN_ARTICLE = re.compile(
    r"domain has been seized|website has been seized|has been seized by the|"
    r"access to this (?:web)?(?:site|page) (?:has been|is) (?:blocked|restricted|denied)|"
    r"unavailable for legal reasons",
    re.IGNORECASE,
)

ARTICLE_PATH = re.compile(r"^/[Dd]etail/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/\d+")
# /Section/101, /Section/101/2, and the 2018 form /Default/Section/101[/2]
LISTING_PATH = re.compile(
    r"^(?:/Default)?/Section/(?P<id>\d+)(?:/(?P<page>\d+))?/?$", re.IGNORECASE
)

# --- page objects --------------------------------------------------------------------------


class PressTvArticlePage:
    def __init__(self, url: str, html: str, default_tz: tzinfo | None = None) -> None:
        self.url = url
        self.html = html
        # Press TV writes Tehran wall-clock time; a profile may say otherwise (a sister site).
        self.zone = default_tz or TEHRAN
        # One parse serves links() and to_item(): parsing is most of a page's cost.
        self._index: TreeIndex | None = None
        self._links: list[str] | None = None
        self._hrefs: list[str | None] | None = None  # taken before to_item() prunes the tree

    def to_item(self) -> ArticleData | None:
        index = self._parsed()
        soup = cast(BeautifulSoup, index.root)  # the tree make_soup parsed
        if self._links is None:
            # while the chrome, and the links in it, are still in the tree; resolved only if
            # links() is asked for (replay never does)
            self._hrefs = _hrefs(index.all("a"))
        self._index = None  # about to be decomposed: a later call parses afresh
        structured = read_metadata(soup, self.url, default_tz=self.zone)
        # Everything read from the head and the chrome comes before any decompose().
        site = self._site_fields(index)
        # When the headline selectors miss, a title the page shows: still a sign of drift.
        shown_title = None if site.title else self._shown_title(index)
        paragraphs, generic_body = self._body(index)
        if not paragraphs:
            return None
        site.body = "\n\n".join(paragraphs)
        item, fallbacks = _merge(site, structured)
        if generic_body:
            fallbacks.add("body")
        item.title = _strip_affix(shown_title or item.title)
        published = self._plausible_published(item.published)
        if published != item.published:
            item.published = published
            fallbacks.add("published")
        item.fallbacks = [f.name for f in dataclasses.fields(ArticleData) if f.name in fallbacks]
        return item

    def links(self) -> list[str]:
        if self._links is None:
            hrefs = self._hrefs if self._hrefs is not None else _hrefs(self._parsed().all("a"))
            self._links = _absolute_links(hrefs, self.url)
        return list(self._links)

    def _parsed(self) -> TreeIndex:
        if self._index is None:
            self._index = indexed_soup(self.html)
        return self._index

    def _site_fields(self, index: TreeIndex) -> ArticleData:
        published, modified = self._dates(index)
        return ArticleData(
            title=self._headline(index),
            published=published,
            modified=modified,
            section=_first_text(index, SECTION),
            authors=_texts(index, AUTHORS),
            description=_meta(index, "description") or _meta(index, "og:description"),
            images=self._images(index),
            tags=_texts(index, TAGS) or _keywords(index),
            language=_language(index),
            canonical_url=self._canonical(index),
        )

    def _headline(self, index: TreeIndex) -> str | None:
        """The headline the selectors find, unless it is not one (a logo's site name)."""
        headline = _strip_affix(_first_text(index, HEADLINE))
        return None if title_fails(headline, SITE_NAMES, self.url) else headline

    def _shown_title(self, index: TreeIndex) -> str | None:
        """og:title, else ``<title>``, without the site's name, if the page shows it (one it
        does not is another page's: a stale cache, a copied template); else the first
        ``<h1>`` that is not the site's name."""
        title_tag = index.first("title")
        soup = cast(BeautifulSoup, index.root)
        for declared in (
            _meta(index, "og:title"),
            clean_text(title_tag.get_text()) if title_tag else None,
        ):
            title = _strip_affix(declared)
            if (
                title
                and not title_fails(title, SITE_NAMES, self.url)
                and title_on_page(title, soup)
            ):
                return title
        for h1 in index.all("h1"):
            title = _strip_affix(clean_text(h1.get_text(" ")))
            if not title_fails(title, SITE_NAMES, self.url):
                return title
        return None

    def _dates(self, index: TreeIndex) -> tuple[str | None, str | None]:
        published = _local_iso(_meta(index, DATE_CREATED_META), self.zone)
        modified = _local_iso(_meta(index, DATE_MODIFIED_META), self.zone)
        if published is None:
            match = self._dateline(index)
            if match:
                published = _local_iso(match["published"], self.zone)
                if "modified" in match.re.groupindex:
                    modified = modified or _local_iso(match["modified"], self.zone)
        return published, modified

    def _dateline(self, index: TreeIndex) -> re.Match[str] | None:
        """The printed dates: where the templates put them, else near the headline, else
        the first line of the text."""
        match = _dateline_match(_first(index, DATELINE_SELECTORS))
        for element in () if match else self._near_headline(index):
            match = _dateline_match(element)
            if match:
                break
        return match or self._dateline_in_body(index)

    def _near_headline(self, index: TreeIndex) -> list[Tag]:
        headline = _first(index, HEADLINE) or index.first("h1")
        if headline is None:
            return []
        return list(headline.find_all_next(limit=NEAR_HEADLINE))

    def _plausible_published(self, published: str | None) -> str | None:
        """The URL's day when the page states no date, or one that disagrees with the URL by
        more than a day (a template's date of something else, a copied page)."""
        path = ARTICLE_PATH.match(url_path(self.url))
        if path is None:
            return published
        url_day = f"{path['year']}-{path['month']}-{path['day']}"
        if published is None:
            return url_day
        try:
            stated = date.fromisoformat(published[:10])
            gap = abs((stated - date.fromisoformat(url_day)).days)
        except ValueError:
            return url_day
        return published if gap <= 1 else url_day

    def _dateline_in_body(self, index: TreeIndex) -> re.Match[str] | None:
        body = _first(index, BODY)
        if body is None:
            return None
        for paragraph in block_paragraphs(body)[:1]:
            return _first_match(DATELINES, paragraph)
        return None

    def _images(self, index: TreeIndex) -> list[Image]:
        images: list[Image] = []
        seen: set[str] = set()
        chrome = {id(tag) for tag in CHROME.select(index)}
        for img in IMAGES.select(index):
            if any(id(parent) in chrome for parent in img.parents):
                continue
            # Lazy loading: the real picture is in data-src, src is a placeholder.
            src = _attr(img, "data-src") or _attr(img, "src")
            if not src or src.startswith("data:"):
                continue
            url = join_url(self.url, src)
            if url is None or url in seen:  # a picture at an address no client can ask for
                continue
            seen.add(url)
            figure = next((parent for parent in img.parents if parent.name == "figure"), None)
            element = figure.find("figcaption") if figure else None
            caption = clean_text(element.get_text()) or None if element else None
            # Press TV states the credit at the end of the caption, "(File photo by AP)";
            # the caption stays whole, as the site prints it.
            images.append(Image(url=url, caption=caption, credit=split_credit(caption)[1]))
        return images

    def _canonical(self, index: TreeIndex) -> str | None:
        link = next((tag for tag in index.all("link") if _has_rel(tag, "canonical")), None)
        href = _attr(link, "href")
        href = href or _meta(index, "og:url")
        return join_url(self.url, href) if href else None

    def _body(self, index: TreeIndex) -> tuple[list[str], bool]:
        """The text's paragraphs, and whether they came from the generic body detection
        (no text container the selectors know)."""
        container = _first(index, BODY)
        if container is None:
            return _generic_body(index), True
        _decompose(BOILERPLATE.select(index, within=container))
        paragraphs = _without_dateline(_without_boilerplate(block_paragraphs(container)))
        if not paragraphs:
            return _generic_body(index), True
        text = "\n\n".join(paragraphs)
        if len(text) >= CHECK_BODY_BELOW:
            return paragraphs, False
        # A short text may be what is left in the container after a redesign (the lead,
        # with the text moved beside it): the generic reading of a fresh parse decides.
        generic = _generic_body(indexed_soup(self.html))
        if body_is_fragment(text, "\n\n".join(generic)):
            return generic, True
        return paragraphs, False


class PressTvListingPage:
    """A section page (or the homepage): which articles it lists, and where the next page is."""

    def __init__(self, url: str, html: str) -> None:
        self.url = url
        self._soup = make_soup(html)
        self._links: list[str] | None = None

    def article_links(self) -> list[str]:
        return [u for u in self._all_links() if ARTICLE_PATH.match(url_path(u))]

    def next_page(self) -> str | None:
        """The link to this section's next page, when the page has one (never guessed)."""
        current = LISTING_PATH.match(url_path(self.url))
        if current is None:
            return None
        section, page = current["id"], int(current["page"] or 1)
        for link in self._all_links():
            target = LISTING_PATH.match(url_path(link))
            if target and target["id"] == section and int(target["page"] or 1) == page + 1:
                return link
        return None

    def _all_links(self) -> list[str]:
        if self._links is None:
            anchors = [
                tag for tag in self._soup.descendants if isinstance(tag, Tag) and tag.name == "a"
            ]
            self._links = _absolute_links(_hrefs(anchors), self.url)
        return self._links


# --- helpers -------------------------------------------------------------------------------


def _merge(site: ArticleData, structured: ArticleData) -> tuple[ArticleData, set[str]]:
    """Site selectors win (they know Press TV's quirks); structured metadata fills gaps. Also
    the fields that were filled so."""
    merged = {}
    filled = set()
    for f in dataclasses.fields(ArticleData):
        ours, theirs = getattr(site, f.name), getattr(structured, f.name)
        merged[f.name] = ours if ours else theirs
        if not ours and theirs and f.name not in STATED_BY_THE_PAGE:
            filled.add(f.name)
    return ArticleData(**merged), filled


def _generic_body(index: TreeIndex) -> list[str]:
    """The generic body detection's text, Press TV's chrome cut first; none on a seizure or
    block page."""
    soup = cast(BeautifulSoup, index.root)  # the tree make_soup parsed
    if NOT_AN_ARTICLE.search(clean_text(soup.get_text(" "))):
        return []
    _decompose(BOILERPLATE.select(index))
    return _without_dateline(_without_boilerplate(extract_body_paragraphs(soup)))


def _without_dateline(paragraphs: list[str]) -> list[str]:
    return paragraphs[1:] if paragraphs and DATELINE.match(paragraphs[0]) else paragraphs


def _without_boilerplate(paragraphs: list[str]) -> list[str]:
    kept: list[str] = []
    after_notice = False
    for text in paragraphs:
        if ALTERNATE_NOTICE.match(text):
            after_notice = True  # the mirror host names follow it, one a line
            continue
        if after_notice and BARE_HOST.match(text):
            continue
        after_notice = False
        if PRESSTV_HOST.match(text) or SHARE_LINE.match(text) or APP_PROMO.match(text):
            continue
        kept.append(text)
    return kept


def _hrefs(anchors: list[Tag]) -> list[str | None]:
    return [href if isinstance(href := a.attrs.get("href"), str) else None for a in anchors]


def _absolute_links(hrefs: list[str | None], base: str) -> list[str]:
    # Resolved against the URL the page was fetched from, not a <base href>: a mirror's
    # page may still name the (blocked) primary as its base.
    links: dict[str, None] = {}
    for href in hrefs:
        if href is None:
            continue
        href = strip_html5_whitespace(href)
        url = _resolve(href, join_base(base, href))
        if url is not None:
            links.setdefault(url, None)
    return list(links)


@lru_cache(maxsize=4096)
def _resolve(href: str, base: str) -> str | None:
    return web_url(base, href)  # None for a link urllib cannot parse ("https://[user].x/")


def _decompose(tags: list[Tag]) -> None:
    for tag in tags:
        if not tag.__dict__.get("_decomposed"):  # not already gone with a decomposed parent
            tag.decompose()


def _local_iso(text: str | None, zone: tzinfo) -> str | None:
    """Wall-clock text ("2/19/2023 2:05:00 PM", "Sun Mar 17, 2019 01:16PM") in ``zone`` → ISO."""
    if not text:
        return None
    try:
        parsed = dateparser.parse(text, dayfirst=False)
    except (ValueError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.isoformat()


def _first(index: TreeIndex, selectors: tuple[Selector, ...]) -> Tag | None:
    for selector in selectors:
        found = selector.select_one(index)
        if found is not None:
            return found
    return None


def _first_text(index: TreeIndex, selectors: tuple[Selector, ...]) -> str | None:
    found = _first(index, selectors)
    return (clean_text(found.get_text(" ")) or None) if found is not None else None


def _texts(index: TreeIndex, selectors: tuple[Selector, ...]) -> list[str]:
    for selector in selectors:
        texts = [clean_text(el.get_text(" ")) for el in selector.select(index)]
        texts = list(dict.fromkeys(t for t in texts if t))
        if texts:
            return texts
    return []


def _keywords(index: TreeIndex) -> list[str]:
    content = _meta(index, "keywords")
    if not content:
        return []
    return list(dict.fromkeys(k for k in (clean_text(p) for p in content.split(",")) if k))


def _meta(index: TreeIndex, name: str) -> str | None:
    metas = index.all("meta")
    tag = next((m for m in metas if m.attrs.get("property") == name), None) or next(
        (m for m in metas if m.attrs.get("name") == name), None
    )
    value = _attr(tag, "content")
    return clean_text(value) or None if value else None


def _attr(tag: Tag | None, name: str) -> str | None:
    if tag is None:
        return None
    value = tag.get(name)
    if isinstance(value, list):
        value = " ".join(value)
    return value.strip() if value else None


def _has_rel(tag: Tag, value: str) -> bool:
    """What ``find(rel=value)`` tests: rel is a list of tokens, one of which must match."""
    rel = tag.attrs.get("rel")
    if isinstance(rel, list):
        return value in rel or " ".join(rel) == value
    return rel == value


def _strip_affix(title: str | None) -> str | None:
    return TITLE_AFFIX.sub("", title) or None if title else None


def _first_match(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        match = pattern.match(text)
        if match:
            return match
    return None


def _dateline_match(element: Tag | None) -> re.Match[str] | None:
    if element is None:
        return None
    text = clean_text(element.get_text(" "))
    return _first_match(DATELINES, text) if len(text) <= 120 else None


def _language(index: TreeIndex) -> str | None:
    lang = _attr(index.first("html"), "lang")
    return lang or _meta(index, "Content-Language") or _http_equiv(index, "content-language")


def _http_equiv(index: TreeIndex, name: str) -> str | None:
    for tag in index.all("meta"):
        equiv = tag.attrs.get("http-equiv")
        if equiv is not None and str(equiv).lower() == name:
            return _attr(tag, "content")
    return None
