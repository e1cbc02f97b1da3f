"""``--max-articles`` and ``--since`` bound a run; ``scrapy crawl`` runs the same spider."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, write_profile
from tests.conftest import newsarchive_command

REPO = Path(__file__).resolve().parents[1]


def run_crawl(
    servers: LoopbackServers, tmp_path: Path, *options: str
) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
    profile = write_profile(tmp_path / "localnews.toml", servers.origins)
    out = tmp_path / "out"
    result = subprocess.run(
        [*newsarchive_command(), "crawl", str(profile), "--out", str(out), *options],
        capture_output=True,
        text=True,
        timeout=180,
    )
    records = [
        json.loads(line)
        for path in (out / "json" / "localnews").glob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    return result, records


def test_max_articles_bounds_the_run(
    local_site: tuple[LocalSite, LoopbackServers], tmp_path: Path
) -> None:
    _site, servers = local_site
    result, records = run_crawl(servers, tmp_path, "--max-articles", "7")
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(records) == 7
    assert len({r["id"] for r in records}) == 7
    # the closing summary says what the run archived (issue 15, item 8)
    days = sorted(r["published"][:10] for r in records)
    [archived] = [line for line in result.stderr.splitlines() if "archived: " in line]
    assert f"archived: 7 records, published {days[0]}" in archived
    assert re.search(r"; \d+(\.\d)? (kB|MB) of WARC written", archived), archived


def test_since_skips_older_articles(
    local_site: tuple[LocalSite, LoopbackServers], tmp_path: Path
) -> None:
    site, servers = local_site
    since = "2023-02-15"
    result, records = run_crawl(servers, tmp_path, "--since", since)
    assert result.returncode == 0, result.stderr[-3000:]
    expected = {
        f"localnews:{a.id}" for a in site.articles if a.published.date().isoformat() >= since
    }
    assert {r["id"] for r in records} == expected
    assert all(r["published"][:10] >= since for r in records)


def test_bad_since_is_a_usage_error(
    local_site: tuple[LocalSite, LoopbackServers], tmp_path: Path
) -> None:
    _site, servers = local_site
    result, records = run_crawl(servers, tmp_path, "--since", "last tuesday")
    assert result.returncode == 2
    assert "--since" in result.stderr and "Traceback" not in result.stderr
    assert records == []


def test_scrapy_crawl_runs_the_profile_spider(
    local_site: tuple[LocalSite, LoopbackServers], tmp_path: Path
) -> None:
    _site, servers = local_site
    listed = subprocess.run(
        [sys.executable, "-m", "scrapy", "list"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert "presstv" in listed.stdout.split()
    profile = write_profile(tmp_path / "localnews.toml", servers.origins)
    out = tmp_path / "out"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "news",
            "-a",
            f"profile={profile}",
            "-a",
            "max_articles=3",
            "-s",
            f"ARCHIVE_DIR={out}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    lines = [
        line
        for path in (out / "json" / "localnews").glob("*.jsonl")
        for line in path.read_text().splitlines()
    ]
    assert len(lines) == 3
    assert list((out / "warc" / "localnews").glob("*.warc.gz"))


def test_a_generic_profile_archives_the_site(
    local_site: tuple[LocalSite, LoopbackServers], tmp_path: Path
) -> None:
    site, servers = local_site
    profile = write_profile(
        tmp_path / "generic.toml", servers.origins, name="genericnews", extractor="generic"
    )
    out = tmp_path / "out"
    result = subprocess.run(
        [*newsarchive_command(), "crawl", str(profile), "--out", str(out), "--max-articles", "12"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    records = [
        json.loads(line)
        for path in (out / "json" / "genericnews").glob("*.jsonl")
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    assert len(records) == 12
    samples = {f"genericnews:{a.id}": a for a in site.articles}
    for record in records:
        article = samples[record["id"]]
        assert article.title in record["title"], record["id"]
        if site.template(article) == "modern":  # the legacy template has no date metadata
            assert record["published"] == article.published.isoformat(), record["id"]
        first = article.paragraphs[0].replace("\u00a0", " ")[:60]
        assert first in record["body"], record["id"]
        for boilerplate in ("SHARE THIS ARTICLE", "alternate addresses", "Roku"):
            assert boilerplate not in record["body"], (record["id"], boilerplate)


def test_a_page_over_the_extraction_limit_is_archived_and_reported_not_parsed(
    local_site: tuple[LocalSite, LoopbackServers], tmp_path: Path
) -> None:
    """The local site's article pages are 50-70 KB: under a 20 KB limit every one is archived
    (WARC) and reported "too large to extract", none given to the page object."""
    _site, servers = local_site
    result, records = run_crawl(
        servers,
        tmp_path,
        "--max-articles",
        "3",
        "-s",
        "NEWSARCHIVE_EXTRACT_MAX_BYTES=20000",
    )
    assert result.returncode == 1, result.stderr[-3000:]
    assert records == []
    assert "too large to extract" in result.stderr and "limit 20,000" in result.stderr
    [report_path] = (tmp_path / "out" / "runs").glob("*.json")
    report = json.loads(report_path.read_text())
    too_large = [f for f in report["failures"] if "too large to extract" in f["reason"]]
    assert too_large and all("/Detail/" in f["url"] for f in too_large)
    archived = list((tmp_path / "out" / "warc" / "localnews").glob("*.warc.gz"))
    assert archived and sum(p.stat().st_size for p in archived) > 20000


def test_a_profile_whose_article_url_matches_nothing_is_a_failed_run(
    local_site: tuple[LocalSite, LoopbackServers], tmp_path: Path
) -> None:
    """Not "ok: 0 articles": exit 1 and one line with how many links were seen and three
    that did not match (issue 15, item 2)."""
    _site, servers = local_site
    profile = write_profile(tmp_path / "localnews.toml", servers.origins)
    text = profile.read_text()
    start = text.index("article_url = ")
    end = text.index("\n", start)
    profile.write_text(text[:start] + "article_url = '^/nothing/(?P<id>\\d+)$'" + text[end:])
    out = tmp_path / "out"
    result = subprocess.run(
        [*newsarchive_command(), "crawl", str(profile), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 1, result.stderr[-3000:]
    alerts = [line for line in result.stderr.splitlines() if "no article URL among" in line]
    assert alerts, result.stderr[-3000:]
    alert = alerts[-1]  # the closing summary's (the log carries it too)
    assert "ALERT localnews" in alert and "/Detail/" in alert
    seen = int(alert.split("among the ", 1)[1].split()[0])
    assert seen > 10
    # the closing line agrees with the exit status (issue 22, item 4): not "ok: 0 articles"
    closing = result.stderr.strip().splitlines()[-1]
    assert closing.startswith("finished with 1 alert: 0 articles archived"), closing


def test_a_chain_of_sitemap_indexes_is_followed_only_so_deep(tmp_path: Path) -> None:
    """Each index names the next, a hundred deep: a run follows NEWSARCHIVE_SITEMAP_MAX_DEPTH
    of them, says so once, and finishes (issue 15, item 2)."""
    from scraper.demo.server import Reply
    from scraper.demo.site import generate_articles

    site = LocalSite(generate_articles(5))

    def index_of(target: str) -> Reply:
        return Reply.xml(
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{target}</loc></sitemap></sitemapindex>"
        )

    with LoopbackServers(site, ["127.0.0.1", "127.0.0.2"]) as servers:
        origin = servers.origins[0]
        site.routes["/sitemap.xml"] = index_of(f"{origin}/trap/1.xml")
        for n in range(1, 100):
            site.routes[f"/trap/{n}.xml"] = index_of(f"{origin}/trap/{n + 1}.xml")
        result, _records = run_crawl(servers, tmp_path)
    assert result.returncode in (0, 1), result.stderr[-3000:]
    [report_path] = (tmp_path / "out" / "runs").glob("*.json")
    counts = json.loads(report_path.read_text())["counts"]
    assert counts.get("sitemap", 0) <= 4  # /sitemap.xml and three levels below it
    assert counts.get("skipped/sitemap_too_deep") == 1
    assert result.stderr.count("not following sitemap") == 1


@pytest.mark.parametrize(
    ("served", "says"),
    [
        (("image/jpeg", b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40), "served as image/jpeg"),
        (
            ("application/octet-stream", bytes(range(256)) * 40),
            "served as application/octet-stream",
        ),
        (("text/html", bytes(range(256)) * 40), "binary data served as text/html"),
    ],
    ids=["jpeg", "octet-stream", "random-as-html"],
)
def test_garbage_at_an_article_url_is_archived_but_never_a_record(
    tmp_path: Path, served: tuple[str, bytes], says: str
) -> None:
    from scraper.demo.server import Reply
    from scraper.demo.site import generate_articles

    articles = generate_articles(4)
    site = LocalSite(articles)
    content_type, body = served
    with LoopbackServers(site, ["127.0.0.1"]) as servers:
        site.routes[articles[0].path] = Reply(200, body, [("Content-Type", content_type)])
        result, records = run_crawl(servers, tmp_path)
    assert result.returncode == 1, result.stderr[-3000:]
    assert len(records) == 3 and all(
        r["url"].endswith(a.path) is False for r in records for a in articles[:1]
    )
    [report_path] = (tmp_path / "out" / "runs").glob("*.json")
    failures = json.loads(report_path.read_text())["failures"]
    [failure] = [f for f in failures if f["url"].endswith(articles[0].path)]
    assert says in failure["reason"]


def test_a_redirect_loop_and_an_endless_chain_at_article_urls_are_failures(tmp_path: Path) -> None:
    """Scrapy drops both quietly (a duplicate request; "max redirections reached"): here
    each is a failure naming what happened (issue 15, item 2)."""
    from scraper.demo.server import Reply
    from scraper.demo.site import generate_articles

    articles = generate_articles(4)
    site = LocalSite(articles)
    looping, chained = articles[0], articles[1]

    def to(path: str) -> Reply:
        return Reply(302, b"", [("Location", path)])

    with LoopbackServers(site, ["127.0.0.1"]) as servers:
        site.routes[looping.path] = to("/elsewhere")
        site.routes["/elsewhere"] = to(looping.path)
        site.routes[chained.path] = to("/chain/1")
        for n in range(1, 40):
            site.routes[f"/chain/{n}"] = to(f"/chain/{n + 1}")
        result, records = run_crawl(servers, tmp_path)
    assert result.returncode == 1, result.stderr[-3000:]
    assert len(records) == 2
    [report_path] = (tmp_path / "out" / "runs").glob("*.json")
    reasons = {
        f["url"].rsplit("/Detail/", 1)[-1]: f["reason"]
        for f in json.loads(report_path.read_text())["failures"]
    }
    [loop] = [r for u, r in reasons.items() if looping.path.endswith(u)]
    [chain] = [r for u, r in reasons.items() if chained.path.endswith(u)]
    assert loop.startswith("redirect loop: ") and "/elsewhere" in loop
    assert chain.startswith("more than 20 redirects in a row")


def test_a_listing_that_is_a_gzip_bomb_is_a_failure_not_a_skip(tmp_path: Path) -> None:
    import gzip

    from scraper.demo.server import Reply
    from scraper.demo.site import generate_articles

    site = LocalSite(generate_articles(4))
    bomb = gzip.compress(b"<html>" + b" " * (8 << 20), mtime=0)
    with LoopbackServers(site, ["127.0.0.1"]) as servers:
        site.routes["/Section/101"] = Reply(
            200, bomb, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
        )
        result, records = run_crawl(servers, tmp_path, "-s", "DOWNLOAD_MAXSIZE=2000000")
    assert result.returncode == 1, result.stderr[-3000:]
    [report_path] = (tmp_path / "out" / "runs").glob("*.json")
    failures = json.loads(report_path.read_text())["failures"]
    [failure] = [f for f in failures if f["url"].endswith("/Section/101")]
    assert "DOWNLOAD_MAXSIZE" in failure["reason"]
    assert records  # the rest of the site still archived


def test_a_crawl_with_no_host_answering_says_so_once_per_host(tmp_path: Path) -> None:
    """Without a network: one line per host whose robots.txt cannot be fetched, no
    traceback, and no word about the shared crawl a plain crawl is not (issue 15, item 3)."""
    from tests.interop import free_port

    origins = [f"http://127.0.0.1:{free_port()}", f"http://127.0.0.2:{free_port('127.0.0.2')}"]
    profile = write_profile(tmp_path / "localnews.toml", origins)
    result = subprocess.run(
        [
            *newsarchive_command(),
            "crawl",
            str(profile),
            "--out",
            str(tmp_path / "out"),
            "-s",
            "RETRY_TIMES=0",
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    robots = [line for line in result.stderr.splitlines() if "robots.txt of" in line]
    assert sorted(line.split("robots.txt of ")[1].split()[0] for line in robots) == sorted(
        o.removeprefix("http://") for o in origins
    )
    assert "SharedCrawlExtension" not in result.stderr
