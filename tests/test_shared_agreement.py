"""Workers of one shared crawl (``crawl --redis``) agree on the profile's mirror lists, its
[fields] selectors and on whether onions go through Tor (issue 25): a worker that would read
other lists or pages otherwise, or route onions where another cannot, is refused before it
takes a request. Against a real redis-server on loopback."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from scrapy.settings import Settings

from scraper.shared.crawl import SharedCrawl, SharedCrawlError, check_redis
from scraper.sites.profile import SiteProfile, load_profile
from scraper.sites.profile_fields import FieldSelector, FieldSelectors
from tests.conftest import newsarchive_command
from tests.redis_server import needs_redis_server, redis_url  # noqa: F401 - a fixture

pytestmark = needs_redis_server

PROFILE = (
    'name = "agree"\nprimary = "http://127.0.0.1:9"\n'  # nothing listens on port 9
    "article_url = '^/news/(?P<id>\\d+)$'\n"
)


def settings_for(url: str) -> Settings:
    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    settings.set("REDIS_URL", url, priority="cmdline")
    return settings


def with_tor(profile: SiteProfile, tor: str) -> SiteProfile:
    return replace(profile, access=replace(profile.access, tor=tor))


@pytest.fixture
def first_worker(redis_url: str, tmp_path: Path) -> Iterator[tuple[Path, SiteProfile]]:  # noqa: F811
    """A worker with the plain profile (no list, no Tor) in the run."""
    path = tmp_path / "agree.toml"
    path.write_text(PROFILE)
    profile = load_profile(path)
    shared = SharedCrawl.for_run(settings_for(redis_url), profile)
    assert shared is not None
    try:
        yield path, profile
    finally:
        shared.leave()
        shared.close()


def test_a_worker_with_other_mirror_lists_or_tor_is_refused(
    first_worker: tuple[Path, SiteProfile],
    redis_url: str,  # noqa: F811
) -> None:
    _, profile = first_worker
    settings = settings_for(redis_url)
    assert check_redis(redis_url, profile, settings) is None  # the same profile joins
    listed = replace(profile, mirror_lists=("mirrorSites.json",))
    onions = with_tor(profile, "socks5h://127.0.0.1:9050")
    selectors = replace(profile, fields=FieldSelectors(title=FieldSelector("h1.headline")))
    for other in (listed, onions, selectors):
        problem = check_redis(redis_url, other, settings)
        assert problem is not None and "mirror lists, [fields] or Tor route" in problem
        with pytest.raises(SharedCrawlError, match="--tor"):
            SharedCrawl.for_run(settings, other)


def test_workers_with_tor_on_different_ports_agree(redis_url: str, tmp_path: Path) -> None:  # noqa: F811
    """Each machine has its own Tor: that onions go through one is what they agree on."""
    (tmp_path / "agree.toml").write_text(PROFILE)
    profile = with_tor(load_profile(tmp_path / "agree.toml"), "socks5h://127.0.0.1:9050")
    settings = settings_for(redis_url)
    shared = SharedCrawl.for_run(settings, profile)
    assert shared is not None
    try:
        elsewhere = with_tor(profile, "socks5h://10.0.0.7:9150")
        assert check_redis(redis_url, elsewhere, settings) is None
        assert check_redis(
            redis_url, replace(profile, access=replace(profile.access, tor=None)), settings
        )
    finally:
        shared.leave()
        shared.close()


def test_crawl_with_tor_beside_a_worker_without_is_one_line_and_exit_2(
    first_worker: tuple[Path, SiteProfile],
    redis_url: str,  # noqa: F811
    tmp_path: Path,
) -> None:
    path, _ = first_worker
    result = subprocess.run(
        [
            *newsarchive_command(),
            "crawl",
            str(path),
            "--out",
            str(tmp_path / "out"),
            "--redis",
            redis_url,
            "--tor",
            "socks5h://127.0.0.1:9",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "mirror lists, [fields] or Tor route" in lines[0], lines
