"""Finding articles in one or more output directories: search hits with snippets, lists,
versions, records. What ``newsarchive search/list/show/history`` and the web app share.

Several ``--out`` directories (the workers of a shared crawl each write their own) are read
as one archive: hits merged by score, lists by time, versions by number.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.layout import OutputLayout
from archive.records import ArticleRecord
from archive.search.index_rows import CatchUp, Filters, SearchIndexError, VersionRow, sort_time
from archive.search.query import SearchQuery
from archive.search.snippet import Marked, snippet
from archive.search.text_index import COUNT_CAP, RANK_WINDOW, TextIndex


@dataclass(frozen=True)
class SiteArchive:
    """One site's records in one output directory, and its search index."""

    out: Path
    site: str
    index: TextIndex

    def record(self, row: VersionRow) -> ArticleRecord:
        return self.index.record(row.location)


@dataclass(frozen=True)
class Hit:
    archive: SiteArchive
    latest: VersionRow
    matched: VersionRow  # the newest version that matched (the latest, unless it lost the words)
    score: float  # bm25, lower is better
    snippet: Marked

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.latest.article,
            "version": self.latest.version,
            "matched_version": self.matched.version,
            "title": self.latest.title,
            "url": self.latest.url,
            "mirror": self.latest.mirror,
            "published": self.latest.published,
            "section": self.latest.section,
            "authors": self.latest.authors,
            "fetched_at": self.latest.fetched_at,
            "snippet": self.snippet.text,
            "highlights": [list(span) for span in self.snippet.spans],
            "score": round(-self.score, 4),
        }


@dataclass
class Opened:
    """The archives opened, and what opening them said (catch-up, rebuilds, read-only)."""

    archives: list[SiteArchive] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def close(self) -> None:
        for archive in self.archives:
            archive.index.close()


def sites_in(out: Path) -> list[str]:
    """The sites that have records in ``out``."""
    root = OutputLayout(out).root / "json"
    return sorted(p.name for p in root.iterdir() if p.is_dir()) if root.is_dir() else []


def open_archives(
    outs: Iterable[Path],
    site: str,
    *,
    read_only: bool = False,
    progress: Callable[[int], None] | None = None,
) -> Opened:
    """The site's index in each directory that has its records, caught up with them first
    (unless ``read_only``: then as it is, and a directory without one is noted)."""
    opened = Opened()
    for out in outs:
        layout = OutputLayout(out)
        records_dir = layout.records_dir(site)
        if not records_dir.is_dir():
            continue
        path = layout.search_index(site)
        try:
            index = _open(path, records_dir, read_only, opened, site)
        except SearchIndexError as exc:
            opened.notes.append(str(exc))
            continue
        if index is None:
            continue
        if not index.read_only:
            caught = index.catch_up(progress)
            opened.notes += _catch_up_notes(path, caught)
        opened.archives.append(SiteArchive(out, site, index))
    return opened


def _open(
    path: Path, records_dir: Path, read_only: bool, opened: Opened, site: str
) -> TextIndex | None:
    if read_only:
        if not path.is_file():
            opened.notes.append(
                f"{site} in {path.parents[1]}: no search index yet; run "
                f"`newsarchive search {site} --reindex` once to make it"
            )
            return None
        return TextIndex(path, records_dir, read_only=True)
    try:
        return TextIndex(path, records_dir)
    except (sqlite3.OperationalError, PermissionError) as exc:
        if not path.is_file():
            raise SearchIndexError(f"{path}: cannot make the search index here ({exc})") from None
        opened.notes.append(
            f"{path}: read-only ({exc}): records written since it was made are not found"
        )
        return TextIndex(path, records_dir, read_only=True)


def _catch_up_notes(path: Path, caught: CatchUp) -> list[str]:
    notes: list[str] = []
    if caught.rebuilt:
        notes.append(f"{path}: rebuilt ({caught.rebuilt})")
    if caught.indexed:
        notes.append(f"{path}: {caught.indexed} records added from the JSON Lines")
    if caught.bad_lines:
        shown = "; ".join(caught.bad_lines[:3])
        more = f" and {len(caught.bad_lines) - 3} more" if len(caught.bad_lines) > 3 else ""
        notes.append(f"{len(caught.bad_lines)} lines are not records, skipped: {shown}{more}")
    return notes


