"""Opening the dedup index (``archive.index.model``) at a location: a Redis URL is a Redis server
shared by the workers of a scaled-out crawl, anything else the default SQLite file.

Apart from ``archive.index.model`` so that the protocol and its types import no backend, while
the backends import them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from archive.index.model import ArticleIndex
from archive.index.sqlite_backend import SqliteIndex

__all__ = ["is_redis_url", "open_index"]


def open_index(path: str | Path, **options: Any) -> ArticleIndex:
    """The index at ``path``, its backend chosen by the location: a ``redis://``,
    ``rediss://`` or ``unix://`` URL is a Redis server (``site=`` is then required: keys live
    under ``newsarchive:<site>:index:``), anything else the default SQLite file. ``options``
    go to the backend's constructor."""
    if is_redis_url(path):
        # Imported only here: redis-py takes ~0.1 s to import, which SQLite users never need.
        from archive.index.redis_backend import RedisIndex

        return RedisIndex(str(path), **options)
    return SqliteIndex(path, **options)


def is_redis_url(location: object) -> bool:
    """``redis://``, ``rediss://`` or ``unix://``: an index on a Redis server, not a file."""
    if not isinstance(location, str) or "://" not in location:
        return False
    return location.split("://", 1)[0].lower() in ("redis", "rediss", "unix")
