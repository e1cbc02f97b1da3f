"""RotatingWarcWriter: golden bytes, round trip, digests, rotation, naming, pointers."""

from __future__ import annotations

import base64
import gzip
import hashlib
import itertools
import json
import os
import socket
import subprocess
import zlib
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.recordloader import ArcWarcRecord

from archive.warc_records import (
    IDENTICAL_PAYLOAD_DIGEST,
    SERVER_NOT_MODIFIED,
    SOFTWARE,
    HttpExchange,
    Revisit,
    WrittenExchange,
    warc_date,
)
from archive.warc_writer import RotatingWarcWriter, WarcPointer

PINNED = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)


def sequential_ids() -> Callable[[], str]:
    counter = itertools.count(1)
    return lambda: f"<urn:uuid:00000000-0000-4000-8000-{next(counter):012d}>"


def pinned_writer(directory: Path, **kwargs: object) -> RotatingWarcWriter:
    return RotatingWarcWriter(
        directory,
        "test",
        clock=lambda: PINNED,
        record_id_factory=sequential_ids(),
        **kwargs,  # type: ignore[arg-type]
    )


def exchange(**overrides: object) -> HttpExchange:
    fields: dict[str, object] = {
        "url": "http://example.com/Detail/2024/05/06/1/a?x=1&y=2#top",
        "method": "GET",
        "request_headers": [("User-Agent", "newsarchive-test"), ("Accept", "text/html")],
        "request_body": b"",
        "protocol": "HTTP/1.1",
        "status": 200,
        "reason": "OK",
        "response_headers": [
            ("Content-Type", "text/html; charset=utf-8"),
            ("Set-Cookie", "a=1; Path=/"),
            ("Set-Cookie", "b=2; Path=/"),
        ],
        "payload": b"<html><body>hello</body></html>",
        "ip_address": "192.0.2.7",
        "date": PINNED,
    }
    fields.update(overrides)
    return HttpExchange(**fields)  # type: ignore[arg-type]


def gzip_members(path: Path) -> list[bytes]:
    """Decompress member by member: proves every record is its own gzip member."""
    data, members = path.read_bytes(), []
    while data:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        members.append(inflater.decompress(data))
        assert inflater.eof, "truncated gzip member"
        data = inflater.unused_data
    return members


def records(path: Path) -> Iterator[tuple[ArcWarcRecord, bytes]]:
    """(record, raw block payload) pairs with every digest verified by warcio on the way."""
    with path.open("rb") as stream:
        for record in ArchiveIterator(stream, check_digests="raise"):
            yield record, record.raw_stream.read()


def b32sha1(*parts: bytes) -> str:
    return "sha1:" + base64.b32encode(hashlib.sha1(b"".join(parts)).digest()).decode()


def only_warc(directory: Path) -> Path:
    (path,) = directory.iterdir()
    return path


GOLDEN_EXCHANGE = (
    b"WARC/1.1\r\n"
    b"WARC-Type: response\r\n"
    b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000002>\r\n"
    b"WARC-Date: 2024-05-06T07:08:09.123456Z\r\n"
    b"WARC-Target-URI: http://example.com/Detail/2024/05/06/1/a?x=1&y=2\r\n"
    b"WARC-IP-Address: 192.0.2.7\r\n"
    b"WARC-Concurrent-To: <urn:uuid:00000000-0000-4000-8000-000000000003>\r\n"
    b"WARC-Warcinfo-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
    b"WARC-Payload-Digest: sha1:SN3YBH5XCTHTK7ZCY7VOTCQ4FZMTWIGQ\r\n"
    b"WARC-Block-Digest: sha1:GPKMZUQ2X47TGHRE7TGCX3NHFV6CBXVV\r\n"
    b"Content-Type: application/http; msgtype=response\r\n"
    b"Content-Length: 140\r\n"
    b"\r\n"
    b"HTTP/1.1 200 OK\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n"
    b"Set-Cookie: a=1; Path=/\r\n"
    b"Set-Cookie: b=2; Path=/\r\n"
    b"\r\n"
    b"<html><body>hello</body></html>"
    b"\r\n\r\n"
    b"WARC/1.1\r\n"
    b"WARC-Type: request\r\n"
    b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000003>\r\n"
    b"WARC-Date: 2024-05-06T07:08:09.123456Z\r\n"
    b"WARC-Target-URI: http://example.com/Detail/2024/05/06/1/a?x=1&y=2\r\n"
    b"WARC-Concurrent-To: <urn:uuid:00000000-0000-4000-8000-000000000002>\r\n"
    b"WARC-Warcinfo-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
    b"WARC-Payload-Digest: sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ\r\n"
    b"WARC-Block-Digest: sha1:PS646AWWZEKZ3RZABLDQ2QVEXDU5EK3S\r\n"
    b"Content-Type: application/http; msgtype=request\r\n"
    b"Content-Length: 115\r\n"
    b"\r\n"
    b"GET /Detail/2024/05/06/1/a?x=1&y=2 HTTP/1.1\r\n"
    b"Host: example.com\r\n"
    b"User-Agent: newsarchive-test\r\n"
    b"Accept: text/html\r\n"
    b"\r\n"
    b"\r\n\r\n"
)


