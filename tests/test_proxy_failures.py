"""A proxy that is reached but fails its part (issue 21, item 16): one that accepts and never
answers (stalled), one that answers garbage to a SOCKS handshake, one that answers garbage to
HTTP. Each is named as the proxy's failure (``proxy_failed``, with its address and never its
credentials), not as the mirrors' timeout or refused connection; a stalled SOCKS handshake
gives up after ``NEWSARCHIVE_PROXY_TIMEOUT``; garbage is shown as a short escaped excerpt.
A proxy that failed so is neither retried nor asked again for other pages or mirrors: it is
set aside, and the run ends after one timeout, not one per request, retry and mirror.

The proxies are tiny loopback servers (``tests/proxy_server.py``, behaving as this file
says): every byte of every test stays on 127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, generate_articles, write_profile
from scraper.proxied_download import EXCERPT_CHARS, ProxyFailed, ProxyUnreachable, excerpt
from scraper.proxy_set_aside import ProxiesSetAside
from tests.proxy_server import misbehaving_proxy, stalled
from tests.test_proxies import crawl, with_access

# Bytes no HTTP or SOCKS client can read, long enough to have filled a terminal line before.
GARBAGE = bytes(range(256)) * 5 + b"\r\n\r\n"
SECRET = "hunter2-not-to-be-shown"


def garbage_http(connection: socket.socket, stop: threading.Event) -> None:
    connection.recv(4096)
    connection.sendall(GARBAGE)
    stop.wait(1)


def garbage_socks(connection: socket.socket, stop: threading.Event) -> None:
    connection.recv(1024)  # the greeting
    connection.sendall(b"\x05\x02")  # username/password, please
    connection.recv(1024)  # the login
    connection.sendall(b"\x01\x00")  # accepted
    connection.recv(1024)  # the CONNECT request
    connection.sendall(b"HTTP/1.1 200 OK\r\n\r\n" + GARBAGE)  # not a SOCKS reply
    stop.wait(1)


@pytest.fixture
def proxy(request: pytest.FixtureRequest) -> Iterator[str]:
    """``host:port`` of a loopback proxy behaving as ``request.param``."""
    with misbehaving_proxy(request.param) as server:
        yield server.address


def crawl_through(tmp_path: Path, proxy_url: str, origins: list[str] | None = None) -> Any:
    site = LocalSite(generate_articles(2))
    with LoopbackServers(site, ["127.0.0.1"]) as servers:
        profile = write_profile(tmp_path / "localnews.toml", origins or servers.origins)
        with_access(profile, f'proxy = "{proxy_url}"\n')
        result = crawl(profile, tmp_path / "out", "NEWSARCHIVE_PROXY_TIMEOUT=1")
    [path] = (tmp_path / "out" / "runs").glob("*.json")
    report = json.loads(path.read_text())
    assert result.returncode == 1, result.stderr[-3000:]
    return result, report


def only_failure(report: dict[str, Any]) -> tuple[str, str]:
    [(origin, mirror)] = report["mirrors"].items()
    [(key, example)] = mirror["failure_examples"].items()
    assert set(mirror["failures"]) == {key}, mirror
    return key, example


def assert_named_without_secrets(result: Any, report: dict[str, Any], address: str) -> None:
    shown = result.stderr + json.dumps(report)
    assert SECRET not in shown
    assert address in shown
    # no line carries the garbage itself: at most a short excerpt of it
    assert max(len(line) for line in result.stderr.splitlines()) < 500


@pytest.mark.parametrize("proxy", [stalled], indirect=True)
def test_a_stalled_socks_proxy_is_the_proxys_failure_after_its_timeout(
    proxy: str, tmp_path: Path
) -> None:
    result, report = crawl_through(tmp_path, f"socks5h://user:{SECRET}@{proxy}")
    key, example = only_failure(report)
    assert key == "proxy_failed", example
    assert f"proxy socks5h://{proxy} did not complete its SOCKS handshake within 1 s" in example
    assert_named_without_secrets(result, report, proxy)


@pytest.mark.parametrize("proxy", [garbage_socks], indirect=True)
def test_garbage_from_a_socks_proxy_is_not_the_mirrors_refusal(proxy: str, tmp_path: Path) -> None:
    result, report = crawl_through(tmp_path, f"socks5h://user:{SECRET}@{proxy}")
    key, example = only_failure(report)
    assert key == "proxy_failed", example  # was: connection_refused, the mirror's
    assert f"proxy socks5h://{proxy} failed its SOCKS handshake" in example
    assert_named_without_secrets(result, report, proxy)


@pytest.mark.parametrize("proxy", [garbage_http], indirect=True)
@pytest.mark.parametrize("scheme", ["http", "https"], ids=["plain", "CONNECT"])
def test_garbage_from_an_http_proxy_is_a_short_excerpt(
    proxy: str, scheme: str, tmp_path: Path
) -> None:
    origins = None if scheme == "http" else ["https://127.0.0.1:9"]  # never reached: CONNECT
    result, report = crawl_through(tmp_path, f"http://user:{SECRET}@{proxy}", origins)
    key, example = only_failure(report)
    assert key == "proxy_failed", example
    assert f"proxy http://{proxy} answered what is not HTTP: " in example
    shown = example.split("not HTTP: ", 1)[1].split(" (proxy set aside: ", 1)[0]
    assert len(shown) <= EXCERPT_CHARS + 1
    assert_named_without_secrets(result, report, proxy)


def test_an_excerpt_is_escaped_and_short() -> None:
    assert excerpt(b"\x00\x1b[2Jhi") == repr(b"\x00\x1b[2Jhi")
    long = excerpt(GARBAGE)
    assert len(long) == EXCERPT_CHARS + 1 and long.endswith("…")
    assert all(c.isprintable() for c in long)


MIRRORS = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
# Connections a run may make to a stalled proxy behind which every mirror is: the first
# requests sent at once (robots.txt and the start requests of one mirror), before the first
# of them times out; then none. Before the proxy was set aside, every request, retry and
# mirror made one (here: 45).
MOST_CONNECTIONS = 8


def test_a_stalled_socks_proxy_is_set_aside_after_one_timeout(tmp_path: Path) -> None:
    site = LocalSite(generate_articles(40))
    with (
        LoopbackServers(site, MIRRORS) as servers,
        misbehaving_proxy(stalled) as proxy,
    ):
        profile = write_profile(tmp_path / "localnews.toml", servers.origins)
        with_access(profile, f'proxy = "socks5h://user:{SECRET}@{proxy.address}"\n')
        result = crawl(
            profile,
            tmp_path / "out",
            "NEWSARCHIVE_PROXY_TIMEOUT=1",
            "RETRY_TIMES=2",  # Scrapy's default, which tests/test_proxies.py turns off
            "MIRROR_BENCH_SECONDS=600",  # no probe of the proxy within this run
        )
        connections = proxy.connections
    assert result.returncode == 1, result.stderr[-3000:]
    assert 1 <= connections <= MOST_CONNECTIONS, (connections, result.stderr[-3000:])
    run = json.loads(next((tmp_path / "out" / "runs").glob("*.json")).read_text())
    for mirror in run["mirrors"].values():
        assert set(mirror["failures"]) <= {"proxy_failed"}, mirror
    named = f"proxy socks5h://{proxy.address} did not complete its SOCKS handshake within 1 s"
    assert any(named in e for m in run["mirrors"].values() for e in m["failure_examples"].values())
    set_aside = [line for line in result.stderr.splitlines() if "set aside for" in line]
    assert len(set_aside) == 1, result.stderr[-3000:]
    assert named in set_aside[0]
    assert run["stats"]["proxy/set_aside"] == 1
    assert run["stats"]["proxy/failed_at_once"] >= 1
    assert "Gave up retrying" not in result.stderr  # the proxy's failure is not retried
    assert SECRET not in result.stderr + json.dumps(run)


def test_the_proxys_failures_are_not_scrapys_retried_download_errors() -> None:
    from scrapy.settings import Settings
    from scrapy.utils.misc import load_object

    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    retried = tuple(
        load_object(e) if isinstance(e, str) else e for e in settings.getlist("RETRY_EXCEPTIONS")
    )
    for failure in (ProxyFailed("x"), ProxyUnreachable("x")):
        assert not isinstance(failure, retried), type(failure).__mro__


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_proxy_set_aside_is_probed_by_one_request_after_its_time() -> None:
    clock = Clock()
    aside = ProxiesSetAside(30, 100, clock)
    proxy = "socks5h://user:pw@127.0.0.1:9050"
    assert aside.admit(proxy) is False  # in use: not a probe
    failure = ProxyFailed("proxy socks5h://127.0.0.1:9050 did not complete its SOCKS handshake")
    assert aside.failed(proxy, failure, probe=False) == 30
    assert aside.failed(proxy, ProxyFailed("again"), probe=False) is None  # sent before: no news
    with pytest.raises(ProxyFailed, match=r"did not complete .*asked again in 30 s"):
        aside.admit(proxy)
    assert aside.admit("socks5h://127.0.0.1:9051") is False  # another proxy: untouched
    clock.now += 31
    assert aside.admit(proxy) is True  # the probe
    with pytest.raises(ProxyFailed, match="being asked again"):
        aside.admit(proxy)  # one probe at a time
    assert aside.failed(proxy, failure, probe=True) == 60  # set aside again, twice as long
    clock.now += 61
    assert aside.admit(proxy) is True
    aside.undecided(proxy, probe=True)  # the host behind it timed out: tells nothing
    assert aside.admit(proxy) is True  # the next request probes instead
    assert aside.failed(proxy, failure, probe=True) == 100  # up to the longest
    clock.now += 101
    assert aside.admit(proxy) is True
    assert aside.worked(proxy) is True  # back
    assert aside.admit(proxy) is False
    assert aside.worked(proxy) is False


def test_an_unreachable_proxy_fails_at_once_with_its_own_failure() -> None:
    aside = ProxiesSetAside(30, 600, Clock())
    proxy = "http://127.0.0.1:9"
    aside.failed(proxy, ProxyUnreachable("proxy http://127.0.0.1:9 unreachable: refused"), False)
    with pytest.raises(ProxyUnreachable, match="proxy http://127.0.0.1:9 unreachable: refused"):
        aside.admit(proxy)
