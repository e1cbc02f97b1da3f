"""Library noise is not shown to users (issue 22, item 12): a profile with ``[access]
user_agent`` and a SOCKS proxy, then a ``--from-warc`` crawl of what it archived. Scrapy's
deprecation warning for the ``user_agent`` spider attribute, "SocksDownloadHandler is
experimental" and "Disabled WarcCaptureExtension: ARCHIVE_WARC_ENABLED is off" said nothing a
user could act on; the log file keeps what the console leaves out."""

from __future__ import annotations

import subprocess
from pathlib import Path

from scraper.demo.server import LoopbackServers, Reply, Request
from scraper.demo.site import LocalSite, generate_articles, write_profile
from tests.conftest import FAST_CRAWL, newsarchive_command
from tests.proxy_server import running_proxy

AGENT = "polite-archiver/1.0 (+mailto:desk@example.org)"
NOISE = ("deprecated", "Deprecation", "experimental", "Disabled ")


def crawl(profile: Path, out: Path, *options: str) -> subprocess.CompletedProcess[str]:
    command = [*newsarchive_command(), "crawl", str(profile), "--out", str(out), *FAST_CRAWL]
    return subprocess.run(
        [*command, "-s", "RETRY_TIMES=0", *options], capture_output=True, text=True, timeout=180
    )


def test_a_run_with_a_user_agent_and_a_socks_proxy_then_from_warc_shows_no_library_noise(
    tmp_path: Path,
) -> None:
    site = LocalSite(generate_articles(3))
    agents: list[str] = []

    def recording(request: Request) -> Reply:
        agents.append(request.headers.get("user-agent", ""))
        return site(request)

    with (
        LoopbackServers(recording, ["127.0.0.1"]) as servers,
        running_proxy("socks5", tmp_path / "proxy.log") as proxy,
    ):
        profile = write_profile(tmp_path / "localnews.toml", servers.origins)
        profile.write_text(
            profile.read_text()
            + f'\n[access]\nuser_agent = "{AGENT}"\nproxy = "socks5h://{proxy}"\n'
        )
        first = crawl(profile, tmp_path / "out")
    assert first.returncode == 0, first.stderr[-3000:]
    assert agents and set(agents) == {AGENT}  # the profile's agent reached the site
    assert "-> 127.0.0.1" in (tmp_path / "proxy.log").read_text()  # through the proxy
    shown = [line for line in first.stderr.splitlines() if any(n in line for n in NOISE)]
    assert shown == [], shown
    [log] = (tmp_path / "out" / "logs").glob("*.log")
    assert "SocksDownloadHandler is experimental" in log.read_text()  # kept, not shown

    offline = crawl(profile, tmp_path / "again", "--from-warc", str(tmp_path / "out" / "warc"))
    assert offline.returncode == 0, offline.stderr[-3000:]
    shown = [line for line in offline.stderr.splitlines() if any(n in line for n in NOISE)]
    assert shown == [], shown
