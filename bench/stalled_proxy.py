"""What a SOCKS proxy that accepts connections and never answers costs a crawl (issue 21,
item 16): the wall time of ``newsarchive crawl`` of the loopback demo site, every mirror
behind that one stalled proxy, with default settings (``NEWSARCHIVE_PROXY_TIMEOUT`` 30 s,
Scrapy's retries), and how many connections the proxy was made to accept.

    python bench/stalled_proxy.py [--articles 20] [--mirrors 2] [-s NAME=VALUE ...]

A by-hand benchmark, not a test (tests/test_proxy_failures.py holds the bound on the
connections). Every byte stays on loopback: the site on 127.0.0.x, the proxy on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scraper.demo.server import LoopbackServers  # noqa: E402
from scraper.demo.site import LocalSite, generate_articles, write_profile  # noqa: E402
from tests.proxy_server import misbehaving_proxy, stalled  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--mirrors", type=int, default=2, help="mirrors, all behind the proxy")
    parser.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE")
    options = parser.parse_args()
    site = LocalSite(generate_articles(options.articles))
    addresses = [f"127.0.0.{n}" for n in range(1, options.mirrors + 1)]
    with (
        tempfile.TemporaryDirectory() as work,
        LoopbackServers(site, addresses) as servers,
        misbehaving_proxy(stalled) as proxy,
    ):
        profile = write_profile(Path(work) / "localnews.toml", servers.origins)
        profile.write_text(
            profile.read_text() + f'\n[access]\nproxy = "socks5h://{proxy.address}"\n'
        )
        command = [sys.executable, "-m", "scraper.cli", "crawl", str(profile)]
        command += ["--out", str(Path(work) / "out")]
        for setting in options.settings:
            command += ["-s", setting]
        started = time.monotonic()
        result = subprocess.run(
            command,
            capture_output=True,
            text=True,
            cwd=REPO,  # this tree's code, whichever is installed
            env={**os.environ, "PYTHONPATH": str(REPO)},
            timeout=3600,
        )
        seconds = time.monotonic() - started
    last = result.stdout.strip().splitlines()[-1:] or result.stderr.strip().splitlines()[-1:]
    print(
        f"{seconds:.1f} s, exit {result.returncode}, {proxy.connections} connections to the proxy"
    )
    print(f"closing line: {last[0] if last else '(none)'}")
    print("warnings:")
    for line in result.stderr.splitlines():
        if "proxy" in line.lower():
            print("  " + line[:200])


if __name__ == "__main__":
    main()
