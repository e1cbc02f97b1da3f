"""Press TV page objects: the article page (two templates) and the section listing.

Every Press TV selector and pattern lives in the block below, so a template change is an
edit in one place (trafilatura style).  Two templates are known:

* modern (2020s): ``<div class="news-body">`` with ``<p>``/``<h2>``/``<h3>``, OpenGraph and
  Dublin Core metas (``DC.Date.Created`` in Tehran local time, no offset);
* legacy (2013–2019): ``<div class="item-text">`` with ``<br>``-separated text, a dateline
  ``Sun Mar 17, 2019 01:16PM [Updated: Tue Mar 19, 2019 12:03PM ]`` and few metas.
"""
from __future__ import annotations

import dataclasses
import re
from urllib.parse import urldefrag, urljoin, urlsplit
from zoneinfo import ZoneInfo

from bs4 import BeautifulSoup, Tag
from dateutil import parser as dateparser
from w3lib.html import strip_html5_whitespace

from scraper.sites.article import ArticleData, Image
from scraper.sites.body import extract_body_paragraphs
from scraper.sites.html import block_paragraphs, clean_text, make_soup
from scraper.sites.metadata import read_metadata

# --- Press TV selectors and patterns -------------------------------------------------------

# Dates without an offset are Tehran wall-clock time; zoneinfo knows the +04:30 summers
# Iran kept until 2022.
TEHRAN = ZoneInfo("Asia/Tehran")

# The article text container, most specific first.
BODY = ("div.news-body", "div.item-text")
HEADLINE = ("h1.news-title", "h2.page-header", "h1.page-header")
# og:title and <title> carry the site name as a prefix: "PressTV-West not willing…".
TITLE_PREFIX = re.compile(r"^\s*press\s*tv\s*[-–—|:]\s*", re.IGNORECASE)
SECTION = ("ol.breadcrumb li:last-child a", "div.item-section a")
AUTHORS = ("div.news-writer a", "div.item-author a")
TAGS = ("div.news-tags a", "div.item-tags a")
# Lead picture (outside the body) and pictures inside the body; captions are <figcaption>.
IMAGES = "figure.news-image img, div.news-body img, figure.item-image img, div.item-text img"
DATE_CREATED_META = "DC.Date.Created"
DATE_MODIFIED_META = "DC.Date.Modified"
# Legacy templates print the dates as text, in a div or as the first line of the text.
DATELINE_SELECTOR = "div.item-date"
_DATE = r"[A-Z][a-z]{2}\s+[A-Z][a-z]{2}\s+\d{1,2},\s+\d{4}\s+\d{1,2}:\d{2}\s*[AP]M"
DATELINE = re.compile(
    rf"^\s*(?P<published>{_DATE})\s*(?:\[\s*Updated:\s*(?P<modified>{_DATE})\s*\])?\s*$"
)

# Chrome that can sit inside or next to the text container: never body text, and its
# pictures (app badges, share icons, teasers) are not the article's.
CHROME = (
    "script, style, noscript, form, nav, aside, iframe, "
    ".share, .share-box, .social-share, .sharethis, .addthis_toolbox, "
    ".alternate-addresses, .mirror-notice, .app-promo, .apps, "
    ".related, .related-news, .more-news, .most-viewed, "
    ".ticker, #breaking, .breaking, .newsletter, "
    ".breadcrumb, .item-date, .dateline, .news-tags, .item-tags"
)
# Captions are decomposed too, so a caption never becomes a body paragraph.
CAPTIONS = "figure, figcaption, .caption, .item-caption"
BOILERPLATE = f"{CHROME}, {CAPTIONS}"

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

ARTICLE_PATH = re.compile(r"^/[Dd]etail/\d{4}/\d{2}/\d{2}/\d+")
# /Section/101, /Section/101/2, and the 2018 form /Default/Section/101[/2]
LISTING_PATH = re.compile(
    r"^(?:/Default)?/Section/(?P<id>\d+)(?:/(?P<page>\d+))?/?$", re.IGNORECASE
)

# --- page objects --------------------------------------------------------------------------