def test_golden_bytes(tmp_path: Path) -> None:
    with pinned_writer(tmp_path) as writer:
        writer.write_exchange(exchange())  # its URL has a #fragment, never sent, not stored
    path = only_warc(tmp_path)
    warcinfo, response, request = gzip_members(path)
    assert response + request == GOLDEN_EXCHANGE

    body = (
        f"software: {SOFTWARE}\r\n"
        "format: WARC File Format 1.1\r\n"
        "conformsTo: https://iipc.github.io/warc-specifications/specifications/"
        "warc-format/warc-1.1/\r\n"
        f"hostname: {socket.gethostname()}\r\n"
    ).encode()
    assert warcinfo == (
        b"WARC/1.1\r\n"
        b"WARC-Type: warcinfo\r\n"
        b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
        b"WARC-Date: 2024-05-06T07:08:09.123456Z\r\n"
        b"WARC-Filename: " + path.name.encode() + b"\r\n"
        b"WARC-Block-Digest: " + b32sha1(body).encode() + b"\r\n"
        b"Content-Type: application/warc-fields\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n"
        b"\r\n" + body + b"\r\n\r\n"
    )


def test_round_trip_write_read_write(tmp_path: Path) -> None:
    originals = [
        exchange(),
        exchange(
            url="http://example.com/search?q=a+b&page=2",
            method="POST",
            request_headers=[("Content-Type", "application/x-www-form-urlencoded")],
            request_body=b"q=a+b",
            status=404,
            reason="Not Found",
            response_headers=[("X-A", "1"), ("X-B", "2"), ("X-A", "3")],
            payload=b"nope",
            ip_address=None,
        ),
    ]
    first, second = tmp_path / "first", tmp_path / "second"
    with pinned_writer(first) as writer:
        for ex in originals:
            writer.write_exchange(ex)

    reread: list[HttpExchange] = []
    ids: list[str] = []
    pairs = list(records(only_warc(first)))
    ids.append(pairs[0][0].rec_headers.get_header("WARC-Record-ID"))
    for (resp, payload), (req, req_body) in zip(pairs[1::2], pairs[2::2]):
        ids += [resp.rec_headers["WARC-Record-ID"], req.rec_headers["WARC-Record-ID"]]
        reread.append(exchange_from_records(resp, req, req_body, payload))
    assert len(reread) == len(originals)
    id_iter = iter(ids)
    with RotatingWarcWriter(
        second, "test", clock=lambda: PINNED, record_id_factory=lambda: next(id_iter)
    ) as writer:
        for ex in reread:
            writer.write_exchange(ex)
    assert gzip_members(only_warc(second))[1:] == gzip_members(only_warc(first))[1:]


