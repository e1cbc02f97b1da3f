"""A seized banner where a picture should be fails over (issue 22, "tests that cannot see their
feature"): in ``tests/test_page_assets.py`` the seized primary serves no article, so every
picture is asked of the mirror that served its article and no picture request reaches the
seized host. Here the primary serves its articles and a banner at every picture's address:
each picture is asked of it, found to be an HTML page, and archived from the next mirror.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from scraper.demo.server import LoopbackServers, Reply, Request
from scraper.demo.site import SEIZURE_PAGE, LocalSite, generate_articles, picture, write_profile
from tests.conftest import FAST_CRAWL, newsarchive_command
from tests.interop import read_warcs

ARTICLES = 4


def banner_for_pictures(request: Request, reply: Reply) -> Reply:
    return Reply.html(SEIZURE_PAGE) if request.target.startswith("/photo/") else reply


def test_a_banner_where_a_picture_should_be_fails_over(tmp_path: Path) -> None:
    site = LocalSite(generate_articles(ARTICLES))
    site.behaviours["127.0.0.1"] = banner_for_pictures
    with LoopbackServers(site, ["127.0.0.1", "127.0.0.2"]) as servers:
        primary, mirror = servers.origins
        profile = write_profile(tmp_path / "localnews.toml", servers.origins)
        out = tmp_path / "out"
        command = [*newsarchive_command(), "crawl", str(profile), "--out", str(out), *FAST_CRAWL]
        result = subprocess.run(command, capture_output=True, text=True, timeout=180)
        asked = [(r.host, r.target) for r in servers.requests if r.target.startswith("/photo/")]
    assert result.returncode == 0, result.stderr[-3000:]
    records = [
        json.loads(line)
        for path in (out / "json" / "localnews").glob("*.jsonl")
        for line in path.read_text().splitlines()
    ]
    assert len(records) == ARTICLES
    pictures = {image["url"] for r in records for image in r["images"]}
    assert pictures and all(url.startswith(primary) for url in pictures)  # named on the primary
    primary_host, mirror_host = primary.split("//")[1], mirror.split("//")[1]
    assert {target for host, target in asked if host == primary_host}  # the path is run
    archived = {
        record.url: record.payload
        for record in read_warcs(sorted((out / "warc" / "localnews").glob("*.warc.gz")))
        if record.type == "response" and record.url and "/photo/" in record.url
    }
    for url in pictures:
        path = "/" + url.split("/", 3)[3]
        assert archived.get(mirror + path) == picture(path).body, url  # the picture itself
        assert (mirror_host, path) in asked
    [report] = [json.loads(p.read_text()) for p in (out / "runs").glob("*.json")]
    assert report["stats"].get("newsarchive/wrong_page/not_an_asset", 0) >= len(pictures)
    assert not report["stats"].get("assets/failed")
