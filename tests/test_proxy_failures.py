"""A proxy that is reached but fails its part (issue 21, item 16): one that accepts and never
answers (stalled), one that answers garbage to a SOCKS handshake, one that answers garbage to
HTTP. Each is named as the proxy's failure (``proxy_failed``, with its address and never its
credentials), not as the mirrors' timeout or refused connection; a stalled SOCKS handshake
gives up after ``NEWSARCHIVE_PROXY_TIMEOUT``; garbage is shown as a short escaped excerpt.

The proxies are tiny loopback servers of this file: every byte of every test stays on
127.0.0.1.
"""

from __future__ import annotations

import json
import socket
import socketserver
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, generate_articles, write_profile
from scraper.proxied_download import EXCERPT_CHARS, excerpt
from tests.test_proxies import crawl, with_access

# Bytes no HTTP or SOCKS client can read, long enough to have filled a terminal line before.
GARBAGE = bytes(range(256)) * 5 + b"\r\n\r\n"
SECRET = "hunter2-not-to-be-shown"


def stalled(connection: socket.socket, stop: threading.Event) -> None:
    connection.recv(1024)
    stop.wait(60)  # accepted, never answered


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
    behaviour: Callable[[socket.socket, threading.Event], None] = request.param
    stop = threading.Event()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            try:
                behaviour(self.request, stop)
            except OSError:
                pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        stop.set()
        server.shutdown()
        server.server_close()


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
    assert len(example.split("not HTTP: ", 1)[1]) <= EXCERPT_CHARS + 1
    assert_named_without_secrets(result, report, proxy)


def test_an_excerpt_is_escaped_and_short() -> None:
    assert excerpt(b"\x00\x1b[2Jhi") == repr(b"\x00\x1b[2Jhi")
    long = excerpt(GARBAGE)
    assert len(long) == EXCERPT_CHARS + 1 and long.endswith("…")
    assert all(c.isprintable() for c in long)