def test_digests_match_an_independent_sha1(tmp_path: Path) -> None:
    payload = os.urandom(3000)
    with pinned_writer(tmp_path) as writer:
        writer.write_exchange(exchange(payload=payload, request_body=b"body", method="PUT"))
    seen = set()
    for member in gzip_members(only_warc(tmp_path)):
        warc_head, _, rest = member.partition(b"\r\n\r\n")
        assert rest.endswith(b"\r\n\r\n")
        block = rest[:-4]
        headers = dict(line.split(": ", 1) for line in warc_head.decode().split("\r\n")[1:])
        assert int(headers["Content-Length"]) == len(block)
        assert headers["WARC-Block-Digest"] == b32sha1(block)
        if headers["WARC-Type"] in ("response", "request"):
            _, _, http_body = block.partition(b"\r\n\r\n")
            assert headers["WARC-Payload-Digest"] == b32sha1(http_body)
            seen.add((headers["WARC-Type"], http_body))
    assert seen == {("response", payload), ("request", b"body")}


def test_repeated_headers_and_request_line(tmp_path: Path) -> None:
    with pinned_writer(tmp_path) as writer:
        writer.write_exchange(
            exchange(
                url="https://example.com:8443/path/x?a=1&b=%20#frag",
                protocol="HTTP/1.0",
                request_protocol="HTTP/1.1",
            )
        )
    (_, _), (resp, _), (req, _) = records(only_warc(tmp_path))
    assert resp.http_headers.protocol == "HTTP/1.0"
    assert resp.http_headers.statusline == "200 OK"
    assert [v for k, v in resp.http_headers.headers if k == "Set-Cookie"] == [
        "a=1; Path=/",
        "b=2; Path=/",
    ]
    assert req.http_headers.protocol == "GET"
    assert req.http_headers.statusline == "/path/x?a=1&b=%20 HTTP/1.1"
    assert req.http_headers.get_header("Host") == "example.com:8443"
    assert resp.rec_headers["WARC-Target-URI"] == "https://example.com:8443/path/x?a=1&b=%20"
    assert resp.rec_headers["WARC-IP-Address"] == "192.0.2.7"


def test_given_host_header_is_not_duplicated(tmp_path: Path) -> None:
    with pinned_writer(tmp_path) as writer:
        writer.write_exchange(exchange(request_headers=[("host", "mirror.example")]))
    (_, _), (_, _), (req, _) = records(only_warc(tmp_path))
    assert [(k, v) for k, v in req.http_headers.headers if k.lower() == "host"] == [
        ("host", "mirror.example")
    ]


def test_content_encoding_kept_and_chunked_framing_dropped(tmp_path: Path) -> None:
    html = b"<html>" + b"x" * 5000 + b"</html>"
    encoded = gzip.compress(html)
    with pinned_writer(tmp_path) as writer:
        writer.write_exchange(
            exchange(
                response_headers=[
                    ("Content-Encoding", "gzip"),
                    ("Transfer-Encoding", "chunked"),
                ],
                payload=encoded,
            )
        )
    path = only_warc(tmp_path)
    with path.open("rb") as stream:
        response = next(r for r in ArchiveIterator(stream) if r.rec_type == "response")
        assert response.http_headers.get_header("Transfer-Encoding") is None
        assert response.http_headers.get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"
        # content_stream() would try to de-chunk again if the header had stayed.
        assert response.content_stream().read() == html
    (_, _), (resp, raw), _ = records(path)
    assert raw == encoded
    assert resp.rec_headers["WARC-Payload-Digest"] == b32sha1(encoded)


def test_warc_date_always_has_microseconds() -> None:
    assert warc_date(datetime(2024, 1, 2, 3, 4, 5)) == "2024-01-02T03:04:05.000000Z"
    local = datetime(2024, 1, 2, 5, 4, 5, 7, tzinfo=timezone(timedelta(hours=2)))
    assert warc_date(local) == "2024-01-02T03:04:05.000007Z"


