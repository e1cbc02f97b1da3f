"""The run owns the mirror state (``ArchiveRun.of(crawler).mirrors``): the failover middleware
routes by it and feeds it outcomes, and what it learnt is there for every other component,
none of which asks the middleware (docs/architecture.md)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from scraper.crawl_failures import MirrorsExhausted
from scraper.demo.site import write_profile
from scraper.middlewares.mirrors import MirrorFailoverMiddleware
from scraper.run import ArchiveRun
from scraper.run_mirrors import asked_afresh
from scraper.sites.profile import SiteProfile, load_profile
from tests.newsarchive_settings import newsarchive_defaults

PRIMARY, MIRROR = "http://127.0.0.1:8001", "http://127.0.0.2:8001"
MARKER = "this website has been seized"  # as the profile keeps it: lower case


@pytest.fixture
def profile(tmp_path: Path) -> SiteProfile:
    return load_profile(
        write_profile(tmp_path / "site.toml", [PRIMARY, MIRROR], block_markers=[MARKER])
    )


def crawler_with(tmp_path: Path, **settings: object) -> Crawler:
    crawler = get_crawler(
        settings_dict={
            **newsarchive_defaults(),
            "ARCHIVE_DIR": str(tmp_path / "out"),
            "MIRROR_MEMORY_ENABLED": False,
            **settings,
        }
    )
    crawler.stats = MemoryStatsCollector(crawler)  # set by the crawl, which is not started
    return crawler


def test_failover_feeds_the_runs_mirrors_which_every_component_reads(
    tmp_path: Path, profile: SiteProfile
) -> None:
    crawler = crawler_with(tmp_path)
    middleware = MirrorFailoverMiddleware.from_crawler(crawler)
    request = Request(f"{PRIMARY}/news/1", meta={"site_profile": profile})
    assert middleware.process_request(request) is None  # the primary first
    assert request.meta["mirror"] == PRIMARY
    retry = middleware.process_response(
        request, HtmlResponse(request.url, status=503, body=b"down", request=request)
    )
    assert isinstance(retry, Request) and retry.url == f"{MIRROR}/news/1"

    mirrors = ArchiveRun.of(crawler).mirrors
    assert mirrors is not None and mirrors is middleware.mirrors
    report = mirrors.report()
    assert report[PRIMARY]["failures"] == {"http_503": 1}
    assert report[MIRROR]["failures"] == {}

    # the mirror fails too: none left, the spider's vocabulary says so
    with pytest.raises(MirrorsExhausted, match="http 503"):
        middleware.process_response(
            retry, HtmlResponse(retry.url, status=503, body=b"down", request=retry)
        )
    assert mirrors.report()[MIRROR]["failures"] == {"http_503": 1}

    # asked afresh (a mirror joined): back on the primary, its failover history forgotten
    again = asked_afresh(retry, profile)
    assert again.url == f"{PRIMARY}/news/1"
    assert not {"mirror", "mirror_tried", "mirror_attempts"} & set(again.meta)


def test_a_mirror_joining_through_the_run_is_routed_to(
    tmp_path: Path, profile: SiteProfile
) -> None:
    crawler = crawler_with(tmp_path)
    middleware = MirrorFailoverMiddleware.from_crawler(crawler)
    mirrors = ArchiveRun.of(crawler).mirrors
    assert mirrors is not None
    joined = "http://127.0.0.3:8001"
    mirrors.health(profile).add(joined)  # what the spider does when discovery verifies one
    for origin in (PRIMARY, MIRROR):
        mirrors.health(profile).retire(origin)
    request = Request(f"{PRIMARY}/news/2", meta={"site_profile": profile})
    routed = middleware.process_request(request)
    assert isinstance(routed, Request) and routed.url == f"{joined}/news/2"


def test_without_mirror_failover_the_run_has_no_mirrors(tmp_path: Path) -> None:
    crawler = crawler_with(tmp_path, MIRROR_ENABLED=False)
    with pytest.raises(NotConfigured):
        MirrorFailoverMiddleware.from_crawler(crawler)
    assert ArchiveRun.of(crawler).mirrors is None


def test_a_block_marker_is_read_off_the_page_by_the_runs_mirrors(
    tmp_path: Path, profile: SiteProfile
) -> None:
    mirrors = ArchiveRun.of(crawler_with(tmp_path)).mirrors
    assert mirrors is not None
    seized = HtmlResponse(f"{MIRROR}/news/3", body=f"<p>{MARKER}</p>".encode())
    assert mirrors.block_marker(profile, seized) == MARKER
    assert (
        mirrors.block_marker(profile, HtmlResponse(f"{MIRROR}/news/3", body=b"<p>news</p>")) is None
    )
