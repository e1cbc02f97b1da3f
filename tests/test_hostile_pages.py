"""Pages built to take a crawler's machine (issue 21, items 7 and 8), served on loopback by
``tests/hostile_site.py``: article bodies that never end, stylesheets that import
stylesheets without end.  Each crawl is a subprocess under a memory cap and a time bound."""

from __future__ import annotations

import json
import resource
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FAST_CRAWL, newsarchive_command
from tests.hostile_site import HostileSite

# The crawl and everything it holds; before the bound, each endless page took 1.16 GB.
MEMORY_CAP = 2 << 30


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


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
        preexec_fn=_capped,
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
