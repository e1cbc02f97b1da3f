"""Redis backend of :class:`archive.index.model.ArticleIndex`, for crawls shared by several workers.

Same semantics as the SQLite backend (``archive.index.sqlite_backend``), so the spider, the WARC
capture and the tests cannot tell them apart; what differs is that many processes on many
machines write at once, so every write that reads before it writes is one Lua script
(``archive.index.redis_scripts``: atomic on the server, one round trip):

* version numbering: the verdict ("same hash as the latest version → unchanged, else version
  n+1") is ``archive.index.versioning.decide_version``, as for SQLite, made on the state one
  script reads; a second script stores it only if that state still holds (check-and-set,
  else read and decide again), so two workers recording the same article can never both
  make version 2, and versions stay numbered 1, 2, … without gaps;
* the first capture of a payload digest is ``HSETNX``: exactly one capture wins. Because the
  WARC capture asks :meth:`RedisIndex.first_capture` *before* it writes a record and tells
  :meth:`RedisIndex.record_payload` *after*, a miss also claims the digest for this instance
  for ``claim_seconds`` (``SET NX PX``): another worker asking for the same digest meanwhile
  waits (at most ``claim_wait`` seconds; the claimer writes one record, milliseconds) for
  the capture and writes a revisit, instead of a second full response. Workers that start
  together all fetch robots.txt at once: without the claim each would store it in full.

Keys, all under ``<prefix>:<site>:index:`` (``newsarchive:presstv:index:…``), so sites and
the crawl's own run keys (``…:crawl:…``, see ``scraper.shared.crawl``) never mix:

=====================  ======  ============================================================
``schema``             string  schema version (1)
``seq``                string  counter: articles in order of first sighting
``articles``           zset    every article id, score 0 (lexicographic = export order)
``article:<id>``       hash    ``seq first last checked pub etag lm dup n``, ``v:<k>`` (JSON
                               of version k: ``h s f l t w o r m``) and ``u:<url>`` (last
                               seen, POSIX seconds) for every URL sighting of the article
``urls``               hash    url → article id
``text:<hash>``        zset    article ids having a version with that content hash, scored
                               by ``seq`` (for ``duplicate_of``)
``payloads``           hash    payload digest → JSON capture ``u d r f o``
``payload-claim:<d>``  string  short-lived claim on a digest being written (see above)
``nversions``          string  version count, for ``stats``
=====================  ======  ============================================================

Times are whole POSIX seconds, as in SQLite. Strings given (hashes, dates, record ids,
validators, ``published``) are stored as given and returned exactly. A single Redis server
(or primary) is assumed: the scripts touch keys they derive, which Redis Cluster forbids.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from datetime import timedelta
from typing import Any, cast
from urllib.parse import urlunsplit

import redis

from archive.index import redis_scripts as scripts
from archive.index.codec import from_epoch, published_datetime, to_epoch
from archive.index.export import exported_article
from archive.index.held_versions import HeldVersions
from archive.index.model import (
    DEFAULT_RECHECK_EVERY,
    DEFAULT_YOUNG_WINDOW,
    ArticleInfo,
    Capture,
    ForgetResult,
    IndexSchemaError,
    IndexStats,
    Moment,
    Version,
    VersionResult,
)
from archive.index.redis_values import (
    simhash_hex,
    stored_capture,
    stored_latest,
    stored_urls,
    stored_version,
)
from archive.index.versioning import decide_version
from archive.warc_pointer import WarcPointer
from scraper.sites.url_syntax import split_url

__all__ = ["RedisIndex", "redacted"]

SCHEMA_VERSION = 1
_CHUNK = 500  # articles per round trip when walking the whole index
# Attempts to store a version while other workers keep changing the same article in between
# (each attempt that fails means another one succeeded): far more than contention ever needs.
_VERSION_ATTEMPTS = 1000

logger = logging.getLogger(__name__)


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = split_url(url)
    if parts is None:  # a mistyped URL ("redis://u:pw@[::1"): its userinfo, whatever it is, goes
        return re.sub(r"(//)[^/@]*@", r"\1***@", url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit(parts._replace(netloc=netloc))


def _glob_escape(text: str) -> str:
    return "".join("\\" + c if c in "*?[]\\" else c for c in text)


class RedisIndex:
    """:class:`archive.index.model.ArticleIndex` on a Redis server, keys under ``<prefix>:<site>:index:``.

    Every write is applied (and visible to every worker) when the call returns: ``flush`` has
    nothing to commit (it takes back versions whose record was never written, see
    :meth:`hold_versions_until_written`). Safe to share between threads (redis-py's
    connection pool)."""

    def __init__(
        self,
        url: str,
        *,
        site: str,
        prefix: str = "newsarchive",
        minor_distance: int = 3,
        claim_seconds: float = 10.0,
        claim_wait: float = 1.0,
        client: redis.Redis | None = None,
        socket_timeout: float = 30.0,
    ) -> None:
        """``claim_seconds``: how long a miss in :meth:`first_capture` keeps the digest for
        this instance (it is released by :meth:`record_payload`); ``claim_wait``: how long
        another instance waits for that capture before writing the bytes in full."""
        if not site or any(c in site for c in ":*?[] \t\r\n"):
            raise ValueError(
                f"site {site!r}: a Redis index needs a plain site name (no ':' or spaces)"
            )
        self.url = url
        self.site = site
        self.minor_distance = minor_distance
        self.claim_seconds = claim_seconds
        self.claim_wait = claim_wait
        self.claim_waits = 0  # how often a capture in progress elsewhere was waited for
        self.prefix = f"{prefix}:{site}:index:"
        self._token = uuid.uuid4().hex  # who holds a payload claim
        self._lock = threading.Lock()
        self._held = HeldVersions(logger)
        self._client: redis.Redis | None = client or redis.Redis.from_url(
            url,
            decode_responses=True,
            encoding_errors="surrogatepass",
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            health_check_interval=30,
        )
        db = self._client
        self._sight = db.register_script(scripts.ADD_SIGHTING)
        self._version_state = db.register_script(scripts.VERSION_STATE)
        self._store_version = db.register_script(scripts.STORE_VERSION)
        self._take_back = db.register_script(scripts.TAKE_BACK)
        self._check = db.register_script(scripts.RECORD_CHECK)
        self._latest = db.register_script(scripts.LATEST_VERSION)
        self._first_capture = db.register_script(scripts.FIRST_CAPTURE)
        self._record_payload = db.register_script(scripts.RECORD_PAYLOAD)
        self._forget_url = db.register_script(scripts.FORGET_URL)
        self._forget_id = db.register_script(scripts.FORGET_ID)
        self._expire = db.register_script(scripts.EXPIRE_URLS)
        try:
            self._check_schema()
        except BaseException:
            self.close()
            raise

    def _check_schema(self) -> None:
        key = self.prefix + "schema"
        self._db.set(key, SCHEMA_VERSION, nx=True)
        found = self._db.get(key)
        try:
            number = int(found)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            raise IndexSchemaError(
                f"{self.location}: {key} holds {found!r}, not an index schema version"
            ) from None
        if number > SCHEMA_VERSION:
            raise IndexSchemaError(
                f"{self.location} has index schema {number}, newer than this newsarchive reads "
                f"({SCHEMA_VERSION}): upgrade newsarchive or use another Redis database"
            )

    @property
    def location(self) -> str:
        return f"{redacted(self.url)} (site {self.site})"

    @property
    def _db(self) -> redis.Redis:
        client = self._client
        if client is None:
            raise ValueError(f"index {self.location} is closed")
        return client

    def _akey(self, article_id: str) -> str:
        return f"{self.prefix}article:{article_id}"

    def _run(self, script: Any, *args: Any) -> Any:
        self._db  # noqa: B018 - a closed index must say so, not fail inside redis-py
        return script(args=[self.prefix, *args])

    # -- queries ---------------------------------------------------------------------------------

    def article_for_url(self, url: str) -> str | None:
        return cast("str | None", self._db.hget(self.prefix + "urls", url))

    def knows(self, article_id: str) -> bool:
        return int(self._db.hget(self._akey(article_id), "n") or 0) > 0

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
            return True
        moment = to_epoch(now)
        first, checked, published, versions = self._db.hmget(
            self._akey(article_id), ["first", "checked", "pub", "n"]
        )
        if first is None or not int(versions or 0):
            return True  # never archived: a sighting alone does not count
        born = published_datetime(cast("str | None", published))
        born_at = born.timestamp() if born is not None else int(first)
        if moment - born_at >= young_window.total_seconds():
            return False
        return checked is None or moment - int(checked) >= recheck_every.total_seconds()

    def article(self, article_id: str) -> ArticleInfo | None:
        fields = cast("dict[str, str]", self._db.hgetall(self._akey(article_id)))
        if not fields:
            return None
        return self._info(article_id, fields)

    def _info(self, article_id: str, fields: dict[str, str]) -> ArticleInfo:
        checked = fields.get("checked")
        return ArticleInfo(
            article_id=article_id,
            first_seen=from_epoch(int(fields["first"])),
            last_seen=from_epoch(int(fields["last"])),
            last_checked=None if checked is None else from_epoch(int(checked)),
            published=fields.get("pub"),
            etag=fields.get("etag"),
            last_modified=fields.get("lm"),
            duplicate_of=fields.get("dup"),
            versions=int(fields.get("n") or 0),
            urls=stored_urls(fields),
        )

    def latest_version(self, article_id: str) -> Version | None:
        found = self._run(self._latest, article_id)
        if not found:
            return None
        number, latest, previous = found
        return stored_version(
            article_id,
            int(number),
            json.loads(latest),
            None if previous is None else json.loads(previous)["h"],
        )

    def forget_captures(self, readable_ends: Mapping[str, int]) -> int:
        """One pass over the payloads, whatever the number of files."""
        key = self.prefix + "payloads"
        lost = []
        for digest, stored in self._db.hscan_iter(key, count=1000):
            capture = json.loads(stored)
            end = readable_ends.get(capture["f"])
            if end is not None and int(capture["o"]) >= end:
                lost.append(digest)
        for start in range(0, len(lost), 1000):
            self._db.hdel(key, *lost[start : start + 1000])
        return len(lost)

    def first_capture(self, payload_digest: str) -> Capture | None:
        """The first capture of the digest; on a miss the digest is claimed for this instance
        (the caller is about to write it), and while another instance holds the claim this
        waits up to ``claim_wait`` s for its capture: one GET-sized round trip when nothing
        is contended."""
        deadline = None
        pause = 0.001
        while True:
            found = self._run(
                self._first_capture, payload_digest, self._token, int(self.claim_seconds * 1000), 1
            )
            if found[0] == 1:
                return stored_capture(found[1])
            if found[0] == 0:
                return None
            # Being written by another worker right now: its record_payload follows within
            # milliseconds. Past the deadline (that worker died?) the caller stores the bytes.
            now = time.monotonic()
            if deadline is None:
                deadline = now + self.claim_wait
                self.claim_waits += 1
            elif now >= deadline:
                return None
            time.sleep(pause)
            pause = min(pause * 2, 0.05)

    # -- writes ----------------------------------------------------------------------------------

    def add_sighting(self, article_id: str, url: str, now: Moment = None) -> bool:
        return bool(self._run(self._sight, article_id, url, to_epoch(now)))

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
        version: dict[str, Any] = {"h": content_hash}
        hex_simhash = simhash_hex(simhash)  # validated before anything is written
        if hex_simhash is not None:
            version["s"] = hex_simhash
        if fetched_at is not None:
            version["t"] = fetched_at
        if warc is not None:
            version.update(w=warc.filename, o=warc.offset, r=warc.record_id)
        for _attempt in range(_VERSION_ATTEMPTS):
            number, latest, previous, duplicate_of, elsewhere = self._run(
                self._version_state, article_id, content_hash
            )
            stored = None if latest is None else json.loads(latest)
            result = decide_version(
                None if stored is None else stored_latest(int(number), stored, previous),
                content_hash=content_hash,
                simhash=simhash,
                minor=minor,
                minor_distance=self.minor_distance,
                duplicate_of=duplicate_of,
                same_text_elsewhere=elsewhere,
            )
            # None never travels: cjson reads a JSON null as a value that is not nil.
            arguments: dict[str, Any] = {"id": article_id, "now": to_epoch(now), "n": int(number)}
            for name, value in (
                ("h", None if stored is None else stored["h"]),
                ("dup", duplicate_of),
                ("other", elsewhere),
                ("pub", published),
            ):
                if value is not None:
                    arguments[name] = value
            if result.status != "unchanged":
                arguments["v"] = {**version, "m": int(result.minor)}
                if result.duplicate_of != duplicate_of:
                    arguments["setdup"] = result.duplicate_of
            if self._run(self._store_version, json.dumps(arguments)):
                if result.status != "unchanged":
                    self._held.recorded(article_id, content_hash, result.version)
                return result
        raise RuntimeError(
            f"{self.location}: {article_id} changed by other writers on each of "
            f"{_VERSION_ATTEMPTS} attempts to store a version"
        )

    def has_version(self, article_id: str, content_hash: str) -> bool:
        return self._db.zscore(f"{self.prefix}text:{content_hash}", article_id) is not None

    # -- crash safety: Redis stores each write at once, so nothing is held back from a commit;
    # what a version whose record is not written can still have is being taken back.

    def hold_versions_until_written(self, hold: bool = True) -> None:
        """Remember each new version until its record is confirmed; one not written
        (:meth:`version_not_written`, or still waiting at :meth:`flush`/:meth:`close`) is
        taken back. Unlike SQLite, the version is on the server meanwhile: a crash before
        its record is written leaves it there."""
        self._held.hold = hold

    def version_written(self, article_id: str, content_hash: str) -> None:
        """No round trip."""
        self._held.written(article_id, content_hash)

    def version_not_written(self, article_id: str, content_hash: str) -> None:
        """Taken back at once (one round trip), if it is still the article's latest version."""
        self._held.not_written(article_id, content_hash)
        for taken in self._held.settle()[0]:
            self._run(self._take_back, *taken)

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
        capture = json.dumps(
            {"u": target_uri, "d": warc_date, "r": record_id, "f": filename, "o": offset}
        )
        return bool(self._run(self._record_payload, payload_digest, capture, self._token))

    def record_check(
        self,
        article_id: str,
        now: Moment = None,
        etag: str | None = None,
        last_modified: str | None = None,
        *,
        not_modified: bool = False,
    ) -> None:
        arguments: dict[str, Any] = {
            "id": article_id,
            "now": to_epoch(now),
            "nm": int(not_modified),
        }
        if etag is not None:
            arguments["etag"] = etag
        if last_modified is not None:
            arguments["lm"] = last_modified
        self._run(self._check, json.dumps(arguments))

    # -- operator functions ----------------------------------------------------------------------

    def stats(self) -> IndexStats:
        pipe = self._db.pipeline(transaction=False)
        pipe.zcard(self.prefix + "articles")
        pipe.get(self.prefix + "nversions")
        pipe.hlen(self.prefix + "urls")
        pipe.hlen(self.prefix + "payloads")
        articles, versions, urls, payloads = pipe.execute()
        return IndexStats(
            int(articles),
            int(versions or 0),
            int(urls),
            int(payloads),
            size_bytes=self._memory_bytes(),
        )

    def _keys(self) -> Iterator[str]:
        yield from self._db.scan_iter(match=_glob_escape(self.prefix) + "*", count=1000)

    def _memory_bytes(self) -> int:
        """What the index's keys take in the server's memory (``MEMORY USAGE`` of each)."""
        total = 0
        batch: list[str] = []
        for key in self._keys():
            batch.append(key)
            if len(batch) >= 1000:
                total += self._memory_of(batch)
                batch = []
        return total + (self._memory_of(batch) if batch else 0)

    def _memory_of(self, keys: list[str]) -> int:
        pipe = self._db.pipeline(transaction=False)
        for key in keys:
            pipe.memory_usage(key, samples=0)
        return sum(size or 0 for size in pipe.execute())

    def forget(self, id_or_url: str) -> ForgetResult:
        if "://" in id_or_url:
            return ForgetResult(urls=int(self._run(self._forget_url, id_or_url)))
        articles, versions, urls = self._run(self._forget_id, id_or_url)
        return ForgetResult(articles=int(articles), versions=int(versions), urls=int(urls))

    def expire_urls(self, older_than: timedelta, now: Moment = None) -> int:
        cutoff = to_epoch(now) - older_than.total_seconds()
        removed = 0
        for chunk in self._article_chunks():
            removed += int(self._run(self._expire, repr(cutoff), *chunk))
        return removed

    def _article_chunks(self) -> Iterator[list[str]]:
        """Article ids in id order, ``_CHUNK`` at a time (by rank: ids are never removed
        while walking, except by a concurrent ``forget``, which may shift one chunk)."""
        start = 0
        while True:
            chunk = cast(
                "list[str]", self._db.zrange(self.prefix + "articles", start, start + _CHUNK - 1)
            )
            if not chunk:
                return
            yield chunk
            start += len(chunk)

    def reset(self) -> None:
        batch: list[str] = []
        for key in self._keys():
            batch.append(key)
            if len(batch) >= 1000:
                self._db.unlink(*batch)
                batch = []
        if batch:
            self._db.unlink(*batch)
        self._db.set(self.prefix + "schema", SCHEMA_VERSION)

    def export_latest(self) -> Iterator[dict[str, Any]]:
        for chunk in self._article_chunks():
            pipe = self._db.pipeline(transaction=False)
            for article_id in chunk:
                pipe.hgetall(self._akey(article_id))
            for article_id, fields in zip(chunk, pipe.execute()):
                number = int(fields.get("n") or 0)
                if not number:
                    continue  # only sighted, never archived: nothing to export
                previous = json.loads(fields[f"v:{number - 1}"])["h"] if number > 1 else None
                version = stored_version(
                    article_id, number, json.loads(fields[f"v:{number}"]), previous
                )
                checked = fields.get("checked")
                yield exported_article(
                    version,
                    urls=stored_urls(fields),
                    published=fields.get("pub"),
                    duplicate_of=fields.get("dup"),
                    first_seen=int(fields["first"]),
                    last_seen=int(fields["last"]),
                    last_checked=None if checked is None else int(checked),
                )

    # -- lifecycle -------------------------------------------------------------------------------

    def flush(self) -> None:
        """Nothing buffered: every write is on the server when its call returns. Versions
        still waiting for their record are taken back (the run is over)."""
        self._db  # noqa: B018 - closed indexes refuse this too
        for article_id, content_hash in self._held.never_written(self.location):
            self._run(self._take_back, article_id, content_hash)

    def close(self) -> None:
        try:
            if self._client is not None:
                self.flush()  # no round trip unless versions wait for their record
        finally:
            with self._lock:
                client, self._client = self._client, None
            if client is not None:
                client.close()

    def __enter__(self) -> RedisIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
