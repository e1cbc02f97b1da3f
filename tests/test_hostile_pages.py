"""Pages built to take a crawler's machine (issue 21, items 7 and 8), served on loopback by
``tests/hostile_site.py``: article bodies that never end, stylesheets that import
stylesheets without end.  Each crawl is a subprocess under a memory cap and a time bound."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FAST_CRAWL, memory_cap, newsarchive_command
from tests.hostile_site import HostileSite

# The crawl and everything it holds; before the bound, each endless page took 1.16 GB.
MEMORY_CAP = 2 << 30


def _crawl(site: HostileSite, tmp_path: Path, *options: str) -> tuple[str, int, dict[str, Any]]:
    """The crawl's stderr, exit status and run report."""
    profile = tmp_path / "hostile.toml"
    profile.write_text(site.profile())
    out = tmp_path / "out"
    result = subprocess.run(
        [*newsarchive_command(), "crawl", str(profile), "--out", str(out), *FAST_CRAWL, *options],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=memory_cap(MEMORY_CAP),
        check=False,
    )
    [report_file] = (out / "runs").glob("*.json")
    return result.stderr, result.returncode, json.loads(report_file.read_text())


@pytest.mark.timeout(180)
def test_pages_that_never_end_are_cut_off_reported_too_large_and_the_run_ends(
    tmp_path: Path,
) -> None:
    """Eight endless article pages at once (Scrapy's own limit, 1 GiB, took the machine: no
    progress, no report): each is cut at the page bound, failed as too large in the run
    report, and the two ordinary articles beside them are archived."""
    endless = set(range(1, 9))
    with HostileSite(10, endless) as site:
        stderr, status, report = _crawl(site, tmp_path)
    assert "Traceback" not in stderr and "MemoryError" not in stderr, stderr[-3000:]
    assert status == 1  # pages failed
    failed = {failure["url"]: failure["reason"] for failure in report["failures"]}
    assert set(failed) == {f"{site.origin}/news/{n}" for n in endless}
    assert all(reason.startswith("too large") for reason in failed.values()), failed
    assert report["counts"].get("new") == 2
    assert report["failures_by_reason"] == {"too large": 8}, report["failures_by_reason"]
    assert report["mirrors"][site.origin]["failures"] == {"too_large": 8}
    # each cut off at 32 MiB and a little, not streamed to the end
    assert site.streamed < 8 * (40 << 20)


@pytest.mark.timeout(180)
def test_stylesheets_importing_stylesheets_without_end_are_followed_a_few_levels(
    tmp_path: Path,
) -> None:
    """``--assets page`` on a site whose stylesheets import two more each, level after level
    (26,077 stylesheets were asked, 1,305 levels deep, and the crawl did not end): followed
    NEWSARCHIVE_ASSETS_MAX_DEPTH levels below the page's own, the rest counted and said."""
    from scraper import settings

    depth = settings.NEWSARCHIVE_ASSETS_MAX_DEPTH
    with HostileSite(3, set(), stylesheets=True) as site:
        stderr, status, report = _crawl(site, tmp_path, "--assets", "page")
    assert status == 0, stderr[-3000:]
    # the page's own stylesheet, then two a level (the same two for every article)
    assert site.counts["stylesheet"] == 1 + 2 * depth
    assert site.counts["font"] == depth
    assert report["stats"]["assets/skipped/too_deep"] > 0
    [assets] = [line for line in stderr.splitlines() if "assets: " in line]
    assert "not asked (too_deep " in assets


@pytest.mark.timeout(180)
def test_what_stylesheets_name_counts_in_the_articles_share_of_assets(tmp_path: Path) -> None:
    """Each stylesheet once had a share of its own (20 a level): now one article's page and
    every stylesheet under it take NEWSARCHIVE_ASSETS_MAX_PER_ARTICLE in all."""
    with HostileSite(1, set(), stylesheets=True) as site:
        _, status, report = _crawl(
            site, tmp_path, "--assets", "page", "-s", "NEWSARCHIVE_ASSETS_MAX_PER_ARTICLE=5"
        )
    assert status == 0
    assert site.counts["stylesheet"] + site.counts["font"] == 5
    assert report["stats"]["assets/requested"] == 5
    assert report["stats"]["assets/skipped/over_per_article"] > 0
