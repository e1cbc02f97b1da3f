"""``tor`` in the schedule file (issue 25): a scheduled job routes onion mirrors through Tor
as ``crawl --tor`` does. Checked when the file is read; a real ``schedule --once`` run
reaches the site's onion mirror through a SOCKS5 proxy on loopback standing in for Tor."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timezone
from pathlib import Path

import pytest

from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, generate_articles, write_profile
from scraper.scheduling.config import ScheduleConfigError, parse_schedule
from scraper.scheduling.job_runner import crawl_command
from tests import proxy_server
from tests.conftest import FAST_CRAWL, newsarchive_command

ONION = "newsarchivetestvqz3jzk5q6b2mlrx4kt3v6d4emu7wfqw3ok3pvcrzuhyd.onion"
TOR = "socks5h://127.0.0.1:9050"


def test_tor_is_a_default_a_job_may_override_and_goes_to_the_crawl() -> None:
    config = parse_schedule(
        f'tor = "{TOR}"\n'
        '[[job]]\nsite = "presstv"\ncron = "@hourly"\n'
        '[[job]]\nname = "own"\nsite = "presstv"\ncron = "@daily"\ntor = "socks5h://10.0.0.7:9150"\n'
        '[[job]]\nname = "none"\nsite = "presstv"\ncron = "@daily"\ntor = ""\n'
    )
    first, own, none = config.jobs
    assert (first.tor, own.tor, none.tor) == (TOR, "socks5h://10.0.0.7:9150", None)
    command = crawl_command(first)
    assert command[command.index("--tor") + 1] == TOR
    assert "--tor" not in crawl_command(none)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('tor = "socks5://127.0.0.1:9050"\n', "tor 'socks5://127.0.0.1:9050' must be socks5h://"),
        ("tor = 9050\n", "'tor' must be a string, not an integer"),
        ('args = ["--tor", "socks5h://127.0.0.1:9050"]\n', "--tor is set by the job's 'tor' key"),
    ],
)
def test_a_bad_tor_is_refused_when_the_file_is_read(text: str, says: str) -> None:
    with pytest.raises(ScheduleConfigError) as refused:
        parse_schedule(text + '[[job]]\nsite = "presstv"\ncron = "@hourly"\n')
    assert says in str(refused.value) and "\n" not in str(refused.value)


def test_a_scheduled_run_reaches_the_onion_mirror_through_tor(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy_server.resolve_every_onion(monkeypatch)
    site = LocalSite(generate_articles(6))
    log = tmp_path / "proxy.log"
    with (
        LoopbackServers(site, ["127.0.0.1", "127.0.0.5"]) as servers,
        proxy_server.running_proxy("socks5", log, onion_to="127.0.0.5") as proxy,
    ):
        primary, onion_server = servers.origins
        onion = f"http://{ONION}:{onion_server.rsplit(':', 1)[1]}"
        # spread: the onion mirror takes its share of the requests
        profile = write_profile(
            tmp_path / "localnews.toml", [primary, onion], mirror_strategy="spread"
        )
        args = json.dumps([*FAST_CRAWL, "-s", "RETRY_TIMES=0", "-s", "DOWNLOAD_TIMEOUT=10"])
        config = tmp_path / "schedule.toml"
        config.write_text(
            f'out = "data"\ntor = "socks5h://{proxy}"\n'
            f'[[job]]\nsite = "{profile}"\nevery = "1h"\nargs = {args}\n'
        )
        now = datetime(2026, 3, 2, 12, 0, 5, tzinfo=timezone.utc).isoformat()
        result = subprocess.run(
            [*newsarchive_command(), "schedule", "--config", str(config), "--once", "--now", now],
            capture_output=True,
            text=True,
            timeout=240,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"-> {ONION}:" in log.read_text()  # the onion asked through the proxy
    [report] = [json.loads(p.read_text()) for p in (tmp_path / "data" / "runs").glob("*.json")]
    assert report["status"] == "ok" and report["counts"]["article"] == 6
    assert report["mirrors"][onion]["successes"] > 0, report["mirrors"]
