"""Revisit records in a real Scrapy crawl: identical bytes on two mirrors, across runs, and 304s.

Two loopback hosts (127.0.0.1 and 127.0.0.2) serve the same page; a tiny spider opens a
persistent index, as the site spider does, and the crawl runs in a subprocess per run so each
gets a fresh Twisted reactor. Run 1 fetches both mirrors; run 2 fetches both again on the
same index, plus a conditional request answered with 304.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.index.open import open_index
from archive.warc_records import IDENTICAL_PAYLOAD_DIGEST, SERVER_NOT_MODIFIED
from tests.test_warc_capture import REPO, read_records, sha1_b32

PAGE = b"<html><head><title>same</title></head><body>" + b"<p>same text</p>" * 300 + b"</body>"
ETAG = '"v1"'

CRAWL_SCRIPT = """
import json, sys
from scrapy import Request, Spider
from scrapy.crawler import CrawlerProcess
from archive.index.open import open_index
from scraper.run import ArchiveRun
from tests.newsarchive_settings import newsarchive_defaults

out, state, plan = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])

class RevisitSpider(Spider):
    name = "revisit"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.index = open_index(state)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        ArchiveRun.of(crawler).index = spider.index  # the index the WARC capture deduplicates by
        return spider

    async def start(self):
        for step in plan:
            meta = {"handle_httpstatus_list": [304]}
            if step.get("revisit_of"):
                meta["revisit_of"] = step["revisit_of"]
            yield Request(step["url"], meta=meta, dont_filter=True)

    def parse(self, response):
        yield {"url": response.url, "status": response.status, "warc": response.meta.get("warc")}

    def closed(self, reason):
        self.index.close()

process = CrawlerProcess(settings={
    **newsarchive_defaults(),
    "EXTENSIONS": {"scraper.extensions.warc_capture.WarcCaptureExtension": 500},
    "ARCHIVE_DIR": out,
    "ROBOTSTXT_OBEY": False,
    "HTTPPROXY_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "INFO",
    "FEEDS": {out + "/items.json": {"format": "json", "overwrite": True}},
})
crawler = process.create_crawler(RevisitSpider)
process.crawl(crawler)
process.start()
with open(out + "/stats.json", "w") as f:
    json.dump(crawler.stats.get_stats(), f, default=str)
