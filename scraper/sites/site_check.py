"""What a profile makes of a site's pages, before any run: for one article page, each field's
value and where it came from (the profile's ``[fields]`` selector, the site's page object, the
generic reading) and whether a selector fell back; for a front page, which of its links are
articles (``article_url``) and which a run would follow (the profile's ``link_depth``), and
the feeds it declares. ``newsarchive sites check`` prints these; no network, no Scrapy here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from scraper.sites.article import ArticleData
from scraper.sites.profile import SiteProfile
from scraper.sites.profile_fields import SELECTOR_FIELDS
from scraper.sites.profile_fields_page import FieldReading, ProfileFieldsPage, article_page
from scraper.sites.site_pages import read_site_page

SELECTOR = "profile selector"
GENERIC = "generic reading"
NOWHERE = "nothing"


@dataclass(frozen=True)
class FieldCheck:
    name: str
    value: Any  # as the record would hold it (None, "" or [] for nothing)
    source: str  # SELECTOR, "page object NAME", GENERIC, or NOWHERE
    selector: str | None = None  # the profile's selector for the field, as written
    matched: int | None = None  # elements the selector matched
    fell_back: bool = False  # a selector was given, and its value not taken
    why: str | None = None  # why not


@dataclass(frozen=True)
class ArticleCheck:
    url: str
    is_article_url: bool  # whether the profile's article_url matches it
    article: bool  # whether the page gave an article at all (a text)
    fields: list[FieldCheck]
    fallbacks: list[str]  # the record's ``fallbacks``

    @property
    def from_page(self) -> bool:
        """Whether any field came from the page (a value, from anywhere)."""
        return any(f.source != NOWHERE for f in self.fields)


@dataclass(frozen=True)
class FrontPageCheck:
    url: str
    link_depth: int  # hops a run follows (0: it follows none)
    links: int  # every link on the page
    article_links: list[str]  # on the site's hosts, matching article_url
    followed: list[str]  # what a run would follow from this page
    off_site: int  # links to other hosts: never followed
    feeds: list[str] = field(default_factory=list)  # declared, on the site's hosts
    reads_feeds: bool = False  # whether a run looks for the site's feeds (a minimal profile)


def check_article(profile: SiteProfile, url: str, html: str) -> ArticleCheck:
    zone = ZoneInfo(profile.timezone) if profile.timezone else None
    page = article_page(profile.extractor, url, html, zone, profile.fields)
    item = page.to_item()
    readings: dict[str, FieldReading] = {}
    inner: ArticleData | None = item
    if isinstance(page, ProfileFieldsPage):
        readings, inner = page.readings, page.inner_item
    shown = item or ArticleData()
    checks = []
    for name in SELECTOR_FIELDS:
        value = getattr(shown, name)
        reading = readings.get(name)
        given = profile.fields.given(name)
        if not value:
            source = NOWHERE
        elif reading is not None and reading.taken:
            source = SELECTOR
        elif profile.extractor != "generic" and inner is not None and name not in inner.fallbacks:
            source = f"page object {profile.extractor}"
        else:
            source = GENERIC
        checks.append(
            FieldCheck(
                name,
                value,
                source,
                selector=given.describe() if given is not None else None,
                matched=reading.matched if reading is not None else None,
                fell_back=reading is not None and not reading.taken,
                why=reading.why_not if reading is not None else None,
            )
        )
    return ArticleCheck(
        url=url,
        is_article_url=profile.match_article(url) is not None,
        article=item is not None,
        fields=checks,
        fallbacks=list(shown.fallbacks),
    )


def check_front_page(
    profile: SiteProfile,
    url: str,
    body: bytes,
    content_type: str | None = None,
    skipped_suffixes: tuple[str, ...] = (),
) -> FrontPageCheck:
    """``skipped_suffixes``: the file suffixes a run never follows (Scrapy's list of them,
    which this Scrapy-free module is given by the command)."""
    page = read_site_page(url, body, content_type)
    articles, followed, off_site = [], [], 0
    itself = url.split("#", 1)[0].rstrip("/")
    for link in page.links:
        if link.split("#", 1)[0].rstrip("/") == itself:
            continue  # the page itself (its logo, "home"): asked for already
        if not profile.owns(link):
            off_site += 1
        elif profile.match_article(link) is not None:
            articles.append(link)
        elif profile.link_depth > 0:
            path = urlsplit(link).path.lower()
            if not (skipped_suffixes and path.endswith(skipped_suffixes)):
                followed.append(link)
    return FrontPageCheck(
        url=url,
        link_depth=profile.link_depth,
        links=len(page.links),
        article_links=articles,
        followed=followed,
        off_site=off_site,
        feeds=[feed for feed in page.feeds if profile.owns(feed)],
        reads_feeds=profile.finds_feeds,
    )
