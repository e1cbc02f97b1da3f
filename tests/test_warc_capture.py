"""WarcCaptureExtension in a real Scrapy crawl against a loopback HTTP server.

The crawl runs in a subprocess so every test gets a fresh Twisted reactor.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from warcio.archiveiterator import ArchiveIterator

REPO = Path(__file__).resolve().parents[1]
USER_AGENT = "newsarchive-test/1.0 (+capture)"
HTML = b"<html><head><title>t</title></head><body>" + b"<p>news text</p>" * 400 + b"</body></html>"
GZIPPED = gzip.compress(HTML)
CHUNKS = [b"<html><body>", b"first chunk ", b"second chunk", b"</body></html>"]
START_PATHS = [
    "/gzip",
    "/chunked",
    "/cookies",
    "/redirect",
    "/missing",
    "/error",
    "/search?q=news+today&page=2",
]
# Disallowed by robots.txt, so never fetched. Requested only from a callback, after robots.txt
# is parsed: Scrapy 2.19's RobotsTxtMiddleware lets through requests that were waiting for
# robots.txt alongside the first one (each later waiter awaits the same Deferred and gets None).
DISALLOWED = "/private/secret"

CRAWL_SCRIPT = """
import json, sys
from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess
from tests.newsarchive_settings import newsarchive_defaults

base, out, paths, disallowed = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]

class CaptureSpider(Spider):
    name = "capture"

    async def start(self):
        for path in paths:
            yield Request(base + path, meta={"handle_httpstatus_list": [404, 500]})

    def parse(self, response):
        yield {"url": response.url, "status": response.status, "warc": response.meta.get("warc")}
        if response.url.endswith("/cookies"):
            yield Request(base + disallowed)

process = CrawlerProcess(settings={
    **newsarchive_defaults(),
    "EXTENSIONS": {"scraper.extensions.warc_capture.WarcCaptureExtension": 500},
    "ARCHIVE_WARC_ENABLED": True,
    "ARCHIVE_DIR": out,
    "ARCHIVE_WARC_MAX_BYTES": 3000,
    "ROBOTSTXT_OBEY": True,
    "USER_AGENT": __USER_AGENT__,
    "RETRY_TIMES": 1,
    "HTTPPROXY_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "INFO",
    "FEEDS": {out + "/items.json": {"format": "json"}},
})
crawler = process.create_crawler(CaptureSpider)
process.crawl(crawler)
process.start()
with open(out + "/stats.json", "w") as f:
    json.dump(crawler.stats.get_stats(), f, default=str)
