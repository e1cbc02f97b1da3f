"""Archives built to take the machine (issue 14, item 3): a gzip bomb and a page of tens of
MB, replayed under a memory cap.  Each is reported "too large to extract" with its URL, file
and offset; the ordinary article beside them becomes a record; nothing inflates in memory."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import memory_cap, newsarchive_command
from tests.warcs.hostile import write_hostile_warc
from tests.warcs.quirks import write_news_profile

# The whole replay (reader, extraction workers) must fit in this address space.
MEMORY_CAP = 2 << 30


def test_a_bomb_and_a_huge_page_are_reported_and_the_rest_replayed(tmp_path: Path) -> None:
    warc = tmp_path / "hostile.warc.gz"
    urls = write_hostile_warc(warc, page_bytes=48 << 20)
    profile = write_news_profile(tmp_path, "hostile")
    out = tmp_path / "out"
    result = subprocess.run(
        [
            *newsarchive_command(),
            "replay",
            str(warc),
            "--site",
            str(profile),
            "--out",
            str(out),
            "--workers",
            "1",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        preexec_fn=memory_cap(MEMORY_CAP),
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 1
    for role in ("bomb", "huge"):
        [line] = [line for line in result.stderr.splitlines() if urls[role] in line]
        assert "too large to extract" in line and "hostile.warc.gz at offset" in line, line
    [records_file] = (out / "json").glob("*/*.jsonl")
    records = [json.loads(line) for line in records_file.read_text().splitlines()]
    assert [r["url"] for r in records] == [urls["ordinary"]]


@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_decoding_stops_at_the_limit(coding: str) -> None:
    """The decoders never produce more than the limit (and a little): the bomb's GiB is never
    built, which the memory cap of the test above would catch."""
    import zlib

    from archive.warc_read.content_coding import PayloadTooLarge, _decode_coding

    wbits = zlib.MAX_WBITS | 16 if coding == "gzip" else zlib.MAX_WBITS
    compressor = zlib.compressobj(9, zlib.DEFLATED, wbits)
    data = compressor.compress(bytes(64 << 20)) + compressor.flush()
    with pytest.raises(PayloadTooLarge):
        _decode_coding(coding, data, [], limit=1 << 20)
    assert len(_decode_coding(coding, data, [], limit=128 << 20)) == 64 << 20


@pytest.mark.parametrize("compressed", [True, False], ids=["warc.gz", "warc"])
def test_a_record_too_large_to_hold_is_read_through_with_its_digests_checked(
    tmp_path: Path, compressed: bool
) -> None:
    import tracemalloc

    from archive.limits import MAX_HELD_RECORD_BYTES
    from archive.warc_read.content_coding import PayloadTooLarge
    from archive.warc_reader import iter_records
    from tests.warcs.hostile import huge_page
    from tests.warcs.quirks import PAGE, gz, http_head, response

    size = MAX_HELD_RECORD_BYTES + (16 << 20)
    records = [
        response(http_head(), huge_page(size), url="http://news.example/2024/01/02/huge"),
        response(http_head(), PAGE),
    ]
    tampered = records[0].replace(b"WARC-Payload-Digest: sha1:", b"WARC-Payload-Digest: sha1:A", 1)
    path = tmp_path / ("big.warc.gz" if compressed else "big.warc")
    path.write_bytes(
        b"".join(gz(r) if compressed else r for r in [records[0], tampered, records[1]])
    )

    tracemalloc.start()
    try:
        huge, bad, ordinary = iter_records(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MAX_HELD_RECORD_BYTES + (24 << 20), "a record too large to hold was held"
    assert huge.oversize > MAX_HELD_RECORD_BYTES and huge.payload == b""
    assert huge.http_status == 200 and huge.target_uri.endswith("/huge")
    assert huge.check_digests() == []
    assert bad.check_digests() and "WARC-Payload-Digest" in bad.check_digests()[0]
    with pytest.raises(PayloadTooLarge, match="too large to hold"):
        huge.body()
    assert ordinary.payload == PAGE and not ordinary.oversize


def test_an_offline_crawl_serves_a_record_too_large_to_hold_as_too_large(tmp_path: Path) -> None:
    """``--from-warc`` once built a 512 MiB payload into 9 GB: the record is read through, the
    response carries no body, and its size reaches the spider's limit check."""
    from scrapy import Request
    from scrapy.utils.test import get_crawler

    from archive.limits import MAX_HELD_RECORD_BYTES, too_large_to_extract
    from scraper.middlewares.from_warc import ArchiveResponseMiddleware
    from tests.warcs.hostile import huge_page
    from tests.warcs.quirks import gz, http_head, response

    url = "http://news.example/2024/01/02/huge"
    warc = tmp_path / "huge.warc.gz"
    warc.write_bytes(
        gz(response(http_head(), huge_page(MAX_HELD_RECORD_BYTES + (1 << 20)), url=url))
    )
    crawler = get_crawler(settings_dict={"ARCHIVE_FROM_WARC": [str(warc)]})
    middleware = ArchiveResponseMiddleware.from_crawler(crawler)
    middleware.spider_opened()
    request = Request(url)
    served = middleware.process_request(request)
    assert served.status == 200 and served.body == b""
    size = request.meta["archived_payload_bytes"]
    assert size > MAX_HELD_RECORD_BYTES
    assert too_large_to_extract(size) is not None
