"""Site profiles: loading, validation with one-line errors, and URL matching across hosts."""

from __future__ import annotations

import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from scraper.sites import article_pattern
from scraper.sites.profile import ProfileError, load_profile, parse_profile, with_origins

VALID = """
name = "example"
primary = "https://www.example.com"
mirrors = ["https://example.net"]
aliases = ["example.com"]
feeds = ["/rss.xml"]
article_url = '^/news/(?P<id>\\d+)'
"""


def test_builtin_presstv_profile_has_real_hosts() -> None:
    profile = load_profile("presstv")
    assert profile.primary == "https://www.presstv.ir"
    assert profile.mirrors == (
        "https://www.presstv.co.uk",
        "https://www.presstv.com",
        "https://presstv.tv",
    )
    assert profile.feeds == ("/rss.xml",)
    assert profile.sitemaps == ("/sitemap.xml",)
    assert all(path.startswith("/Section/") for path in profile.listings)
    assert profile.extractor == "presstv"
    assert profile.timezone == "Asia/Tehran"


@pytest.mark.parametrize(
    "url",
    [
        "https://www.presstv.ir/Detail/2023/02/19/698345/Russia-West-peace",
        "http://www.presstv.com/detail/2013/11/12/698345/us-writers-scared-silent-by-nsa-spying/",
        "https://presstv.ir/Detail/2023/02/19/698345/Hezbollah-%E2%80%98massacre%E2%80%99",
        "https://www.presstv.co.uk/Detail/2023/02/19/698345/",
    ],
)
def test_article_urls_on_every_host_share_one_id(url: str) -> None:
    profile = load_profile("presstv")
    article = profile.match_article(url)
    assert article is not None
    assert profile.article_id(article) == "presstv:698345"
    assert profile.canonical_url(article).startswith("https://www.presstv.ir/")


@pytest.mark.parametrize(
    "url",
    [
        "https://www.presstv.ir/Section/101",
        "https://evil.example/Detail/2023/02/19/698345/x",
        "ftp://www.presstv.ir/Detail/2023/02/19/698345/x",
    ],
)
def test_non_articles_and_foreign_hosts_do_not_match(url: str) -> None:
    assert load_profile("presstv").match_article(url) is None


def test_article_url_dates_the_article() -> None:
    article = load_profile("presstv").match_article(
        "https://www.presstv.ir/Detail/2016/04/09/459911/x-/"
    )
    assert article is not None and article.published_day is not None
    assert article.published_day.isoformat() == "2016-04-09"


def test_profile_with_loopback_origins_and_ports() -> None:
    profile = parse_profile(
        VALID.replace("https://www.example.com", "http://127.0.0.1:8081").replace(
            "https://example.net", "http://127.0.0.2:8082"
        )
    )
    assert profile.owns("http://127.0.0.2:8082/x")
    assert not profile.owns("http://127.0.0.2:9999/x")
    assert profile.match_article("http://127.0.0.1:8081/news/5") is not None


def test_with_origins_replaces_primary_and_mirrors() -> None:
    profile = with_origins(parse_profile(VALID), ["http://127.0.0.1:1", "http://127.0.0.2:2"])
    assert profile.origins == ("http://127.0.0.1:1", "http://127.0.0.2:2")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (VALID + 'colour = "red"\n', "unknown key 'colour'"),
        (VALID.replace("(?P<id>", "(?P<id"), "not a valid regular expression"),
        (
            VALID.replace('primary = "https://www.example.com"\n', ""),
            "missing required key 'primary'",
        ),
        (VALID.replace('"https://example.net"', '"example.net"'), "must be absolute"),
        (VALID.replace('"/rss.xml"', '"rss.xml"'), "must be a path starting with '/'"),
        (VALID + 'extractor = "nosuch"\n', "unknown extractor 'nosuch'"),
        (VALID + 'timezone = "Mars/Olympus"\n', "unknown timezone"),
        (VALID.replace('feeds = ["/rss.xml"]', 'feeds = "/rss.xml"'), "'feeds' must be a list"),
        ("name = [unclosed", "not valid TOML"),
        # an endless delay held every request for ever (issue 21, item 9)
        (VALID + "[access]\ndownload_delay = inf\n", "download_delay must be 0 to 3600"),
        (VALID + "[access]\ndownload_delay = nan\n", "download_delay must be 0 to 3600"),
        (VALID + "[access]\ndownload_delay = 1e308\n", "download_delay must be 0 to 3600"),
        (VALID + "[access]\ndownload_delay = -1\n", "download_delay must be 0 to 3600"),
    ],
)
def test_broken_profiles_are_refused_with_one_line(text: str, message: str) -> None:
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, source="site.toml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("site.toml: ")
    assert "\n" not in str(caught.value)


def test_unknown_builtin_name_lists_the_known_ones() -> None:
    with pytest.raises(ProfileError, match="presstv"):
        load_profile("nosuchsite")


