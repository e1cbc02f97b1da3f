"""A minimal profile (name, primary, article_url) of the local test site archives every
article the full profile does: feeds found (front page, robots.txt, common paths), links
followed inside the site's hosts to a bounded depth and number, never off them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from scraper.demo.server import LoopbackServers, Reply
from scraper.demo.site import (
    ALIAS_HOST,
    FEED_SIZE,
    LocalSite,
    generate_articles,
    write_profile,
)
from scraper.sites.profile import ProfileError, parse_profile
from scraper.sites.site_pages import COMMON_FEED_PATHS, COMMON_SITEMAP_PATHS, read_site_page
from tests.conftest import FAST_CRAWL, run_newsarchive

ARTICLE_URL = r"^/[Dd]etail/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<id>\d+)(?:/(?P<slug>[^?#]*))?$"
SITE = "localnews"
# The front page links a chain of pages, each to the next: with follow_links = 2 the second
# is the deepest asked (front page 0, /chain/1 1, /chain/2 2).
CHAIN = [f"/chain/{n}" for n in range(1, 6)]


def minimal_profile(path: Path, primary: str, article_url: str = ARTICLE_URL) -> Path:
    path.write_text(
        f'name = "{SITE}"\nprimary = "{primary}"\narticle_url = {json.dumps(article_url)}\n',
        encoding="utf-8",
    )
    return path


def _front_page(foreign: str, site: LocalSite) -> Reply:
    article = site.articles[2]
    return Reply.html(
        "<html><head><title>Local News</title>"
        '<link rel="alternate" type="application/rss+xml" title="News" href="/rss.xml">'
        "</head><body><nav>"
        '<a href="/Section/101">Iran</a><a href="/chain/1">Chains</a>'
        f'<a href="{foreign}/Section/102">Partner site</a>'
        f'<a href="{foreign}{article.path}">Partner copy</a>'
        '<a href="/about.pdf">About us</a>'
        "</nav></body></html>"
    )


def _chain_page(n: int) -> Reply:
    following = f'<a href="{CHAIN[n]}">next in chain</a>' if n < len(CHAIN) else ""
    return Reply.html(f"<html><body><h1>Chain {n}</h1>{following}</body></html>")


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[LocalSite, LoopbackServers, LoopbackServers]]:
    """The site on one host, and a lookalike on another host that its front page links to:
    a crawl of the site must never ask it anything."""
    articles = generate_articles(44)
    site = LocalSite(articles, hidden_ids={articles[-1].id})
    lookalike = LocalSite(articles)
    with (
        LoopbackServers(site, ["127.0.0.1"]) as own,
        LoopbackServers(lookalike, ["127.0.0.6"]) as foreign,
    ):
        # The pages name the site's alias host (canonical links, the feed, the notice of
        # other addresses): a minimal profile does not know it, and mirror discovery would
        # look it up in DNS. Here it is the primary itself, for both profiles.
        alias, primary = ALIAS_HOST.encode(), own.origins[0].split("//")[1].encode()
        site.routes = {
            path: replace(reply, body=reply.body.replace(alias, primary))
            for path, reply in site.routes.items()
        }
        site.routes["/"] = _front_page(foreign.origins[0], site)
        for n, path in enumerate(CHAIN, start=1):
            site.routes[path] = _chain_page(n)
        yield site, own, foreign


def crawl(profile: Path, out: Path, *options: str) -> dict[str, Any]:
    result = run_newsarchive(
        "crawl",
        str(profile),
        "--out",
        str(out),
        *FAST_CRAWL,
        "-s",
        "NEWSARCHIVE_ASSETS=none",
        *options,
    )
    records = [
        json.loads(line)
        for path in sorted((out / "json" / SITE).glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    reports = sorted((out / "runs").glob("*.json"))
    return {
        "result": result,
        "ids": {record["id"] for record in records},
        "report": json.loads(reports[-1].read_text()) if reports else None,
    }


def _asked(servers: LoopbackServers, since: int) -> list[str]:
    return [request.target for request in servers.requests[since:]]


@pytest.fixture(scope="module")
def runs(
    servers: tuple[LocalSite, LoopbackServers, LoopbackServers],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    site, own, foreign = servers
    work = tmp_path_factory.mktemp("minimal")
    full = crawl(write_profile(work / "full.toml", own.origins), work / "full")
    before = len(own.requests)
    minimal = crawl(minimal_profile(work / "minimal.toml", own.origins[0]), work / "minimal")
    minimal["asked"] = _asked(own, before)
    return {"full": full, "minimal": minimal, "foreign": list(foreign.requests), "site": site}


def test_a_minimal_profile_archives_every_article_the_full_one_does(runs: dict[str, Any]) -> None:
    full, minimal = runs["full"], runs["minimal"]
    assert full["result"].returncode == 0, full["result"].stderr[-3000:]
    assert minimal["result"].returncode == 0, minimal["result"].stderr[-3000:]
    site: LocalSite = runs["site"]
    assert full["ids"] == {f"{SITE}:{a.id}" for a in site.articles}
    assert minimal["ids"] == full["ids"]
    assert "Traceback" not in minimal["result"].stderr
    assert "mirror candidate" not in minimal["result"].stderr  # nothing looked up off-site


def test_the_feeds_are_found_where_sites_keep_them(runs: dict[str, Any]) -> None:
    asked = runs["minimal"]["asked"]
    assert "/" in asked and "/robots.txt" in asked
    assert asked.count("/rss.xml") == 1  # declared on the front page and a common path: once
    for path in (*COMMON_FEED_PATHS, *COMMON_SITEMAP_PATHS):  # robots.txt names no sitemap
        assert path in asked, path
    assert "/sitemap-news.xml" in asked  # the sitemap index found at /sitemap.xml, followed
    counts = runs["minimal"]["report"]["counts"]
    assert counts["feed"] == 1 and counts["sitemap"] == 2


def test_links_are_followed_inside_the_site_within_their_depth(runs: dict[str, Any]) -> None:
    asked = runs["minimal"]["asked"]
    assert runs["foreign"] == []  # the lookalike the front page links to: never asked
    assert {"/Section/101", "/Section/102", "/Section/103", "/Section/104"} <= set(asked)
    assert "/chain/1" in asked and "/chain/2" in asked
    assert not {"/chain/3", "/chain/4", "/chain/5"} & set(asked)  # deeper than follow_links
    assert "/about.pdf" not in asked
    assert len(asked) == len(set(asked)) + asked.count("/robots.txt") - 1  # each page once


def test_discovery_stops_at_its_page_bound(
    servers: tuple[LocalSite, LoopbackServers, LoopbackServers], tmp_path: Path
) -> None:
    site, own, _ = servers
    before = len(own.requests)
    run = crawl(
        minimal_profile(tmp_path / "minimal.toml", own.origins[0]),
        tmp_path / "out",
        "-s",
        "NEWSARCHIVE_FOLLOW_MAX_PAGES=3",
    )
    assert run["result"].returncode == 0, run["result"].stderr[-3000:]
    guessed = {*COMMON_FEED_PATHS, *COMMON_SITEMAP_PATHS, "/robots.txt", "/sitemap-news.xml"}
    pages = [
        target
        for target in _asked(own, before)
        if target not in guessed and not target.lower().startswith("/detail/")
    ]
    assert len(pages) == 3, pages  # the front page and two more
    assert run["report"]["counts"]["skipped/follow_limit"] > 0
    assert "not following more links: 3 pages asked" in run["result"].stderr


def test_a_minimal_profile_matching_no_article_is_an_alert(
    servers: tuple[LocalSite, LoopbackServers, LoopbackServers], tmp_path: Path
) -> None:
    _, own, _ = servers
    profile = minimal_profile(tmp_path / "wrong.toml", own.origins[0], r"^/story/(?P<id>\d+)$")
    run = crawl(profile, tmp_path / "out")
    assert run["result"].returncode == 1
    assert "no article URL among the" in run["result"].stderr
    assert run["ids"] == set()


def test_robots_txt_names_the_sitemaps(tmp_path: Path) -> None:
    """robots.txt's Sitemap: lines are read (one on another host is not asked), and then no
    sitemap path is guessed."""
    articles = generate_articles(24)
    site = LocalSite(articles)
    with (
        LoopbackServers(site, ["127.0.0.1"]) as own,
        LoopbackServers(site, ["127.0.0.6"]) as foreign,
    ):
        site.routes["/"] = Reply.html("<html><body><p>Nothing linked here.</p></body></html>")
        site.routes["/maps/news.xml"] = site.routes.pop("/sitemap-news.xml")
        del site.routes["/sitemap.xml"], site.routes["/rss.xml"]
        site.routes["/robots.txt"] = Reply(
            200,
            f"User-agent: *\nSitemap: {own.origins[0]}/maps/news.xml\n"
            f"Sitemap: {foreign.origins[0]}/sitemap.xml\n".encode(),
            [("Content-Type", "text/plain")],
        )
        run = crawl(minimal_profile(tmp_path / "minimal.toml", own.origins[0]), tmp_path / "out")
        asked = _asked(own, 0)
        assert run["result"].returncode == 0, run["result"].stderr[-3000:]
        assert "/maps/news.xml" in asked
        assert not set(COMMON_SITEMAP_PATHS) & set(asked)
        assert foreign.requests == []
        in_sitemap = articles[FEED_SIZE : FEED_SIZE * 2]
        assert in_sitemap and {f"{SITE}:{a.id}" for a in in_sitemap} <= run["ids"]


# -- the profile and the page reading, without a crawl ----------------------------------------


def test_follow_links_defaults_to_two_for_a_profile_naming_nothing_to_read() -> None:
    base = 'name = "x"\nprimary = "https://example.com"\narticle_url = "^/a/"\n'
    assert parse_profile(base).link_depth == 2
    assert parse_profile(base).finds_feeds
    listed = parse_profile(base + 'listings = ["/news"]\n')
    assert listed.link_depth == 0 and not listed.finds_feeds
    assert parse_profile(base + 'listings = ["/news"]\nfollow_links = 1\n').link_depth == 1
    assert parse_profile(base + "follow_links = 0\n").link_depth == 0
    with pytest.raises(ProfileError, match="follow_links must be 0 to 5"):
        parse_profile(base + "follow_links = 9\n")
    with pytest.raises(ProfileError, match="'follow_links' must be an integer"):
        parse_profile(base + 'follow_links = "2"\n')


def test_a_page_declares_its_feeds_and_links() -> None:
    html = (
        b"<html><head>"
        b'<link rel="alternate" type="application/rss+xml" href="/rss">'
        b'<link rel="Alternate" type="application/atom+xml; charset=utf-8" href="atom.xml">'
        b'<link rel="alternate" hreflang="fr" href="/fr/">'
        b'<link rel="stylesheet" type="text/css" href="/s.css">'
        b'</head><body><a href="/news">News</a><a href="/news?page=2" rel="next">Next</a>'
        b"</body></html>"
    )
    page = read_site_page("https://example.com/section/", html, "text/html")
    assert page.feeds == ["https://example.com/rss", "https://example.com/section/atom.xml"]
    assert page.links == ["https://example.com/news", "https://example.com/news?page=2"]
    assert page.next_page == "https://example.com/news?page=2"
