"""One page's way to a saved record, the same for a crawl and for replay.

A fetched page (crawl) and an archived one (replay) go through the same steps, here and
nowhere else: :func:`screen` says whether the bytes are a page to read at all (too large, not
a page, a block page), the page object reads it in a worker, and :meth:`ArticleKeeper.keep`
versions the record in the index, writes it to the sink and tells the index it is written
(or, when the sink fails, takes the version back so the next run fetches the article again).
What each step decided is an outcome (``archive.outcomes``), counted by the caller (the
crawl's stats and run report, replay's run report) under the same names.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from archive.limits import too_large_to_extract
from archive.outcomes import (
    ARTICLE,
    BLOCKED,
    DUPLICATE,
    MINOR_CHANGE,
    NOT_A_PAGE,
    TOO_LARGE,
    UNCHANGED,
)
from archive.page_kind import not_a_page
from archive.records import ArticleRecord, version_record

if TYPE_CHECKING:
    from archive.index.model import ArticleIndex, VersionResult
    from archive.record_sink import RecordSink
    from scraper.sites.profile import SiteProfile


@dataclass(frozen=True)
class Refusal:
    """Why a page is not read: one of TOO_LARGE, NOT_A_PAGE, BLOCKED, and what was seen."""

    reason: str
    detail: str


def screen(
    profile: SiteProfile,
    body: bytes,
    content_type: str | None,
    *,
    size: int | None = None,
    limit: int = 0,
) -> Refusal | None:
    """Whether the bytes served at an article URL are a page to hand to a page object.
    ``size``: the decoded size when it is more than ``body`` (a crawl's truncated copy);
    ``limit``: the largest page read (0: no limit)."""
    too_large = too_large_to_extract(max(len(body), size or 0), limit)
    if too_large is not None:
        # archived already; a page object would need 30-50 times the page's size
        return Refusal(TOO_LARGE, too_large)
    garbage = not_a_page(body, content_type)
    if garbage is not None:
        return Refusal(NOT_A_PAGE, garbage)
    shown = profile.block_marker_in(body)
    if shown is not None:
        return Refusal(BLOCKED, f"blocked: page shows {shown!r}")
    return None


@dataclass(frozen=True)
class Kept:
    """What keeping one article came to: the record with its versioning fields, and the
    outcomes to count."""

    record: ArticleRecord
    outcomes: tuple[str, ...]

    @property
    def written(self) -> bool:
        """Whether a record went to the sink (every written record counts as an article)."""
        return ARTICLE in self.outcomes


class ArticleKeeper:
    """``keep(record, simhash)``: version, write, confirm, as one step. Without an index (a
    crawl run with the index turned off) every article is written as it is read.

    Thread-safe: a crawl keeps articles from Twisted's thread pool (the index waits out a
    locked database with sleeps, never on the reactor), and one lock makes each article's
    version-write-confirm whole, so the records file holds versions in the order the index
    numbered them."""

    def __init__(self, index: ArticleIndex | None, sink: RecordSink) -> None:
        self.index = index
        self.sink = sink
        self._lock = threading.Lock()
        self.written = 0  # records written
        if index is not None:
            # No version reaches the index's file before its record is written: a crash
            # loses both, and the next run fetches the article again.
            index.hold_versions_until_written()

    def keep(self, record: ArticleRecord, simhash: int | None = None) -> Kept:
        """Raises what the sink raised (the version taken back first)."""
        with self._lock:
            index = self.index
            if index is None:
                self.sink.write(record)
                self.written += 1
                return Kept(record, (ARTICLE,))
            record, version = version_record(index, record, simhash)
            if version.status == "unchanged":
                return Kept(record, (UNCHANGED,))
            try:
                self.sink.write(record)
            except BaseException:
                index.version_not_written(record.id, record.content_hash)
                raise
            index.version_written(record.id, record.content_hash)
            self.written += 1
        outcomes: list[str] = [version.status]
        if version.status == "changed" and record.minor_change:
            outcomes.append(MINOR_CHANGE)
        if record.duplicate_of is not None:
            outcomes.append(DUPLICATE)
        outcomes.append(ARTICLE)
        return Kept(record, tuple(outcomes))

    def close(self) -> None:
        self.sink.close()


def adopt(index: ArticleIndex, record: ArticleRecord) -> VersionResult:
    """A record already written (by a run killed before its index kept the version): its
    version, as :meth:`ArticleKeeper.keep` would have made it, confirmed at once."""
    _, result = version_record(index, record)
    index.version_written(record.id, record.content_hash)
    return result
