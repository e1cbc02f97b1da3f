"""What the crawler knew about a capture that the capture itself does not hold.

An article record is a function of the archived response plus one thing only the crawl saw:
every URL the article was linked under, on every mirror, when it was recorded. That, and
which captures were mirror copies fetched only for comparison (never records), travels in a
WARC ``metadata`` record that refers to the capture, so replay can rebuild the crawl's records
from the WARC files alone (Heritrix keeps its crawl context in metadata records the same way).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

# A JSON block marked as ours, so a metadata record from another tool is never misread.
CONTENT_TYPE = "application/json"
FORMAT = "newsarchive/capture-context/1"

ARTICLE = "article"  # the capture an article record was made from
MIRROR_COPY = "mirror_copy"  # fetched only to compare mirrors (--compare-mirrors): never a record
PAGE_TYPES = frozenset({ARTICLE, MIRROR_COPY})


@dataclass(frozen=True)
class CaptureContext:
    page_type: str
    article_id: str
    urls: list[str] = field(default_factory=list)  # every URL seen for the article, in order

    def to_block(self) -> bytes:
        data: dict[str, Any] = {
            "format": FORMAT,
            "page_type": self.page_type,
            "article_id": self.article_id,
        }
        if self.page_type == ARTICLE:
            data["urls"] = self.urls
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def parse_context(content_type: str | None, block: bytes) -> CaptureContext | None:
    """The context in a metadata record's block, or None when the record is not ours or is
    damaged (replay then falls back to what the capture alone says)."""
    if not content_type or content_type.split(";")[0].strip().lower() != CONTENT_TYPE:
        return None
    try:
        data = json.loads(block)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        return None
    page_type, article_id, urls = (
        data.get("page_type"),
        data.get("article_id"),
        data.get("urls", []),
    )
    if page_type not in PAGE_TYPES or not isinstance(article_id, str):
        return None
    if not isinstance(urls, list) or not all(isinstance(url, str) for url in urls):
        return None
    return CaptureContext(page_type, article_id, urls)
