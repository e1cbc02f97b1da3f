"""archive.warc_reader: every sample file of warcio and jwarc, our own WARCs, and damage.

Expected values were read off the files (``warcio index``, ``warcio check``, a hex dump),
not taken from the reader under test.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import itertools
import os
import shutil
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.warc_reader import (
    ArchivedRecord,
    NotAWarc,
    PayloadError,
    ReadProblem,
    RevisitResolver,
    archive_files,
    iter_records,
    normalize_digest,
    read_record_at,
)
from archive.warc_records import (
    IDENTICAL_PAYLOAD_DIGEST,
    HttpExchange,
    Revisit,
    WrittenExchange,
    gzip_member,
    sha1_digest,
    warc_record,
)
from archive.warc_writer import RotatingWarcWriter

FIXTURES = Path(__file__).parent / "fixtures" / "warc"
WARCIO = FIXTURES / "warcio"
JWARC = FIXTURES / "jwarc"
T0 = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)
HTML = b"<!doctype html><html><head><title>Hello</title></head><body>" + b"<p>news</p>" * 500


def read(path: Path) -> tuple[list[ArchivedRecord], list[ReadProblem]]:
    problems: list[ReadProblem] = []
    records = list(iter_records(path, problems.append))
    return records, problems


def types(records: list[ArchivedRecord]) -> Counter[str]:
    return Counter(record.type for record in records)


def problem_list(problems: list[ReadProblem]) -> list[tuple[int, str]]:
    return [(problem.offset, problem.reason) for problem in problems]


# =============================================================================================
# warcio's and jwarc's sample files
# =============================================================================================


def test_example_warc_plain() -> None:
    records, problems = read(WARCIO / "example.warc")
    assert problems == []
    assert [(r.type, r.offset, r.length) for r in records] == [
        ("warcinfo", 0, 488),  # warcio index: length 484 + the CRLF CRLF trailer
        ("warcinfo", 488, 709),
        ("response", 1197, 1369),
        ("request", 2566, 804),
        ("revisit", 3370, 946),
        ("request", 4316, 804),
    ]
    response, revisit = records[2], records[4]
    assert response.record_id == "<urn:uuid:a9c51e3e-0221-11e7-bf66-0242ac120005>"
    assert response.target_uri == "http://example.com/"
    assert response.date == "2017-03-06T04:02:06Z"
    assert response.http_status == 200 and response.http_statusline == "HTTP/1.1 200 OK"
    assert response.content_codings() == ["gzip"]
    assert response.payload[:2] == b"\x1f\x8b"  # still Content-Encoded, as served
    assert len(response.payload) == 606 == int(response.http_header("Content-Length") or 0)
    assert response.body().startswith(b"<!doctype html>") and len(response.body()) == 1270
    assert revisit.revisit_profile == (
        "http://netpreserve.org/warc/1.0/revisit/uri-agnostic-identical-payload-digest"
    )
    assert revisit.refers_to is None
    assert revisit.refers_to_target_uri == "http://example.com/"
    assert revisit.refers_to_date == "2017-03-06T04:02:06Z"
    assert revisit.http_status == 200 and revisit.payload == b""
    assert revisit.payload_digest == response.payload_digest
    assert records[3].concurrent_to == [response.record_id]  # the request names its response
    assert all(record.check_digests() == [] for record in records)
    assert all(record.warnings == [] for record in records)


def test_example_warc_gz_offsets_are_gzip_members() -> None:
    records, problems = read(WARCIO / "example.warc.gz")
    assert problems == []
    # Same as `warcio index -f offset,length`: each record is one gzip member.
    assert [(r.type, r.offset, r.length) for r in records] == [
        ("warcinfo", 0, 353),
        ("warcinfo", 353, 431),
        ("response", 784, 1228),
        ("request", 2012, 609),
        ("revisit", 2621, 586),
        ("request", 3207, 609),
    ]
    for record in records:
        again = read_record_at(record.path, record.offset)
        assert (again.record_id, again.payload, again.length) == (
            record.record_id,
            record.payload,
            record.length,
        )


@pytest.mark.parametrize("name", ["example.warc", "example.warc.gz"])
def test_uri_agnostic_revisit_resolves_by_uri_and_date_and_by_digest(name: str) -> None:
    records, _ = read(WARCIO / name)
    resolver = RevisitResolver()
    for record in records:
        resolver.remember(record)
    original = resolver.resolve(records[4])
    assert original is not None and original.record_id == records[2].record_id
    assert original.body().startswith(b"<!doctype html>")

    # With no Refers-To-Target-URI/Date, the identical payload digest still finds it.
    bare = ArchivedRecord(
        **{**vars(records[4]), "refers_to_target_uri": None, "refers_to_date": None}
    )
    found = resolver.resolve(bare)
    assert found is not None and found.record_id == records[2].record_id


def test_example_digest_warc_digest_checks_match_warcio_check() -> None:
    records, problems = read(WARCIO / "example-digest.warc")
    assert problems == []
    assert [(r.type, r.offset, r.http_method) for r in records] == [
        ("request", 0, "GET"),
        ("request", 922, "GET"),
        ("request", 1840, "GET"),
        ("request", 2758, "GET"),
    ]
    # `warcio check`: only the first fails ("1112..." is no sha1 digest); the others use
    # base64 and urlsafe base64 spellings of sha1("").
    assert [r.check_digests() for r in records] == [
        ["WARC-Payload-Digest sha1:1112H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ does not match the payload"],
        [],
        [],
        [],
    ]


def test_iana_chunked_body_is_dechunked_but_still_encoded() -> None:
    records, problems = read(WARCIO / "example-iana.org-chunked.warc")
    assert problems == []
    assert [(r.type, r.offset) for r in records] == [
        ("warcinfo", 0),
        ("response", 405),
        ("request", 8379),
    ]
    response = records[1]
    assert response.http_header("Transfer-Encoding") == "chunked"
    raw = response.block[response.block.index(b"\r\n\r\n") + 4 :]
    assert raw.startswith(b"001c37\r\n<!doctype html>")  # stored chunked
    assert len(response.payload) == 7223  # the one chunk: 0x1c37 bytes
    assert response.payload.startswith(b"<!doctype html>")
    assert response.payload.rstrip().endswith(b"</html>")
    assert response.body() == response.payload  # no Content-Encoding
    # Base16 digests, checked over the de-chunked payload.
    assert response.payload_digest == "sha1:b1f949b4920c773fd9c863479ae9a788b948c7ad"
    assert response.check_digests() == []


def test_resource_records() -> None:
    records, problems = read(WARCIO / "example-resource.warc.gz")
    assert problems == []
    assert [(r.type, r.offset, r.length) for r in records] == [
        ("warcinfo", 0, 361),
        ("warcinfo", 361, 441),
        ("resource", 802, 977),
    ]
    resource = records[2]
    assert resource.target_uri == "http://example.com/"
    assert resource.content_type == "text/html; charset=utf-8"
    assert resource.http_status is None and resource.http_headers == []
    assert resource.payload.startswith(b'<!DOCTYPE html><html xmlns="http://www.w')
    assert len(resource.payload) == 1303 and resource.body() == resource.payload
    # Header names keep their spelling; lookups ignore case.
    assert resource.warc_headers[0][0] == "Warc-Referer"
    assert resource.warc_header("WARC-REFERER") == (
        "https://webrecorder.io/temp-GRWZVUTV/temp/test/record/http://example.com/"
    )


def test_space_in_target_uri_is_percent_encoded_with_a_warning() -> None:
    records, problems = read(WARCIO / "example-space-in-target-uri.warc.gz")
    assert problems == []
    assert [(r.type, r.offset) for r in records] == [("warcinfo", 0), ("resource", 241)]
    png = records[1]
    assert png.target_uri == "file:///example%20with%20spaces.png"
    assert png.warc_header("WARC-Target-URI") == "file:///example with spaces.png"  # as written
    assert png.warnings == ["spaces in WARC-Target-URI percent-encoded"]
    assert png.payload.startswith(b"\x89PNG\r\n\x1a\n") and len(png.payload) == 70


def test_wget_warc_with_bracketed_target_uris() -> None:
    records, problems = read(WARCIO / "example-wget-bad-target-uri.warc.gz")
    assert problems == []
    assert [(r.type, r.target_uri, r.offset, r.length) for r in records] == [
        ("warcinfo", None, 0, 410),
        ("request", "http://example.com/", 410, 414),
        ("response", "http://example.com/", 824, 1154),
        ("metadata", "metadata://gnu.org/software/wget/warc/MANIFEST.txt", 1978, 317),
        ("resource", "metadata://gnu.org/software/wget/warc/wget_arguments.txt", 2295, 386),
        ("resource", "metadata://gnu.org/software/wget/warc/wget.log", 2681, 586),
    ]
    response = records[2]
    assert response.warc_header("WARC-Target-URI") == "<http://example.com/>"
    assert "WARC-Target-URI was in angle brackets" in response.warnings
    assert response.http_status == 200
    assert response.body().startswith(b"<!doctype html>")
    assert records[1].http_headers[0] == ("User-Agent", "Wget/1.19.4 (darwin17.3.0)")


def test_truncated_warc_skips_the_bad_record_and_resyncs() -> None:
    records, problems = read(WARCIO / "example-trunc.warc")
    # The response's Content-Length is 2 bytes short: two bytes of its gzip body follow the
    # block where the CRLF CRLF should be (warcio only warns on stderr, at offset 2560).
    reason = (
        "Content-Length does not match: block is followed by b'\\x00\\x00\\r\\n\\r\\nWA', "
        "not a record end"
    )
    assert problem_list(problems) == [(1197, reason)]
    assert [(r.type, r.offset) for r in records] == [
        ("warcinfo", 0),
        ("warcinfo", 488),
        ("request", 2566),
    ]
    with pytest.raises(ValueError, match=r"no valid record at offset 1197: Content-Length"):
        read_record_at(WARCIO / "example-trunc.warc", 1197)


def test_post_requests() -> None:
    records, problems = read(WARCIO / "post-test.warc.gz")
    assert problems == []
    assert [(r.type, r.target_uri, r.offset) for r in records] == [
        ("response", "http://httpbin.org/post", 0),
        ("request", "http://httpbin.org/post", 720),
        ("response", "http://httpbin.org/post", 1196),
        ("request", "http://httpbin.org/post", 1919),
        ("response", "http://httpbin.org/post?foo=bar", 2395),
        ("request", "http://httpbin.org/post?foo=bar", 3118),
    ]
    requests = [r for r in records if r.type == "request"]
    assert [(r.http_method, r.http_statusline, r.payload) for r in requests] == [
        ("POST", "POST /post HTTP/1.1", b"foo=bar&test=abc"),
        ("POST", "POST /post HTTP/1.1", b"A=1&B=[]&C=3"),
        ("POST", "POST /post?foo=bar HTTP/1.1", b"data=^"),
    ]
    assert all(r.http_status is None and r.http_protocol == "HTTP/1.1" for r in requests)
    assert records[0].http_header("content-type") == "application/json"
    assert b'"test": "abc"' in records[0].body()


def test_wrong_chunks_record_split_over_gzip_members_is_read_whole() -> None:
    """The file's "wrong chunks" are *gzip members*, not HTTP chunks: the response's head is
    in one member (0..516), its HTML in the next (516..1130), and its CRLF CRLF trailer opens
    the member of the request (1130). No HTTP chunking is involved (no Transfer-Encoding).
    warcio's iterator gives up on the file; the record is complete, so it is read, with a
    warning, and `warcio check` (after `warcio recompress`) fails its block digest too."""
    records, problems = read(WARCIO / "example-wrong-chunks.warc.gz")
    assert problems == []
    assert [(r.type, r.offset, r.length) for r in records] == [
        ("response", 0, 1130),
        ("request", 1130, 445),
    ]
    response = records[0]
    assert response.http_header("Transfer-Encoding") is None
    assert response.payload.startswith(b"<!doctype html>")
    assert response.payload.endswith(b"</html>\n")
    assert len(response.payload) == 1270
    assert "record spans gzip members 0..1130 (should be one member per record)" in (
        response.warnings
    )
    assert response.check_digests() == [
        "WARC-Block-Digest sha1:SDZIDCNQKX2AQDX3LC6EE2YTIHVLAXUK does not match the block"
    ]
    assert read_record_at(response.path, 0).payload == response.payload
    assert read_record_at(response.path, 1130).record_id == records[1].record_id
    with pytest.raises(
        ValueError, match=r"offset 516: unparsable WARC header: first line b'<!doctype html>'"
    ):
        read_record_at(response.path, 516)


@pytest.mark.parametrize(
    ("name", "size", "uri", "first_id"),
    [
        (
            "example-bad-non-chunked.warc.gz",
            2113,
            "http://example.com/",
            "<urn:uuid:e9a0cecc-0221-11e7-adb1-0242ac120008>",
        ),
        (
            "example-bad.warc.gz.bad",
            1950,
            "http://example.com?example=1",
            "<urn:uuid:fbd6cf0a-6160-4550-b343-12188dc05234>",
        ),
    ],
)
def test_whole_file_gzip_is_read_with_warnings(
    name: str, size: int, uri: str, first_id: str
) -> None:
    """One gzip member holding every record (warcio refuses these: "non-chunked gzip")."""
    path = WARCIO / name
    records, problems = read(path)
    assert problems == []
    expected_types = (
        ["warcinfo", "warcinfo", "response", "request", "revisit", "request"]
        if "non-chunked" in name
        else ["warcinfo", "response", "request", "revisit", "request", "response"]
    )
    assert [r.type for r in records] == expected_types
    assert {(r.offset, r.length) for r in records} == {(0, size)}
    assert records[0].warnings == ["gzip member at 0 holds more than one record"]
    assert all("shares the gzip member at 0" in r.warnings[-1] for r in records[1:])
    assert next(r.target_uri for r in records if r.type == "response") == uri
    assert read_record_at(path, 0).record_id == first_id
    # The resolver still finds an original that shares a member with other records.
    resolver = RevisitResolver()
    for record in records:
        resolver.remember(record)
    response = next(r for r in records if r.type == "response")
    revisit = next(r for r in records if r.type == "revisit")
    found = resolver.resolve(revisit)
    assert found is not None and (found.offset, found.record_id) == (0, response.record_id)


def test_example_bad_has_a_redirect() -> None:
    records, _ = read(WARCIO / "example-bad.warc.gz.bad")
    redirect = records[-1]
    assert (redirect.target_uri, redirect.http_status) == (
        "http://www.iana.org/domains/example",
        302,
    )


@pytest.mark.parametrize(
    ("name", "offsets"),
    [("example.arc", [(0, 150), (151, 1657)]), ("example.arc.gz", [(0, 171), (171, 856)])],
)
def test_arc_files(name: str, offsets: list[tuple[int, int]]) -> None:
    records, problems = read(WARCIO / name)
    assert problems == []
    assert [(r.offset, r.length) for r in records] == offsets
    header, response = records
    assert (header.type, header.format, header.record_id, header.target_uri) == (
        "warcinfo",
        "arc",
        f"<urn:x-arc-record:{name}@0>",  # ARC records have no id: file and offset stand in
        None,
    )
    assert response.record_id == f"<urn:x-arc-record:{name}@{offsets[1][0]}>"
    assert header.warc_header("WARC-Filename") == "live-web-example.arc.gz"
    assert header.payload.startswith(b"1 0 LiveWeb Capture\nURL IP-address Archive-date")
    assert response.type == "response"
    assert response.target_uri == "http://example.com/"
    assert response.date == "2014-02-16T05:02:21Z"  # from 20140216050221
    assert response.warc_header("WARC-IP-Address") == "93.184.216.119"
    assert response.content_type == "application/http; msgtype=response"
    assert response.http_status == 200
    assert response.body().startswith(b"<!doctype html>") and len(response.payload) == 1270
    assert read_record_at(response.path, response.offset).payload == response.payload


def test_bad_arc_reports_each_unusable_header_line() -> None:
    records, problems = read(WARCIO / "bad.arc")
    assert problem_list(problems) == [
        (0, "unparsable ARC header: length '-1'"),
        (134, "unparsable ARC header: length '-1'"),
        (262, "unparsable ARC header: length 'abc'"),
    ]
    [record] = records
    assert (record.offset, record.length, record.type) == (202, 60, "response")
    assert record.date == "2014-01-02T00:00:00Z"
    assert record.content_type == "text/plain"
    assert record.payload == b"\n" and record.http_status is None  # one byte, not HTTP
    assert record.warnings == ["block is not an HTTP message (first line b'')"]


def test_arc_with_spaces_in_url(tmp_path: Path) -> None:
    path = WARCIO / "example-space-in-url.arc"
    records, problems = read(path)
    # Its HTTP head lost its CRs (12 lines) after the length 1591 was written: the record
    # claims 12 bytes more than the file holds. warcio reads it silently.
    assert problem_list(problems) == [(151, "truncated record (1722 of 1734 bytes present)")]
    assert [(r.type, r.offset) for r in records] == [("warcinfo", 0)]

    fixed = tmp_path / "fixed.arc"
    fixed.write_bytes(path.read_bytes().replace(b"text/html 1591\n", b"text/html 1579\n"))
    records, problems = read(fixed)
    assert problems == []
    response = records[1]
    assert response.target_uri == (
        "http://example.com/index.cfm?FuseAction=Email&EmailTitle=Examples%20From%20The%20Live"
        "%20Web&IsPopUp=False"
    )
    assert response.warnings == ["spaces in WARC-Target-URI percent-encoded"]
    assert response.http_status == 200


def test_common_crawl_record() -> None:
    records, problems = read(JWARC / "cc.warc.gz")
    assert problems == []
    [response] = records
    assert (response.offset, response.length) == (0, 5392)
    assert response.target_uri == "http://commoncrawl.org/"
    assert response.http_status == 200
    assert response.warc_header("WARC-Identified-Payload-Type") == "text/html"
    # Common Crawl stores the decoded body and renames the headers that no longer apply.
    assert response.http_header("X-Crawler-Content-Encoding") == "gzip"
    assert response.http_header("X-Crawler-Transfer-Encoding") == "chunked"
    assert response.content_codings() == []
    assert response.payload.startswith(b"\n<!DOCTYPE html>") and len(response.payload) == 20289
    assert response.body() == response.payload
    assert response.http_header_values("Link") == [
        '<http://commoncrawl.org/wp-json/>; rel="https://api.w.org/"',
        "<http://commoncrawl.org/>; rel=shortlink",
    ]
    assert response.check_digests() == []


def test_gzip_extra_field() -> None:
    records, problems = read(JWARC / "gzip_extra_sl.warc.gz")
    assert problems == []
    [info] = records
    assert (info.type, info.offset, info.length) == ("warcinfo", 0, 459)
    assert info.record_id == "<urn:uuid:b23fcfc5-71ca-4e9c-84e1-b7938cedf4c4>"
    assert info.payload.startswith(b"software: Wget/1.20.3 (linux-gnu)\r\n")


WARCIO_READABLE = [
    WARCIO / "example.warc",
    WARCIO / "example.warc.gz",
    WARCIO / "example-iana.org-chunked.warc",
    WARCIO / "example-resource.warc.gz",
    WARCIO / "example-space-in-target-uri.warc.gz",
    WARCIO / "example-wget-bad-target-uri.warc.gz",
    WARCIO / "post-test.warc.gz",
    WARCIO / "example.arc",
    WARCIO / "example.arc.gz",
    JWARC / "cc.warc.gz",
    JWARC / "gzip_extra_sl.warc.gz",
]


@pytest.mark.parametrize("path", WARCIO_READABLE, ids=lambda p: p.name)
def test_agrees_with_warcio_where_warcio_reads_the_file(path: Path) -> None:
    ours, problems = read(path)
    assert problems == []
    with open(path, "rb") as handle:
        theirs = []
        for record in ArchiveIterator(handle):
            content = record.content_stream().read()
            theirs.append((record, content, record.rec_headers.headers))
    assert len(ours) == len(theirs)
    for mine, (record, content, headers) in zip(ours, theirs):
        assert mine.type == record.rec_type.replace("arc_header", "warcinfo")
        if mine.format == "arc" and mine.type == "response":
            assert mine.target_uri == record.rec_headers.get_header("uri")
        else:
            assert mine.target_uri == record.rec_headers.get_header("WARC-Target-URI")
        if mine.format == "warc":
            # Same header fields (warcio rewrote a bracketed or spaced target URI in place).
            fixed = [
                (n, mine.target_uri if n == "WARC-Target-URI" else v) for n, v in mine.warc_headers
            ]
            assert fixed == headers
        if record.http_headers is not None and record.http_headers.statusline:
            assert mine.http_headers == record.http_headers.headers
        if mine.type in ("response", "resource"):
            assert mine.body() == content


def test_every_fixture_file_is_covered() -> None:
    tested = {
        "LICENSE",
        "bad.arc",
        "example-bad-non-chunked.warc.gz",
        "example-bad.warc.gz.bad",
        "example-digest.warc",
        "example-iana.org-chunked.warc",
        "example-resource.warc.gz",
        "example-space-in-target-uri.warc.gz",
        "example-space-in-url.arc",
        "example-trunc.warc",
        "example-wget-bad-target-uri.warc.gz",
        "example-wrong-chunks.warc.gz",
        "example.arc",
        "example.arc.gz",
        "example.warc",
        "example.warc.gz",
        "post-test.warc.gz",
        "cc.warc.gz",
        "gzip_extra_sl.warc.gz",
    }
    assert {p.name for p in FIXTURES.rglob("*") if p.is_file()} == tested


# =============================================================================================
# Our own WARCs
# =============================================================================================


def exchange(
    url: str, payload: bytes, *, when: datetime = T0, headers: list[tuple[str, str]] | None = None
) -> HttpExchange:
    return HttpExchange(
        url=url,
        method="GET",
        request_headers=[("User-Agent", "newsarchive-test")],
        request_body=b"",
        protocol="HTTP/1.1",
        status=200,
        reason="OK",
        response_headers=headers
        or [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Set-Cookie", "a=1"),
            ("Set-Cookie", "b=2"),
        ],
        payload=payload,
        ip_address="192.0.2.7",
        date=when,
    )


def ticking_clock(start: datetime = T0) -> Callable[[], datetime]:
    ticks = itertools.count()
    return lambda: start + timedelta(seconds=next(ticks))


@pytest.fixture
def crawl(tmp_path: Path) -> tuple[Path, list[WrittenExchange], WrittenExchange]:
    """Two files: responses (plain and gzip-encoded) in the first, a revisit in the second."""
    directory = tmp_path / "warc"
    written: list[WrittenExchange] = []
    with RotatingWarcWriter(directory, "crawl", clock=ticking_clock()) as writer:
        written.append(writer.write_exchange(exchange("https://news.example/a", HTML)))
        gz_headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
        written.append(
            writer.write_exchange(
                exchange("https://news.example/b", gzip.compress(HTML), headers=gz_headers)
            )
        )
        # Served chunked: the writer stores it de-chunked and renames the header.
        chunked = [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")]
        written.append(
            writer.write_exchange(exchange("https://news.example/c", b"chunky", headers=chunked))
        )
    with RotatingWarcWriter(
        directory, "crawl", clock=ticking_clock(T0 + timedelta(hours=1))
    ) as writer:
        revisit = writer.write_exchange(
            exchange("https://mirror.example/a", HTML, when=T0 + timedelta(hours=1)),
            revisit=Revisit.of(written[0]),
        )
    return directory, written, revisit


def test_our_warcs_read_back(crawl: tuple[Path, list[WrittenExchange], WrittenExchange]) -> None:
    directory, written, revisit = crawl
    first, second = archive_files([directory])
    records, problems = read(first)
    assert problems == []
    assert [r.type for r in records] == ["warcinfo"] + ["response", "request"] * 3
    responses = [r for r in records if r.type == "response"]
    assert [(r.filename, r.offset, r.record_id) for r in responses] == [
        (w.filename, w.offset, w.record_id) for w in written
    ]
    # Records tile the file: each starts where the previous one's gzip member ended.
    assert all(a.offset + a.length == b.offset for a, b in itertools.pairwise(records))
    assert records[-1].offset + records[-1].length == first.stat().st_size
    plain, encoded, chunked = responses
    assert plain.payload == HTML and plain.body() == HTML
    assert plain.http_header_values("Set-Cookie") == ["a=1", "b=2"]
    assert plain.http_statusline == "HTTP/1.1 200 OK" and plain.http_protocol == "HTTP/1.1"
    assert encoded.payload == gzip.compress(HTML) or encoded.payload[:2] == b"\x1f\x8b"
    assert encoded.body() == HTML
    assert encoded.payload_digest == sha1_digest(encoded.payload)
    assert chunked.payload == b"chunky"  # not de-chunked a second time
    assert chunked.http_header("X-Archive-Orig-Transfer-Encoding") == "chunked"
    assert all(r.check_digests() == [] for r in records)
    assert all(r.warnings == [] for r in records)
    for response in responses:
        again = read_record_at(first, response.offset)
        assert (again.record_id, again.payload, again.http_headers) == (
            response.record_id,
            response.payload,
            response.http_headers,
        )

    [_, stored_revisit, _] = read(second)[0]
    assert stored_revisit.offset == revisit.offset and stored_revisit.type == "revisit"
    assert stored_revisit.refers_to == written[0].record_id
    assert stored_revisit.target_uri == "https://mirror.example/a"
    assert stored_revisit.payload == b""


def test_revisit_resolves_across_files(
    crawl: tuple[Path, list[WrittenExchange], WrittenExchange],
) -> None:
    directory, written, _ = crawl
    first, second = archive_files([directory])
    resolver = RevisitResolver()
    for path in (first, second):
        for record in iter_records(path):
            resolver.remember(record)
    stored_revisit = next(r for r in iter_records(second) if r.type == "revisit")
    original = resolver.resolve(stored_revisit)
    assert original is not None
    assert (original.path, original.offset, original.record_id) == (
        first,
        written[0].offset,
        written[0].record_id,
    )
    assert original.body() == HTML

    # Nothing remembered: only an external digest index can help.
    calls: list[str] = []

    def lookup(digest: str) -> tuple[Path, int] | None:
        calls.append(digest)
        return (first, written[0].offset) if digest == written[0].payload_digest else None

    assert RevisitResolver().resolve(stored_revisit) is None
    assert RevisitResolver(lookup).resolve(stored_revisit) == original
    assert calls == [written[0].payload_digest]


def test_revisit_chain_and_uri_agnostic_revisit(tmp_path: Path) -> None:
    """A revisit of a revisit, and a URL-agnostic revisit naming nothing but the digest."""
    directory = tmp_path / "warc"
    with RotatingWarcWriter(directory, "crawl", clock=ticking_clock()) as writer:
        original = writer.write_exchange(exchange("https://news.example/a", HTML))
        middle = writer.write_exchange(
            exchange("https://news.example/a", HTML, when=T0 + timedelta(days=1)),
            revisit=Revisit.of(original),
        )
        last = writer.write_exchange(
            exchange("https://news.example/a", HTML, when=T0 + timedelta(days=2)),
            revisit=Revisit(
                IDENTICAL_PAYLOAD_DIGEST, middle.target_uri, middle.warc_date, middle.record_id
            ),
        )
    [path] = archive_files([directory])
    agnostic = path.with_name("agnostic.warc")
    agnostic.write_bytes(
        b"".join(
            warc_record(
                [
                    ("WARC-Type", "revisit"),
                    ("WARC-Record-ID", "<urn:uuid:00000000-0000-4000-8000-000000000001>"),
                    ("WARC-Date", "2024-06-01T00:00:00Z"),
                    ("WARC-Target-URI", "https://other.example/x"),
                    (
                        "WARC-Profile",
                        "http://netpreserve.org/warc/1.0/revisit/uri-agnostic-identical-payload-digest",
                    ),
                    # Another spelling of the same digest: base16.
                    ("WARC-Payload-Digest", "sha1:" + hashlib.sha1(HTML).hexdigest()),
                ],
                "application/http; msgtype=response",
                [b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"],
            )
        )
    )
    resolver = RevisitResolver()
    for file in archive_files([directory]):
        for record in iter_records(file):
            resolver.remember(record)
    revisits = {
        r.record_id: r for f in (path, agnostic) for r in iter_records(f) if r.type == "revisit"
    }
    assert resolver.resolve(revisits[last.record_id]).record_id == original.record_id  # type: ignore[union-attr]
    found = resolver.resolve(revisits["<urn:uuid:00000000-0000-4000-8000-000000000001>"])
    assert found is not None and found.record_id == original.record_id


def test_unknown_revisit_resolves_to_none(
    crawl: tuple[Path, list[WrittenExchange], WrittenExchange],
) -> None:
    directory, _, _ = crawl
    stored = next(
        r for f in archive_files([directory]) for r in iter_records(f) if r.type == "revisit"
    )
    assert RevisitResolver().resolve(stored) is None


def test_normalize_digest_spellings() -> None:
    b32 = sha1_digest(HTML)
    hex16 = "SHA-1:" + hashlib.sha1(HTML).hexdigest().upper()
    assert normalize_digest(hex16) == normalize_digest(b32) == b32
    assert normalize_digest("xyz:abc") == "xyz:abc"


# =============================================================================================
# Damage
# =============================================================================================


def write_exchanges(directory: Path, count: int) -> tuple[Path, list[ArchivedRecord]]:
    with RotatingWarcWriter(directory, "dmg", clock=ticking_clock()) as writer:
        for number in range(count):
            writer.write_exchange(
                exchange(f"https://news.example/{number}", HTML + str(number).encode())
            )
    [path] = archive_files([directory])
    records, problems = read(path)
    assert problems == []
    return path, records


def test_gzip_member_cut_in_half_mid_file(tmp_path: Path) -> None:
    path, clean = write_exchanges(tmp_path / "w", 5)
    victim = clean[5]  # the third response
    assert victim.type == "response"
    data = path.read_bytes()
    half = victim.length // 2
    damaged = tmp_path / "damaged.warc.gz"
    damaged.write_bytes(data[: victim.offset + half] + data[victim.offset + victim.length :])

    records, problems = read(damaged)
    assert len(problems) == 1
    assert problems[0].offset == victim.offset
    assert problems[0].reason.startswith("bad gzip member: Error -3 while decompressing data")
    assert problems[0].reason.endswith(f"({half} bytes skipped)")
    survivors = [r for r in clean if r.record_id != victim.record_id]
    assert [r.record_id for r in records] == [r.record_id for r in survivors]
    # Later records moved up by what was cut out; their offsets are still exact.
    for before, after in zip(survivors, records):
        shift = 0 if before.offset < victim.offset else victim.length - half
        assert after.offset == before.offset - shift
        assert read_record_at(damaged, after.offset).record_id == after.record_id
    with pytest.raises(
        ValueError, match=rf"no valid record at offset {victim.offset}: bad gzip member"
    ):
        read_record_at(damaged, victim.offset)


def test_garbage_between_members(tmp_path: Path) -> None:
    path, clean = write_exchanges(tmp_path / "w", 3)
    at = clean[3].offset
    data = path.read_bytes()
    damaged = tmp_path / "garbage.warc.gz"
    damaged.write_bytes(data[:at] + b"GARBAGE\x00\x01" + data[at:])
    records, problems = read(damaged)
    assert problem_list(problems) == [(at, "9 bytes that are not gzip data")]
    assert [r.record_id for r in records] == [r.record_id for r in clean]
    assert records[3].offset == at + 9


def test_truncated_last_gzip_member(tmp_path: Path) -> None:
    path, clean = write_exchanges(tmp_path / "w", 2)
    data = path.read_bytes()
    damaged = tmp_path / "cut.warc.gz.open"
    damaged.write_bytes(data[: clean[-1].offset + 20])  # a crawl killed mid-write
    records, problems = read(damaged)
    assert problem_list(problems) == [(clean[-1].offset, "truncated gzip member")]
    assert [r.record_id for r in records] == [r.record_id for r in clean[:-1]]


def plain_warc(*blocks: bytes) -> tuple[bytes, list[int]]:
    """An uncompressed WARC of response records; returns the bytes and record offsets."""
    out, offsets = b"", []
    for number, block in enumerate(blocks):
        offsets.append(len(out))
        out += b"".join(
            warc_record(
                [
                    ("WARC-Type", "response"),
                    ("WARC-Record-ID", f"<urn:uuid:00000000-0000-4000-8000-{number:012d}>"),
                    ("WARC-Date", "2024-05-06T07:08:09Z"),
                    ("WARC-Target-URI", f"https://news.example/{number}"),
                ],
                "application/http; msgtype=response",
                [block],
            )
        )
    return out, offsets


def http(body: bytes, *headers: str) -> bytes:
    head = "".join(f"{h}\r\n" for h in ("HTTP/1.1 200 OK", "Content-Type: text/html", *headers))
    return head.encode("latin-1") + b"\r\n" + body


@pytest.mark.parametrize("delta", [+10, -10])
def test_lying_content_length_in_a_plain_warc(tmp_path: Path, delta: int) -> None:
    blocks = [http(b"<p>one</p>"), http(b"<p>two</p>" * 20), http(b"<p>three</p>")]
    data, offsets = plain_warc(*blocks)
    true_length = f"Content-Length: {len(blocks[1])}\r\n".encode()
    lie = f"Content-Length: {len(blocks[1]) + delta}\r\n".encode()
    start = offsets[1]
    data = data[:start] + data[start:].replace(true_length, lie, 1)
    path = tmp_path / "lie.warc"
    path.write_bytes(data)
    records, problems = read(path)
    assert [p.offset for p in problems] == [start]
    assert problems[0].reason.startswith("Content-Length does not match: block is followed by")
    shift = len(lie) - len(true_length)
    assert [(r.target_uri, r.offset) for r in records] == [
        ("https://news.example/0", 0),
        ("https://news.example/2", offsets[2] + shift),
    ]
    assert records[1].payload == b"<p>three</p>"


def test_content_length_too_long_on_the_last_record_is_truncation(tmp_path: Path) -> None:
    data, offsets = plain_warc(http(b"<p>one</p>"), http(b"<p>two</p>"))
    path = tmp_path / "short.warc"
    path.write_bytes(data[:-30])
    records, problems = read(path)
    assert [r.target_uri for r in records] == ["https://news.example/0"]
    [problem] = problems
    assert problem.offset == offsets[1]
    assert problem.reason.startswith("truncated record (") and "bytes present)" in problem.reason


def test_chunked_bodies(tmp_path: Path) -> None:
    good = http(
        b"5\r\nHello\r\n6;ext=1\r\n World\r\n0\r\nX-Trailer: 1\r\n\r\n",
        "Transfer-Encoding: chunked",
    )
    broken = http(b"5\r\nHello\r\nzz\r\n World\r\n0\r\n\r\n", "Transfer-Encoding: chunked")
    data, _ = plain_warc(good, broken, http(b"after"))
    # Stored de-chunked but with the header kept: the payload digest says which bytes it is.
    stale = http(b"Hello World", "Transfer-Encoding: chunked")
    stale_record = b"".join(
        warc_record(
            [
                ("WARC-Type", "response"),
                ("WARC-Record-ID", "<urn:uuid:00000000-0000-4000-8000-000000000099>"),
                ("WARC-Date", "2024-05-06T07:08:09Z"),
                ("WARC-Target-URI", "https://news.example/stale"),
                ("WARC-Payload-Digest", sha1_digest(b"Hello World")),
            ],
            "application/http; msgtype=response",
            [stale],
        )
    )
    path = tmp_path / "chunked.warc.gz"
    path.write_bytes(
        b"".join(gzip_member([part], 6) for part in _split_records(data))
        + gzip_member([stale_record], 6)
    )
    records, problems = read(path)
    assert [r.target_uri for r in records] == [
        "https://news.example/0",
        "https://news.example/1",
        "https://news.example/2",
        "https://news.example/stale",
    ]
    assert records[0].payload == b"Hello World"
    assert records[0].check_digests() == []
    # Chunking that does not decode: kept as stored, as warcio keeps it, with a warning.
    assert records[1].payload == b"5\r\nHello\r\nzz\r\n World\r\n0\r\n\r\n"
    assert records[1].warnings == [
        "Transfer-Encoding: chunked, but bad chunk size b'zz' at byte 10: "
        "the body is kept as stored"
    ]
    assert records[3].payload == b"Hello World"
    assert records[3].warnings == ["Transfer-Encoding: chunked, but the body is stored de-chunked"]
    assert problems == []


def _split_records(data: bytes) -> list[bytes]:
    parts = data.split(b"\r\n\r\nWARC/1.1")
    return (
        [parts[0] + b"\r\n\r\n"]
        + [b"WARC/1.1" + part + b"\r\n\r\n" for part in parts[1:-1]]
        + [b"WARC/1.1" + parts[-1]]
    )


# =============================================================================================
# Not archives at all
# =============================================================================================


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("archive/data.warc.gz", b"x")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "the file is empty"),
        (b"<!DOCTYPE html>\n<html><body>Blocked</body></html>", "looks like HTML"),
        (_zip_bytes(), "looks like a zip archive"),
        (gzip.compress(b"<html><body>seized</body></html>"), "gzip-compressed HTML"),
        (gzip.compress(bytes(range(256))), "gzip-compressed unknown bytes 0x0001020304050607"),
        (b"\x00\xffbinary\x01", "looks like unknown bytes 0x00ff62696e617279"),
        (b'{"id": 1}\n', "looks like JSON"),
        (b"HTTP/1.1 200 OK\r\n\r\nhi", "looks like a raw HTTP message"),
    ],
    ids=["empty", "html", "zip", "gz-html", "gz-binary", "binary", "json", "raw-http"],
)
def test_not_a_warc(tmp_path: Path, content: bytes, expected: str) -> None:
    path = tmp_path / "crawl.warc.gz"
    path.write_bytes(content)
    with pytest.raises(NotAWarc) as caught:
        iter_records(path)  # raised at the call, before any iteration
    assert str(caught.value).startswith(f"{path}: not a WARC/ARC file: ")
    assert expected in str(caught.value)


def test_read_record_at_refuses_bad_offsets(tmp_path: Path) -> None:
    path = WARCIO / "example.warc.gz"
    with pytest.raises(
        ValueError, match=r"offset 99999 is past the end of the file \(3816 bytes\)"
    ):
        read_record_at(path, 99999)
    with pytest.raises(ValueError, match=r"no WARC/ARC record or gzip member at offset 10"):
        read_record_at(path, 10)
    with pytest.raises(ValueError, match=r"no WARC/ARC record or gzip member at offset 5"):
        read_record_at(WARCIO / "example.warc", 5)
    assert read_record_at(WARCIO / "example.warc", 1197).http_status == 200


# =============================================================================================
# Content codings: the same bytes Scrapy's HttpCompressionMiddleware hands a spider
# =============================================================================================


def _brotli(data: bytes) -> bytes:
    brotli = pytest.importorskip("brotli")
    return brotli.compress(data)  # type: ignore[no-any-return]


def _zstd(data: bytes) -> bytes:
    try:
        from backports import zstd  # type: ignore[import-not-found]
    except ImportError:
        zstd = pytest.importorskip("compression.zstd")
    return zstd.compress(data)  # type: ignore[no-any-return]


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(data) + compressor.flush()


CODINGS: list[tuple[str, Callable[[bytes], bytes]]] = [
    ("gzip", gzip.compress),
    ("x-gzip", gzip.compress),
    ("deflate", zlib.compress),
    ("deflate", _raw_deflate),
    ("br", _brotli),
    ("zstd", _zstd),
    ("gzip, br", lambda d: _brotli(gzip.compress(d))),
    ("identity", lambda d: d),
    ("gzip", lambda d: gzip.compress(d) + gzip.compress(b"<p>second member</p>")),
    ("gzip", lambda d: gzip.compress(d)[:-12]),  # truncated: Scrapy keeps what decodes
]


def record_for(tmp_path: Path, coding: str, payload: bytes) -> ArchivedRecord:
    directory = tmp_path / "codings"
    shutil.rmtree(directory, ignore_errors=True)
    headers = [("Content-Type", "text/html"), ("Content-Encoding", coding)]
    with RotatingWarcWriter(directory, "c") as writer:
        written = writer.write_exchange(
            exchange("https://news.example/z", payload, headers=headers)
        )
    [path] = archive_files([directory])
    return read_record_at(path, written.offset)


@pytest.mark.parametrize(
    ("coding", "encode"), CODINGS, ids=[f"{c}-{i}" for i, (c, _) in enumerate(CODINGS)]
)
def test_body_matches_scrapy(tmp_path: Path, coding: str, encode: Callable[[bytes], bytes]) -> None:
    from scrapy import Request, Spider
    from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
    from scrapy.http import Response
    from scrapy.utils.test import get_crawler

    record = record_for(tmp_path, coding, encode(HTML))
    middleware = HttpCompressionMiddleware.from_crawler(get_crawler(Spider))
    url = "https://news.example/z"
    served = Response(url, headers=record.http_headers, body=record.payload)
    expected = middleware.process_response(Request(url), served).body
    assert record.body() == expected
    assert expected.startswith(b"<!doctype html>")


def test_body_that_does_not_decode(tmp_path: Path) -> None:
    record = record_for(tmp_path, "gzip", b"\x1f\x8b\x08\x00garbage-not-deflate")
    with pytest.raises(
        PayloadError, match=r"@\d+ \(https://news.example/z\): gzip body does not decode"
    ):
        record.body()
    assert isinstance(PayloadError("x"), ValueError)
    record = record_for(tmp_path, "compress", b"whatever")
    with pytest.raises(PayloadError, match="unsupported Content-Encoding 'compress'"):
        record.body()
    record = record_for(tmp_path, "gzip", gzip.compress(HTML)[:-12])
    body = record.body()
    assert HTML.startswith(body) and len(body) > len(HTML) // 2
    assert record.warnings[-1].startswith("gzip body damaged")


# =============================================================================================
# Finding files
# =============================================================================================


def test_archive_files(tmp_path: Path) -> None:
    crawl = tmp_path / "data" / "warc" / "presstv"
    (crawl / "old").mkdir(parents=True)
    names = [
        "crawl-20240102-b.warc.gz",
        "crawl-20240101-a.warc.gz",
        "crawl-20240103-c.warc.gz.open",
        "old/x.arc.gz",
        "old/y.ARC",
        "z.warc",
        "notes.txt",
        "index.cdxj",
    ]
    for name in names:
        (crawl / name).write_bytes(b"")
    explicit = tmp_path / "odd-name.bin"
    explicit.write_bytes(b"")
    found = archive_files([crawl, explicit, crawl / "z.warc", crawl / ".." / "presstv"])
    assert found == sorted(
        [
            crawl / "crawl-20240101-a.warc.gz",
            crawl / "crawl-20240102-b.warc.gz",
            crawl / "old" / "x.arc.gz",
            crawl / "old" / "y.ARC",
            crawl / "z.warc",
            explicit,
        ]
    )
    assert crawl / "crawl-20240103-c.warc.gz.open" in archive_files([crawl], include_open=True)
    with pytest.raises(FileNotFoundError):
        archive_files([tmp_path / "missing"])


def test_server_not_modified_revisit_resolves_by_refers_to(tmp_path: Path) -> None:
    from archive.warc_records import SERVER_NOT_MODIFIED

    directory = tmp_path / "warc"
    with RotatingWarcWriter(directory, "snm", clock=ticking_clock()) as writer:
        original = writer.write_exchange(exchange("https://news.example/a", HTML))
        not_modified = HttpExchange(
            **{
                **vars(exchange("https://news.example/a", b"", when=T0 + timedelta(days=1))),
                "status": 304,
                "reason": "Not Modified",
            }
        )
        writer.write_exchange(not_modified, revisit=Revisit.of(original, SERVER_NOT_MODIFIED))
    [path] = archive_files([directory])
    resolver = RevisitResolver()
    records = list(iter_records(path))
    for record in records:
        resolver.remember(record)
    [revisit] = [r for r in records if r.type == "revisit"]
    assert (revisit.http_status, revisit.revisit_profile) == (304, SERVER_NOT_MODIFIED)
    found = resolver.resolve(revisit)
    assert found is not None and found.record_id == original.record_id
    assert found.body() == HTML
    with pytest.raises(ValueError, match="is a response record"):
        resolver.resolve(found)


def test_content_length_lie_inside_a_gzip_member(tmp_path: Path) -> None:
    data, _ = plain_warc(http(b"<p>one</p>"), http(b"<p>two</p>"), http(b"<p>three</p>"))
    records = _split_records(data)
    length = f"Content-Length: {len(http(b'<p>two</p>'))}\r\n".encode()
    too_long = records[1].replace(
        length, f"Content-Length: {len(http(b'<p>two</p>')) + 50}\r\n".encode()
    )
    members = [
        gzip_member([records[0]], 6),
        gzip_member([too_long], 6),
        gzip_member([records[2]], 6),
    ]
    path = tmp_path / "lie.warc.gz"
    path.write_bytes(b"".join(members))
    read_back, problems = read(path)
    assert problem_list(problems) == [
        (len(members[0]), "Content-Length does not match: record runs past its gzip member")
    ]
    assert [r.target_uri for r in read_back] == ["https://news.example/0", "https://news.example/2"]
    assert read_back[1].offset == len(members[0]) + len(members[1])


@pytest.mark.parametrize(
    ("source", "name"), [("example.warc", "x.warc.gz"), ("example.warc.gz", "x.warc")]
)
def test_compression_is_detected_from_bytes_not_name(
    tmp_path: Path, source: str, name: str
) -> None:
    path = tmp_path / name
    shutil.copy(WARCIO / source, path)
    records, problems = read(path)
    assert problems == [] and len(records) == 6 and records[2].http_status == 200


def test_file_cut_short_while_being_read(tmp_path: Path) -> None:
    """A writer truncating a half-written record (or rsync --inplace) under a reader: the
    reader must see a truncated record, not die (an mmap would take SIGBUS)."""

    directory = tmp_path / "w"
    noise = [os.urandom(64 * 1024) for _ in range(40)]  # incompressible: a 2.6 MB file
    with RotatingWarcWriter(directory, "grow", clock=ticking_clock()) as writer:
        for number, body in enumerate(noise):
            writer.write_exchange(exchange(f"https://news.example/{number}", body))
    [path] = archive_files([directory])
    problems: list[ReadProblem] = []
    records = iter_records(path, problems.append)
    first = next(records)
    cut = path.stat().st_size // 2
    with open(path, "r+b") as handle:
        handle.truncate(cut)
    rest = list(records)
    assert first.type == "warcinfo"
    assert 0 < len(rest) < 80
    assert all(r.offset + r.length <= cut for r in rest)
    [problem] = problems
    assert problem.reason == "truncated gzip member" and problem.offset < cut


def _summary(path: Path) -> list[object]:
    records, problems = read(path)
    return [(r.type, r.offset, r.length, r.record_id, r.payload, r.warnings) for r in records] + [
        (p.offset, p.reason) for p in problems
    ]


def test_reading_does_not_depend_on_the_read_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every fixture, a damaged plain WARC and our own gzip WARC read with a 100-byte window
    (headers, blocks, gzip members and resync searches all straddle window edges) read
    exactly as with the normal 1 MiB one."""
    from archive.warc_read import source

    data, offsets = plain_warc(http(b"<p>one</p>" * 50), http(b"<p>two</p>"), http(b"<p>3</p>"))
    damaged = tmp_path / "damaged.warc"
    damaged.write_bytes(data[: offsets[1] + 40] + b"\r\n" + data[offsets[2] - 10 :])
    ours, _ = write_exchanges(tmp_path / "ours", 3)
    paths = [p for p in FIXTURES.rglob("*") if p.is_file() and p.name != "LICENSE"]
    paths += [damaged, ours]
    normal = [_summary(path) for path in paths]
    monkeypatch.setattr(source._FileSource, "WINDOW", 100)
    assert [_summary(path) for path in paths] == normal
    assert any(isinstance(item, tuple) and len(item) == 2 for item in normal[-2])  # damage seen


def test_non_ascii_digits_in_content_length(tmp_path: Path) -> None:
    data, offsets = plain_warc(http(b"<p>one</p>"), http(b"<p>two</p>"))
    path = tmp_path / "digits.warc"
    path.write_bytes(data.replace(b"Content-Length: 5", "Content-Length: ¹5".encode(), 1))
    records, problems = read(path)
    assert problem_list(problems) == [(0, "unparsable WARC header: Content-Length '¹54'")]
    assert [(r.target_uri, r.offset) for r in records] == [
        ("https://news.example/1", offsets[1] + 2)
    ]