@pytest.mark.parametrize("content", [b"\x89PNG\r\n\x1a\n\x00\x00", b"name = 'x'\nprimary = 3\n"])
def test_cli_exits_2_with_one_line_on_a_broken_profile(tmp_path: Path, content: bytes) -> None:
    profile = tmp_path / "broken.toml"
    profile.write_bytes(content)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "scraper.cli",
            "crawl",
            str(profile),
            "--out",
            str(tmp_path / "out"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("newsarchive: error: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_presstv_profile_has_an_id_only_canonical_path() -> None:
    profile = load_profile("presstv")
    assert profile.canonical_path == "/Detail/{year}/{month}/{day}/{id}"
    article = profile.match_article("https://presstv.tv/detail/2023/02/19/698345/Some-slug-/")
    assert article is not None
    assert profile.canonical_url(article) == "https://www.presstv.ir/Detail/2023/02/19/698345"


def test_canonical_path_over_pattern_groups_is_accepted() -> None:
    profile = parse_profile(VALID + 'canonical_path = "/news/{id}"\n')
    assert profile.canonical_path == "/news/{id}"
    article = profile.match_article("https://example.net/news/5?utm_source=x")
    assert article is not None
    assert profile.canonical_url(article) == "https://www.example.com/news/5"
    assert profile.article_id(article) == "example:5"


def test_a_profile_without_canonical_path_has_none() -> None:
    assert parse_profile(VALID).canonical_path is None


@pytest.mark.parametrize(
    ("canonical_path", "message"),
    [
        (
            "/news/{slug}",
            "canonical_path '/news/{slug}' names unknown group {slug} (article_url groups: id)",
        ),
        ("/news/{}", "names unknown group {}"),
        ("/news/{id.real}", "names unknown group {id.real}"),
        ("/news/{id[0]}", "names unknown group {id[0]}"),
        ("/news/{id:>08}", "without a format spec or conversion"),
        ("/news/{id!r}", "without a format spec or conversion"),
        ("/news/{id", "not a valid format string"),
        ("/news/id}", "not a valid format string"),
        ("news/{id}", "must be a path starting with '/'"),
        ("//evil.com/{id}", "must be a path starting with '/'"),
        ("/news/{id}#top", "must be a path starting with '/'"),
    ],
)
def test_broken_canonical_path_is_refused_with_one_line(canonical_path: str, message: str) -> None:
    text = VALID + f"canonical_path = '{canonical_path}'\n"
    with pytest.raises(ProfileError) as caught:
        parse_profile(text, source="site.toml")
    assert message in str(caught.value)
    assert str(caught.value).startswith("site.toml: ")
    assert "\n" not in str(caught.value)


def test_canonical_path_must_be_a_string() -> None:
    with pytest.raises(ProfileError, match="'canonical_path' must be a string, not an integer"):
        parse_profile(VALID + "canonical_path = 3\n")


def test_a_value_of_the_wrong_type_is_named_in_tomls_words() -> None:
    """Not "must be a int, not str" (issue 22, item 11)."""
    with pytest.raises(ProfileError) as caught:
        parse_profile(VALID + 'max_listing_pages = "20"\n')
    assert str(caught.value).endswith("'max_listing_pages' must be an integer, not a string")


def test_canonical_path_with_an_optional_group_that_did_not_match() -> None:
    pattern = "'^/news/(?P<id>\\d+)(?:/(?P<part>\\d+))?$'"
    text = (
        VALID.replace("'^/news/(?P<id>\\d+)'", pattern) + 'canonical_path = "/news/{id}/{part}"\n'
    )
    assert pattern in text
    profile = parse_profile(text)
    with_part = profile.match_article("https://www.example.com/news/5/2")
    without_part = profile.match_article("https://www.example.com/news/5")
    assert with_part is not None and without_part is not None
    assert profile.canonical_url(with_part) == "https://www.example.com/news/5/2"
    assert profile.canonical_url(without_part) == "https://www.example.com/news/5/"


def test_www_and_bare_forms_of_declared_hosts_match_but_look_alikes_do_not() -> None:
    profile = parse_profile(VALID)
    assert profile.owns("https://www.example.net/x")  # mirror example.net, www. added
    assert profile.owns("https://example.com/x")  # primary www.example.com, www. removed
    assert not profile.owns("https://www.example.com.evil.net/x")
    assert not profile.owns("https://notexample.net/x")


@pytest.mark.timeout(20)
@pytest.mark.parametrize("pattern", [r"^/(\w+\s?)*$", r"^/(?P<id>a|a)*$"])
def test_an_article_url_that_backtracks_without_end_cannot_stall_a_crawl(pattern: str) -> None:
    """``re`` takes years on these with a 60-character link; the profile's pattern answers
    at once, or gives up after its time bound and counts the link as no article."""
    profile = parse_profile(
        f'name = "slow"\nprimary = "https://example.org"\narticle_url = \'{pattern}\'\n'
    )
    link = "https://example.org/" + "a" * 60 + "!"
    for _ in range(3):
        assert profile.match_article(link) is None
    assert profile.match_article("https://example.org/" + "a" * 10) is not None


def test_a_path_matched_before_gives_the_same_answer_from_memory() -> None:
    pattern = article_pattern.ArticlePattern(r"^/news/(?P<id>\d+)$")
    first = pattern.match("/news/5")
    assert first is not None and pattern.match("/news/5") is first  # remembered, not re-run
    assert pattern.match("/about") is None and pattern.match("/about") is None
    long_path = "/news/" + "1" * 400  # too long to remember: matched afresh each time
    matched = pattern.match(long_path)
    assert matched is not None and pattern.match(long_path) is not matched


def test_remembered_paths_are_bounded_and_stay_in_their_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(article_pattern, "_REMEMBERED", 10)
    pattern = article_pattern.ArticlePattern(r"^/news/(?P<id>\d+)$")
    for number in range(25):
        assert pattern.match(f"/news/{number}") is not None
    assert pattern._remembered.cache_info().currsize <= 10
    copy = pickle.loads(pickle.dumps(pattern))
    assert copy._remembered.cache_info().currsize == 0 and copy == pattern
    assert copy.match("/news/3") is not None and copy.match("/x") is None
