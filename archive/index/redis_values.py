"""What the Redis backend (``archive.index.redis_backend``) stores for a version, a capture
and a simhash, and how each reads back: the compact JSON and hex forms its key table
describes.
"""

from __future__ import annotations

import json
from typing import Any

from archive.index.codec import from_epoch
from archive.index.model import Capture, Version
from archive.index.versioning import Latest
from archive.warc_pointer import WarcPointer

_U64 = 1 << 64


def simhash_hex(simhash: int | None) -> str | None:
    if simhash is None:
        return None
    if not 0 <= simhash < _U64:
        raise ValueError(f"simhash {simhash} is not an unsigned 64-bit integer")
    return f"{simhash:016x}"


def stored_urls(fields: dict[str, str]) -> list[str]:
    return sorted(name[2:] for name in fields if name.startswith("u:"))


def stored_latest(number: int, stored: dict[str, Any], previous_hash: str | None) -> Latest:
    return Latest(
        version=number,
        content_hash=stored["h"],
        simhash=int(stored["s"], 16) if stored.get("s") else None,
        minor=bool(stored.get("m")),
        previous_hash=previous_hash,
    )


def stored_version(
    article_id: str, number: int, stored: dict[str, Any], previous_hash: str | None
) -> Version:
    filename = stored.get("w")
    return Version(
        article_id=article_id,
        version=number,
        content_hash=stored["h"],
        previous_hash=previous_hash,
        simhash=int(stored["s"], 16) if stored.get("s") else None,
        minor=bool(stored.get("m")),
        first_seen=from_epoch(int(stored["f"])),
        last_seen=from_epoch(int(stored["l"])),
        fetched_at=stored.get("t"),
        warc=None if filename is None else WarcPointer(filename, int(stored["o"]), stored["r"]),
    )


def stored_capture(stored: str) -> Capture:
    data = json.loads(stored)
    return Capture(
        target_uri=data["u"],
        warc_date=data["d"],
        record_id=data["r"],
        filename=data["f"],
        offset=int(data["o"]),
    )
