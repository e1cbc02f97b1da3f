"""URLs that do not parse (issue 21, item 11): ``https://[username].github.io/`` on a page (a
placeholder copied from a README: urllib raises on a bracketed host that is no address),
``http://[::1`` (an unclosed bracket), ``http://x:99999/`` (Scrapy refuses the port).

A page with such a link still gives its record (the link is skipped); a profile, an option or
``extract --url`` with one is one line and exit 2; a WARC whose embedded profile has one is
replayed as if it carried none. ``scraper/sites/url_syntax.py`` is the one parser."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from archive.extraction import extract_article
from archive.records import article_record
from scraper.demo.server import LoopbackServers, Reply
from scraper.demo.site import LocalSite, generate_articles, write_profile
from scraper.sites import url_syntax
from scraper.sites.feeds import parse_feed, parse_sitemap
from scraper.sites.listing import GenericListingPage
from scraper.sites.mirror_notices import announced_origins
from scraper.sites.presstv import PressTvListingPage
from scraper.sites.profile import ProfileError, load_profile, parse_profile
from scraper.sites.url_syntax import join_url, split_url, url_problem, web_url
from tests.conftest import FAST_CRAWL, run_newsarchive
from tests.interop import read_warcs
from tests.warcs.hostile import write_profiled_warc
from tests.warcs.quirks import HOST, PAGE

FIXTURES = Path(__file__).parent / "fixtures" / "presstv"
BAD_URLS = [
    "https://[username].github.io/",  # a bracketed host that is no address
    "http://[::1",  # an unclosed bracket
    "http://[::1/2024/01/02/x",
    "http://example.org:99999/",  # a port out of range: urlsplit takes it, .port and Scrapy not
    "http://example.org:abc/",
]
# Links, a picture, a canonical and og:url that do not parse, as a careless page has them.
BAD_MARKUP = (
    "".join(f'<a href="{url}">a link</a>' for url in BAD_URLS)
    + '<img src="https://[username].github.io/logo.png">'
    + '<link rel="canonical" href="http://[::1"><meta property="og:url" content="http://[::1">'
)


def test_the_parser() -> None:
    for url in BAD_URLS:
        assert split_url(url) is None and url_problem(url)
        assert join_url("http://example.org/a", url) is None
        assert web_url("http://example.org/a", url) is None
    assert join_url("https://[username].github.io/", "/x") is None
    assert web_url("http://[::1]:8080/a", "b#c") == "http://[::1]:8080/b"
    assert url_problem("http://example.org:99999/") == "has no valid port (1-65535)"
    assert url_problem("http://[::1").startswith("has no valid host")  # type: ignore[union-attr]


def with_bad_links(html: str) -> str:
    head, _, tail = html.rpartition("</body>")
    return f"{head}{BAD_MARKUP}</body>{tail}"


@pytest.mark.parametrize("extractor", ["presstv", "generic"])
@pytest.mark.parametrize("fixture", ["seed_legacy", "seed_modern"])
def test_a_page_with_links_that_do_not_parse_gives_its_record(fixture: str, extractor: str) -> None:
    """The Press TV page object raised ValueError on the first such link: the article lost."""
    url = json.loads((FIXTURES / fixture / "meta.json").read_text())["url"]
    html = (FIXTURES / fixture / "page.html").read_text(encoding="utf-8")
    profile = load_profile("presstv")
    records = []
    for page in (html, with_bad_links(html)):
        result = extract_article(extractor, url, page.encode(), None, "Asia/Tehran")
        assert result.article is not None
        records.append(
            article_record(profile, url, result.article, urls=[url], fetched_at=None, warc=None)
        )
    clean, careless = (record.to_dict() for record in records)
    for field in ("id", "canonical_url", "title", "body", "published", "images"):
        assert careless[field] == clean[field], field


def test_listing_pages_feeds_and_notices_skip_what_does_not_parse() -> None:
    base = "https://www.presstv.ir/Section/101"
    good = "https://www.presstv.ir/Detail/2023/02/19/698345/Good"
    html = f'<html><body><a href="{good}">good</a>{BAD_MARKUP}</body></html>'
    assert PressTvListingPage(base, html).article_links() == [good]
    assert GenericListingPage(base, html).article_links() == [good]
    items = "".join(f"<item><link>{u}</link></item>" for u in [*BAD_URLS, good])
    rss = f"<rss><channel>{items}</channel></rss>".encode()
    assert [entry.url for entry in parse_feed(base, rss)] == [good]
    urls = "".join(f"<url><loc>{u}</loc></url>" for u in [*BAD_URLS, good])
    sitemap = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    assert [entry.url for entry in parse_sitemap(base, sitemap.encode()).pages] == [good]
    notice = (
        "<p>Our new address: news.example.org:99999 and good.example.org</p>"
        "<p>The site can also be accessed at the following alternate addresses: "
        '<a href="http://[::1">[::1</a> <a href="https://[username].github.io/">mirror.example</a></p>'
    )
    # the links are skipped, the port past 65535 too; the names written out are read
    assert announced_origins(notice, base) == ["https://good.example.org", "https://mirror.example"]


def profile_text(primary: str = f"http://{HOST}", **extra: str) -> str:
    lines = [
        'name = "news"',
        f'primary = "{primary}"',
        r"article_url = '^/(?P<year>\d{4})/(?P<month>\d{2})/(?P<day>\d{2})/(?P<id>[a-z0-9-]+)$'",
    ]
    return "\n".join([*lines, *(f"{key} = {value}" for key, value in extra.items())]) + "\n"


@pytest.mark.parametrize(
    "text",
    [
        profile_text("http://[::1"),
        profile_text("https://[username].github.io"),
        profile_text(mirrors='["http://[::1"]'),
        profile_text(mirrors='["http://example.org:99999"]'),
        profile_text(aliases='["[::1"]'),
        profile_text(**{"[access]\nproxy": '"socks5h://[::1"'}),
    ],
    ids=["primary", "primary-name", "mirror", "mirror-port", "alias", "proxy"],
)
def test_a_profile_url_that_does_not_parse_is_a_profile_error(text: str) -> None:
    with pytest.raises(ProfileError) as refused:
        parse_profile(text, source="bad.toml")
    assert "\n" not in str(refused.value) and "bad.toml" in str(refused.value)


@pytest.mark.parametrize(
    "argv",
    [
        "crawl PROFILE --out OUT",
        "crawl news --out OUT --mirrors http://[::1",
        "crawl news --out OUT --mirrors https://[username].github.io",
        "extract PAGE --url http://[::1",
        "extract PAGE --url https://[username].github.io/2024/01/02/x",
        "crawl news --out OUT --redis redis://[::1",
        "state news --out OUT --redis redis://user:secret@[::1",
        "export news --from-index --jsonl - --redis redis://[::1",
    ],
)
def test_a_url_option_or_profile_that_does_not_parse_is_one_line_and_exit_2(
    argv: str, tmp_path: Path
) -> None:
    good = tmp_path / "news.toml"
    good.write_text(profile_text())
    bad = tmp_path / "bad.toml"
    bad.write_text(profile_text(mirrors='["http://[::1"]'))
    (tmp_path / "page.html").write_bytes(PAGE)
    words = {
        "PROFILE": str(bad),
        "news": str(good),
        "OUT": str(tmp_path / "out"),
        "PAGE": str(tmp_path / "page.html"),
    }
    result = run_newsarchive(*(words.get(word, word) for word in argv.split()))
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert result.returncode == 2, result.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith("newsarchive: error: "), lines
    assert "secret" not in lines[0]


def test_an_embedded_profile_with_a_url_that_does_not_parse_is_one_line_and_ignored(
    tmp_path: Path,
) -> None:
    """The second file's profile (the same site, a mirror ``http://[::1``) is refused in one
    line; its articles are read as if it carried none. Captures at addresses that do not
    parse are no article of anyone's, counted by host, never a traceback."""
    first = f"http://{HOST}/2024/01/02/first"
    second = f"http://{HOST}/2024/01/03/second"
    page = with_bad_links(PAGE.decode()).encode()
    write_profiled_warc(tmp_path / "a.warc.gz", [profile_text()], [first], page=page)
    captured = [second, "http://[::1/2024/01/03/third", f"http://{HOST}:99999/2024/01/03/fourth"]
    write_profiled_warc(
        tmp_path / "b.warc.gz", [profile_text(mirrors='["http://[::1"]')], captured, page=page
    )
    out = tmp_path / "out"
    result = run_newsarchive(
        "replay", str(tmp_path / "a.warc.gz"), str(tmp_path / "b.warc.gz"), "--out", str(out),
        "--workers", "0", "--quiet",
    )  # fmt: skip
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    [refused] = [line for line in result.stderr.splitlines() if "embedded profile" in line]
    assert "b.warc.gz" in refused and "http://[::1" in refused and "no valid host" in refused
    [records_file] = (out / "json" / "news").glob("*.jsonl")
    records = [json.loads(line) for line in records_file.read_text().splitlines()]
    assert sorted(r["url"] for r in records) == [first, second]


