"""The persistent dedup index: what the crawl already knows about articles, URLs and payloads.

Scheduled runs hit the same site every hour for years, so each run asks this index "do I have
this already?" before fetching, and tells it what it found afterwards. The interface is kept
narrow on purpose: SQLite (``archive.index.sqlite_backend``) is the default backend, and a Redis
backend (``archive.index.redis_backend``) for scaled-out crawls implements the same
:class:`ArticleIndex` protocol, so the spider must only ever use what is declared here.
``archive.index.open`` opens the right one for a location; this module imports neither.

Terms:

* *article id*: the stable id across mirrors (``presstv:698345``).
* *version*: one distinct normalised text of an article (``content_hash``); versions are
  numbered 1, 2, … without gaps and never dropped.
* *sighting*: a URL (any mirror, any spelling) seen for an article; every one is remembered.
* *payload*: the first WARC capture of a response payload digest, so later identical bytes
  (other mirror, later run) are written as a ``revisit`` record that refers to it.

Times: every ``now``/``seen`` argument takes an aware ``datetime`` or a POSIX timestamp;
``None`` means the current time. The index keeps them to the second. Strings that go back
into records or WARC headers (``fetched_at``, ``warc_date``, ``published``, hashes, record
ids) are returned exactly as they were given.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, Protocol, runtime_checkable

from archive.warc_pointer import WarcPointer

__all__ = [
    "DEFAULT_RECHECK_EVERY",
    "DEFAULT_YOUNG_WINDOW",
    "ArticleIndex",
    "ArticleInfo",
    "Capture",
    "ForgetResult",
    "IndexSchemaError",
    "IndexStats",
    "Moment",
    "Version",
    "VersionResult",
]

Moment = datetime | float | int | None
"""An aware datetime, a POSIX timestamp, or ``None`` for "now"."""

# Issue 4: articles younger than 48 h are re-checked "at most every few hours" for updates;
# older ones are never re-checked unless the run is forced (``--refetch``).
DEFAULT_YOUNG_WINDOW = timedelta(hours=48)
DEFAULT_RECHECK_EVERY = timedelta(hours=6)


class IndexSchemaError(RuntimeError):
    """The index file was written by a newer newsarchive (or is not an index at all)."""


@dataclass(frozen=True)
class Version:
    """One stored version of an article."""

    article_id: str
    version: int
    content_hash: str
    previous_hash: str | None  # content_hash of version - 1, None for version 1
    simhash: int | None  # unsigned 64-bit, as the caller computed it
    minor: bool  # near-identical to the previous version (still a version: nothing dropped)
    first_seen: datetime
    last_seen: datetime
    fetched_at: str | None
    warc: WarcPointer | None


@dataclass(frozen=True)
class VersionResult:
    """What :meth:`ArticleIndex.record_version` made of a fetched text."""

    status: Literal["new", "changed", "unchanged"]
    version: int
    previous_hash: str | None
    minor: bool
    # Another, earlier article with the same text (republished/syndicated): recorded on the
    # article as ``duplicate_of``, never merged into it.
    duplicate_of: str | None


@dataclass(frozen=True)
class ArticleInfo:
    """Per-article state the crawl needs for refetch decisions and conditional requests."""

    article_id: str
    first_seen: datetime
    last_seen: datetime
    last_checked: datetime | None
    published: str | None
    etag: str | None
    last_modified: str | None
    duplicate_of: str | None
    versions: int
    urls: list[str]  # sorted, so the same state always reads back the same way


@dataclass(frozen=True)
class Capture:
    """The first capture of a payload: what a WARC ``revisit`` record refers to."""

    target_uri: str
    warc_date: str
    record_id: str
    filename: str
    offset: int


@dataclass(frozen=True)
class IndexStats:
    articles: int
    versions: int
    urls: int
    payloads: int
    size_bytes: int  # the database on disk, write-ahead log included

    def as_dict(self) -> dict[str, int]:
        return {
            "articles": self.articles,
            "versions": self.versions,
            "urls": self.urls,
            "payloads": self.payloads,
            "size_bytes": self.size_bytes,
        }


@dataclass(frozen=True)
class ForgetResult:
    """What ``forget`` removed; all zero when the id or URL was unknown."""

    articles: int = 0
    versions: int = 0
    urls: int = 0


@runtime_checkable
class ArticleIndex(Protocol):
    """Every operation the crawl, replay, recovery, export and ``state`` commands use: the
    protocol is complete, so callers never probe an index for optional methods
    (``tests/test_index_protocol.py`` fails on a ``getattr`` of an index, or a method called
    on one that is not declared here).

    Writes may be buffered (the SQLite backend commits in batches); ``flush`` makes them
    durable and visible to other processes, ``close`` flushes. Reads always see this
    instance's own writes. Which version a text makes is decided by one function both
    backends call (``archive.index.versioning.decide_version``).
    """

    @property
    def location(self) -> str:
        """Where the index is, for messages: the SQLite file, or the Redis server (its
        password left out) and site."""

    # -- queries the crawl makes before fetching ---------------------------------------------

    def article_for_url(self, url: str) -> str | None:
        """The article id this exact URL was seen for, on any mirror."""

    def knows(self, article_id: str) -> bool:
        """True once at least one version of the article is archived (a mere sighting of a
        link does not count: that article still has to be fetched)."""

    def needs_refetch(
        self,
        article_id: str,
        now: Moment = None,
        young_window: timedelta = DEFAULT_YOUNG_WINDOW,
        recheck_every: timedelta = DEFAULT_RECHECK_EVERY,
        *,
        force: bool = False,
    ) -> bool:
        """Whether to fetch this article now: always if it has no version (or ``force``);
        if it is younger than ``young_window`` (by ``published``, else first seen), when
        it was last checked ``recheck_every`` ago or more; otherwise never."""

    def article(self, article_id: str) -> ArticleInfo | None:
        """Everything known about the article itself (validators for conditional requests)."""

    def latest_version(self, article_id: str) -> Version | None: ...

    def first_capture(self, payload_digest: str) -> Capture | None: ...

    def has_version(self, article_id: str, content_hash: str) -> bool:
        """Whether any version of the article, not only the latest, has this text hash."""

    # -- what the crawl tells it afterwards --------------------------------------------------

    def add_sighting(self, article_id: str, url: str, now: Moment = None) -> bool:
        """Remember that ``url`` shows ``article_id``. True when the URL is new for it."""

    def record_version(
        self,
        article_id: str,
        *,
        content_hash: str,
        simhash: int | None = None,
        fetched_at: str | None = None,
        warc: WarcPointer | None = None,
        published: str | None = None,
        minor: bool | None = None,
        now: Moment = None,
    ) -> VersionResult:
        """Store a fetched text: ``new`` (version 1), ``changed`` (version n+1 with the
        previous hash) or ``unchanged`` (same hash as the latest version; only its last
        seen time moves). ``minor=None`` lets the index decide from the simhashes."""

    def record_payload(
        self,
        payload_digest: str,
        *,
        target_uri: str,
        warc_date: str,
        record_id: str,
        filename: str,
        offset: int,
    ) -> bool:
        """Remember the first capture of a payload. False (and nothing changes) when the
        digest was already captured: the first capture stays the one revisits refer to."""

    def record_check(
        self,
        article_id: str,
        now: Moment = None,
        etag: str | None = None,
        last_modified: str | None = None,
        *,
        not_modified: bool = False,
    ) -> None:
        """A fetch of the article happened (any status): set ``last_checked`` and store the
        response's validators. With ``not_modified`` (a 304) a missing validator keeps the
        stored one, since servers often omit them from 304 responses."""

    # -- crash safety: no version in the index without its record ------------------------------

    def hold_versions_until_written(self, hold: bool = True) -> None:
        """From now on, each new version waits for :meth:`version_written` or
        :meth:`version_not_written`; one still waiting at :meth:`flush` or :meth:`close` (the
        run is over: its record never will be written) is taken back, so the next run
        fetches the article again. Only a writer that confirms every version turns it on
        (the crawl's record pipeline, replay). SQLite commits no batch holding a waiting
        version, so a crash loses both; Redis stores every write at once, so there a crash
        between the version and its record can still leave the version without it."""

    def version_written(self, article_id: str, content_hash: str) -> None:
        """The record of this version is written: it stops waiting. Cheap; unknown pairs
        (nothing held, or recorded without holding) are ignored."""

    def version_not_written(self, article_id: str, content_hash: str) -> None:
        """The record of this version could not be written (disk full…): a version still
        waiting is taken back, with the article's last check and validators, so the next run
        fetches it again. Unknown pairs are ignored."""

    def forget_captures(self, readable_ends: Mapping[str, int]) -> int:
        """Forget the payloads first captured in a WARC file of ``readable_ends`` at or past
        the offset given for it (where reading that file stops: it was cut short, or 0 for a
        file gone), so the same bytes are stored in full again rather than as a revisit of a
        record nobody can read (``archive.archive_gaps``). Returns how many were forgotten."""

    # -- operator functions ------------------------------------------------------------------

    def stats(self) -> IndexStats: ...

    def forget(self, id_or_url: str) -> ForgetResult:
        """An article id removes the article, its versions and URLs (the next run fetches
        it as new); a URL (anything with ``://``) removes that URL's sighting only.
        Payload captures are WARC facts and are kept."""

    def expire_urls(self, older_than: timedelta, now: Moment = None) -> int:
        """Drop URL sightings not seen for ``older_than``; articles, versions and payloads
        are never expired. Returns the number of URLs removed."""

    def reset(self) -> None:
        """Forget everything (the schema stays)."""

    def export_latest(self) -> Iterator[dict[str, Any]]:
        """One dict per archived article, by article id: its latest version, every URL and
        the version count (the consolidated view of the append-only JSONL log)."""

    # -- lifecycle ---------------------------------------------------------------------------

    def flush(self) -> None: ...

    def close(self) -> None: ...
