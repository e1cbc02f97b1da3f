"""Archives built to take a reader's machine (issue 14): a response whose gzip body unpacks
to a GiB, and a page of tens of MB.  Built in the test's own directory in about a second,
never committed; read by tests that run the reader under a memory cap."""

from __future__ import annotations

import zlib
from pathlib import Path

from tests.warcs.quirks import PAGE, gz, http_head, response

GIB = 1 << 30


def gzip_bomb(size: int = GIB) -> bytes:
    """``size`` zero bytes, gzip-compressed (about a thousandth of it)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1 << 20)
    parts = [compressor.compress(zeros) for _ in range(size // len(zeros))]
    parts.append(compressor.flush())
    return b"".join(parts)


def huge_page(size: int) -> bytes:
    """An HTML page of ``size`` bytes: one article's paragraphs over and over."""
    filler = PAGE.replace(b"</article></body></html>", b"")
    count = size // len(filler) + 1
    return (filler * count)[:size] + b"</article></body></html>"


def write_hostile_warc(path: Path, *, page_bytes: int, bomb_bytes: int = GIB) -> dict[str, str]:
    """A WARC holding, in order: a gzip bomb, a huge page, and an ordinary article; the
    URL of each by its role."""
    urls = {
        "bomb": "http://news.example/2024/01/02/bomb",
        "huge": "http://news.example/2024/01/02/huge",
        "ordinary": "http://news.example/2024/01/02/ordinary",
    }
    records = [
        response(http_head("Content-Encoding: gzip"), gzip_bomb(bomb_bytes), url=urls["bomb"]),
        response(http_head(), huge_page(page_bytes), url=urls["huge"]),
        response(http_head(), PAGE, url=urls["ordinary"]),
    ]
    path.write_bytes(b"".join(gz(record) for record in records))
    return urls


def write_profiled_warc(
    path: Path, profile_texts: list[str], urls: list[str], *, page: bytes = PAGE
) -> None:
    """A WARC as a newsarchive crawl writes one: a warcinfo record, the site profiles it
    carries (a crawl writes one; a hostile file may hold thousands), then ``page`` at each
    of ``urls``."""
    from datetime import datetime, timezone

    from archive.warc_records import new_record_id, profile_record, warcinfo_record

    now = datetime(2024, 1, 2, 10, tzinfo=timezone.utc)
    info_id = new_record_id()
    info = warcinfo_record(
        record_id=info_id, date=now, filename=path.name, fields={"software": "newsarchive/test"}
    )
    records = [b"".join(info)]
    for text in profile_texts:
        parts = profile_record(
            record_id=new_record_id(), date=now, warcinfo_id=info_id, toml_text=text
        )
        records.append(b"".join(parts))
    records += [response(http_head(), page, url=url) for url in urls]
    path.write_bytes(b"".join(gz(record) for record in records))