def search(
    archives: list[SiteArchive],
    query: SearchQuery,
    filters: Filters,
    *,
    limit: int,
    offset: int = 0,
) -> list[Hit]:
    """The best ``limit`` articles after the first ``offset``, over every archive."""
    expression = query.expression
    best: dict[str, tuple[float, int, SiteArchive, VersionRow]] = {}
    newest: dict[str, VersionRow] = {}
    for number, archive in enumerate(archives):
        for latest, matched, score in archive.index.search(
            expression, filters, limit=limit + offset
        ):
            # one article in several directories (a shared crawl's workers): one hit, its
            # best match and its newest version wherever they are
            known = best.get(latest.article)
            if known is None or (score, number) < known[:2]:
                best[latest.article] = (score, number, archive, matched)
            if latest.article not in newest or latest.version > newest[latest.article].version:
                newest[latest.article] = latest
    ranked = sorted(best.items(), key=lambda item: item[1][:2])[offset : offset + limit]
    hits = []
    for article, (score, _, archive, matched) in ranked:
        record = archive.record(matched)
        shown = snippet(record.body, query)
        if not shown.spans and record.description:  # matched on its title, URL, …
            shown = snippet(record.description, query)
        hits.append(Hit(archive, newest[article], matched, score, shown))
    return hits


@dataclass(frozen=True)
class HitCount:
    """How many articles match: exactly, or (past RANK_WINDOW records) as the number of
    matching records, every version counted; and whether only the newest were ranked."""

    total: int
    exact: bool
    ranked_newest: int | None  # RANK_WINDOW when only that many newest records were ranked

    def __str__(self) -> str:
        if self.exact:
            return f"{self.total:,}"
        return f"over {COUNT_CAP:,}" if self.total > COUNT_CAP else f"about {self.total:,}"


def count_hits(archives: list[SiteArchive], query: SearchQuery, filters: Filters) -> HitCount:
    """Articles that match, each once however many directories hold it (exact up to
    RANK_WINDOW matching records: counting a million articles' ids is what a search must
    not wait for)."""
    expression = query.expression
    records = [archive.index.matching_records(expression, filters) for archive in archives]
    windowed = any(n > RANK_WINDOW for n in records)
    if windowed:
        return HitCount(sum(records), False, RANK_WINDOW)
    if len(archives) == 1:
        return HitCount(archives[0].index.count_matches(expression, filters), True, None)
    found: set[str] = set()
    for archive in archives:
        found |= archive.index.matching_articles(expression, filters)
    return HitCount(len(found), True, None)


def latest_versions(
    archives: list[SiteArchive], filters: Filters, *, limit: int, offset: int = 0
) -> list[tuple[SiteArchive, VersionRow]]:
    """Each article's latest version, newest first, over every archive."""
    newest: dict[str, tuple[SiteArchive, VersionRow]] = {}
    for archive in archives:
        for row in archive.index.latest(filters, limit=limit + offset):
            known = newest.get(row.article)
            if known is None or row.version > known[1].version:
                newest[row.article] = (archive, row)
    rows = list(newest.values())
    rows.sort(key=lambda pair: pair[1].location.file + pair[1].url, reverse=True)
    rows.sort(key=lambda pair: sort_time(pair[1].published, pair[1].fetched_at), reverse=True)
    return rows[offset : offset + limit]


def article_versions(
    archives: list[SiteArchive], article: str
) -> list[tuple[SiteArchive, VersionRow]]:
    """Every version of the article in every archive, by version number then capture time."""
    rows = [(archive, row) for archive in archives for row in archive.index.versions(article)]
    rows.sort(key=lambda pair: (pair[1].version, pair[1].fetched_at or ""))
    return rows
