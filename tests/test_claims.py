"""scraper/spiders/claims.py: one request per article a run, and the --max-articles budget."""

from __future__ import annotations

from datetime import date

from scrapy import Request

from scraper.sites.profile import profile_from_dict
from scraper.spiders.claims import ArticleBudget, LocalClaims

PROFILE = profile_from_dict(
    {
        "name": "news",
        "primary": "https://news.example",
        "mirrors": ["https://mirror.example"],
        "article_url": r"/a/(?P<year>\d{4})/(?P<month>\d\d)/(?P<day>\d\d)/(?P<id>\d+)",
        "listings": ["/"],
    }
)


def recent_since(since: date):
    return lambda day: day is None or day >= since


def test_an_article_is_claimed_once_however_many_urls_name_it() -> None:
    claims = LocalClaims(PROFILE, recent_since(date(2026, 1, 1)))
    first = claims.claim(["https://news.example/a/2026/03/01/7/x", "https://news.example/about"])
    assert [article for article, _ in first.candidates] == ["news:7"]
    again = claims.claim(
        ["https://mirror.example/a/2026/03/01/7/x", "https://news.example/a/2026/03/01/7/x"]
    )
    assert again.candidates == []
    assert again.sightings == [
        ("news:7", "https://mirror.example/a/2026/03/01/7/x")
    ]  # new URL only
    assert claims.urls_seen("news:7", ["https://news.example/a/2026/03/01/7/y"]) == [
        "https://news.example/a/2026/03/01/7/x",
        "https://mirror.example/a/2026/03/01/7/x",
        "https://news.example/a/2026/03/01/7/y",
    ]


def test_articles_older_than_since_are_seen_but_not_claimed() -> None:
    claims = LocalClaims(PROFILE, recent_since(date(2026, 1, 1)))
    claimed = claims.claim(
        ["https://news.example/a/2025/12/31/8/old", "https://news.example/a/2026/01/01/9/new"]
    )
    assert claimed.too_old == 1
    assert [article for article, _ in claimed.candidates] == ["news:9"]
    assert ("news:8", "https://news.example/a/2025/12/31/8/old") in claimed.sightings


def test_the_budget_holds_back_then_gives_a_failed_articles_place_to_a_waiting_one() -> None:
    budget = ArticleBudget(2, shared=None)
    assert budget.take() and budget.take()
    assert not budget.take() and budget.spent()
    waiting = Request("https://news.example/a/2026/03/01/10/x")
    budget.wait(waiting)
    assert budget.give_back() is waiting  # a failed article's place goes to the waiting one
    assert budget.spent()
    assert budget.give_back() is None  # nothing waits: the place stays free
    assert not budget.spent()


def test_no_limit_no_bookkeeping() -> None:
    budget = ArticleBudget(None, shared=None)
    assert all(budget.take() for _ in range(1000))
    assert not budget.spent()
    assert budget.give_back() is None