class PressTvArticlePage:
    def __init__(self, url: str, html: str) -> None:
        self.url = url
        self.html = html
        # One parse serves links() and to_item(): parsing is most of a page's cost.
        self._soup: BeautifulSoup | None = None
        self._links: list[str] | None = None

    def to_item(self) -> ArticleData | None:
        soup = self._parsed()
        self.links()  # while the chrome, and the links in it, are still in the tree
        self._soup = None  # about to be decomposed: a later call parses afresh
        structured = read_metadata(soup, self.url, default_tz=TEHRAN)
        # Everything read from the head and the chrome comes before any decompose().
        site = self._site_fields(soup)
        paragraphs = self._body(soup)
        if not paragraphs:
            return None
        site.body = "\n\n".join(paragraphs)
        item = _merge(site, structured)
        if item.title:
            item.title = TITLE_PREFIX.sub("", item.title)
        return item

    def links(self) -> list[str]:
        if self._links is None:
            self._links = _absolute_links(self._parsed(), self.url)
        return list(self._links)

    def _parsed(self) -> BeautifulSoup:
        if self._soup is None:
            self._soup = make_soup(self.html)
        return self._soup

    def _site_fields(self, soup: BeautifulSoup) -> ArticleData:
        published, modified = self._dates(soup)
        return ArticleData(
            title=_first_text(soup, HEADLINE) or _strip_prefix(_meta(soup, "og:title"))
            or _strip_prefix(clean_text(soup.title.get_text()) if soup.title else None),
            published=published,
            modified=modified,
            section=_first_text(soup, SECTION),
            authors=_texts(soup, AUTHORS),
            description=_meta(soup, "description") or _meta(soup, "og:description"),
            images=self._images(soup),
            tags=_texts(soup, TAGS) or _keywords(soup),
            language=_language(soup),
            canonical_url=self._canonical(soup),
        )

    def _dates(self, soup: BeautifulSoup) -> tuple[str | None, str | None]:
        published = _tehran_iso(_meta(soup, DATE_CREATED_META))
        modified = _tehran_iso(_meta(soup, DATE_MODIFIED_META))
        if published is None:
            dateline = soup.select_one(DATELINE_SELECTOR)
            match = DATELINE.match(clean_text(dateline.get_text(" "))) if dateline else None
            if match is None:
                match = self._dateline_in_body(soup)
            if match:
                published = _tehran_iso(match["published"])
                modified = modified or _tehran_iso(match["modified"])
        return published, modified

    def _dateline_in_body(self, soup: BeautifulSoup) -> re.Match[str] | None:
        body = _first(soup, BODY)
        if body is None:
            return None
        for paragraph in block_paragraphs(body)[:1]:
            return DATELINE.match(paragraph)
        return None

    def _images(self, soup: BeautifulSoup) -> list[Image]:
        images: list[Image] = []
        seen: set[str] = set()
        for img in soup.select(IMAGES):
            if any(parent.css.match(CHROME) for parent in img.parents if parent.name):
                continue
            # Lazy loading: the real picture is in data-src, src is a placeholder.
            src = _attr(img, "data-src") or _attr(img, "src")
            if not src or src.startswith("data:"):
                continue
            url = urljoin(self.url, src)
            if url in seen:
                continue
            seen.add(url)
            figure = img.find_parent("figure")
            caption = figure.find("figcaption") if figure else None
            images.append(Image(url=url, caption=clean_text(caption.get_text()) or None
                                if caption else None))
        return images

    def _canonical(self, soup: BeautifulSoup) -> str | None:
        link = soup.find("link", rel="canonical")
        href = _attr(link, "href") if isinstance(link, Tag) else None
        href = href or _meta(soup, "og:url")
        return urljoin(self.url, href) if href else None

    def _body(self, soup: BeautifulSoup) -> list[str]:
        container = _first(soup, BODY)
        if container is not None:
            for junk in container.select(BOILERPLATE):
                junk.decompose()
            paragraphs = _without_boilerplate(block_paragraphs(container))
            if paragraphs and DATELINE.match(paragraphs[0]):
                paragraphs = paragraphs[1:]
            if paragraphs:
                return paragraphs
        if NOT_AN_ARTICLE.search(clean_text(soup.get_text(" "))):
            return []
        for junk in soup.select(BOILERPLATE):
            junk.decompose()
        return _without_boilerplate(extract_body_paragraphs(soup))


