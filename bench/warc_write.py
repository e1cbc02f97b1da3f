"""WARC write cost per exchange (request + response record pair) at each gzip level.

    python bench/warc_write.py [--pages 500]

Pages are the local test site's ~70 KB Press TV-like articles, written once as served plain
and once as served gzip-encoded (the usual case: Scrapy asks for gzip, and the WARC keeps
the encoded bytes, which compress no further).
"""

from __future__ import annotations

import argparse
import gzip
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from archive.warc_records import HttpExchange
from archive.warc_writer import RotatingWarcWriter
from scraper.demo.presstv_pages import render_article_modern
from scraper.demo.site import generate_articles


def exchanges(pages: int, encoded: bool) -> list[HttpExchange]:
    now = datetime.now(timezone.utc)
    result = []
    for article in generate_articles(pages):
        body = render_article_modern(article).encode("utf-8")
        headers = [("Content-Type", "text/html; charset=utf-8")]
        if encoded:
            body = gzip.compress(body, 6)
            headers.append(("Content-Encoding", "gzip"))
        headers.append(("Content-Length", str(len(body))))
        result.append(
            HttpExchange(
                url=f"https://www.presstv.ir{article.path}",
                method="GET",
                request_headers=[("User-Agent", "newsarchive"), ("Accept-Encoding", "gzip")],
                request_body=b"",
                protocol="HTTP/1.1",
                status=200,
                reason="OK",
                response_headers=headers,
                payload=body,
                ip_address="127.0.0.1",
                date=now,
            )
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=500)
    args = parser.parse_args()
    for encoded in (False, True):
        batch = exchanges(args.pages, encoded)
        mean = sum(len(e.payload) for e in batch) / len(batch) / 1024
        for level in (1, 6, 9):
            with tempfile.TemporaryDirectory() as tmp:
                writer = RotatingWarcWriter(Path(tmp), "bench", gzip_level=level)
                started = time.perf_counter()
                for exchange in batch:
                    writer.write_exchange(exchange)
                elapsed = time.perf_counter() - started
                writer.close()
                size = sum(p.stat().st_size for p in Path(tmp).iterdir())
            print(
                f"{'gzip-encoded' if encoded else 'plain':12s} payload {mean:5.1f} KB  level {level}: "
                f"{elapsed / len(batch) * 1000:5.2f} ms/exchange, {size / len(batch) / 1024:5.1f} KB/exchange on disk"
            )


if __name__ == "__main__":
    main()
