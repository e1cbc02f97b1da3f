"""What an article's page shows: its versions and records, the word diff between any two,
its captures per mirror (CDXJ), compare mode's divergences, and a citation per version."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.layout import OutputLayout
from archive.records import ArticleRecord
from archive.search.index_rows import SearchIndexError, VersionRow
from archive.search.reading import SiteArchive, article_versions
from archive.warc_reader import read_record_at
from archive.word_diff import Piece, word_diff
from scraper.web.captures import Capture, Catalogue, record_id_text
from scraper.web.snapshot import inside


@dataclass
class Version:
    archive: SiteArchive
    row: VersionRow
    record: ArticleRecord | None
    problem: str | None = None

    @property
    def number(self) -> int:
        return self.row.version


@dataclass
class ArticleView:
    article: str
    site: str
    versions: list[Version]
    captures: dict[str, list[Capture]] = field(default_factory=dict)  # by host
    divergences: list[dict[str, Any]] = field(default_factory=list)

    def version(self, number: int | None) -> Version:
        """Version ``number``, the latest when None; KeyError for one that does not exist."""
        readable = [v for v in self.versions if v.record is not None] or self.versions
        if number is None:
            return readable[-1]
        for v in reversed(readable):
            if v.number == number:
                return v
        raise KeyError(number)


def article_view(
    archives: list[SiteArchive], article: str, catalogue: Catalogue
) -> ArticleView | None:
    """The article's page, or None for an id no archive knows."""
    rows = article_versions(archives, article)
    if not rows:
        return None
    versions = []
    for archive, row in rows:
        try:
            versions.append(Version(archive, row, archive.record(row)))
        except (SearchIndexError, OSError) as exc:
            versions.append(Version(archive, row, None, str(exc)))
    site = rows[0][0].site
    view = ArticleView(article, site, versions)
    urls: set[str] = set()
    for v in versions:
        urls.add(v.row.url)
        if v.record is not None:
            urls.update([v.record.url, v.record.canonical_url, *v.record.urls])
    for url in sorted(urls):
        for capture in catalogue.of_url(site, url):
            view.captures.setdefault(capture.host, []).append(capture)
    for host in view.captures:
        view.captures[host].sort(key=lambda c: c.timestamp)
    view.divergences = divergences({a.out for a, _ in rows}, article)
    return view


def divergences(outs: set[Path], article: str) -> list[dict[str, Any]]:
    """Compare mode's findings for the article, each with the run it came from."""
    found = []
    for out in sorted(outs):
        for path in sorted(OutputLayout(out).runs_dir.glob("*.mirror_divergence.jsonl")):
            try:
                lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                continue
            for line in lines:
                try:
                    data = json.loads(line)
                except ValueError:
                    continue
                if isinstance(data, dict) and data.get("id") == article:
                    run = path.name.removesuffix(".mirror_divergence.jsonl")
                    found.append({"run": run, **data})
    return found


@dataclass
class VersionDiff:
    old: int
    new: int
    title: list[Piece]
    body: list[Piece]


def diff(view: ArticleView, old: int, new: int) -> VersionDiff:
    a, b = view.version(old).record, view.version(new).record
    if a is None or b is None:
        raise KeyError((old, new))
    return VersionDiff(old, new, word_diff(a.title or "", b.title or ""), word_diff(a.body, b.body))


def citation(view: ArticleView, version: Version) -> dict[str, Any]:
    """How to cite one version: what a reader needs to find the same bytes again."""
    record = version.record
    cited: dict[str, Any] = {
        "id": view.article,
        "version": version.number,
        "title": version.row.title,
        "published": version.row.published,
        "stable_url": record.canonical_url if record else version.row.url,
        "url": version.row.url,
        "host": urlsplit(version.row.url).netloc or version.row.mirror,
        "mirror": version.row.mirror,
        "captured_at": version.row.fetched_at,
        "content_hash": version.row.content_hash,
        "warc_record_id": None,
        "warc_filename": None,
        "warc_offset": None,
        "payload_digest": None,
    }
    pointer = record.warc if record else None
    if pointer is not None:
        cited["warc_record_id"] = pointer.record_id
        cited["warc_filename"] = pointer.filename
        cited["warc_offset"] = pointer.offset
        warc = inside(OutputLayout(version.archive.out).warc_dir(view.site), pointer.filename)
        if warc is not None:
            try:
                archived = read_record_at(warc, pointer.offset)
            except (OSError, ValueError):
                archived = None
            if archived is not None:
                cited["payload_digest"] = archived.payload_digest
                cited["captured_at"] = archived.date or cited["captured_at"]
    return cited


def citation_text(cited: dict[str, Any]) -> str:
    """The citation as a line a reader pastes into a footnote."""
    parts = [
        f"\u201c{cited['title'] or '(no title)'}\u201d",
        f"version {cited['version']}",
        f"{cited['stable_url']}",
        f"captured {cited['captured_at'] or '(unknown time)'} from {cited['host']}",
    ]
    if cited["warc_record_id"]:
        parts.append(f"WARC-Record-ID {cited['warc_record_id']}")
    if cited["payload_digest"]:
        parts.append(f"payload digest {cited['payload_digest']}")
    return ", ".join(parts) + "."


def capture_link_id(record_id: str | None) -> str:
    return record_id_text(record_id)


def versions_of(views: Sequence[Version]) -> list[int]:
    return sorted({v.number for v in views})
