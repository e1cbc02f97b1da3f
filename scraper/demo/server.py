"""A real HTTP/1.1 server on several loopback addresses at once, for tests and benchmarks.

Each address stands for one host of a multi-mirror site. Replies come from a handler
``(Request) -> Reply``, so a test can make one host refuse, seize, redirect or stall while
the others serve the site. asyncio streams keep it fast enough (several thousand pages/s)
that a benchmark measures the crawler, not the server.
"""

from __future__ import annotations

import asyncio
import gzip
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Request:
    method: str
    target: str  # path and query as sent
    headers: dict[str, str]  # lower-case names
    host: str  # "ip:port" the request arrived on


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0  # seconds before answering: a slow host
    cut_after: int | None = None  # close the connection after this many body bytes

    @classmethod
    def html(cls, text: str, status: int = 200, charset: str = "utf-8") -> Reply:
        return cls(
            status,
            text.encode(charset, "replace"),
            [("Content-Type", f"text/html; charset={charset}")],
        )

    @classmethod
    def xml(cls, text: str) -> Reply:
        return cls(200, text.encode("utf-8"), [("Content-Type", "application/xml; charset=utf-8")])

    def gzipped(self) -> Reply:
        return Reply(
            self.status,
            gzip.compress(self.body, 6),
            [*self.headers, ("Content-Encoding", "gzip")],
            self.delay,
            self.cut_after,
        )


Handler = Callable[[Request], Reply]
REASONS = {
    200: "OK",
    301: "Moved Permanently",
    302: "Found",
    304: "Not Modified",
    403: "Forbidden",
    404: "Not Found",
    429: "Too Many Requests",
    451: "Unavailable For Legal Reasons",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class LoopbackServers:
    """Serves ``handler`` on each of ``addresses`` (127.x.y.z) from one background thread."""

    def __init__(self, handler: Handler, addresses: list[str]) -> None:
        for address in addresses:
            if not address.startswith("127."):
                raise ValueError(f"{address}: test servers listen on loopback only")
        self.handler = handler
        self.addresses = addresses
        self.origins: list[str] = []
        self.requests: list[Request] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._servers: list[asyncio.base_events.Server] = []
        self._connections: set[asyncio.Task[None]] = set()

    def __enter__(self) -> LoopbackServers:
        self._thread.start()
        future = asyncio.run_coroutine_threadsafe(self._start(), self._loop)
        self.origins = future.result(timeout=10)
        return self

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    async def _start(self) -> list[str]:
        origins = []
        for address in self.addresses:
            server = await asyncio.start_server(self._serve, address, 0, backlog=1024)
            self._servers.append(server)
            port = server.sockets[0].getsockname()[1]
            origins.append(f"http://{address}:{port}")
        return origins

    async def _stop(self) -> None:
        for server in self._servers:
            server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        ip, port = writer.get_extra_info("sockname")[:2]
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                request_line, *header_lines = head.decode("latin-1").split("\r\n")
                method, target, _version = request_line.split(" ", 2)
                headers = {}
                for line in header_lines:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                if length:
                    await reader.readexactly(length)
                request = Request(method, target, headers, f"{ip}:{port}")
                self.requests.append(request)
                reply = self.handler(request)
                if reply.delay:
                    await asyncio.sleep(reply.delay)
                writer.write(_head_bytes(reply))
                if method != "HEAD":
                    body = reply.body if reply.cut_after is None else reply.body[: reply.cut_after]
                    writer.write(body)
                await writer.drain()
                if reply.cut_after is not None or headers.get("connection", "").lower() == "close":
                    return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            self._connections.discard(task)
            writer.close()


def closed_origin(address: str) -> str:
    """``http://address:port`` with nothing listening: connections are refused at once, as
    with a primary whose server is down."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((address, 0))
        port = probe.getsockname()[1]
    return f"http://{address}:{port}"


def _head_bytes(reply: Reply) -> bytes:
    lines = [f"HTTP/1.1 {reply.status} {REASONS.get(reply.status, 'Status')}"]
    lines += [f"{name}: {value}" for name, value in reply.headers]
    lines.append(f"Content-Length: {len(reply.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
