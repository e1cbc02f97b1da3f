"""A mirror's wrong page at a listing's address (issue 22, item 1): a profile without
``block_markers`` (the demo's) took a seized mirror's banner for a listing, counted it ok and
said "no page failed". A listing with no article link where another mirror's has many, or a
page the mirror serves for every path, now fails over like a feed that is not a feed; a
listing empty on every mirror is the site's own and blames nobody.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from scraper.demo.server import LoopbackServers, Reply, Request
from scraper.demo.site import SEIZURE_PAGE, LocalSite, generate_articles, seized, write_profile
from scraper.spiders.listing_check import NO_ARTICLE_LINKS, SAME_PAGE
from tests.conftest import newsarchive_command

ADDRESSES = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
SETTINGS = [
    "AUTOTHROTTLE_ENABLED=False",
    "NEWSARCHIVE_EXTRACT_WORKERS=0",
    "NEWSARCHIVE_PROGRESS_INTERVAL=0",
    "RETRY_TIMES=0",
    "ARCHIVE_INDEX_ENABLED=False",
]
EMPTY_LISTING = "/Section/777"


@pytest.fixture
def site() -> LocalSite:
    return LocalSite(generate_articles(12))


@pytest.fixture
def servers(site: LocalSite) -> Iterator[LoopbackServers]:
    with LoopbackServers(site, ADDRESSES) as running:
        yield running


def crawl(servers: LoopbackServers, tmp_path: Path, extra_listing: str | None = None) -> dict:
    profile = write_profile(tmp_path / "localnews.toml", servers.origins)
    if extra_listing:
        text = profile.read_text().replace("listings = [", f'listings = ["{extra_listing}", ')
        profile.write_text(text)
    out = tmp_path / "out"
    command = [*newsarchive_command(), "crawl", str(profile), "--out", str(out)]
    for setting in SETTINGS:
        command += ["-s", setting]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    (report,) = (out / "runs").glob("*.json")
    data = json.loads(report.read_text())
    data["records"] = [
        json.loads(line)
        for path in (out / "json" / "localnews").glob("*.jsonl")
        for line in path.read_text().splitlines()
    ]
    data["stderr"] = result.stderr
    return data


def test_a_seized_mirrors_banner_is_no_listing(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    """The demo's case: no block markers, the seized host answers every listing with its
    banner. Not one page of it counts as served; every article comes from the others."""
    site.behaviours[ADDRESSES[0]] = seized()
    report = crawl(servers, tmp_path)
    primary = report["mirrors"][servers.origins[0]]
    assert primary["successes"] == 0, primary
    assert (
        primary["failures"].get(NO_ARTICLE_LINKS, 0) + primary["failures"].get(SAME_PAGE, 0) >= 1
    ), primary
    assert len(report["records"]) == len(site.articles)
    assert all(r["mirror"] != servers.origins[0].split("//")[1] for r in report["records"])


def test_a_page_served_for_every_path_is_no_listing_even_with_an_article_link(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    """A banner that links to one article passes the article-link check; the same bytes
    at every path (the feed's and the articles' wrong pages) give it away."""
    article = site.articles[0].path
    banner = SEIZURE_PAGE.replace("</div>", f'<a href="{article}">our last article</a></div>')
    site.behaviours[ADDRESSES[0]] = seized(banner)
    report = crawl(servers, tmp_path)
    primary = report["mirrors"][servers.origins[0]]
    assert primary["failures"].get(SAME_PAGE, 0) >= 1, primary
    assert len(report["records"]) == len(site.articles)


def test_a_listing_empty_on_every_mirror_blames_nobody(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    """The site's own empty section: asked of every mirror, then taken as it is."""
    empty = "<html><head><title>Nothing yet</title></head><body><a href='/'>home</a></body></html>"
    site.routes[EMPTY_LISTING] = Reply.html(empty)
    report = crawl(servers, tmp_path, EMPTY_LISTING)
    assert report["failure_count"] == 0 and report["status"] == "ok", report["stderr"][-2000:]
    for origin in servers.origins:
        assert NO_ARTICLE_LINKS not in report["mirrors"][origin]["failures"], origin
    assert len(report["records"]) == len(site.articles)
    asked = [r for r in servers.requests if r.target == EMPTY_LISTING]
    assert len(asked) == len(servers.origins)  # each mirror asked once, none blamed


def test_an_empty_listing_on_one_mirror_is_asked_of_the_next(
    site: LocalSite, servers: LoopbackServers, tmp_path: Path
) -> None:
    """The primary serves every listing without its articles (a page of the site's look,
    the links gone): the next mirror serves them, and the primary is blamed."""

    def no_listings(request: Request, reply: Reply) -> Reply:
        if request.target.startswith("/Section/"):
            return Reply.html("<html><body><h1>Sections</h1><a href='/'>home</a></body></html>")
        return reply

    site.behaviours[ADDRESSES[0]] = no_listings
    report = crawl(servers, tmp_path)
    primary = report["mirrors"][servers.origins[0]]
    assert primary["failures"].get(NO_ARTICLE_LINKS, 0) >= 1, primary
    assert len(report["records"]) == len(site.articles)
