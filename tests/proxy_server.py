"""Proxies on loopback for the proxy tests and benchmarks.

``running_proxy``: a real proxy server (pproxy), HTTP or SOCKS5. Host names ending in
``.onion.test`` resolve, in the proxy only, to a loopback address: a crawl reaching such a
host proves the proxy resolved the name (socks5h), as Tor resolves onion addresses the
crawler's own resolver cannot.

``misbehaving_proxy``: a tiny server that accepts connections and treats each as a
behaviour says (never answer, answer garbage), counting the connections it accepted.
"""

from __future__ import annotations

import contextlib
import os
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.conftest import stop_process

_WRAPPER = """
import os, socket, sys
real = socket.getaddrinfo
onion = os.environ["ONION_TO"]
def getaddrinfo(host, *args, **kwargs):
    if isinstance(host, str) and host.endswith(".onion.test"):
        host = onion
    return real(host, *args, **kwargs)
socket.getaddrinfo = getaddrinfo
from pproxy.server import main
sys.argv = ["pproxy", *sys.argv[1:]]
main()
"""


def resolve_every_onion(monkeypatch: Any) -> None:
    """The proxy stand-in resolves names ending in .onion (not only .onion.test) to the
    onion's server: only through it can a crawl reach the onion, as through Tor."""
    monkeypatch.setattr(
        sys.modules[__name__],
        "_WRAPPER",
        _WRAPPER.replace('.endswith(".onion.test")', '.endswith(".onion")'),
    )


def free_port(address: str = "127.0.0.1") -> int:
    with socket.socket() as probe:
        probe.bind((address, 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def running_proxy(kind: str, log: Path, onion_to: str = "127.0.0.1") -> Iterator[str]:
    """``kind``: http or socks5. Yields the proxy's address, ``127.0.0.1:PORT``; every
    connection it makes is a line in ``log`` (``socks5 127.0.0.1:1234 -> host:port``)."""
    port = free_port()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-c", _WRAPPER, "-l", f"{kind}://127.0.0.1:{port}", "-v"],
            stdout=output,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ONION_TO": onion_to},
        )
    try:
        deadline = time.monotonic() + 20
        while True:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"pproxy did not start: {log.read_text()[-2000:]}")
            time.sleep(0.05)
        yield f"127.0.0.1:{port}"
    finally:
        stop_process(process)


Behaviour = Callable[[socket.socket, threading.Event], None]


def stalled(connection: socket.socket, stop: threading.Event) -> None:
    """Accepts, reads the greeting or request, never answers."""
    connection.recv(1024)
    stop.wait(120)


@dataclass
class MisbehavingProxy:
    address: str  # 127.0.0.1:PORT
    connections: int = 0  # accepted so far


@contextlib.contextmanager
def misbehaving_proxy(behaviour: Behaviour) -> Iterator[MisbehavingProxy]:
    """A loopback server treating each connection as ``behaviour`` says (given the socket and
    an event set when the server stops), in a thread of its own."""
    stop = threading.Event()
    lock = threading.Lock()

    class Handler(socketserver.BaseRequestHandler):
        def handle(self) -> None:
            with lock:
                proxy.connections += 1
            try:
                behaviour(self.request, stop)
            except OSError:
                pass

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    proxy = MisbehavingProxy(f"127.0.0.1:{server.server_address[1]}")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