""".replace("__USER_AGENT__", repr(USER_AGENT))


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # needed for chunked responses and keep-alive
    hits: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, status: int, body: bytes, headers: Sequence[tuple[str, str]] = ()) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.hits.append(self.path)
        path = self.path
        if path == "/robots.txt":
            self._send(
                200, b"User-agent: *\nDisallow: /private\n", [("Content-Type", "text/plain")]
            )
        elif path == "/gzip":
            self._send(200, GZIPPED, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")])
        elif path == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for chunk in CHUNKS:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
        elif path == "/cookies":
            self._send(
                200,
                b"<html>cookies</html>",
                [("Set-Cookie", "first=1; Path=/"), ("Set-Cookie", "second=2; Path=/")],
            )
        elif path == "/redirect":
            self._send(301, b"moved", [("Location", "/target")])
        elif path == "/missing":
            self._send(404, b"not here")
        elif path == "/error":
            self._send(500, b"broken")
        else:
            self._send(200, b"<html>" + path.encode() + b"</html>", [("Content-Type", "text/html")])


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    out = tmp_path_factory.mktemp("crawl")
    Handler.hits = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    try:
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                CRAWL_SCRIPT,
                base,
                str(out),
                json.dumps(START_PATHS),
                DISALLOWED,
            ],
            cwd=out,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode == 0, result.stderr[-3000:]
    warc_dir = out / "warc" / "capture"
    yield {
        "base": base,
        "log": result.stderr,
        "hits": list(Handler.hits),
        "files": sorted(p for p in warc_dir.iterdir() if not p.name.endswith(".cdxj")),
        "items": json.loads((out / "items.json").read_text()),
        "stats": json.loads((out / "stats.json").read_text()),
    }


def read_records(files: list[Path]) -> list[dict[str, object]]:
    found = []
    for path in files:
        with path.open("rb") as stream:
            iterator = ArchiveIterator(stream, check_digests="raise")
            for record in iterator:
                found.append(
                    {
                        "file": path.name,
                        "type": record.rec_type,
                        "warc": record.rec_headers,
                        "http": record.http_headers,
                        "payload": record.raw_stream.read(),
                    }
                )
    return found


def sha1_b32(data: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode()


def path_of(url: str, base: str) -> str:
    return url[len(base) :]


def test_every_exchange_is_a_linked_request_response_pair(crawl: dict) -> None:
    files, base = crawl["files"], crawl["base"]
    assert files and all(p.name.endswith(".warc.gz") for p in files), files
    assert len(files) > 1  # ARCHIVE_WARC_MAX_BYTES=3000 forced rotation
    records = read_records(files)
    responses = [r for r in records if r["type"] == "response"]
    requests = {r["warc"]["WARC-Record-ID"]: r for r in records if r["type"] == "request"}
    assert len(responses) == len(requests)
    for resp in responses:
        req = requests[resp["warc"]["WARC-Concurrent-To"]]
        assert req["warc"]["WARC-Concurrent-To"] == resp["warc"]["WARC-Record-ID"]
        assert req["warc"]["WARC-Target-URI"] == resp["warc"]["WARC-Target-URI"]
        assert resp["warc"]["WARC-IP-Address"] == "127.0.0.1"
        assert resp["warc"]["WARC-Payload-Digest"] == sha1_b32(resp["payload"])
        assert req["http"].get_header("Host") == base[len("http://") :]
        assert req["http"].get_header("User-Agent") == USER_AGENT

    # Exactly what the server answered, attempt by attempt: robots.txt, the redirect and
    # its target, both tries at the 500, and nothing from the disallowed path.
    archived = Counter(path_of(r["warc"]["WARC-Target-URI"], base) for r in responses)
    assert archived == Counter(crawl["hits"])
    assert archived["/robots.txt"] == 1 and archived["/error"] == 2
    assert {"/redirect", "/target", "/missing"} <= set(archived)
    assert DISALLOWED not in archived
    assert crawl["stats"]["robotstxt/forbidden"] == 1
    status = {path_of(r["warc"]["WARC-Target-URI"], base): r["http"].statusline for r in responses}
    assert status["/redirect"] == "301 Moved Permanently"
    assert status["/missing"] == "404 Not Found"
    assert status["/error"] == "500 Internal Server Error"


def by_path(crawl: dict, path: str) -> dict[str, object]:
    records = read_records(crawl["files"])
    url = crawl["base"] + path
    return next(
        r for r in records if r["type"] == "response" and r["warc"]["WARC-Target-URI"] == url
    )


def test_gzip_body_kept_compressed(crawl: dict) -> None:
    resp = by_path(crawl, "/gzip")
    assert resp["http"].get_header("Content-Encoding") == "gzip"
    assert resp["payload"] == GZIPPED
    assert resp["warc"]["WARC-Payload-Digest"] == sha1_b32(GZIPPED)
    assert resp["http"].protocol == "HTTP/1.1"


def test_chunked_body_stored_dechunked(crawl: dict) -> None:
    resp = by_path(crawl, "/chunked")
    assert resp["payload"] == b"".join(CHUNKS)
    assert resp["http"].get_header("Transfer-Encoding") is None
    assert resp["warc"]["WARC-Payload-Digest"] == sha1_b32(b"".join(CHUNKS))


def test_both_cookies_kept(crawl: dict) -> None:
    resp = by_path(crawl, "/cookies")
    cookies = [v for k, v in resp["http"].headers if k.lower() == "set-cookie"]
    assert cookies == ["first=1; Path=/", "second=2; Path=/"]


def test_query_string_in_request_line(crawl: dict) -> None:
    records = read_records(crawl["files"])
    lines = [
        f"{r['http'].protocol} {r['http'].statusline}" for r in records if r["type"] == "request"
    ]
    assert "GET /search?q=news+today&page=2 HTTP/1.1" in lines


def test_warcinfo_names_the_crawl(crawl: dict) -> None:
    for path in crawl["files"]:
        with path.open("rb") as stream:
            first = next(iter(ArchiveIterator(stream)))
            assert first.rec_type == "warcinfo"
            assert first.rec_headers["WARC-Filename"] == path.name
            fields = first.content_stream().read().decode()
        assert f"http-header-user-agent: {USER_AGENT}\r\n" in fields
        assert "robots: obey\r\n" in fields
        assert "software: newsarchive/" in fields


def test_item_pointers_resolve_to_their_response(crawl: dict) -> None:
    items, base = crawl["items"], crawl["base"]
    assert {path_of(i["url"], base) for i in items} == {
        "/gzip",
        "/chunked",
        "/cookies",
        "/target",
        "/missing",
        "/error",
        "/search?q=news+today&page=2",
    }
    warc_dir = crawl["files"][0].parent
    for item in items:
        pointer = item["warc"]["pointer"]
        with (warc_dir / pointer["filename"]).open("rb") as stream:
            stream.seek(pointer["offset"])
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_type == "response"
            assert record.rec_headers["WARC-Record-ID"] == pointer["record_id"]
            assert record.rec_headers["WARC-Target-URI"] == item["url"]
            assert int(record.http_headers.get_statuscode()) == item["status"]


def test_stats_count_what_was_written(crawl: dict) -> None:
    stats, files = crawl["stats"], crawl["files"]
    assert stats["archive/warc/exchanges"] == len(crawl["hits"])
    assert stats["archive/warc/files"] == len(files)
    assert stats["archive/warc/bytes"] == sum(p.stat().st_size for p in files)
    assert "archive/warc/errors" not in stats


def test_warcio_check_and_cdxj_indexer_accept_the_files(crawl: dict) -> None:
    files = [str(p) for p in crawl["files"]]
    check = subprocess.run(
        ["warcio", "check", "-v", *files], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "digest pass" in check.stdout and "failed" not in check.stdout
    index = subprocess.run(["cdxj-indexer", *files], capture_output=True, text=True, check=False)
    assert index.returncode == 0, index.stderr
    lines = index.stdout.splitlines()
    indexed = Counter(json.loads(line.split(" ", 2)[2])["url"] for line in lines)
    assert indexed == Counter(crawl["base"] + hit for hit in crawl["hits"])


def test_disabled_extension_is_not_configured() -> None:
    from scrapy.exceptions import NotConfigured
    from scrapy.utils.test import get_crawler

    from scraper.extensions.warc_capture import WarcCaptureExtension

    with pytest.raises(NotConfigured):
        WarcCaptureExtension.from_crawler(
            get_crawler(settings_dict={"ARCHIVE_WARC_ENABLED": False})
        )