def test_open_suffix_until_closed_then_renamed(tmp_path: Path) -> None:
    writer = pinned_writer(tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing written yet: no empty WARC either
    pointer = writer.write_exchange(exchange())
    open_path = writer.current_path
    assert open_path is not None and open_path.name == pointer.filename + ".open"
    assert [p.name for p in tmp_path.iterdir()] == [open_path.name]
    writer.close()
    assert [p.name for p in tmp_path.iterdir()] == [pointer.filename]
    assert pointer.filename.endswith(".warc.gz")
    writer.close()  # idempotent
    with pytest.raises(ValueError):
        writer.write_exchange(exchange())


def test_rotation_gives_several_valid_files_and_pointers_resolve(tmp_path: Path) -> None:
    pointers: list[tuple[WarcPointer, str]] = []
    with pinned_writer(tmp_path, max_bytes=6000, gzip_level=1) as writer:
        for n in range(12):
            url = f"http://example.com/page/{n}?n={n}"
            pointers.append(
                (writer.write_exchange(exchange(url=url, payload=os.urandom(2000))), url)
            )
    files = sorted(tmp_path.iterdir())
    assert len(files) >= 4
    assert all(p.name.endswith(".warc.gz") for p in files)
    assert writer.files_opened == len(files)
    assert writer.bytes_written == sum(p.stat().st_size for p in files)
    responses = 0
    for path in files:
        recs = list(records(path))
        assert recs[0][0].rec_type == "warcinfo"
        assert recs[0][0].rec_headers["WARC-Filename"] == path.name
        assert [r.rec_type for r, _ in recs[1:]] == ["response", "request"] * ((len(recs) - 1) // 2)
        assert len(recs) % 2 == 1
        responses += (len(recs) - 1) // 2
        assert path.stat().st_size < 6000 + 2 * 2300  # rotated right after crossing max_bytes
    assert responses == 12
    for pointer, url in pointers:
        with (tmp_path / pointer.filename).open("rb") as stream:
            stream.seek(pointer.offset)
            record = next(iter(ArchiveIterator(stream)))
            assert record.rec_type == "response"
            assert record.rec_headers["WARC-Record-ID"] == pointer.record_id
            assert record.rec_headers["WARC-Target-URI"] == url
    check = subprocess.run(
        ["warcio", "check", *map(str, files)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_names_unique_for_writers_in_the_same_microsecond(tmp_path: Path) -> None:
    first, second = pinned_writer(tmp_path), pinned_writer(tmp_path)
    a, b = first.write_exchange(exchange()), second.write_exchange(exchange())
    first.close()
    second.close()
    assert a.filename != b.filename
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([a.filename, b.filename])
    stamp = PINNED.strftime("%Y%m%d%H%M%S%f")
    assert a.filename.startswith(f"test-{stamp}-00001-")
    assert f"-{os.getpid()}-" in a.filename


def test_gzip_level_is_honoured(tmp_path: Path) -> None:
    payload = b"compressible " * 5000
    sizes = {}
    for level in (0, 9):
        with pinned_writer(tmp_path / str(level), gzip_level=level) as writer:
            writer.write_exchange(exchange(payload=payload))
        sizes[level] = only_warc(tmp_path / str(level)).stat().st_size
    assert sizes[0] > len(payload) > 20 * sizes[9]


def test_line_breaks_in_headers_are_refused(tmp_path: Path) -> None:
    with pinned_writer(tmp_path) as writer:
        with pytest.raises(ValueError):
            writer.write_exchange(exchange(response_headers=[("X-Evil", "a\r\nWARC-Type: x")]))
        # The failed exchange left nothing half-written behind.
        writer.write_exchange(exchange())
    assert [r.rec_type for r, _ in records(only_warc(tmp_path))] == [
        "warcinfo",
        "response",
        "request",
    ]


# -- revisit records ----------------------------------------------------------------------

ORIGINAL_ID = "<urn:uuid:11111111-2222-4333-8444-555555555555>"
ORIGINAL = Revisit(
    IDENTICAL_PAYLOAD_DIGEST,
    target_uri="http://mirror.example/Detail/2024/05/06/1/a",
    warc_date="2024-05-01T00:00:00.000000Z",
    record_id=ORIGINAL_ID,
)
NOT_MODIFIED = Revisit(
    SERVER_NOT_MODIFIED, ORIGINAL.target_uri, ORIGINAL.warc_date, ORIGINAL.record_id
)

GOLDEN_REVISIT_HEAD = (
    b"WARC/1.1\r\n"
    b"WARC-Type: revisit\r\n"
    b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000002>\r\n"
    b"WARC-Date: 2024-05-06T07:08:09.123456Z\r\n"
    b"WARC-Target-URI: http://example.com/Detail/2024/05/06/1/a?x=1&y=2\r\n"
    b"WARC-IP-Address: 192.0.2.7\r\n"
    b"WARC-Concurrent-To: <urn:uuid:00000000-0000-4000-8000-000000000003>\r\n"
    b"WARC-Warcinfo-ID: <urn:uuid:00000000-0000-4000-8000-000000000001>\r\n"
)
GOLDEN_REQUEST_IDS = (
    b"WARC/1.1\r\n"
    b"WARC-Type: request\r\n"
    b"WARC-Record-ID: <urn:uuid:00000000-0000-4000-8000-000000000003>\r\n"
)


def test_golden_identical_payload_digest_revisit(tmp_path: Path) -> None:
    with pinned_writer(tmp_path) as writer:
        written = writer.write_exchange(exchange(), ORIGINAL)
    _, revisit, request = gzip_members(only_warc(tmp_path))
    http_head = (
        b"HTTP/1.1 200 OK\r\n"
        b"Content-Type: text/html; charset=utf-8\r\n"
        b"Set-Cookie: a=1; Path=/\r\n"
        b"Set-Cookie: b=2; Path=/\r\n"
        b"\r\n"
    )
    assert revisit == (
        GOLDEN_REVISIT_HEAD
        + b"WARC-Profile: http://netpreserve.org/warc/1.1/revisit/identical-payload-digest\r\n"
        b"WARC-Refers-To: <urn:uuid:11111111-2222-4333-8444-555555555555>\r\n"
        b"WARC-Refers-To-Target-URI: http://mirror.example/Detail/2024/05/06/1/a\r\n"
        b"WARC-Refers-To-Date: 2024-05-01T00:00:00.000000Z\r\n"
        # the digest of the payload it stands for: the same as the golden response's
        b"WARC-Payload-Digest: sha1:SN3YBH5XCTHTK7ZCY7VOTCQ4FZMTWIGQ\r\n"
        b"WARC-Block-Digest: sha1:TISAQVDL6D2N2XDUZYZ6TP7EHDVE3OXN\r\n"
        b"Content-Type: application/http; msgtype=response\r\n"
        b"Content-Length: 109\r\n"
        b"\r\n" + http_head + b"\r\n\r\n"
    )
    assert b32sha1(http_head) == "sha1:TISAQVDL6D2N2XDUZYZ6TP7EHDVE3OXN"
    assert b32sha1(exchange().payload) == "sha1:SN3YBH5XCTHTK7ZCY7VOTCQ4FZMTWIGQ"
    # The request record is exactly the one a full response would have had.
    golden_request = GOLDEN_EXCHANGE[GOLDEN_EXCHANGE.index(GOLDEN_REQUEST_IDS) :]
    assert request == golden_request
    assert written == WrittenExchange(
        written.filename,
        written.offset,
        "<urn:uuid:00000000-0000-4000-8000-000000000002>",
        record_type="revisit",
        warc_date="2024-05-06T07:08:09.123456Z",
        target_uri="http://example.com/Detail/2024/05/06/1/a?x=1&y=2",
        payload_digest="sha1:SN3YBH5XCTHTK7ZCY7VOTCQ4FZMTWIGQ",
    )


def test_golden_server_not_modified_revisit(tmp_path: Path) -> None:
    with pinned_writer(tmp_path) as writer:
        written = writer.write_exchange(
            exchange(
                status=304, reason="Not Modified", payload=b"", response_headers=[("ETag", '"v1"')]
            ),
            NOT_MODIFIED,
        )
    _, revisit, _ = gzip_members(only_warc(tmp_path))
    http_head = b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\n\r\n'
    assert revisit == (
        GOLDEN_REVISIT_HEAD
        + b"WARC-Profile: http://netpreserve.org/warc/1.1/revisit/server-not-modified\r\n"
        b"WARC-Refers-To: <urn:uuid:11111111-2222-4333-8444-555555555555>\r\n"
        b"WARC-Refers-To-Target-URI: http://mirror.example/Detail/2024/05/06/1/a\r\n"
        b"WARC-Refers-To-Date: 2024-05-01T00:00:00.000000Z\r\n"
        # no WARC-Payload-Digest: a 304 has no payload to stand for
        b"WARC-Block-Digest: " + b32sha1(http_head).encode() + b"\r\n"
        b"Content-Type: application/http; msgtype=response\r\n"
        b"Content-Length: 41\r\n"
        b"\r\n" + http_head + b"\r\n\r\n"
    )
    assert written.record_type == "revisit" and written.payload_digest is None


def test_response_result_carries_what_an_index_remembers(tmp_path: Path) -> None:
    with pinned_writer(tmp_path) as writer:
        written = writer.write_exchange(exchange())
    assert written.record_type == "response"
    assert written.record_id == "<urn:uuid:00000000-0000-4000-8000-000000000002>"
    assert written.warc_date == "2024-05-06T07:08:09.123456Z"
    assert written.target_uri == "http://example.com/Detail/2024/05/06/1/a?x=1&y=2"
    assert written.payload_digest == "sha1:SN3YBH5XCTHTK7ZCY7VOTCQ4FZMTWIGQ"
    assert isinstance(written, WarcPointer)
    assert written.pointer == WarcPointer(written.filename, written.offset, written.record_id)
    assert type(written.pointer) is WarcPointer


def test_revisit_profile_and_fields_are_checked() -> None:
    with pytest.raises(ValueError):
        Revisit("http://netpreserve.org/warc/1.0/revisit/uri-agnostic", "u", "d", "<id>")
    with pytest.raises(ValueError):
        Revisit(IDENTICAL_PAYLOAD_DIGEST, "http://x/\r\nWARC-Type: x", "d", "<id>")


def exchange_from_records(
    resp: ArcWarcRecord, req: ArcWarcRecord, req_body: bytes, payload: bytes
) -> HttpExchange:
    return HttpExchange(
        url=resp.rec_headers["WARC-Target-URI"],
        method=req.http_headers.protocol,
        request_headers=req.http_headers.headers,
        request_body=req_body,
        protocol=resp.http_headers.protocol,
        status=int(resp.http_headers.get_statuscode()),
        reason=resp.http_headers.statusline.split(" ", 1)[1],
        response_headers=resp.http_headers.headers,
        payload=payload,
        ip_address=resp.rec_headers.get_header("WARC-IP-Address"),
        date=datetime.strptime(resp.rec_headers["WARC-Date"], "%Y-%m-%dT%H:%M:%S.%fZ"),
        request_protocol=req.http_headers.statusline.rsplit(" ", 1)[1],
    )


def test_revisit_round_trip_resolves_payload_from_the_original(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    with pinned_writer(first) as writer:
        original = writer.write_exchange(exchange(url="http://mirror.example/a"))
        writer.write_exchange(exchange(url="http://other.example/a"), Revisit.of(original))
        writer.write_exchange(
            exchange(status=304, reason="Not Modified", payload=b"", response_headers=[]),
            Revisit.of(original, SERVER_NOT_MODIFIED),
        )
    pairs = list(records(only_warc(first)))
    ids = [pairs[0][0].rec_headers["WARC-Record-ID"]]
    by_id = {r.rec_headers["WARC-Record-ID"]: (r, block) for r, block in pairs}
    rewrite: list[tuple[HttpExchange, Revisit | None]] = []
    for (resp, block), (req, req_body) in zip(pairs[1::2], pairs[2::2]):
        ids += [resp.rec_headers["WARC-Record-ID"], req.rec_headers["WARC-Record-ID"]]
        assert req.rec_headers["WARC-Concurrent-To"] == resp.rec_headers["WARC-Record-ID"]
        assert resp.rec_headers["WARC-Concurrent-To"] == req.rec_headers["WARC-Record-ID"]
        revisit = None
        payload = block
        if resp.rec_type == "revisit":
            revisit = Revisit(
                resp.rec_headers["WARC-Profile"],
                resp.rec_headers["WARC-Refers-To-Target-URI"],
                resp.rec_headers["WARC-Refers-To-Date"],
                resp.rec_headers["WARC-Refers-To"],
            )
            target, target_block = by_id[revisit.record_id]
            assert target.rec_headers["WARC-Target-URI"] == revisit.target_uri
            assert target.rec_headers["WARC-Date"] == revisit.warc_date
            if revisit.profile == IDENTICAL_PAYLOAD_DIGEST:
                assert block == b""  # warcio hands over the block after the HTTP head
                payload = target_block
                assert (
                    resp.rec_headers["WARC-Payload-Digest"]
                    == target.rec_headers["WARC-Payload-Digest"]
                    == b32sha1(payload)
                )
        rewrite.append((exchange_from_records(resp, req, req_body, payload), revisit))
    assert [r is None or r.profile for _, r in rewrite] == [
        True,
        IDENTICAL_PAYLOAD_DIGEST,
        SERVER_NOT_MODIFIED,
    ]
    id_iter = iter(ids)
    with RotatingWarcWriter(
        second, "test", clock=lambda: PINNED, record_id_factory=lambda: next(id_iter)
    ) as writer:
        for ex, revisit in rewrite:
            writer.write_exchange(ex, revisit)
    assert gzip_members(only_warc(second))[1:] == gzip_members(only_warc(first))[1:]


def test_warcio_check_and_cdxj_indexer_accept_revisits(tmp_path: Path) -> None:
    with pinned_writer(tmp_path) as writer:
        original = writer.write_exchange(exchange(url="http://mirror.example/a"))
        revisit = writer.write_exchange(
            exchange(url="http://other.example/a"), Revisit.of(original)
        )
        not_modified = writer.write_exchange(
            exchange(url="http://mirror.example/a", status=304, reason="Not Modified", payload=b""),
            Revisit.of(original, SERVER_NOT_MODIFIED),
        )
    path = str(only_warc(tmp_path))
    check = subprocess.run(
        ["warcio", "check", "-v", path], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "failed" not in check.stdout and check.stdout.count(" revisit\n") == 2
    index = subprocess.run(["cdxj-indexer", path], capture_output=True, text=True, check=False)
    assert index.returncode == 0, index.stderr
    rows = {}
    for line in index.stdout.splitlines():
        row = json.loads(line.split(" ", 2)[2])
        rows[int(row["offset"])] = row
    assert rows[original.offset]["mime"] == "text/html"
    assert rows[revisit.offset]["mime"] == "warc/revisit"
    assert rows[revisit.offset]["url"] == "http://other.example/a"
    assert rows[revisit.offset]["digest"] == rows[original.offset]["digest"]
    assert rows[not_modified.offset]["mime"] == "warc/revisit"
    assert rows[not_modified.offset]["status"] == "304"
    assert len(rows) == 3


@pytest.mark.parametrize(
    "headers",
    [
        [("Content-Type", "image/jpeg")],
        [("content-type", "video/mp4")],
        [("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
    ],
    ids=["picture", "video", "content-coded page"],
)
def test_a_payload_compressed_already_is_stored_and_reads_back_the_same(
    tmp_path: Path, headers: list[tuple[str, str]]
) -> None:
    """Deflating a JPEG again saves nothing and costs as much as a page: its member stores
    it (level 0), still gzip; the request beside it, and pages, are deflated as before."""
    # bytes that would deflate well, so only the stored member explains a large file
    payload = b"looks compressible but is said not to be " * 2000
    with pinned_writer(tmp_path) as writer:
        writer.write_exchange(exchange(payload=payload, response_headers=headers))
        writer.write_exchange(exchange(payload=payload))  # a page: deflated
    path = only_warc(tmp_path)
    data, responses = path.read_bytes(), []  # (member size, content) of each response
    while data:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        content = inflater.decompress(data)
        if b"WARC-Type: response" in content:
            responses.append(len(data) - len(inflater.unused_data))
        data = inflater.unused_data
    said_compressed, page = responses
    assert said_compressed > len(payload)  # stored, not deflated
    assert page < len(payload) // 10  # deflated
    blocks = [block for record, block in records(path) if record.rec_type == "response"]
    assert len(blocks) == 2 and all(block.endswith(payload) for block in blocks)
