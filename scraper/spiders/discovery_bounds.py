"""What discovery may cost a run, and what it found: sitemap indexes bounded in depth and
number (they may name each other without end: a trap, or a generator gone wrong), and a
census of the site's links against the profile's ``article_url`` (a run that finds links
but no article says so: ``archive.run_report.run_alerts``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from archive.run_report import ARTICLE_LINKS_STAT, LINKS_SEEN_STAT, UNMATCHED_EXAMPLES_STAT

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from scraper.sites.profile import SiteProfile

_EXAMPLES = 3


class DiscoveryBounds:
    def __init__(self, crawler: Crawler, profile: SiteProfile) -> None:
        settings = crawler.settings
        self.max_depth = settings.getint("NEWSARCHIVE_SITEMAP_MAX_DEPTH")
        self.max_sitemaps = settings.getint("NEWSARCHIVE_SITEMAP_MAX_FILES")
        self.sitemaps = 0
        self.refused: set[str] = set()
        self.crawler = crawler
        self.profile = profile

    def sitemap_refusal(self, depth: int) -> str | None:
        """None to follow a sitemap at ``depth`` (counting it), else why not."""
        if depth > self.max_depth:
            return "sitemap_too_deep"
        if self.sitemaps >= self.max_sitemaps:
            return "sitemap_limit"
        self.sitemaps += 1
        return None

    def first_refusal(self, reason: str) -> bool:
        """Whether ``reason`` is new this run (said once, counted always)."""
        new = reason not in self.refused
        self.refused.add(reason)
        return new

    def count_links(self, urls: list[str], not_articles: list[str]) -> None:
        """The site's links among ``urls``, how many are article URLs, and the first few
        that are not; ``not_articles`` are those the claims found no article URL (matched
        once, there)."""
        stats = self.crawler.stats
        assert stats is not None
        owns = self.profile.owns
        seen = sum(1 for url in urls if owns(url))
        off_articles = [url for url in not_articles if owns(url)]
        stats.inc_value(LINKS_SEEN_STAT, seen)
        stats.inc_value(ARTICLE_LINKS_STAT, seen - len(off_articles))
        examples = stats.get_value(UNMATCHED_EXAMPLES_STAT) or []
        for url in off_articles:
            if len(examples) >= _EXAMPLES:
                break
            if url not in examples:
                examples.append(url)
                stats.set_value(UNMATCHED_EXAMPLES_STAT, examples)
