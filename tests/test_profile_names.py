"""A profile file named like a built-in profile shares the built-in's archive under --out:
said in one warning, before anything is written (issue 22, item 16)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from scraper.demo.site import write_profile
from tests.conftest import newsarchive_command

PRESSTV = Path(__file__).resolve().parents[1] / "scraper" / "sites" / "profiles" / "presstv.toml"
SHADOWS = "names its site 'presstv', as the built-in profile does"


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*newsarchive_command(), *args], capture_output=True, text=True, timeout=120
    )


def test_a_profile_named_like_a_built_in_is_warned_about(tmp_path: Path) -> None:
    shadow = tmp_path / "mine.toml"
    text = PRESSTV.read_text(encoding="utf-8").splitlines()
    # the built-in's text, on a loopback port nothing listens on: the crawl fails fast
    shadow.write_text(
        "\n".join(
            'primary = "http://127.0.0.1:9"'
            if line.startswith("primary =")
            else "mirrors = []"
            if line.startswith("mirrors =")
            else line
            for line in text
        )
        + "\n",
        encoding="utf-8",
    )
    crawl = _run(
        "crawl", str(shadow), "--out", str(tmp_path / "out"), "--quiet", "-s", "RETRY_TIMES=0"
    )
    [warning] = [line for line in crawl.stderr.splitlines() if SHADOWS in line]
    assert warning.startswith(f"newsarchive: warning: {shadow} names its site 'presstv'")
    assert "`state presstv`" in warning
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>hello</p></body></html>", encoding="utf-8")
    extract = _run("extract", str(page), "--url", "http://127.0.0.1:9/x", "--site", str(shadow))
    assert SHADOWS in extract.stderr


def test_the_built_in_and_an_own_name_are_not_warned_about(tmp_path: Path) -> None:
    own = write_profile(tmp_path / "localnews.toml", ["http://127.0.0.1:9"])
    page = tmp_path / "page.html"
    page.write_text("<html><body><p>hello</p></body></html>", encoding="utf-8")
    for site in ("presstv", str(own)):
        result = _run("extract", str(page), "--url", "http://127.0.0.1:9/x", "--site", site)
        assert "as the built-in profile does" not in result.stderr, result.stderr


def test_article_url_is_required_as_the_docs_say() -> None:
    """docs/site-profiles.md names the three required keys (issue 22, item 16)."""
    import pytest

    from scraper.sites.profile import ProfileError, parse_profile

    docs = (PRESSTV.parents[3] / "docs" / "site-profiles.md").read_text(encoding="utf-8")
    assert "Three keys are required: `name`" in docs and "`primary` and `article_url`" in docs
    with pytest.raises(ProfileError, match="missing required key 'article_url'"):
        parse_profile('name = "x"\nprimary = "https://example.org"\n')
