"""The SQLite index's URL sightings: every URL an article was seen at, in a few bytes each.

Mirrors serve the same paths, so a URL is not stored in full. Its row in ``urls`` is keyed by
xxh3_64 of the URL (``url_key``; ``n`` numbers the URLs that share a key), its origin is an id
in the ``origins`` dictionary, and the rest is front-coded against the first URL path seen
for the article (``articles.url_base``): ``shared`` leading characters of it, then ``tail``.
A second mirror's URL costs a few bytes. A lookup rebuilds every URL under the key and
compares it, so a hash collision can never give a wrong answer.

A URL shows one article: seen for another one, it moves there (the latest sighting wins).
"""

from __future__ import annotations

from archive.index.codec import shared_prefix_length, split_origin, url_key
from archive.index.sqlite_batch import BatchedConnection
from archive.index.sqlite_names import NameTable


class UrlSightings:
    """The ``urls`` table (with ``articles.url_base``); the caller runs each call in its batch."""

    def __init__(self, connection: BatchedConnection, origins: NameTable) -> None:
        self._connection = connection
        self._origins = origins

    def article_for(self, url: str) -> str | None:
        for _, _, article_id, matches in self._rows(url):
            if matches:
                return article_id
        return None

    def of_article(self, rowid: int, base: str | None) -> list[str]:
        """Every URL of the article (its rowid and url_base), sorted."""
        rows = self._connection.db.execute(
            "SELECT origin, shared, tail FROM urls WHERE article=?", (rowid,)
        ).fetchall()
        return sorted(self._text(origin, base, shared, tail) for origin, shared, tail in rows)

    def add(self, article_id: str, url: str, seen: int) -> bool:
        """Remember the sighting (creating the article if new); True when the URL is new for it."""
        db = self._connection.db
        key = url_key(url)
        rows = self._rows(url)
        for n, _rowid, known_for, matches in rows:
            if matches:
                if known_for == article_id:
                    db.execute(
                        "UPDATE urls SET last_seen=max(last_seen, ?) WHERE url_key=? AND n=?",
                        (seen, key, n),
                    )
                    self._touch_article(article_id, seen)
                    return False
                # The same URL now shows another article (ids come from URLs, so this is
                # rare): the latest sighting wins, a URL maps to one article.
                db.execute("DELETE FROM urls WHERE url_key=? AND n=?", (key, n))
        origin, rest = split_origin(url)
        # The first URL path seen becomes the article's url_base, which later ones share.
        rowid, base = db.execute(
            "INSERT INTO articles (article_id, first_seen, last_seen, url_base) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (article_id) DO UPDATE SET "
            "last_seen=max(last_seen, excluded.last_seen), "
            "url_base=coalesce(url_base, excluded.url_base) RETURNING rowid, url_base",
            (article_id, seen, seen, rest),
        ).fetchone()
        shared = shared_prefix_length(base, rest)
        taken = {n for n, _, _, matches in rows if not matches}
        n = next(i for i in range(len(taken) + 1) if i not in taken)
        db.execute(
            "INSERT INTO urls (url_key, n, article, last_seen, origin, shared, tail) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (key, n, rowid, seen, self._origins.id_of(origin), shared, rest[shared:]),
        )
        return True

    def forget(self, url: str) -> bool:
        """Drop the URL's sighting; False when it was unknown."""
        for n, _, _, matches in self._rows(url):
            if matches:
                self._connection.db.execute(
                    "DELETE FROM urls WHERE url_key=? AND n=?", (url_key(url), n)
                )
                return True
        return False

    def _text(self, origin_id: int, base: str | None, shared: int, tail: str) -> str:
        return self._origins.name_of(origin_id) + (base or "")[:shared] + tail

    def _rows(self, url: str) -> list[tuple[int, int, str, int]]:
        """(n, article rowid, article_id, matches) for each row under the URL's key."""
        rows = self._connection.db.execute(
            "SELECT u.n, u.article, a.article_id, u.origin, u.shared, u.tail, a.url_base "
            "FROM urls u JOIN articles a ON a.rowid=u.article WHERE u.url_key=?",
            (url_key(url),),
        ).fetchall()
        return [
            (n, rowid, article_id, self._text(origin, base, shared, tail) == url)
            for n, rowid, article_id, origin, shared, tail, base in rows
        ]

    def _touch_article(self, article_id: str, seen: int) -> tuple[int, str | None]:
        """Create the article if new, move last_seen; its rowid and url_base."""
        return self._connection.db.execute(
            "INSERT INTO articles (article_id, first_seen, last_seen) VALUES (?, ?, ?) "
            "ON CONFLICT (article_id) DO UPDATE SET last_seen=max(last_seen, excluded.last_seen) "
            "RETURNING rowid, url_base",
            (article_id, seen, seen),
        ).fetchone()