"""


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/not-modified"):
            self.send_response(304)
            self.send_header("ETag", ETAG)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("ETag", ETAG)
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)


def run_crawl(out: Path, plan: list[dict[str, Any]]) -> dict[str, Any]:
    """One crawl subprocess; returns the files it wrote, its items and its stats."""
    before = set((out / "warc" / "revisit").glob("*.warc.gz")) if (out / "warc").exists() else set()
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    result = subprocess.run(
        [sys.executable, "-c", CRAWL_SCRIPT, str(out), str(out / "state.sqlite"), json.dumps(plan)],
        cwd=out,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    files = sorted(set((out / "warc" / "revisit").glob("*.warc.gz")) - before)
    records = read_records(files)
    return {
        "files": files,
        "records": records,
        "responses": [r for r in records if r["type"] == "response"],
        "revisits": [r for r in records if r["type"] == "revisit"],
        "items": json.loads((out / "items.json").read_text()),
        "stats": json.loads((out / "stats.json").read_text()),
        "log": result.stderr,
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    out = tmp_path_factory.mktemp("revisit")
    servers = [ThreadingHTTPServer((host, 0), Handler) for host in ("127.0.0.1", "127.0.0.2")]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    mirrors = [f"http://{s.server_address[0]}:{s.server_address[1]}" for s in servers]
    try:
        first = run_crawl(out, [{"url": m + "/article/1"} for m in mirrors])
        (original,) = first["responses"]
        revisit_of = {
            "target_uri": original["warc"]["WARC-Target-URI"],
            "warc_date": original["warc"]["WARC-Date"],
            "record_id": original["warc"]["WARC-Record-ID"],
        }
        original_item = next(i for i in first["items"] if i["warc"]["record_type"] == "response")
        revisit_of["filename"] = original_item["warc"]["pointer"]["filename"]
        revisit_of["offset"] = original_item["warc"]["pointer"]["offset"]
        second = run_crawl(
            out,
            [{"url": m + "/article/1"} for m in mirrors]
            + [
                {"url": mirrors[0] + "/not-modified", "revisit_of": revisit_of},
                # without a (usable) hint a 304 stays a plain response, index or not
                {"url": mirrors[1] + "/not-modified?no-hint"},
                {"url": mirrors[1] + "/not-modified?bad-hint", "revisit_of": {"record_id": "x"}},
            ],
        )
    finally:
        for server in servers:
            server.shutdown()
            server.server_close()
    yield {"out": out, "mirrors": mirrors, "first": first, "second": second}


def open_pointer(warc_dir: Path, pointer: dict[str, Any]) -> Any:
    with (warc_dir / pointer["filename"]).open("rb") as stream:
        stream.seek(pointer["offset"])
        record = next(iter(ArchiveIterator(stream)))
        return record.rec_type, record.rec_headers, record.content_stream().read()


def test_identical_bytes_on_two_mirrors_give_one_response_and_one_revisit(runs: dict) -> None:
    first = runs["first"]
    (original,) = first["responses"]
    (revisit,) = first["revisits"]
    assert {original["warc"]["WARC-Target-URI"], revisit["warc"]["WARC-Target-URI"]} == {
        m + "/article/1" for m in runs["mirrors"]
    }
    assert original["payload"] == PAGE
    assert revisit["payload"] == b""  # headers only: the payload lives in the original
    assert revisit["warc"]["WARC-Profile"] == IDENTICAL_PAYLOAD_DIGEST
    assert revisit["warc"]["WARC-Refers-To"] == original["warc"]["WARC-Record-ID"]
    assert revisit["warc"]["WARC-Refers-To-Target-URI"] == original["warc"]["WARC-Target-URI"]
    assert revisit["warc"]["WARC-Refers-To-Date"] == original["warc"]["WARC-Date"]
    assert revisit["warc"]["WARC-Payload-Digest"] == sha1_b32(PAGE)
    assert revisit["http"].statusline == "200 OK"
    assert revisit["http"].get_header("ETag") == ETAG
    # Still paired with its request record.
    requests = {r["warc"]["WARC-Record-ID"]: r for r in first["records"] if r["type"] == "request"}
    request = requests[revisit["warc"]["WARC-Concurrent-To"]]
    assert request["warc"]["WARC-Concurrent-To"] == revisit["warc"]["WARC-Record-ID"]
    assert first["stats"]["archive/warc/revisits"] == 1
    assert first["stats"]["archive/warc/exchanges"] == 2
    assert "archive/warc/not_modified" not in first["stats"]


def test_item_pointers_say_what_was_written_and_resolve_to_the_payload(runs: dict) -> None:
    first = runs["first"]
    warc_dir = first["files"][0].parent
    (original,) = first["responses"]
    kinds = sorted(item["warc"]["record_type"] for item in first["items"])
    assert kinds == ["response", "revisit"]
    for item in first["items"]:
        captured, pointer = item["warc"], item["warc"]["pointer"]
        rec_type, headers, _ = open_pointer(warc_dir, pointer)
        assert rec_type == captured["record_type"]
        assert headers["WARC-Record-ID"] == pointer["record_id"]
        assert headers["WARC-Target-URI"] == item["url"]
        assert captured["warc_date"] == headers["WARC-Date"]
        if captured["record_type"] == "revisit":
            refers_to = captured["refers_to"]
            assert refers_to["record_id"] == original["warc"]["WARC-Record-ID"]
            rec_type, headers, payload = open_pointer(warc_dir, refers_to)
            assert rec_type == "response"
            assert headers["WARC-Record-ID"] == refers_to["record_id"]
            assert payload == PAGE
        else:
            assert captured["refers_to"] is None


def test_second_run_on_the_same_index_writes_only_revisits(runs: dict) -> None:
    first, second = runs["first"], runs["second"]
    (original,) = first["responses"]
    assert all(r["http"].statusline == "304 Not Modified" for r in second["responses"])
    same_bytes = [
        r for r in second["revisits"] if r["warc"]["WARC-Profile"] == IDENTICAL_PAYLOAD_DIGEST
    ]
    assert sorted(r["warc"]["WARC-Target-URI"] for r in same_bytes) == sorted(
        m + "/article/1" for m in runs["mirrors"]
    )
    for revisit in same_bytes:
        assert revisit["warc"]["WARC-Refers-To"] == original["warc"]["WARC-Record-ID"]
        assert revisit["warc"]["WARC-Refers-To-Date"] == original["warc"]["WARC-Date"]
        assert revisit["warc"]["WARC-Refers-To-Target-URI"] == original["warc"]["WARC-Target-URI"]
    warc_dir = first["files"][0].parent
    for item in second["items"]:
        if item["status"] == 304:
            continue
        rec_type, _, payload = open_pointer(warc_dir, item["warc"]["refers_to"])
        assert (rec_type, payload) == ("response", PAGE)
    assert second["stats"]["archive/warc/revisits"] == 3
    index = open_index(runs["out"] / "state.sqlite")
    try:
        capture = index.first_capture(sha1_b32(PAGE))
    finally:
        index.close()
    assert capture is not None
    assert capture.record_id == original["warc"]["WARC-Record-ID"]


def test_304_with_revisit_of_becomes_a_server_not_modified_revisit(runs: dict) -> None:
    first, second = runs["first"], runs["second"]
    (original,) = first["responses"]
    (revisit,) = [r for r in second["revisits"] if r["warc"]["WARC-Profile"] == SERVER_NOT_MODIFIED]
    assert revisit["warc"]["WARC-Target-URI"] == runs["mirrors"][0] + "/not-modified"
    assert revisit["http"].statusline == "304 Not Modified"
    assert revisit["http"].get_header("ETag") == ETAG
    assert revisit["warc"]["WARC-Refers-To"] == original["warc"]["WARC-Record-ID"]
    assert revisit["warc"]["WARC-Refers-To-Target-URI"] == original["warc"]["WARC-Target-URI"]
    assert revisit["warc"]["WARC-Refers-To-Date"] == original["warc"]["WARC-Date"]
    assert revisit["warc"].get_header("WARC-Payload-Digest") is None
    (item,) = [i for i in second["items"] if i["url"].endswith("/not-modified")]
    assert item["warc"]["record_type"] == "revisit"
    assert item["warc"]["refers_to"]["record_id"] == original["warc"]["WARC-Record-ID"]
    assert second["stats"]["archive/warc/not_modified"] == 1


def test_304_without_a_usable_hint_stays_a_plain_response(runs: dict) -> None:
    second = runs["second"]
    plain = sorted(r["warc"]["WARC-Target-URI"] for r in second["responses"])
    assert plain == [
        runs["mirrors"][1] + "/not-modified?bad-hint",
        runs["mirrors"][1] + "/not-modified?no-hint",
    ]
    for response in second["responses"]:
        assert response["http"].statusline == "304 Not Modified"
        assert response["payload"] == b""
    # An empty 304 body never becomes a "first capture" that later empty bodies revisit.
    index = open_index(runs["out"] / "state.sqlite")
    try:
        assert index.first_capture(sha1_b32(b"")) is None
    finally:
        index.close()
    items = [i for i in second["items"] if "?" in i["url"]]
    assert [i["warc"]["record_type"] for i in items] == ["response", "response"]
    assert "malformed revisit_of" in second["log"]


def test_warcio_check_and_cdxj_indexer_accept_crawled_revisits(runs: dict) -> None:
    files = [str(p) for p in runs["first"]["files"] + runs["second"]["files"]]
    check = subprocess.run(
        ["warcio", "check", "-v", *files], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "failed" not in check.stdout
    index = subprocess.run(["cdxj-indexer", *files], capture_output=True, text=True, check=False)
    assert index.returncode == 0, index.stderr
    rows = [json.loads(line.split(" ", 2)[2]) for line in index.stdout.splitlines()]
    revisits = [r for r in rows if r.get("mime") == "warc/revisit"]
    assert len(revisits) == 4
    assert [r.get("mime") for r in rows].count("text/html") == 1
    # the two plain 304 responses, which carry no Content-Type
    assert len(rows) == 4 + 1 + 2
    assert sorted(r["status"] for r in revisits) == ["200", "200", "200", "304"]


def test_a_revisit_before_its_original_in_the_file_order_resolves(tmp_path: Path) -> None:
    """The revisit in the file that sorts first, its original in one that sorts after: found
    all the same (issue 14), as it is with the names the other way round."""
    import json
    import uuid

    from tests.test_cdxj import run_newsarchive
    from tests.warcs.quirks import (
        PAGE,
        URL,
        gz,
        http_head,
        response,
        sha1_digest,
        warc_record,
        write_news_profile,
    )

    original = response(http_head(), PAGE, date="2024-01-02T10:00:00Z")
    original_id = original.split(b"WARC-Record-ID: ", 1)[1].split(b"\r\n", 1)[0].decode()
    revisit = warc_record(
        [
            ("WARC-Type", "revisit"),
            ("WARC-Record-ID", f"<urn:uuid:{uuid.uuid4()}>"),
            ("WARC-Date", "2024-01-03T10:00:00Z"),
            ("WARC-Target-URI", URL),
            ("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"),
            ("WARC-Refers-To", original_id),
            ("WARC-Refers-To-Target-URI", URL),
            ("WARC-Refers-To-Date", "2024-01-02T10:00:00Z"),
            ("Content-Type", "application/http; msgtype=response"),
            ("WARC-Payload-Digest", sha1_digest(PAGE)),
        ],
        http_head(),
    )
    profile = write_news_profile(tmp_path)
    for first, second in (("a", "b"), ("b", "a")):
        archives = tmp_path / f"archives-{first}"
        archives.mkdir()
        (archives / f"{first}.warc.gz").write_bytes(gz(revisit))
        (archives / f"{second}.warc.gz").write_bytes(gz(original))
        out = tmp_path / f"out-{first}"
        result = run_newsarchive(
            "replay", str(archives), "--site", str(profile), "--out", str(out), timeout=120
        )
        assert result.returncode == 0, result.stderr
        assert "not found" not in result.stderr
        [records_file] = (out / "json").glob("*/*.jsonl")
        [record] = [json.loads(line) for line in records_file.read_text().splitlines()]
        assert record["url"] == URL
