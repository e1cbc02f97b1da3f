"""The article record (JSON, ``schema: 1``): one version of one article.

Crawl and replay both build records here, so the two can only agree.
"""
from __future__ import annotations

from typing import Any

import xxhash

SCHEMA = 1


def content_hash(title: str | None, body: str) -> str:
    """Hash of the text a reader sees, so template or mirror-notice changes do not count."""
    normalised = " ".join(f"{title or ''}\n{body}".split()).casefold()
    return "xxh3-128:" + xxhash.xxh3_128_hexdigest(normalised.encode("utf-8"))


def build_record(
    *,
    article_id: str,
    site: str,
    canonical_url: str,
    url: str,
    mirror: str,
    urls: list[str],
    extracted: dict[str, Any],
    fetched_at: str | None,
    warc: dict[str, Any] | None,
    version: int = 1,
) -> dict[str, Any]:
    """``extracted`` is a page object's ``ArticleData.to_dict()``."""
    body = extracted.get("body") or ""
    return {
        "schema": SCHEMA,
        "id": article_id,
        "site": site,
        "canonical_url": canonical_url,
        "url": url,
        "mirror": mirror,
        "urls": urls,
        "title": extracted.get("title"),
        "published": extracted.get("published"),
        "modified": extracted.get("modified"),
        "section": extracted.get("section"),
        "authors": list(extracted.get("authors") or []),
        "description": extracted.get("description"),
        "body": body,
        "images": list(extracted.get("images") or []),
        "tags": list(extracted.get("tags") or []),
        "language": extracted.get("language"),
        "fetched_at": fetched_at,
        "version": version,
        "content_hash": content_hash(extracted.get("title"), body),
        "warc": warc,
    }
