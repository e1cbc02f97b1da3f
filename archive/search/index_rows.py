"""The search index's values as its callers see them: where a record's line is, one indexed
version, the filters of a search or list, what a catch-up did; and the readings of rows and
lines the index and its readers share."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from archive.records import ArticleRecord


class SearchIndexError(Exception):
    """The index file is not a search index of this version (or not SQLite at all)."""


@dataclass(frozen=True)
class LineLocation:
    """Where one record's line is: its records file (a name in ``json/<site>/``), offset and
    length in bytes."""

    file: str
    offset: int
    length: int


@dataclass(frozen=True)
class VersionRow:
    """One indexed record, as lists and histories show it (no body: that is in the line)."""

    article: str
    version: int
    latest: bool
    title: str | None
    published: str | None
    section: str | None
    authors: list[str]
    url: str
    mirror: str
    fetched_at: str | None
    content_hash: str
    previous_hash: str | None
    minor_change: bool | None
    duplicate_of: str | None
    location: LineLocation


@dataclass(frozen=True)
class Filters:
    """What narrows a search or a list: dates are ``YYYY-MM-DD`` (inclusive), compared with
    the article's publication time (its capture time where it has none), in UTC."""

    since: str | None = None
    until: str | None = None
    section: str | None = None
    author: str | None = None


@dataclass
class CatchUp:
    """What opening the index read from the JSON Lines it had not seen."""

    indexed: int = 0
    bad_lines: list[str] = field(default_factory=list)  # "file:offset: reason"
    rebuilt: str | None = None  # why the index was rebuilt from scratch


VERSION_COLUMNS = (
    "v.article, v.version, v.latest, v.title, v.published, v.section, v.authors, v.url, "
    "v.mirror, v.fetched_at, v.content_hash, v.previous_hash, v.minor_change, "
    "v.duplicate_of, f.name, v.offset, v.length"
)


def sort_time(published: str | None, fetched_at: str | None) -> str:
    """The time an article is listed and filtered by: its publication, else its capture, as
    UTC ISO text (so text order is time order); a date that does not parse as it is."""
    value = published or fetched_at or ""
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        return moment.isoformat()
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat()


def filter_clause(filters: Filters) -> tuple[str, tuple[Any, ...]]:
    clauses: list[str] = []
    values: list[Any] = []
    if filters.since:
        clauses.append("v.sort_time >= ?")
        values.append(filters.since)
    if filters.until:
        clauses.append("v.sort_time < ?")
        values.append(filters.until + "\uffff")  # the whole day
    if filters.section:
        clauses.append("v.section = ? COLLATE NOCASE")
        values.append(filters.section)
    if filters.author:
        clauses.append("v.authors LIKE ? ESCAPE '\\'")
        escaped = filters.author.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        values.append(f"%{escaped}%")
    return "".join(f" AND {clause}" for clause in clauses), tuple(values)


def version_row(row: tuple[Any, ...]) -> VersionRow:
    (article, version, latest, title, published, section, authors, url, mirror, fetched_at,
     content_hash, previous_hash, minor_change, duplicate_of, file, offset, length) = row  # fmt: skip
    return VersionRow(
        article=article,
        version=version,
        latest=bool(latest),
        title=title,
        published=published,
        section=section,
        authors=json.loads(authors),
        url=url,
        mirror=mirror,
        fetched_at=fetched_at,
        content_hash=content_hash,
        previous_hash=previous_hash,
        minor_change=None if minor_change is None else bool(minor_change),
        duplicate_of=duplicate_of,
        location=LineLocation(file, offset, length),
    )


def record_of(line: bytes) -> ArticleRecord | str:
    """The record a line holds, or why it holds none."""
    try:
        data = json.loads(line)
    except ValueError:
        return "not JSON"
    if not isinstance(data, dict):
        return "not a JSON object"
    try:
        record = ArticleRecord.from_dict(data)
    except (KeyError, TypeError, ValueError) as exc:
        return f"not a record ({type(exc).__name__}: {exc})"
    bad = [
        name
        for name, value in (("id", record.id), ("url", record.url), ("body", record.body))
        if not isinstance(value, str)
    ]
    if bad or not isinstance(record.version, int):
        return f"not a record (bad {', '.join(bad) or 'version'})"
    return record
