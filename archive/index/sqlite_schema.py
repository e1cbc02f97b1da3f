"""The SQLite index's tables, and opening a file as an index (creating or checking them).

The layout is what keeps the index under ~400 bytes per article with two URLs, for years of
hourly runs:

* articles get a small INTEGER rowid that other tables refer to, instead of the id text;
* the URL table is keyed by xxh3_64 of the URL (8 bytes, WITHOUT ROWID) and does not store
  the URL in full: its origin is a small integer (few mirrors, many URLs) and the rest is
  front-coded against the first URL path seen for the article (``url_base``), since mirrors
  serve the same path: a second mirror's URL costs a few bytes;
* hashes, payload digests and record ids are stored as raw bytes, and dates as integers, but
  only when that is lossless (``archive.index.codec``); anything else is kept as text in the
  same column (SQLite types per value).

Existing archives must keep opening: a change to these tables needs a new
``SCHEMA_VERSION`` and a migration in :func:`set_up_database`.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from archive.index.model import IndexSchemaError

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE schema_version (version INTEGER NOT NULL);

-- Small dictionaries: a handful of mirror origins and WARC file names, referenced by id.
CREATE TABLE origins (id INTEGER PRIMARY KEY, origin TEXT NOT NULL UNIQUE);
CREATE TABLE warc_files (id INTEGER PRIMARY KEY, filename TEXT NOT NULL UNIQUE);

-- rowid is what versions/urls refer to (1-3 bytes instead of the id text).
CREATE TABLE articles (
    rowid INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL UNIQUE,
    first_seen INTEGER NOT NULL,      -- POSIX seconds
    last_seen INTEGER NOT NULL,
    last_checked INTEGER,
    published,                        -- packed int or ISO text (see _pack_published)
    etag TEXT,
    last_modified,                    -- packed int or HTTP-date text
    duplicate_of TEXT,                -- an article id, as text so it survives forgetting that one
    url_base TEXT                     -- first URL path seen: what URLs are front-coded against
);

CREATE TABLE versions (
    article INTEGER NOT NULL,
    version INTEGER NOT NULL,
    content_hash NOT NULL,            -- packed bytes or text
    simhash INTEGER,                  -- signed view of the unsigned 64-bit value
    first_seen INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    fetched_at,                       -- packed int (µs) or text
    warc_file INTEGER,
    warc_offset INTEGER,
    warc_record,                      -- 16 uuid bytes or text
    minor INTEGER NOT NULL,           -- 0/1 cost no bytes in SQLite's record format
    PRIMARY KEY (article, version)
) WITHOUT ROWID;
-- "same text, different id": first article having a hash (rowid order = order first seen).
CREATE INDEX versions_by_hash ON versions (content_hash);

CREATE TABLE urls (
    url_key INTEGER NOT NULL,         -- xxh3_64(url), signed
    n INTEGER NOT NULL,               -- 0 unless two URLs share a key
    article INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    origin INTEGER NOT NULL,
    shared INTEGER NOT NULL,          -- leading characters shared with articles.url_base
    tail TEXT NOT NULL,
    PRIMARY KEY (url_key, n)
) WITHOUT ROWID;
CREATE INDEX urls_by_article ON urls (article);

CREATE TABLE payloads (
    digest PRIMARY KEY,               -- packed bytes or text
    origin INTEGER NOT NULL,
    rest TEXT NOT NULL,               -- target URI = origins.origin || rest
    warc_date NOT NULL,               -- packed int (µs) or text
    warc_record NOT NULL,
    warc_file INTEGER NOT NULL,
    warc_offset INTEGER NOT NULL
) WITHOUT ROWID;
"""

DATA_TABLES = ("articles", "versions", "urls", "payloads", "origins", "warc_files")
"""Everything ``reset`` empties (``schema_version`` stays)."""


def check_database(db: sqlite3.Connection, path: Path) -> None:
    """For a read-only connection: the file is an index this version reads."""
    if not _has_schema_table(db):
        raise IndexSchemaError(f"{path} is not an index")
    _check_version(db, path)


def _has_schema_table(db: sqlite3.Connection) -> bool:
    return bool(
        db.execute(
            "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'"
        ).fetchone()
    )


def _check_version(db: sqlite3.Connection, path: Path) -> None:
    row = db.execute("SELECT max(version) FROM schema_version").fetchone()
    found = row[0] if row else None
    if found is None or found > SCHEMA_VERSION:
        raise IndexSchemaError(
            f"{path} has index schema {found}, newer than this newsarchive "
            f"reads ({SCHEMA_VERSION}): upgrade newsarchive or use another --out"
        )


def set_up_database(db: sqlite3.Connection, path: Path, cache_mb: int) -> None:
    """Connection settings, then the tables: created in an empty file, else checked to be an
    index this version reads. Raises :class:`IndexSchemaError` for anything else."""
    if db.execute("PRAGMA journal_mode=WAL").fetchone()[0].lower() != "wal":
        raise IndexSchemaError(f"{path}: cannot use WAL mode here")
    db.execute("PRAGMA synchronous=NORMAL")  # in WAL: durable at checkpoints, never corrupt
    db.execute(f"PRAGMA cache_size=-{cache_mb * 1024}")
    db.execute("PRAGMA temp_store=MEMORY")
    db.execute("BEGIN IMMEDIATE")  # two processes creating the schema at once: one wins
    try:
        if _has_schema_table(db):
            _check_version(db, path)
        else:
            if db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise IndexSchemaError(f"{path} is an SQLite file but not an index")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise
