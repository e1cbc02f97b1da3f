"""Page assets (issue 16, item 4): each article's pictures archived after it, from whichever
mirror serves them, a picture many articles use stored once (then revisited), bounded in size
and count; ``--assets page`` adds what the page loads; ``--assets none`` archives HTML only."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

from scraper.demo.model import SampleImage
from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, generate_articles, picture, seized, write_profile
from tests.conftest import FAST_CRAWL, newsarchive_command
from tests.interop import read_warcs

ARTICLES = 8
SHARED = "/photo/shared/logo-of-the-week.jpg"


def site_with_a_shared_picture() -> LocalSite:
    articles = generate_articles(ARTICLES)
    for article in articles[1:4]:  # three articles show the same picture besides their own
        article.images = [*article.images, SampleImage(SHARED, "The week in pictures")]
    return LocalSite(articles)


def crawl(profile: Path, out: Path, *options: str) -> subprocess.CompletedProcess[str]:
    command = [*newsarchive_command(), "crawl", str(profile), "--out", str(out), *FAST_CRAWL]
    return subprocess.run([*command, *options], capture_output=True, text=True, timeout=180)


def records(out: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in (out / "json" / "localnews").glob("*.jsonl")
        for line in path.read_text().splitlines()
    ]


def captures(out: Path) -> list[Any]:
    return [
        r
        for r in read_warcs(sorted((out / "warc" / "localnews").glob("*.warc.gz")))
        if r.type in ("response", "revisit")
    ]


def test_every_picture_is_archived_after_its_article_once(tmp_path: Path) -> None:
    site = site_with_a_shared_picture()
    with LoopbackServers(site, ["127.0.0.1", "127.0.0.2"]) as servers:
        site.behaviours["127.0.0.1"] = seized()  # the primary's pictures are a banner
        profile = write_profile(tmp_path / "localnews.toml", servers.origins)
        out = tmp_path / "out"
        result = crawl(profile, out)
    assert result.returncode == 0, result.stderr[-3000:]
    got = records(out)
    assert len(got) == ARTICLES
    by_url = {}
    for record in captures(out):
        by_url.setdefault(record.url, []).append(record)
    pictures = {image["url"] for r in got for image in r["images"]}
    assert len(pictures) == ARTICLES + 1  # each article's own, and the shared one
    for url in pictures:
        served = [c for c in by_url.get(url, []) if c.type == "response"]
        assert served, f"{url}: not archived"
        path = "/" + url.split("/", 3)[3]
        assert served[-1].payload == picture(path).body  # the picture, not the banner
        assert served[-1].http.get_header("Content-Type") == "image/jpeg"
    # a picture used by three articles is asked (and stored) once
    shared = [c for url, cs in by_url.items() if url.endswith(SHARED) for c in cs]
    assert len([c for c in shared if c.type == "response"]) == 1
    assert "assets: " in result.stderr and " fetched (" in result.stderr


def test_the_same_picture_next_run_is_a_revisit(tmp_path: Path) -> None:
    site = site_with_a_shared_picture()
    with LoopbackServers(site, ["127.0.0.1"]) as servers:
        profile = write_profile(tmp_path / "localnews.toml", servers.origins)
        out = tmp_path / "out"
        first = crawl(profile, out)
        # a new article showing the shared picture: fetched again, stored as a revisit
        newest = replace(site.articles[1], id=900_100, slug="New-story")
        site.articles.insert(0, newest)
        site.rebuild()
        second = crawl(profile, out)
    assert first.returncode == 0 and second.returncode == 0, second.stderr[-3000:]
    shared = [c for c in captures(out) if (c.url or "").endswith(SHARED)]
    assert [c.type for c in shared] == ["response", "revisit"]


def test_assets_none_archives_html_only_and_page_adds_what_the_page_loads(
    tmp_path: Path,
) -> None:
    site = LocalSite(generate_articles(3))
    with LoopbackServers(site, ["127.0.0.1"]) as servers:
        profile = write_profile(tmp_path / "localnews.toml", servers.origins)
        bare = crawl(profile, tmp_path / "bare", "--assets", "none")
        full = crawl(profile, tmp_path / "full", "--assets", "page")
    assert bare.returncode == 0 and full.returncode == 0, full.stderr[-3000:]
    assert not [c for c in captures(tmp_path / "bare") if "/photo/" in (c.url or "")]
    loaded = {c.url.split("/", 3)[3] for c in captures(tmp_path / "full") if c.url}
    assert any(url.startswith("photo/") for url in loaded)
    assert "images/placeholder.png" in loaded or "Content/images/blank.gif" in loaded


def test_assets_are_bounded_in_size_and_count(tmp_path: Path) -> None:
    site = site_with_a_shared_picture()
    with LoopbackServers(site, ["127.0.0.1"]) as servers:
        profile = write_profile(tmp_path / "localnews.toml", servers.origins)
        small = crawl(profile, tmp_path / "small", "-s", "NEWSARCHIVE_ASSETS_MAX_BYTES=1000")
        few = crawl(profile, tmp_path / "few", "-s", "NEWSARCHIVE_ASSETS_MAX_PER_ARTICLE=1")
    assert small.returncode == 0, small.stderr[-3000:]  # a picture lost is not a page lost
    assert few.returncode == 0, few.stderr[-3000:]
    [report] = [json.loads(p.read_text()) for p in (tmp_path / "small" / "runs").glob("*.json")]
    assert report["stats"]["assets/failed"] == report["stats"]["assets/requested"]
    assert "not archived" in small.stderr
    [report] = [json.loads(p.read_text()) for p in (tmp_path / "few" / "runs").glob("*.json")]
    assert report["stats"]["assets/skipped/over_per_article"] == 3  # the shared picture, thrice
