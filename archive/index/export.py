"""The lines of ``ArticleIndex.export_latest``, the same from both backends: per archived
article its latest version, every URL and the version count (the consolidated view of the
append-only JSONL log). Times are ISO 8601 in UTC, to the second, as the index keeps them."""

from __future__ import annotations

from typing import Any

from archive.index.codec import from_epoch
from archive.index.model import Version


def exported_article(
    version: Version,
    *,
    urls: list[str],
    published: str | None,
    duplicate_of: str | None,
    first_seen: int,
    last_seen: int,
    last_checked: int | None,
) -> dict[str, Any]:
    """The line for ``version`` (the latest) and its article's fields (times in POSIX seconds)."""
    warc = version.warc
    return {
        "id": version.article_id,
        "version": version.version,
        "versions": version.version,  # numbered 1..n without gaps
        "content_hash": version.content_hash,
        "previous_hash": version.previous_hash,
        "simhash": version.simhash,
        "minor_change": version.minor,
        "fetched_at": version.fetched_at,
        "warc": None
        if warc is None
        else {"filename": warc.filename, "offset": warc.offset, "record_id": warc.record_id},
        "urls": urls,
        "published": published,
        "duplicate_of": duplicate_of,
        "first_seen": _iso(first_seen),
        "last_seen": _iso(last_seen),
        "last_checked": None if last_checked is None else _iso(last_checked),
        "version_first_seen": _iso(int(version.first_seen.timestamp())),
        "version_last_seen": _iso(int(version.last_seen.timestamp())),
    }


def _iso(seconds: int) -> str:
    return from_epoch(seconds).isoformat()
