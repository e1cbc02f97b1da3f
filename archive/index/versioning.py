"""The version decision: what a fetched text is to an article's stored versions (``new``,
``changed`` or ``unchanged``; a ``minor`` change; a ``duplicate_of`` another article).

One pure function that both backends call, so SQLite (``archive.index.sqlite_backend``) and
Redis (``archive.index.redis_backend``) cannot decide differently: each reads what the
decision needs from its storage, calls :func:`decide_version`, and stores the outcome. Storing
stays the backend's own (Redis stores it in one Lua script that refuses when another worker
changed the article in between, see ``archive.index.redis_scripts.STORE_VERSION``).
"""

from __future__ import annotations

from dataclasses import dataclass

from archive.index.model import VersionResult

__all__ = ["Latest", "decide_version"]


@dataclass(frozen=True)
class Latest:
    """What the decision needs of an article's latest stored version (not the whole
    :class:`archive.index.model.Version`: SQLite would read and unpack columns for nothing)."""

    version: int
    content_hash: str
    simhash: int | None  # unsigned 64-bit, None when the caller gave none
    minor: bool
    previous_hash: str | None  # content_hash of version - 1


def decide_version(
    latest: Latest | None,
    *,
    content_hash: str,
    simhash: int | None,
    minor: bool | None,
    minor_distance: int,
    duplicate_of: str | None,
    same_text_elsewhere: str | None,
) -> VersionResult:
    """The verdict on ``content_hash`` for an article whose latest version is ``latest``
    (None: it has none).

    * the latest version's text → ``unchanged``: that version, as it was stored;
    * any other text → a new version numbered after the latest (``new`` for version 1,
      else ``changed``), reverting to an older text included: versions are never dropped;
    * ``minor``: the caller's word, else whether the simhashes of the text and the latest
      version differ by at most ``minor_distance`` bits (False when either is unknown);
    * ``duplicate_of``: the article's recorded one (``duplicate_of``) stays; a new version of
      an article with none takes ``same_text_elsewhere``, the earliest other article having
      a version with this text (republished or syndicated: recorded, never merged).
    """
    if latest is not None and latest.content_hash == content_hash:
        return VersionResult(
            status="unchanged",
            version=latest.version,
            previous_hash=latest.previous_hash,
            minor=latest.minor,
            duplicate_of=duplicate_of,
        )
    if minor is None:
        minor = (
            latest is not None
            and latest.simhash is not None
            and simhash is not None
            and (latest.simhash ^ simhash).bit_count() <= minor_distance
        )
    return VersionResult(
        status="new" if latest is None else "changed",
        version=1 if latest is None else latest.version + 1,
        previous_hash=None if latest is None else latest.content_hash,
        minor=minor,
        duplicate_of=same_text_elsewhere if duplicate_of is None else duplicate_of,
    )
