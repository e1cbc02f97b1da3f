"""How much of one page the machine spends on it: the bounds a hostile or broken archive
(a gzip bomb, a 500 MB "page") meets in crawl, replay and ``--from-warc`` alike.

Kept apart, with no imports, so the crawl's settings can name these defaults without
loading the page objects.
"""

from __future__ import annotations

# A page whose decoded body is larger than this is archived (WARC, index) but not given to
# a page object: reported "too large to extract".  Real article pages are under 2 MB; a
# page object needs some 30-50 times a page's size in memory.
MAX_EXTRACT_BYTES = 32 * 1024 * 1024
# A page whose body is larger than this as sent or unpacked is cut off and reported "too
# large" (Scrapy's DOWNLOAD_MAXSIZE, 1 GiB by default, held each of eight endless pages in
# memory at once); whatever it held could not be extracted anyway.
MAX_DOWNLOAD_BYTES = MAX_EXTRACT_BYTES
# A WARC record whose block is larger than this is read through without being held: its
# digests are checked as it streams past, its payload is not kept (it could not be extracted
# anyway), so a 500 MB "page" costs a reader no more than this.
MAX_HELD_RECORD_BYTES = 2 * MAX_EXTRACT_BYTES
# Address space of each extraction worker process: a page that needs more fails with
# MemoryError in its worker (reported, the run goes on) instead of taking the machine.
WORKER_MEMORY_BYTES = 3 * 1024 * 1024 * 1024


def too_large_to_extract(size: int, limit: int = MAX_EXTRACT_BYTES) -> str | None:
    """The reason a page of ``size`` decoded bytes is not extracted, or None."""
    if limit and size > limit:
        return f"too large to extract: {size:,} bytes decoded (limit {limit:,})"
    return None
