"""The search index's tables (``OUT/state/<site>.search.sqlite``).

Two tables and the text index, in ``OUT/state/<site>.search.sqlite``:

    files     each records file, how many of its bytes are indexed, and a hash of its first
              line (a file rewritten under the same name is noticed, and the index rebuilt)
    versions  one row per record line: what lists and histories show without reading the
              JSON (title, dates, section, authors, mirror, hashes), where the line is, and
              whether it is the article's latest version
    text      FTS5, contentless (``content=''``): the words of title, body, description,
              authors, section, tags, url and mirror, not the text itself. The text is in
              the JSON Lines already; snippets are made from the few lines a page of hits
              shows, so the index stays a fraction of the records' size.
"""

SCHEMA_VERSION = 1
# bm25 weights, in the text table's column order: a word in the headline says more about
# what the article is than the same word in its eighth paragraph.
COLUMNS = ("title", "body", "description", "authors", "section", "tags", "url", "mirror")
WEIGHTS = (10.0, 1.0, 3.0, 4.0, 2.0, 3.0, 1.0, 0.5)

SCHEMA_SQL = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    indexed_bytes INTEGER NOT NULL,
    head TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS versions (
    id INTEGER PRIMARY KEY,
    article TEXT NOT NULL,
    version INTEGER NOT NULL,
    latest INTEGER NOT NULL,
    sort_time TEXT NOT NULL,
    title TEXT,
    published TEXT,
    section TEXT,
    authors TEXT NOT NULL,
    url TEXT NOT NULL,
    mirror TEXT NOT NULL,
    fetched_at TEXT,
    content_hash TEXT NOT NULL,
    previous_hash TEXT,
    minor_change INTEGER,
    duplicate_of TEXT,
    file INTEGER NOT NULL REFERENCES files (id),
    offset INTEGER NOT NULL,
    length INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS versions_article ON versions (article, version);
CREATE INDEX IF NOT EXISTS versions_latest ON versions (sort_time) WHERE latest = 1;
CREATE VIRTUAL TABLE IF NOT EXISTS text USING fts5(
    {", ".join(COLUMNS)}, content='', tokenize='unicode61 remove_diacritics 2'
);
"""
