"""A news site on loopback that serves what takes a crawler's machine (issue 21, items 7 and
8): article bodies that never end, and stylesheets that import stylesheets without end.

``HostileSite`` runs in a thread of the test process, on 127.0.0.1 only; every request it
answers is counted by kind, so a test can hold the crawl to its bounds.  An endless body
stops when the crawler hangs up (or after ``ENDLESS_LIMIT`` bytes: a broken crawler cannot
make the test server stream forever).
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from scraper.demo.feeds import render_presstv_rss
from tests.warcs.quirks import PAGE

ENDLESS_LIMIT = 4 << 30  # bytes one endless body streams at most
_CHUNK = b"<p>" + b"and it goes on " * 4000 + b"</p>\n"


def article_page(number: int, stylesheet: bool = False) -> bytes:
    """An ordinary article (the generic extractor reads it), with a stylesheet if asked."""
    link = b'<link rel="stylesheet" href="/css/0-0.css">' if stylesheet else b""
    return PAGE.replace(b"<head>", b"<head>" + link).replace(
        b"Council approves new bridge", b"Council approves bridge %d" % number
    )


def stylesheet(depth: int) -> bytes:
    """Two stylesheets one level deeper, imported, and a font: a tree without end."""
    return (
        b'@import url("/css/%d-0.css");\n@import url("/css/%d-1.css");\n'
        b'@font-face { font-family: x; src: url("/fonts/%d.woff2"); }\n'
        b"body { color: #333 }\n" % (depth + 1, depth + 1, depth)
    )


class HostileSite:
    """``/rss.xml`` lists ``/news/1`` to ``/news/N``; those in ``endless`` never end."""

    def __init__(self, articles: int, endless: set[int], *, stylesheets: bool = False) -> None:
        self.articles = articles
        self.endless = endless
        self.stylesheets = stylesheets
        self.counts: Counter[str] = Counter()  # requests answered, by kind
        self.streamed = 0  # bytes of endless bodies sent
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                return

            def do_GET(self) -> None:
                site._answer(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        # a crawler hanging up on a body it will not take is no error of the test
        self._server.handle_error = lambda request, address: None  # type: ignore[method-assign]
        self._server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> HostileSite:
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    def profile(self, name: str = "hostile") -> str:
        return (
            f'name = "{name}"\nprimary = "{self.origin}"\nfeeds = ["/rss.xml"]\n'
            "article_url = '^/news/(?P<id>\\d+)$'\n"
        )

    def _count(self, kind: str) -> None:
        with self._lock:
            self.counts[kind] += 1

    def _answer(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path
        if path == "/rss.xml":
            entries = [
                (f"{self.origin}/news/{n}", f"Story {n}") for n in range(1, self.articles + 1)
            ]
            self._count("feed")
            self._send(handler, render_presstv_rss(entries).encode(), "application/rss+xml")
            return
        article = re.fullmatch(r"/news/(\d+)", path)
        if article and int(article.group(1)) in self.endless:
            self._count("endless")
            self._stream(handler)
            return
        if article:
            self._count("article")
            page = article_page(int(article.group(1)), self.stylesheets)
            self._send(handler, page, "text/html; charset=utf-8")
            return
        css = re.fullmatch(r"/css/(\d+)-\d+\.css", path)
        if css:
            self._count("stylesheet")
            self._send(handler, stylesheet(int(css.group(1))), "text/css")
            return
        if path.startswith("/fonts/"):
            self._count("font")
            self._send(handler, b"wOF2" + bytes(60), "font/woff2")
            return
        self._count("not_found")
        self._send(handler, b"not found", "text/plain", status=404)

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler, body: bytes, content_type: str, status: int = 200
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    def _stream(self, handler: BaseHTTPRequestHandler) -> None:
        """An HTML page with no length that never ends: the connection closes only when the
        crawler hangs up."""
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Connection", "close")
        handler.end_headers()
        handler.close_connection = True
        sent = 0
        try:
            handler.wfile.write(b"<html><head><title>Endless</title></head><body><article>")
            while sent < ENDLESS_LIMIT:
                handler.wfile.write(_CHUNK)
                sent += len(_CHUNK)
        except OSError:  # the crawler hung up: what a bounded crawler does
            pass
        finally:
            with self._lock:
                self.streamed += sent
