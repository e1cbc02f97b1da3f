"""The site's full-text index: SQLite FTS5 over every record line of its JSON Lines.

Its tables are described in ``index_schema.py``.

Tokens: ``unicode61`` with diacritics removed (``remove_diacritics 2``): ``Rohani`` finds
``Rohání``; scripts without spaces are tokenised per run of letters (no trigram index: no
corpus here to show it pays).

A line is indexed with the bytes before it (``files.indexed_bytes`` moves in the same
transaction as the rows), so a writer adding the record it just wrote and a reader catching
up on the same file never index a line twice.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import xxhash

from archive.index.sqlite_read_only import connect_read_only
from archive.records import ArticleRecord
from archive.search.index_rows import (
    VERSION_COLUMNS,
    CatchUp,
    Filters,
    LineLocation,
    SearchIndexError,
    VersionRow,
    filter_clause,
    record_of,
    sort_time,
    version_row,
)
from archive.search.index_schema import COLUMNS, SCHEMA_SQL, SCHEMA_VERSION, WEIGHTS

# Ranking every match of a common pair of words in a million articles takes a second (bm25
# costs about 8 µs a record): beyond this many matching records only the newest this many are
# ranked (the reader is told, and --since/--until reach older ones).
RANK_WINDOW = 1_000
# Counting a million matches takes longer than finding the best of them: past this many
# matching records the count says "over".
COUNT_CAP = 50_000
# Lines indexed per transaction while catching up: a few hundred kB of text per commit.
CATCH_UP_BATCH = 500


class TextIndex:
    """A site's search index. ``read_only``: never writes (the web app, a read-only archive);
    the index must exist then."""

    def __init__(self, path: Path, records_dir: Path, *, read_only: bool = False) -> None:
        self.path = path
        self.records_dir = records_dir
        self.read_only = read_only
        if path.exists() and not path.is_file():
            raise SearchIndexError(f"{path} is not a file")
        self._release: Callable[[], None] = _nothing
        if read_only:
            if not path.is_file():
                raise FileNotFoundError(path)
            if path.with_name(path.name + "-wal").exists():
                # a writer has it open (or was killed): its last commit is in the -wal file
                self._db, self._release = connect_read_only(path, 10.0)
            else:
                # The file is the whole index. mode=ro would make -wal and -shm files beside
                # it; immutable reads it without a lock and writes nothing (the web app must
                # leave DIR as it found it).
                self._db = sqlite3.connect(
                    f"{path.resolve().as_uri()}?immutable=1", uri=True, check_same_thread=False
                )
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            # a crawl adds records from its thread pool, one at a time (the keeper's lock)
            self._db = sqlite3.connect(path, timeout=10.0, check_same_thread=False)
        self._db.isolation_level = None  # transactions are explicit (BEGIN IMMEDIATE)
        try:
            if not read_only:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._db.executescript(SCHEMA_SQL)
                self._check_version(create=True)
            else:
                self._check_version(create=False)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise SearchIndexError(f"{path}: not a search index ({exc})") from None

    def _check_version(self, *, create: bool) -> None:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
        if row is None and create:
            self._db.execute(
                "INSERT INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),)
            )
        elif row is None or row[0] != str(SCHEMA_VERSION):
            raise SearchIndexError(
                f"{self.path}: search index version {row[0] if row else 'unknown'}, this "
                f"newsarchive reads {SCHEMA_VERSION}: run `newsarchive search SITE --reindex`"
            )

    def close(self) -> None:
        self._db.close()
        self._release()

    # -- writing ---------------------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def add(self, written: list[tuple[ArticleRecord, LineLocation, bytes]]) -> None:
        """Records just written (each with its line's place and bytes, for the file's head
        hash), in one transaction. Lines before one that are not indexed yet are read first;
        a line a reader's catch-up indexed already is left alone."""
        with self._transaction() as db:
            for record, location, line in written:
                file_id, indexed, _ = self._file_row(db, location.file)
                if indexed > location.offset:
                    continue
                if indexed < location.offset:
                    self._index_lines(
                        db, file_id, location.file, indexed, location.offset, CatchUp()
                    )
                if location.offset == 0:
                    db.execute("UPDATE files SET head = ? WHERE id = ?", (_head(line), file_id))
                self._insert(db, record, file_id, location)
                db.execute(
                    "UPDATE files SET indexed_bytes = ? WHERE id = ?",
                    (location.offset + location.length, file_id),
                )

    def catch_up(self, progress: Callable[[int], None] | None = None) -> CatchUp:
        """Index every records line not indexed yet. A records file that shrank, changed its
        first line or disappeared means the index no longer describes the files: it is
        rebuilt from all of them."""
        result = CatchUp()
        files = sorted(self.records_dir.glob("*.jsonl")) if self.records_dir.is_dir() else []
        known = {
            name: (indexed, head)
            for name, indexed, head in self._db.execute(
                "SELECT name, indexed_bytes, head FROM files"
            )
        }
        reason = _stale_reason(files, known)
        if reason is not None:
            self._clear()
            result.rebuilt = reason
            known = {}
        for path in files:
            size = path.stat().st_size
            indexed = known.get(path.name, (0, ""))[0]
            if size <= indexed:
                continue
            with self._transaction() as db:
                file_id, indexed, _ = self._file_row(db, path.name)
            while indexed < size:
                with self._transaction() as db:
                    indexed = self._index_lines(
                        db, file_id, path.name, indexed, size, result, limit=CATCH_UP_BATCH
                    )
                if progress is not None:
                    progress(result.indexed)
                if indexed < size and not self._more_lines(path, indexed):
                    break  # a half line at the end: a writer is at it, or a crash left it
        return result

    def reindex(self, progress: Callable[[int], None] | None = None) -> CatchUp:
        self._clear()
        result = self.catch_up(progress)
        result.rebuilt = result.rebuilt or "asked for"
        return result

    def _clear(self) -> None:
        with self._transaction() as db:
            db.execute("DELETE FROM versions")
            db.execute("DELETE FROM files")
            db.execute("INSERT INTO text (text) VALUES ('delete-all')")

    def _file_row(self, db: sqlite3.Connection, name: str) -> tuple[int, int, str]:
        row = db.execute(
            "SELECT id, indexed_bytes, head FROM files WHERE name = ?", (name,)
        ).fetchone()
        if row is None:
            cursor = db.execute(
                "INSERT INTO files (name, indexed_bytes, head) VALUES (?, 0, '')", (name,)
            )
            return int(cursor.lastrowid or 0), 0, ""
        return int(row[0]), int(row[1]), str(row[2])

    def _more_lines(self, path: Path, offset: int) -> bool:
        with path.open("rb") as stream:
            stream.seek(offset)
            return b"\n" in stream.read(1 << 20)

    def _index_lines(
        self,
        db: sqlite3.Connection,
        file_id: int,
        name: str,
        start: int,
        end: int,
        result: CatchUp,
        *,
        limit: int = 0,
    ) -> int:
        """Index the whole lines between ``start`` and ``end`` (at most ``limit``); returns
        the offset after the last one, which ``files`` now records."""
        position = start
        taken = 0
        with (self.records_dir / name).open("rb") as stream:
            stream.seek(start)
            for line in stream:
                if position >= end or not line.endswith(b"\n"):
                    break
                location = LineLocation(name, position, len(line))
                if position == 0:
                    db.execute("UPDATE files SET head = ? WHERE id = ?", (_head(line), file_id))
                position += len(line)
                if not line.strip():
                    continue
                record = record_of(line)
                if isinstance(record, str):
                    result.bad_lines.append(f"{name}:{location.offset}: {record}")
                else:
                    self._insert(db, record, file_id, location)
                    result.indexed += 1
                taken += 1
                if limit and taken >= limit:
                    break
        db.execute("UPDATE files SET indexed_bytes = ? WHERE id = ?", (position, file_id))
        return position

    def _insert(
        self, db: sqlite3.Connection, record: ArticleRecord, file_id: int, at: LineLocation
    ) -> None:
        newest = db.execute(
            # "+latest": by the article's index (a few rows), not by the index of every
            # latest version, which the planner would otherwise pick
            "SELECT id, version FROM versions WHERE article = ? AND +latest = 1",
            (record.id,),
        ).fetchone()
        latest = newest is None or record.version >= newest[1]
        if latest and newest is not None:
            db.execute("UPDATE versions SET latest = 0 WHERE id = ?", (newest[0],))
        cursor = db.execute(
            "INSERT INTO versions (article, version, latest, sort_time, title, published, "
            "section, authors, url, mirror, fetched_at, content_hash, previous_hash, "
            "minor_change, duplicate_of, file, offset, length) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.id,
                record.version,
                int(latest),
                sort_time(record.published, record.fetched_at),
                record.title,
                record.published,
                record.section,
                json.dumps(record.authors, ensure_ascii=False),
                record.url,
                record.mirror,
                record.fetched_at,
                record.content_hash,
                record.previous_hash,
                None if record.minor_change is None else int(record.minor_change),
                record.duplicate_of,
                file_id,
                at.offset,
                at.length,
            ),
        )
        db.execute(
            f"INSERT INTO text (rowid, {', '.join(COLUMNS)}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                cursor.lastrowid,
                _title_words(record),
                record.body,
                record.description or "",
                " ; ".join(record.authors),
                record.section or "",
                " ; ".join(record.tags),
                record.url,
                record.mirror,
            ),
        )

    # -- reading ---------------------------------------------------------------------------

    def search(
        self, match: str, filters: Filters, *, limit: int, offset: int = 0
    ) -> list[tuple[VersionRow, VersionRow, float]]:
        """The articles whose text matches ``match`` (an FTS5 expression), best first, each
        once: (its latest version, its newest version that matches, the best bm25 score of
        its versions, lower better).
        Raises sqlite3.OperationalError for an expression FTS5 does not take."""
        where, values = filter_clause(filters)
        oldest = self._window_start(match, where, values)
        if oldest is not None:
            where, values = f"{where} AND text.rowid >= ?", (*values, oldest)
        weights = ", ".join(map(str, WEIGHTS))
        # bm25() only where the MATCH is: in a materialised CTE, grouped after
        rows = self._db.execute(
            f"""
            WITH matches AS MATERIALIZED (
                SELECT v.article AS article, v.id AS id, v.version AS version,
                       bm25(text, {weights}) AS score
                FROM text JOIN versions v ON v.id = text.rowid
                WHERE text MATCH ? {where}
            ), best AS (
                SELECT article, min(score) AS score FROM matches GROUP BY article
            ), newest AS (  -- a lone max(): SQLite takes id from that row
                SELECT article, max(version), id FROM matches GROUP BY article
            )
            SELECT newest.id, best.score, latest.id FROM best
            JOIN newest ON newest.article = best.article
            JOIN versions latest ON latest.article = best.article AND +latest.latest = 1
            ORDER BY best.score LIMIT ? OFFSET ?
            """,
            (match, *values, limit, offset),
        ).fetchall()
        found = self._rows_by_id({row[0] for row in rows} | {row[2] for row in rows})
        return [(found[latest], found[best], score) for best, score, latest in rows]

    def _window_start(self, match: str, where: str, values: tuple[Any, ...]) -> int | None:
        """The first record of the newest RANK_WINDOW that match, None when fewer match."""
        if where:
            query = (
                "SELECT text.rowid FROM text JOIN versions v ON v.id = text.rowid "
                f"WHERE text MATCH ? {where} ORDER BY text.rowid DESC LIMIT 1 OFFSET ?"
            )
        else:  # FTS5 walks its rowids backwards by itself
            query = "SELECT rowid FROM text WHERE text MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?"
        row = self._db.execute(query, (match, *values, RANK_WINDOW - 1)).fetchone()
        return None if row is None else int(row[0])

    def matching_records(self, match: str, filters: Filters) -> int:
        """Records (versions) that match, up to COUNT_CAP + 1: cheap, where counting
        articles is not."""
        where, values = filter_clause(filters)
        if where:
            found = f"SELECT v.id FROM text JOIN versions v ON v.id = text.rowid WHERE text MATCH ? {where}"
        else:
            found = "SELECT rowid FROM text WHERE text MATCH ?"
        query = f"SELECT count(*) FROM ({found} LIMIT ?)"
        return int(self._db.execute(query, (match, *values, COUNT_CAP + 1)).fetchone()[0])

    def count_matches(self, match: str, filters: Filters) -> int:
        where, values = filter_clause(filters)
        row = self._db.execute(
            "SELECT count(DISTINCT v.article) FROM text JOIN versions v ON v.id = text.rowid "
            f"WHERE text MATCH ? {where}",
            (match, *values),
        ).fetchone()
        return int(row[0])

    def matching_articles(self, match: str, filters: Filters) -> set[str]:
        where, values = filter_clause(filters)
        return {
            row[0]
            for row in self._db.execute(
                "SELECT DISTINCT v.article FROM text JOIN versions v ON v.id = text.rowid "
                f"WHERE text MATCH ? {where}",
                (match, *values),
            )
        }

    def latest(self, filters: Filters, *, limit: int, offset: int = 0) -> list[VersionRow]:
        """Each article's latest version, newest first."""
        where, values = filter_clause(filters)
        rows = self._db.execute(
            f"SELECT {VERSION_COLUMNS} FROM versions v JOIN files f ON f.id = v.file "
            f"WHERE v.latest = 1 {where} ORDER BY v.sort_time DESC, v.id DESC LIMIT ? OFFSET ?",
            (*values, limit, offset),
        ).fetchall()
        return [version_row(row) for row in rows]

    def count_latest(self, filters: Filters) -> int:
        where, values = filter_clause(filters)
        row = self._db.execute(
            f"SELECT count(*) FROM versions v WHERE v.latest = 1 {where}", values
        ).fetchone()
        return int(row[0])

    def versions(self, article: str) -> list[VersionRow]:
        """Every indexed record of the article, in version order (a version written twice,
        as by a replay into the crawl's directory, once per line)."""
        rows = self._db.execute(
            f"SELECT {VERSION_COLUMNS} FROM versions v JOIN files f ON f.id = v.file "
            "WHERE v.article = ? ORDER BY v.version, v.id",
            (article,),
        ).fetchall()
        return [version_row(row) for row in rows]

    def facet(
        self, column: str, filters: Filters, match: str | None = None
    ) -> list[tuple[str, int]]:
        """Latest versions per value of ``section`` or per publication month, most first."""
        expression = {"section": "v.section", "month": "substr(v.sort_time, 1, 7)"}[column]
        where, values = filter_clause(filters)
        if match is None:
            query = (
                f"SELECT {expression}, count(*) FROM versions v WHERE v.latest = 1 {where} "
                f"GROUP BY 1 ORDER BY 2 DESC, 1"
            )
            arguments: tuple[Any, ...] = values
        else:
            # among the records search ranks (the newest RANK_WINDOW of a common query)
            oldest = self._window_start(match, where, values)
            if oldest is not None:
                where, values = f"{where} AND text.rowid >= ?", (*values, oldest)
            query = (
                f"SELECT {expression}, count(DISTINCT v.article) FROM text "
                f"JOIN versions v ON v.id = text.rowid WHERE text MATCH ? {where} "
                f"GROUP BY 1 ORDER BY 2 DESC, 1"
            )
            arguments = (match, *values)
        return [(value or "", int(n)) for value, n in self._db.execute(query, arguments)]

    def record(self, location: LineLocation) -> ArticleRecord:
        """The record at ``location``; SearchIndexError when the line there is not it (the
        file changed since it was indexed)."""
        with (self.records_dir / location.file).open("rb") as stream:
            stream.seek(location.offset)
            line = stream.read(location.length)
        record = record_of(line)
        if isinstance(record, str):
            raise SearchIndexError(
                f"{location.file} changed since it was indexed ({record} at byte "
                f"{location.offset}): run `newsarchive search SITE --reindex`"
            )
        return record

    def article_count(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM versions WHERE latest = 1").fetchone()[0])

    def _rows_by_id(self, ids: set[int]) -> dict[int, VersionRow]:
        if not ids:
            return {}
        marks = ", ".join("?" * len(ids))
        rows = self._db.execute(
            f"SELECT v.id, {VERSION_COLUMNS} FROM versions v JOIN files f ON f.id = v.file "
            f"WHERE v.id IN ({marks})",
            tuple(ids),
        ).fetchall()
        return {row[0]: version_row(row[1:]) for row in rows}


def _nothing() -> None:
    pass


def _head(line: bytes) -> str:
    return xxhash.xxh64_hexdigest(line)


def _stale_reason(files: list[Path], known: dict[str, tuple[int, str]]) -> str | None:
    """Why what the index holds no longer matches the records files, or None."""
    present = {path.name: path for path in files}
    for name, (indexed, head) in known.items():
        path = present.get(name)
        if path is None:
            return f"{name} is gone"
        if indexed == 0:
            continue
        if path.stat().st_size < indexed:
            return f"{name} is shorter than when it was indexed"
        with path.open("rb") as stream:
            if head and _head(stream.readline()) != head:
                return f"{name} was rewritten"
    return None


def _title_words(record: ArticleRecord) -> str:
    """The headline, then the page's other titles (its SEO title, its <title>): a reader
    may search by any of them. Read from files, so any of them may be malformed."""
    texts = [record.title or ""]
    for stated in record.titles if isinstance(record.titles, list) else ():
        text = stated.get("text") if isinstance(stated, dict) else None
        if isinstance(text, str):
            texts.append(text)
    return " ; ".join(dict.fromkeys(text for text in texts if text))
