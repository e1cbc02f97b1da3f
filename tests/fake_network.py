"""The newsarchive command on a made-up network, for the address policy's tests.

Those tests steer the crawler at ``169.254.169.254``, ``10.x`` and names that rebind. This
wrapper makes sure that nothing leaves loopback even when the policy is broken, and records
what the crawl tried:

- names resolve only from the test's table (each name's answers given in turn, round and
  round, so a name can answer a public address, then a loopback one); any other name does
  not resolve;
- every TCP connection is logged; one to an address the table routes (a made-up public
  address) goes to the loopback port it names, one to loopback goes as asked, and any other
  is refused on the spot, never attempted.

``python -m tests.fake_network NETWORK.json ARGS…`` runs ``newsarchive ARGS…`` so, where
NETWORK.json is ``{"names": {"news.example": ["93.184.216.34"]}, "routes":
{"93.184.216.34:8080": "127.0.0.1:8080"}, "log": "PATH"}``. Log lines: ``resolve NAME
ADDRESS``, ``connect HOST:PORT`` (or ``… -> HOST:PORT`` when routed, ``… blocked``).
"""

from __future__ import annotations

import errno
import itertools
import json
import socket
import sys
import threading
from pathlib import Path
from typing import Any

_real_getaddrinfo = socket.getaddrinfo
_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


class FakeNetwork:
    def __init__(self, names: dict[str, list[str]], routes: dict[str, str], log: Path) -> None:
        self._answers = {name.lower(): itertools.cycle(answers) for name, answers in names.items()}
        self.routes = routes
        self._log = log.open("a", buffering=1, encoding="utf-8")
        self._lock = threading.Lock()

    def log(self, line: str) -> None:
        with self._lock:
            self._log.write(line + "\n")

    def resolve(self, name: str) -> str:
        try:
            socket.inet_aton(name)
            return socket.inet_ntoa(socket.inet_aton(name))  # a literal, in any spelling
        except OSError:
            pass
        with self._lock:
            answers = self._answers.get(name.lower().rstrip("."))
            address = next(answers) if answers is not None else None
        self.log(f"resolve {name} {address or '-'}")
        if address is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return address

    def getaddrinfo(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, bytes):
            host = host.decode("ascii", "replace")
        if isinstance(host, str) and host not in ("", "localhost") and ":" not in host:
            host = self.resolve(host)
        return _real_getaddrinfo(host, port, *args, **kwargs)

    def destination(self, address: Any) -> Any:
        """Where a connection to ``address`` really goes, or None: refused."""
        if not (isinstance(address, tuple) and len(address) >= 2):
            return address  # a Unix socket (the extraction pool's): not the network
        host, port = str(address[0]), int(address[1])
        routed = self.routes.get(f"{host}:{port}")
        if routed is not None:
            to_host, to_port = routed.rsplit(":", 1)
            self.log(f"connect {host}:{port} -> {routed}")
            return (to_host, int(to_port))
        if host.startswith("127.") or host in ("::1", "::ffff:127.0.0.1"):
            self.log(f"connect {host}:{port}")
            return address
        self.log(f"connect {host}:{port} blocked")
        return None

    def install(self) -> None:
        network = self

        def gethostbyname(name: str) -> str:
            return network.resolve(name)

        def connect(sock: socket.socket, address: Any) -> None:
            where = network.destination(address)
            if where is None:
                raise ConnectionRefusedError(errno.ECONNREFUSED, "refused by the fake network")
            _real_connect(sock, where)

        def connect_ex(sock: socket.socket, address: Any) -> int:
            where = network.destination(address)
            if where is None:
                return errno.ECONNREFUSED
            return _real_connect_ex(sock, where)

        socket.gethostbyname = gethostbyname
        socket.getaddrinfo = self.getaddrinfo  # type: ignore[assignment]
        socket.socket.connect = connect  # type: ignore[method-assign]
        socket.socket.connect_ex = connect_ex  # type: ignore[method-assign]


def main(argv: list[str]) -> int:
    config = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    FakeNetwork(config["names"], config.get("routes", {}), Path(config["log"])).install()
    from scraper.cli.main import main as newsarchive

    return newsarchive(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
