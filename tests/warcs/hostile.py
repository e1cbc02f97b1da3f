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