class PressTvListingPage:
    """A section page (or the homepage): which articles it lists, and where the next page is."""

    def __init__(self, url: str, html: str) -> None:
        self.url = url
        self._soup = make_soup(html)

    def article_links(self) -> list[str]:
        return [u for u in _absolute_links(self._soup, self.url)
                if ARTICLE_PATH.match(urlsplit(u).path)]

    def next_page(self) -> str | None:
        """The link to this section's next page, when the page has one (never guessed)."""
        current = LISTING_PATH.match(urlsplit(self.url).path)
        if current is None:
            return None
        section, page = current["id"], int(current["page"] or 1)
        for link in _absolute_links(self._soup, self.url):
            target = LISTING_PATH.match(urlsplit(link).path)
            if target and target["id"] == section and int(target["page"] or 1) == page + 1:
                return link
        return None


# --- helpers -------------------------------------------------------------------------------


def _merge(site: ArticleData, structured: ArticleData) -> ArticleData:
    """Site selectors win (they know Press TV's quirks); structured metadata fills gaps."""
    merged = {}
    for f in dataclasses.fields(ArticleData):
        ours = getattr(site, f.name)
        merged[f.name] = ours if ours else getattr(structured, f.name)
    return ArticleData(**merged)


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


def _absolute_links(soup: BeautifulSoup, base: str) -> list[str]:
    # Resolved against the URL the page was fetched from, not a <base href>: a mirror's
    # page may still name the (blocked) primary as its base.
    links: dict[str, None] = {}
    for a in soup.find_all("a", href=True):
        href = strip_html5_whitespace(a["href"])
        url = urldefrag(urljoin(base, href)).url
        if urlsplit(url).scheme in ("http", "https"):
            links.setdefault(url, None)
    return list(links)


def _tehran_iso(text: str | None) -> str | None:
    """Tehran wall-clock text ("2/19/2023 2:05:00 PM", "Sun Mar 17, 2019 01:16PM") → ISO."""
    if not text:
        return None
    try:
        parsed = dateparser.parse(text, dayfirst=False)
    except (ValueError, OverflowError):
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=TEHRAN)
    return parsed.isoformat()


def _first(soup: BeautifulSoup, selectors: tuple[str, ...]) -> Tag | None:
    for selector in selectors:
        found = soup.select_one(selector)
        if found is not None:
            return found
    return None


def _first_text(soup: BeautifulSoup, selectors: tuple[str, ...]) -> str | None:
    found = _first(soup, selectors)
    return (clean_text(found.get_text(" ")) or None) if found is not None else None


def _texts(soup: BeautifulSoup, selectors: tuple[str, ...]) -> list[str]:
    for selector in selectors:
        texts = [clean_text(el.get_text(" ")) for el in soup.select(selector)]
        texts = list(dict.fromkeys(t for t in texts if t))
        if texts:
            return texts
    return []


def _keywords(soup: BeautifulSoup) -> list[str]:
    content = _meta(soup, "keywords")
    if not content:
        return []
    return list(dict.fromkeys(k for k in (clean_text(p) for p in content.split(",")) if k))


def _meta(soup: BeautifulSoup, name: str) -> str | None:
    tag = soup.find("meta", attrs={"property": name}) or soup.find("meta", attrs={"name": name})
    value = _attr(tag, "content") if isinstance(tag, Tag) else None
    return clean_text(value) or None if value else None


def _attr(tag: Tag | None, name: str) -> str | None:
    if tag is None:
        return None
    value = tag.get(name)
    if isinstance(value, list):
        value = " ".join(value)
    return value.strip() if value else None


def _strip_prefix(title: str | None) -> str | None:
    return TITLE_PREFIX.sub("", title) or None if title else None


def _language(soup: BeautifulSoup) -> str | None:
    html = soup.find("html")
    lang = _attr(html, "lang") if isinstance(html, Tag) else None
    return lang or _meta(soup, "Content-Language") or _http_equiv(soup, "content-language")


def _http_equiv(soup: BeautifulSoup, name: str) -> str | None:
    for tag in soup.find_all("meta", attrs={"http-equiv": True}):
        if str(tag.get("http-equiv", "")).lower() == name:
            return _attr(tag, "content")
    return None

