"""WARC and ARC files with the quirks other crawlers write, built byte by byte (issue 14):
each is what some writer in the wild produces, and each is one that warcio reads.  The tests
hold our reader against warcio on every one of them (``test_warc_quirks.py``).

Every file holds one article page (``PAGE``) at ``URL``, so the payload both readers return
can be compared with the bytes written.
"""

from __future__ import annotations

import gzip
import hashlib
import uuid
from base64 import b32encode
from collections.abc import Callable
from pathlib import Path

URL = "http://news.example/2024/01/02/article-1"
HOST = "news.example"
PAGE = (
    b"<html><head><title>Council approves new bridge</title></head><body><article>"
    b"<h1>Council approves new bridge</h1>"
    + b"".join(
        b"<p>Paragraph %d: the city council approved on Tuesday the plan for a new bridge over "
        b"the river, after two years of debate and three public hearings.</p>" % n
        for n in range(8)
    )
    + b"</article></body></html>"
)


def write_news_profile(directory: Path, name: str = "news") -> Path:
    """A site profile for ``HOST`` whose article URLs are ``/YYYY/MM/DD/<slug>``."""
    profile = directory / f"{name}.toml"
    profile.write_text(
        f'name = "{name}"\n'
        f'primary = "http://{HOST}"\n'
        "article_url = '^/(?P<year>\\d{4})/(?P<month>\\d{2})/(?P<day>\\d{2})/(?P<id>[a-z0-9-]+)$'\n"
        'extractor = "generic"\n'
    )
    return profile


def sha1_digest(data: bytes) -> str:
    return "sha1:" + b32encode(hashlib.sha1(data).digest()).decode()


def warc_record(
    headers: list[tuple[str, str]], block: bytes, *, line_end: bytes = b"\r\n"
) -> bytes:
    head = b"WARC/1.0" + line_end
    for name, value in [*headers, ("Content-Length", str(len(block)))]:
        head += f"{name}: {value}".encode() + line_end
    return head + line_end + block + b"\r\n\r\n"


def response(
    http_head: bytes, body: bytes, *, date: str = "2024-01-02T10:00:00Z", url: str = URL
) -> bytes:
    block = http_head + body
    return warc_record(
        [
            ("WARC-Type", "response"),
            ("WARC-Record-ID", f"<urn:uuid:{uuid.uuid4()}>"),
            ("WARC-Date", date),
            ("WARC-Target-URI", url),
            ("Content-Type", "application/http; msgtype=response"),
            ("WARC-Payload-Digest", sha1_digest(body)),
        ],
        block,
    )


def http_head(*headers: str, status: str = "HTTP/1.1 200 OK", line_end: str = "\r\n") -> bytes:
    lines = [status, "Content-Type: text/html; charset=utf-8", *headers]
    return (line_end.join(lines) + line_end + line_end).encode()


def gz(record: bytes) -> bytes:
    return gzip.compress(record, mtime=0)


# --- the quirks -----------------------------------------------------------------------------


def dechunked_but_says_chunked() -> bytes:
    """A browser capture: ``Transfer-Encoding: chunked`` kept in the head, the body stored
    as the browser saw it, already de-chunked."""
    return gz(response(http_head("Transfer-Encoding: chunked"), PAGE))


def dechunked_without_digest() -> bytes:
    """The same without a payload digest to confirm the body is the whole page."""
    record = response(http_head("Transfer-Encoding: chunked"), PAGE)
    start = record.index(b"WARC-Payload-Digest")
    end = record.index(b"\r\n", start) + 2
    return gz(record[:start] + record[end:])


def says_gzip_but_is_not() -> bytes:
    """``Content-Encoding: gzip`` over a body stored decoded."""
    return gz(response(http_head("Content-Encoding: gzip"), PAGE))


def cr_cr_lf_header_lines() -> bytes:
    """HTTP header lines ending in CR CR LF (a writer that added CR to lines that had one)."""
    return gz(response(http_head(f"Content-Length: {len(PAGE)}", line_end="\r\r\n"), PAGE))


def bad_warc_date() -> bytes:
    """A WARC-Date with a three-digit day (``2008-10-294T…``), as one writer wrote them."""
    return gz(response(http_head(), PAGE, date="2008-10-294T10:00:00Z"))


def _arc(header_line: bytes, block: bytes) -> bytes:
    return header_line + b"\n" + block + b"\n"


def _arc_file(*records: bytes, header_length_error: int = 0, compressed: bool = True) -> bytes:
    desc = b"1 0 InternetArchive\nURL IP-address Archive-date Content-type Archive-length\n"
    length = len(desc) + header_length_error
    first = b"filedesc://quirks.arc 0.0.0.0 20240102100000 text/plain %d\n" % length + desc
    parts = (first + b"\n", *records)
    return b"".join(gz(part) if compressed else part for part in parts)


def arc_file_header_length_wrong() -> bytes:
    """An uncompressed ARC whose file header declares ten bytes fewer than its two lines."""
    record = _arc_response(b"10.0.0.1", b"20240102100000", b"text/html")
    return _arc_file(record, header_length_error=-10, compressed=False)


def _arc_response(ip: bytes, date: bytes, content_type: bytes) -> bytes:
    block = http_head(f"Content-Length: {len(PAGE)}") + PAGE
    line = b" ".join([URL.encode(), ip, date, content_type, str(len(block)).encode()])
    return _arc(line, block)


def arc_ip_none() -> bytes:
    return _arc_file(_arc_response(b"None", b"20240102100000", b"text/html"))


def arc_ten_digit_date() -> bytes:
    return _arc_file(_arc_response(b"10.0.0.1", b"2024010210", b"text/html"))


def arc_empty_content_type() -> bytes:
    block = http_head(f"Content-Length: {len(PAGE)}") + PAGE
    line = b"%s 10.0.0.1 20240102100000  %d" % (URL.encode(), len(block))
    return _arc_file(_arc(line, block))


def arc_ip_and_date_swapped() -> bytes:
    return _arc_file(_arc_response(b"20240102100000", b"10.0.0.1", b"text/html"))


QUIRKS: dict[str, tuple[str, Callable[[], bytes]]] = {
    "dechunked-but-says-chunked.warc.gz": ("chunked", dechunked_but_says_chunked),
    "dechunked-without-digest.warc.gz": ("chunked", dechunked_without_digest),
    "says-gzip-but-is-not.warc.gz": ("gzip", says_gzip_but_is_not),
    "cr-cr-lf-header-lines.warc.gz": ("CR CR LF", cr_cr_lf_header_lines),
    "bad-warc-date.warc.gz": ("WARC-Date", bad_warc_date),
    "ip-none.arc.gz": ("IP", arc_ip_none),
    "ten-digit-date.arc.gz": ("date", arc_ten_digit_date),
    "empty-content-type.arc.gz": ("content type", arc_empty_content_type),
    "ip-and-date-swapped.arc.gz": ("date", arc_ip_and_date_swapped),
}


def write_quirks(directory: Path) -> dict[str, Path]:
    written = {}
    for name, (_, build) in QUIRKS.items():
        path = directory / name
        path.write_bytes(build())
        written[name] = path
    return written
