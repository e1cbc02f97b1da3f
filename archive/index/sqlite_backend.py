"""SQLite backend of :class:`archive.index.model.ArticleIndex`: the queries.

What it stands on:

* ``archive.index.sqlite_schema``: the tables, laid out to keep the index under ~400 bytes
  per article with two URLs (small integer ids, URLs keyed by hash and front-coded);
* ``archive.index.codec``: values packed losslessly (raw bytes for hashes and record ids,
  integers for dates) and URL keys;
* ``archive.index.sqlite_urls`` and ``archive.index.sqlite_names``: the URL sightings and
  the small dictionaries (mirror origins, WARC file names) they and the payloads refer to;
* ``archive.index.sqlite_batch``: the connection, which commits writes in batches and waits
  out a database locked by another process. Every query that touches the database goes
  through it, marked ``@retry_when_locked``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from archive.index.codec import (
    from_epoch,
    pack_digest,
    pack_http_date,
    pack_published,
    pack_record_id,
    pack_simhash,
    pack_warc_date,
    published_datetime,
    split_origin,
    to_epoch,
    unpack_digest,
    unpack_http_date,
    unpack_published,
    unpack_record_id,
    unpack_simhash,
    unpack_warc_date,
)
from archive.index.export import exported_article
from archive.index.model import (
    DEFAULT_RECHECK_EVERY,
    DEFAULT_YOUNG_WINDOW,
    ArticleInfo,
    Capture,
    ForgetResult,
    IndexStats,
    Moment,
    Version,
    VersionResult,
)
from archive.index.sqlite_batch import BatchedConnection, retry_when_locked
from archive.index.sqlite_damage import DEFAULT_CHECK_SECONDS, IndexDamagedError, is_damage
from archive.index.sqlite_names import NameTable
from archive.index.sqlite_schema import DATA_TABLES
from archive.index.sqlite_urls import UrlSightings
from archive.index.versioning import Latest, decide_version
from archive.warc_pointer import WarcPointer


class SqliteIndex:
    """:class:`archive.index.model.ArticleIndex` in one SQLite file (``state/index.sqlite``)."""

    def __init__(
        self,
        path: str | Path,
        *,
        batch_size: int = 1000,
        batch_seconds: float = 1.0,
        busy_timeout: float = 0.5,
        lock_attempts: int = 8,
        lock_wait_max: float = 2.0,
        minor_distance: int = 3,
        cache_mb: int = 64,
        read_only: bool = False,
        check_seconds: float = DEFAULT_CHECK_SECONDS,
    ) -> None:
        """``busy_timeout`` is SQLite's own wait per attempt; then tenacity retries up to
        ``lock_attempts`` times with exponential backoff capped at ``lock_wait_max`` s.
        ``minor_distance``: the most simhash bits two versions may differ by and still be
        a minor change. ``read_only``: for readers beside a running crawl (state, export):
        the last committed state, no lock taken, nothing written on close.
        ``check_seconds``: the most opening may spend on SQLite's ``quick_check`` (0: none);
        damage found then or later raises :class:`IndexDamagedError`."""
        self.path = Path(path)
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self.minor_distance = minor_distance
        self._connection = BatchedConnection(
            self.path,
            batch_size=batch_size,
            batch_seconds=batch_seconds,
            busy_timeout=busy_timeout,
            lock_attempts=lock_attempts,
            lock_wait_max=lock_wait_max,
            cache_mb=cache_mb,
            read_only=read_only,
            check_seconds=check_seconds,
        )
        self._origins = NameTable(self._connection, "origins", "origin")
        self._warc_files = NameTable(self._connection, "warc_files", "filename")
        self._urls = UrlSightings(self._connection, self._origins)

    @property
    def location(self) -> str:
        return str(self.path)

    @property
    def on_damaged(self) -> Callable[[IndexDamagedError], None] | None:
        """Called once, with the error, when damage in the file is first met."""
        return self._connection.on_damaged

    @on_damaged.setter
    def on_damaged(self, listener: Callable[[IndexDamagedError], None] | None) -> None:
        self._connection.on_damaged = listener

    @property
    def lock_retries(self) -> int:
        """How often a locked database was waited out (for run reports)."""
        return self._connection.lock_retries

    def flush(self) -> None:
        """Commit the open batch: durable, and visible to other processes (see
        :meth:`BatchedConnection.flush`)."""
        self._connection.flush()

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> SqliteIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- crash safety: no version in the index without its record --------------------------------
    # The connection holds batches back and takes versions back: see archive.index.sqlite_batch.

    def hold_versions_until_written(self, hold: bool = True) -> None:
        """Commit no version before its record is written (the crawl's record pipeline)."""
        self._connection.hold_versions_until_written(hold)

    def version_written(self, article_id: str, content_hash: str) -> None:
        """The version's record is written: its batch may commit. Cheap, no database lock
        (safe on the reactor thread)."""
        self._connection.version_written(article_id, content_hash)

    def version_not_written(self, article_id: str, content_hash: str) -> None:
        """The version's record could not be written: take it back before the batch commits.
        Cheap, no database lock."""
        self._connection.version_not_written(article_id, content_hash)

    @retry_when_locked(writes=False)
    def has_version(self, article_id: str, content_hash: str) -> bool:
        """Whether any version of the article has this text hash."""
        return (
            self._connection.db.execute(
                "SELECT 1 FROM versions v JOIN articles a ON a.rowid=v.article "
                "WHERE a.article_id=? AND v.content_hash=? LIMIT 1",
                (article_id, pack_digest(content_hash)),
            ).fetchone()
            is not None
        )

    # -- articles ------------------------------------------------------------------------------

    def _rowid(self, article_id: str) -> int | None:
        row = self._connection.db.execute(
            "SELECT rowid FROM articles WHERE article_id=?", (article_id,)
        ).fetchone()
        return None if row is None else row[0]

    # The upserts below fold "create if new" and "update" into one statement each: inserts
    # run ~20 statements an article, so every one saved is ~5 % of the insert time.

    @retry_when_locked(writes=False)
    def knows(self, article_id: str) -> bool:
        return (
            self._connection.db.execute(
                "SELECT 1 FROM articles a JOIN versions v ON v.article=a.rowid "
                "WHERE a.article_id=? LIMIT 1",
                (article_id,),
            ).fetchone()
            is not None
        )

    @retry_when_locked(writes=False)
    def article(self, article_id: str) -> ArticleInfo | None:
        db = self._connection.db
        row = db.execute(
            "SELECT rowid, first_seen, last_seen, last_checked, published, etag, "
            "last_modified, duplicate_of, url_base FROM articles WHERE article_id=?",
            (article_id,),
        ).fetchone()
        if row is None:
            return None
        rowid, first, last, checked, published, etag, modified, duplicate_of, base = row
        versions = db.execute(
            "SELECT max(version) FROM versions WHERE article=?", (rowid,)
        ).fetchone()[0]
        return ArticleInfo(
            article_id=article_id,
            first_seen=from_epoch(first),
            last_seen=from_epoch(last),
            last_checked=None if checked is None else from_epoch(checked),
            published=None if published is None else unpack_published(published),
            etag=etag,
            last_modified=None if modified is None else unpack_http_date(modified),
            duplicate_of=duplicate_of,
            versions=versions or 0,  # numbered 1..n without gaps, so max == count
            urls=self._urls.of_article(rowid, base),
        )

    def needs_refetch(
        self,
        article_id: str,
        now: Moment = None,
        young_window: timedelta = DEFAULT_YOUNG_WINDOW,
        recheck_every: timedelta = DEFAULT_RECHECK_EVERY,
        *,
        force: bool = False,
    ) -> bool:
        if force:
            return True  # answered without the database: no lock taken, no batch committed
        return self._recheck_due(article_id, to_epoch(now), young_window, recheck_every)

    @retry_when_locked(writes=False)
    def _recheck_due(
        self, article_id: str, now: int, young_window: timedelta, recheck_every: timedelta
    ) -> bool:
        row = self._connection.db.execute(
            "SELECT a.first_seen, a.last_checked, a.published, "
            "EXISTS (SELECT 1 FROM versions v WHERE v.article=a.rowid) "
            "FROM articles a WHERE a.article_id=?",
            (article_id,),
        ).fetchone()
        if row is None or not row[3]:
            return True  # never archived: a sighting alone does not count
        first_seen, last_checked, published, _ = row
        born = published_datetime(published)
        born_at = born.timestamp() if born is not None else first_seen
        if now - born_at >= young_window.total_seconds():
            return False  # old articles do not change often enough to pay for re-checks
        return last_checked is None or now - last_checked >= recheck_every.total_seconds()

    # -- URLs (stored by archive.index.sqlite_urls) ----------------------------------------------

    @retry_when_locked(writes=False)
    def article_for_url(self, url: str) -> str | None:
        return self._urls.article_for(url)

    @retry_when_locked(writes=True)
    def add_sighting(self, article_id: str, url: str, now: Moment = None) -> bool:
        return self._urls.add(article_id, url, to_epoch(now))

    # -- versions ------------------------------------------------------------------------------

    @retry_when_locked(writes=True)
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
        seen = to_epoch(now)
        db = self._connection.db
        packed_hash = pack_digest(content_hash)
        # A fetch is a check too, so a caller that forgets record_check is not re-fetching
        # young articles on every run.
        rowid, duplicate_of = db.execute(
            "INSERT INTO articles (article_id, first_seen, last_seen, last_checked, published) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET "
            "last_seen=max(last_seen, excluded.last_seen), "
            "last_checked=max(coalesce(last_checked, 0), excluded.last_checked), "
            "published=coalesce(excluded.published, published) RETURNING rowid, duplicate_of",
            (
                article_id,
                seen,
                seen,
                seen,
                None if published is None else pack_published(published),
            ),
        ).fetchone()
        rows = db.execute(
            "SELECT version, content_hash, simhash, minor FROM versions WHERE article=? "
            "ORDER BY version DESC LIMIT 2",
            (rowid,),
        ).fetchall()
        latest = (
            None
            if not rows
            else Latest(
                version=rows[0][0],
                content_hash=unpack_digest(rows[0][1]),
                simhash=unpack_simhash(rows[0][2]),
                minor=bool(rows[0][3]),
                previous_hash=unpack_digest(rows[1][1]) if len(rows) > 1 else None,
            )
        )
        result = decide_version(
            latest,
            content_hash=content_hash,
            simhash=simhash,
            minor=minor,
            minor_distance=self.minor_distance,
            duplicate_of=duplicate_of,
            same_text_elsewhere=None
            if duplicate_of is not None
            else self._same_text_elsewhere(rowid, packed_hash),
        )
        if result.status == "unchanged":
            db.execute(
                "UPDATE versions SET last_seen=max(last_seen, ?) WHERE article=? AND version=?",
                (seen, rowid, result.version),
            )
            return result
        if result.duplicate_of != duplicate_of:
            # Same text as an earlier article: recorded once, never merged.
            db.execute(
                "UPDATE articles SET duplicate_of=? WHERE rowid=?", (result.duplicate_of, rowid)
            )
        db.execute(
            "INSERT INTO versions (article, version, content_hash, simhash, first_seen, "
            "last_seen, fetched_at, warc_file, warc_offset, warc_record, minor) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                rowid,
                result.version,
                packed_hash,
                pack_simhash(simhash),
                seen,
                seen,
                None if fetched_at is None else pack_warc_date(fetched_at),
                None if warc is None else self._warc_files.id_of(warc.filename),
                None if warc is None else warc.offset,
                None if warc is None else pack_record_id(warc.record_id),
                int(result.minor),
            ),
        )
        self._connection.version_recorded(article_id, content_hash, result.version)
        return result

    def _same_text_elsewhere(self, rowid: int, packed_hash: bytes | str) -> str | None:
        """The earliest other article having a version with this text (for ``duplicate_of``)."""
        row = self._connection.db.execute(
            "SELECT a.article_id FROM versions v JOIN articles a ON a.rowid=v.article "
            "WHERE v.content_hash=? AND v.article<>? ORDER BY v.article LIMIT 1",
            (packed_hash, rowid),
        ).fetchone()
        return None if row is None else row[0]

    @retry_when_locked(writes=False)
    def latest_version(self, article_id: str) -> Version | None:
        rowid = self._rowid(article_id)
        return None if rowid is None else self._version_of(rowid, article_id)

    def _version_of(self, rowid: int, article_id: str) -> Version | None:
        rows = self._connection.db.execute(
            "SELECT version, content_hash, simhash, minor, first_seen, last_seen, fetched_at, "
            "warc_file, warc_offset, warc_record FROM versions WHERE article=? "
            "ORDER BY version DESC LIMIT 2",
            (rowid,),
        ).fetchall()
        if not rows:
            return None
        number, chash, simhash, minor, first, last, fetched_at, wfile, woffset, wrecord = rows[0]
        return Version(
            article_id=article_id,
            version=number,
            content_hash=unpack_digest(chash),
            previous_hash=unpack_digest(rows[1][1]) if len(rows) > 1 else None,
            simhash=unpack_simhash(simhash),
            minor=bool(minor),
            first_seen=from_epoch(first),
            last_seen=from_epoch(last),
            fetched_at=None if fetched_at is None else unpack_warc_date(fetched_at),
            warc=None
            if wfile is None
            else WarcPointer(self._warc_files.name_of(wfile), woffset, unpack_record_id(wrecord)),
        )

    @retry_when_locked(writes=True)
    def record_check(
        self,
        article_id: str,
        now: Moment = None,
        etag: str | None = None,
        last_modified: str | None = None,
        *,
        not_modified: bool = False,
    ) -> None:
        checked = to_epoch(now)
        modified = None if last_modified is None else pack_http_date(last_modified)
        keep = "coalesce(excluded.{0}, {0})" if not_modified else "excluded.{0}"
        self._connection.db.execute(
            "INSERT INTO articles (article_id, first_seen, last_seen, last_checked, etag, "
            "last_modified) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET "
            "last_seen=max(last_seen, excluded.last_seen), last_checked=excluded.last_checked, "
            f"etag={keep.format('etag')}, last_modified={keep.format('last_modified')}",
            (article_id, checked, checked, checked, etag, modified),
        )

    # -- payloads ------------------------------------------------------------------------------

    @retry_when_locked(writes=True)
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
        origin, rest = split_origin(target_uri)
        cursor = self._connection.db.execute(
            "INSERT OR IGNORE INTO payloads (digest, origin, rest, warc_date, warc_record, "
            "warc_file, warc_offset) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                pack_digest(payload_digest),
                self._origins.id_of(origin),
                rest,
                pack_warc_date(warc_date),
                pack_record_id(record_id),
                self._warc_files.id_of(filename),
                offset,
            ),
        )
        return cursor.rowcount == 1

    @retry_when_locked(writes=False)
    def first_capture(self, payload_digest: str) -> Capture | None:
        row = self._connection.db.execute(
            "SELECT origin, rest, warc_date, warc_record, warc_file, warc_offset "
            "FROM payloads WHERE digest=?",
            (pack_digest(payload_digest),),
        ).fetchone()
        if row is None:
            return None
        origin, rest, date, record, wfile, offset = row
        return Capture(
            target_uri=self._origins.name_of(origin) + rest,
            warc_date=unpack_warc_date(date),
            record_id=unpack_record_id(record),
            filename=self._warc_files.name_of(wfile),
            offset=offset,
        )

    @retry_when_locked(writes=True)
    def forget_captures(self, readable_ends: Mapping[str, int]) -> int:
        db = self._connection.db
        forgotten = 0
        for filename, from_offset in readable_ends.items():
            row = db.execute("SELECT id FROM warc_files WHERE filename=?", (filename,)).fetchone()
            if row is not None:
                forgotten += db.execute(
                    "DELETE FROM payloads WHERE warc_file=? AND warc_offset>=?",
                    (row[0], from_offset),
                ).rowcount
        return forgotten

    # -- operator functions --------------------------------------------------------------------

    @retry_when_locked(writes=False)
    def stats(self) -> IndexStats:
        db = self._connection.db
        articles, versions, urls, payloads = (
            db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("articles", "versions", "urls", "payloads")
        )
        size = sum(
            p.stat().st_size
            for p in (self.path, self.path.with_name(self.path.name + "-wal"))
            if p.exists()
        )
        return IndexStats(articles, versions, urls, payloads, size_bytes=size)

    @retry_when_locked(writes=True)
    def forget(self, id_or_url: str) -> ForgetResult:
        db = self._connection.db
        if "://" in id_or_url:
            return ForgetResult(urls=1) if self._urls.forget(id_or_url) else ForgetResult()
        rowid = self._rowid(id_or_url)
        if rowid is None:
            return ForgetResult()
        versions = db.execute("DELETE FROM versions WHERE article=?", (rowid,)).rowcount
        urls = db.execute("DELETE FROM urls WHERE article=?", (rowid,)).rowcount
        db.execute("DELETE FROM articles WHERE rowid=?", (rowid,))
        return ForgetResult(articles=1, versions=versions, urls=urls)

    @retry_when_locked(writes=True)
    def expire_urls(self, older_than: timedelta, now: Moment = None) -> int:
        cutoff = to_epoch(now) - older_than.total_seconds()
        # URL-level memory only: the DELETE names the urls table and nothing else.
        db = self._connection.db
        return db.execute("DELETE FROM urls WHERE last_seen < ?", (cutoff,)).rowcount

    def reset(self) -> None:
        with self._connection.lock:
            self._delete_all_rows()
            self.flush()
            self._origins.forget()
            self._warc_files.forget()
            db = self._connection.db
            self._connection.run(db.execute, "VACUUM")  # give the space back to the file system

    @retry_when_locked(writes=True)
    def _delete_all_rows(self) -> None:
        db = self._connection.db
        for table in DATA_TABLES:
            db.execute(f"DELETE FROM {table}")

    def export_latest(self) -> Iterator[dict[str, Any]]:
        try:
            yield from self._export_latest()
        except sqlite3.DatabaseError as exc:  # the cursor is read outside BatchedConnection.run
            if is_damage(exc):
                raise self._connection.damaged(exc) from exc
            raise

    def _export_latest(self) -> Iterator[dict[str, Any]]:
        self._connection.commit_if_due()
        db = self._connection.db
        # A cursor of its own: the per-article queries below run while it is open.
        articles = db.execute(
            "SELECT rowid, article_id, first_seen, last_seen, last_checked, published, "
            "duplicate_of, url_base FROM articles ORDER BY article_id"
        )
        for rowid, article_id, first, last, checked, published, duplicate_of, base in articles:
            version = self._version_of(rowid, article_id)
            if version is None:
                continue  # only sighted, never archived: nothing to export
            yield exported_article(
                version,
                urls=self._urls.of_article(rowid, base),
                published=None if published is None else unpack_published(published),
                duplicate_of=duplicate_of,
                first_seen=first,
                last_seen=last,
                last_checked=checked,
            )
