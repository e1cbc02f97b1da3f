"""Reaching mirrors (issue 16, item 3): the profile's proxy, per site or per mirror, through a
real proxy server on loopback (pproxy): HTTP, and SOCKS5 with the proxy resolving names
(socks5h, as for onion addresses); a dead proxy is named as such; the profile's politeness
(user agent, headers, cookies, delay and concurrency per host) reaches the site."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from scraper.demo.server import LoopbackServers, Reply, Request
from scraper.demo.site import LocalSite, failing_for, generate_articles, write_profile
from tests.conftest import FAST_CRAWL, newsarchive_command
from tests.proxy_server import free_port, running_proxy

ARTICLES = 6


def with_access(profile: Path, table: str) -> Path:
    profile.write_text(profile.read_text() + "\n[access]\n" + table)
    return profile


def crawl(profile: Path, out: Path, *settings: str) -> subprocess.CompletedProcess[str]:
    command = [*newsarchive_command(), "crawl", str(profile), "--out", str(out), *FAST_CRAWL]
    for setting in ("RETRY_TIMES=0", "DOWNLOAD_TIMEOUT=10", *settings):
        command += ["-s", setting]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


def records(out: Path) -> list[dict[str, Any]]:
    return [
        json.loads(line)
        for path in (out / "json" / "localnews").glob("*.jsonl")
        for line in path.read_text().splitlines()
    ]


def report(out: Path) -> dict[str, Any]:
    [path] = (out / "runs").glob("*.json")
    return json.loads(path.read_text())


def test_a_site_behind_an_http_proxy(tmp_path: Path) -> None:
    site = LocalSite(generate_articles(ARTICLES))
    log = tmp_path / "proxy.log"
    with LoopbackServers(site, ["127.0.0.1"]) as servers, running_proxy("http", log) as proxy:
        profile = write_profile(tmp_path / "localnews.toml", servers.origins)
        with_access(profile, f'proxy = "http://{proxy}"\n')
        result = crawl(profile, tmp_path / "out")
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(records(tmp_path / "out")) == ARTICLES
    host = servers.origins[0].split("//")[1]
    through = [line for line in log.read_text().splitlines() if f"-> {host}" in line]
    assert len(through) >= ARTICLES, log.read_text()[-2000:]


def test_an_onion_like_mirror_through_socks5h_while_the_primary_fails(tmp_path: Path) -> None:
    site = LocalSite(generate_articles(ARTICLES))
    articles = {a.path for a in site.articles}
    site.behaviours["127.0.0.1"] = failing_for(lambda r: r.target in articles)
    log = tmp_path / "proxy.log"
    with (
        LoopbackServers(site, ["127.0.0.1", "127.0.0.2"]) as servers,
        running_proxy("socks5", log, onion_to="127.0.0.2") as proxy,
    ):
        port = servers.origins[1].rsplit(":", 1)[1]
        onion = f"http://mirror.onion.test:{port}"  # only the proxy can resolve this name
        profile = write_profile(tmp_path / "localnews.toml", [servers.origins[0], onion])
        with_access(profile, f'[access.mirror_proxies]\n"{onion}" = "socks5h://{proxy}"\n')
        result = crawl(profile, tmp_path / "out")
    assert result.returncode == 0, result.stderr[-3000:]
    got = records(tmp_path / "out")
    assert len(got) == ARTICLES
    assert {r["mirror"] for r in got} == {f"mirror.onion.test:{port}"}
    through = log.read_text().splitlines()
    assert any(f"-> mirror.onion.test:{port}" in line for line in through)
    # only the onion mirror goes through the proxy: the primary is reached directly
    primary = servers.origins[0].split("//")[1]
    assert not any(f"-> {primary}" in line for line in through)


@pytest.mark.parametrize("kind", ["http", "socks5h"])
def test_a_dead_proxy_is_named_as_such(tmp_path: Path, kind: str) -> None:
    site = LocalSite(generate_articles(ARTICLES))
    dead = f"{kind}://127.0.0.1:{free_port()}"  # nothing listens there
    with LoopbackServers(site, ["127.0.0.1"]) as servers:
        profile = write_profile(tmp_path / "localnews.toml", servers.origins)
        with_access(profile, f'proxy = "{dead}"\n')
        result = crawl(profile, tmp_path / "out")
    assert result.returncode == 1, result.stderr[-3000:]
    mirror = report(tmp_path / "out")["mirrors"][servers.origins[0]]
    assert set(mirror["failures"]) == {"proxy_unreachable"}, mirror
    assert f"proxy {dead} unreachable" in mirror["failure_examples"]["proxy_unreachable"]
    assert "proxy unreachable" in result.stderr  # the ALERT line says what failed


def test_the_profiles_politeness_reaches_the_site(tmp_path: Path) -> None:
    site = LocalSite(generate_articles(ARTICLES))
    seen: list[tuple[float, Request]] = []

    def recording(request: Request) -> Reply:
        seen.append((time.monotonic(), request))
        return site(request)

    with LoopbackServers(recording, ["127.0.0.1"]) as servers:
        profile = write_profile(tmp_path / "localnews.toml", servers.origins)
        with_access(
            profile,
            'user_agent = "polite-archiver/1.0 (+mailto:desk@example.org)"\n'
            "download_delay = 0.2\nconcurrency_per_host = 1\n"
            'headers = { "Accept-Language" = "fa, en;q=0.5" }\n'
            'cookies = { consent = "yes" }\n',
        )
        result = crawl(profile, tmp_path / "out", "RANDOMIZE_DOWNLOAD_DELAY=False")
    assert result.returncode == 0, result.stderr[-3000:]
    pages = [(t, r) for t, r in seen if r.target != "/robots.txt"]
    assert len(pages) >= ARTICLES
    for _t, request in pages:
        assert request.headers["user-agent"] == "polite-archiver/1.0 (+mailto:desk@example.org)"
        assert request.headers["accept-language"] == "fa, en;q=0.5"
        assert "consent=yes" in request.headers.get("cookie", "")
    gaps = [b - a for (a, _), (b, _) in zip(pages, pages[1:])]
    assert min(gaps) >= 0.15, gaps  # one at a time, 0.2 s apart


def test_the_command_line_wins_over_the_profiles_politeness(tmp_path: Path) -> None:
    site = LocalSite(generate_articles(3))
    agents: list[str] = []

    def recording(request: Request) -> Reply:
        agents.append(request.headers.get("user-agent", ""))
        return site(request)

    with LoopbackServers(recording, ["127.0.0.1"]) as servers:
        profile = write_profile(tmp_path / "localnews.toml", servers.origins)
        with_access(profile, 'user_agent = "from-the-profile"\n')
        result = crawl(profile, tmp_path / "out", "USER_AGENT=from-the-command-line")
    assert result.returncode == 0, result.stderr[-3000:]
    assert agents and set(agents) == {"from-the-command-line"}