def test_a_crawl_of_pages_with_links_that_do_not_parse_archives_every_article(
    tmp_path: Path,
) -> None:
    """A real crawl on loopback: every article page, the feed and the listings carry links
    no client can parse. Every article is recorded, its pictures archived; none is lost."""
    articles = generate_articles(9)
    site = LocalSite(articles)
    for path, reply in list(site.routes.items()):
        if reply.body.startswith(b"<") and b"</body>" in reply.body:
            site.routes[path] = Reply.html(with_bad_links(reply.body.decode("utf-8")))
    with LoopbackServers(site, ["127.0.0.1"]) as servers:
        profile = write_profile(tmp_path / "localnews.toml", servers.origins)
        out = tmp_path / "out"
        result = run_newsarchive("crawl", str(profile), "--out", str(out), *FAST_CRAWL, timeout=180)
    log = "".join(p.read_text() for p in (out / "logs").glob("*.log"))
    assert "Traceback" not in result.stderr + log, (result.stderr + log)[-3000:]
    assert result.returncode == 0, result.stderr[-3000:]
    records = [
        json.loads(line)
        for path in (out / "json" / "localnews").glob("*.jsonl")
        for line in path.read_text().splitlines()
    ]
    assert sorted(r["id"] for r in records) == sorted(f"localnews:{a.id}" for a in articles)
    archived = {r.url for r in read_warcs(sorted((out / "warc" / "localnews").glob("*.warc.gz")))}
    pictures: set[Any] = {image["url"] for r in records for image in r["images"]}
    assert pictures and pictures <= archived


def test_a_url_split_before_is_remembered_and_a_long_one_is_not() -> None:
    url = "https://www.example.com/news/5?page=2"
    first = split_url(url)
    assert first is not None and first.path == "/news/5"
    assert split_url(url) is first  # the second ask of a page's link costs a lookup
    assert split_url("http://[::1") is None and split_url("http://[::1") is None
    held = url_syntax._remembered_split.cache_info().currsize
    parts = split_url("https://www.example.com/" + "a" * 2000)
    assert parts is not None and url_syntax._remembered_split.cache_info().currsize == held
