"""Which article this crawl fetches, and how many: claims on article ids and the
``--max-articles`` budget, for a crawl of its own or one worker of a shared crawl.

An article is fetched once per run, however many URLs point at it: the first page that
names it *claims* it, later sightings only add URLs. In a shared crawl the claims and the
budget live in Redis (``scraper.shared.crawl``), so that one worker fetches each article and
``--max-articles`` bounds the whole run, not each worker.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from scrapy import Request

from scraper.shared.crawl import SharedCrawl
from scraper.sites.profile import SiteProfile

# Requests waiting for a place under --max-articles; a place frees up when an article fails.
MAX_WAITING = 10_000

Sighting = tuple[str, str]  # (article id, url)


@dataclass
class Claimed:
    sightings: list[Sighting] = field(default_factory=list)  # (id, url) pairs new to this run
    candidates: list[Sighting] = field(default_factory=list)  # articles claimed by this crawl now
    too_old: int = 0  # sightings of articles known to be older than --since
    not_articles: list[str] = field(default_factory=list)  # the URLs no article URL of the site


class ArticleClaims(Protocol):
    profile: SiteProfile  # replaced when a discovered mirror joins the run

    def claim(self, urls: Iterable[str]) -> Claimed:
        """Claims on the articles among ``urls`` not yet claimed this run."""

    def urls_seen(self, article_id: str, fetched_under: Iterable[str]) -> list[str]:
        """Every URL seen for the article this run, those it was fetched under added."""


class LocalClaims:
    def __init__(self, profile: SiteProfile, recent: Callable[[date | None], bool]) -> None:
        self.profile = profile
        self.recent = recent
        self.article_urls: dict[str, list[str]] = {}  # article id -> every URL seen for it

    def claim(self, urls: Iterable[str]) -> Claimed:
        claimed = Claimed()
        for url in urls:
            article = self.profile.match_article(url)
            if article is None:
                claimed.not_articles.append(url)
                continue
            article_id = self.profile.article_id(article)
            seen = self.article_urls.get(article_id)
            if seen is not None:
                if url not in seen:
                    seen.append(url)
                    claimed.sightings.append((article_id, url))
                continue
            claimed.sightings.append((article_id, url))
            if not self.recent(article.published_day):
                claimed.too_old += 1
                continue
            self.article_urls[article_id] = [url]  # claimed now: no other page schedules it
            claimed.candidates.append((article_id, url))
        return claimed

    def urls_seen(self, article_id: str, fetched_under: Iterable[str]) -> list[str]:
        urls = self.article_urls.setdefault(article_id, [])
        for url in fetched_under:
            if url not in urls:
                urls.append(url)
        return urls


class SharedClaims:
    """The same against the shared run's claims in Redis: each article is claimed by one
    worker, once per run, before any request for it is built; one round trip a page."""

    def __init__(
        self, profile: SiteProfile, recent: Callable[[date | None], bool], shared: SharedCrawl
    ) -> None:
        self.profile = profile
        self.recent = recent
        self.shared = shared

    def claim(self, urls: Iterable[str]) -> Claimed:
        found: list[tuple[str, str, bool]] = []
        claimed = Claimed()
        for url in urls:
            article = self.profile.match_article(url)
            if article is None:
                claimed.not_articles.append(url)
            else:
                found.append(
                    (self.profile.article_id(article), url, self.recent(article.published_day))
                )
        for (article_id, url, _), verdict in zip(found, self.shared.claim(found)):
            if verdict == SharedCrawl.KNOWN:
                continue
            claimed.sightings.append((article_id, url))
            if verdict == SharedCrawl.TOO_OLD:
                claimed.too_old += 1
            elif verdict == SharedCrawl.CLAIMED:
                claimed.candidates.append((article_id, url))
        return claimed

    def urls_seen(self, article_id: str, fetched_under: Iterable[str]) -> list[str]:
        return self.shared.article_urls(article_id, list(fetched_under))


class ArticleBudget:
    """``--max-articles``: this crawl's own count, or in a shared crawl the run's, in Redis.
    An article that fails gives its place back to the next one waiting."""

    def __init__(self, limit: int | None, shared: SharedCrawl | None) -> None:
        self.limit = limit
        self.shared = shared
        self.scheduled = 0  # a crawl of its own; a shared crawl counts in Redis
        self.waiting: deque[Request] = deque(maxlen=MAX_WAITING)

    def spent(self) -> bool:
        if self.limit is None:
            return False
        used = self.shared.budget_used() if self.shared is not None else self.scheduled
        return used >= self.limit

    def take(self) -> bool:
        """A place for one more article."""
        if self.limit is None:
            return True
        if self.shared is not None:
            return self.shared.take_budget(self.limit)
        if self.scheduled >= self.limit:
            return False
        self.scheduled += 1
        return True

    def wait(self, request: Request) -> None:
        self.waiting.append(request)

    def give_back(self) -> Request | None:
        """An article failed: its place, and the waiting request that now takes it, if any."""
        if self.limit is None:
            return None
        if self.shared is not None:
            self.shared.return_budget()
        else:
            self.scheduled -= 1
        if self.waiting and self.take():
            return self.waiting.popleft()
        return None
