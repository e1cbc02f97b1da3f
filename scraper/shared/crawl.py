"""One crawl of a site shared by several ``newsarchive crawl`` processes (workers) through Redis.

With ``REDIS_URL`` set (``--redis URL``, or the ``REDIS_URL`` environment variable) a crawl is
a *worker*: the request queue and duplicate filter are scrapy-redis's, on Redis; the
per-run claims on articles (which worker fetches an article, every URL seen for it) and the
dedup index (``archive.index.redis_backend``) are there too. What each worker writes (WARC files,
JSON Lines, run report) stays in its own ``--out``.

Run lifecycle. The first worker to start creates a *run* (a random token under
``newsarchive:<site>:crawl:run``); workers started while it is alive join it. A run's keys:

=======================================  =================================================
``…:crawl:<token>:requests``             the shared queue (scrapy-redis priority queue)
``…:crawl:<token>:dupefilter``           request fingerprints (scrapy-redis)
``…:crawl:<token>:articles``             article id → JSON list of every URL seen this run
                                         (present = claimed by one worker)
``…:crawl:<token>:workers``              worker → {busy, since, beat} (server time)
``…:crawl:<token>:profile``              fingerprint of the profile: workers must agree
``…:crawl:<token>:budget``               articles scheduled against ``--max-articles``
                                         (one budget for the whole run, not per worker)
=======================================  =================================================

A worker whose queue work is done raises ``DontCloseSpider`` while others are busy (they may
still queue pages); it closes once the shared queue has been empty, with every live worker
idle, for ``SHARED_CRAWL_IDLE_CLOSE`` seconds. The last worker to leave deletes the run's
keys, so the next run starts clean (the index remembers what was archived, so that next run
is incremental as usual). Every heartbeat renews the keys' expiry (``SHARED_CRAWL_WORKER_TIMEOUT``
× 2): if every worker dies, they vanish by themselves; a worker started before that joins
the crashed run and finishes its queue. A worker silent for ``SHARED_CRAWL_WORKER_TIMEOUT``
seconds counts as gone; the requests it had taken are lost to this run (the index does not
know those articles, so the next run fetches them).

Settings: ``REDIS_URL`` (off when empty), ``REDIS_PARAMS`` (scrapy-redis's client options),
``SHARED_CRAWL_IDLE_CLOSE`` (5.0 s), ``SHARED_CRAWL_HEARTBEAT`` (0.5 s),
``SHARED_CRAWL_WORKER_TIMEOUT`` (30 s), ``SHARED_CRAWL_PREFIX`` ("newsarchive").

The Redis scripts are in ``scraper/shared/lua.py``; the scheduler and queue that make a
worker of a Scrapy crawl in ``scraper/shared_queue.py``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import secrets
import socket
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, cast

import redis
from scrapy.settings import BaseSettings
from scrapy_redis.connection import get_redis_from_settings

from archive.index.redis_backend import redacted
from scraper.shared.lua import (
    LUA_ARTICLE_URLS,
    LUA_BEAT,
    LUA_CLAIM,
    LUA_IDLE,
    LUA_JOIN,
    LUA_LEAVE,
    LUA_POP,
    LUA_RETURN_BUDGET,
    LUA_TAKE_BUDGET,
)

if TYPE_CHECKING:
    from scraper.sites.profile import SiteProfile

RUN_KEYS = ("requests", "dupefilter", "articles", "workers", "profile", "budget")


class SharedCrawlError(RuntimeError):
    """This worker cannot take part in the site's shared crawl (another profile is running)."""


def profile_fingerprint(profile: SiteProfile) -> str:
    """What workers of one run must agree on: where the site is and what an article is."""
    described = {
        "name": profile.name,
        # the profile's own: mirrors a worker discovered are its own business
        "origins": list(profile.own_origins),
        "article_url": profile.article_url.pattern,
        "canonical_path": profile.canonical_path,
        "extractor": profile.extractor,
        # Candidates from the lists and onion mirrors reach every worker through the shared
        # queue: a worker without the lists, or without Tor, would fail what another asked.
        # Whether onions go through Tor, not the proxy's address: each machine has its own.
        "mirror_lists": list(profile.mirror_lists),
        "tor": profile.access.tor is not None,
        # [fields] selectors: workers reading one page differently would make one article
        # two versions
        "fields": dataclasses.asdict(profile.fields),
    }
    return hashlib.sha1(json.dumps(described, sort_keys=True).encode()).hexdigest()[:16]


def _connect(settings: BaseSettings) -> redis.Redis:
    return get_redis_from_settings(settings)  # REDIS_URL, REDIS_PARAMS; replies are bytes


class SharedCrawl:
    """This worker's membership of the site's current run, and the run's shared state."""

    KNOWN, SIGHTING, TOO_OLD, CLAIMED = 0, 1, 2, 3

    def __init__(
        self,
        client: redis.Redis,
        site: str,
        fingerprint: str,
        *,
        prefix: str = "newsarchive",
        idle_close: float = 5.0,
        worker_timeout: float = 30.0,
        url: str = "",
    ) -> None:
        self.redis = client
        self.site = site
        self.url = url
        self.fingerprint = fingerprint
        self.idle_close = idle_close
        self.worker_timeout = worker_timeout
        self.ttl = max(int(worker_timeout * 2), 10)
        self.base = f"{prefix}:{site}:crawl:"
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.token = ""
        self.left = False
        self._join = client.register_script(LUA_JOIN)
        self._beat = client.register_script(LUA_BEAT)
        self._idle = client.register_script(LUA_IDLE)
        self._pop = client.register_script(LUA_POP)
        self._leave = client.register_script(LUA_LEAVE)
        self._claim = client.register_script(LUA_CLAIM)
        self._article_urls = client.register_script(LUA_ARTICLE_URLS)
        self._take_budget = client.register_script(LUA_TAKE_BUDGET)
        self._return_budget = client.register_script(LUA_RETURN_BUDGET)

    @classmethod
    def for_run(cls, settings: BaseSettings, profile: SiteProfile) -> SharedCrawl | None:
        """Join the site's run when ``REDIS_URL`` is set, else None (a crawl of its own)."""
        if not settings.get("REDIS_URL"):
            return None
        return cls.join_as(settings, profile.name, profile_fingerprint(profile))

    @classmethod
    def join_as(cls, settings: BaseSettings, site: str, fingerprint: str) -> SharedCrawl:
        shared = cls(
            _connect(settings),
            site,
            fingerprint,
            prefix=settings["SHARED_CRAWL_PREFIX"],
            idle_close=settings.getfloat("SHARED_CRAWL_IDLE_CLOSE"),
            worker_timeout=settings.getfloat("SHARED_CRAWL_WORKER_TIMEOUT"),
            url=settings["REDIS_URL"],
        )
        shared.join()
        return shared

    def key(self, name: str) -> str:
        return f"{self.base}{self.token}:{name}"

    # -- membership ----------------------------------------------------------------------------

    def join(self) -> str:
        token, agreed = self._join(
            args=[self.base, secrets.token_hex(8), self.worker, self.ttl, self.fingerprint]
        )
        self.token = token.decode()
        if agreed.decode() != self.fingerprint:
            raise SharedCrawlError(f"{self.site}: {_disagreement(self.url)}")
        return self.token

    def beat(self) -> int:
        """Alive: renew the run's expiry. Returns how many requests are queued."""
        return int(self._beat(args=[self.base, self.token, self.worker, self.ttl, *RUN_KEYS]))

    def idle_check(self) -> str:
        """This worker has nothing to do: ``work`` (the queue has requests), ``busy``
        (another worker is working), ``idle`` (all idle, not for long enough) or ``done``."""
        verdict = self._idle(
            args=[self.base, self.token, self.worker, self.idle_close, self.worker_timeout]
        )
        return verdict.decode()

    def leave(self) -> bool:
        """This worker is done. True when it was the last one: the run's keys are deleted."""
        if self.left:
            return False
        self.left = True
        return bool(
            self._leave(args=[self.base, self.token, self.worker, self.worker_timeout, *RUN_KEYS])
        )

    def close(self) -> None:
        self.redis.close()

    # -- the shared queue ----------------------------------------------------------------------

    def pop(self, queue_key: str) -> bytes | None:
        """The queue's first request, and this worker marked busy, in one step: nobody may
        see an empty queue and an idle worker while it holds a request."""
        return self._pop(keys=[queue_key, self.key("workers")], args=[self.worker])

    # -- articles of this run ------------------------------------------------------------------

    def claim(self, found: Sequence[tuple[str, str, bool]]) -> list[int]:
        """For each (article id, url, may claim): KNOWN, SIGHTING, TOO_OLD or CLAIMED (see
        ``LUA_CLAIM``). An article is claimed by exactly one worker of the run."""
        if not found:
            return []
        args: list[str] = []
        for article_id, url, may_claim in found:
            args += [article_id, url, "1" if may_claim else "0"]
        return [int(code) for code in self._claim(keys=[self.key("articles")], args=args)]

    def take_budget(self, limit: int) -> bool:
        """A place for one more article among the run's ``limit`` (``--max-articles``, which
        bounds the run, whatever worker finds the articles)."""
        return bool(self._take_budget(keys=[self.key("budget")], args=[limit]))

    def budget_used(self) -> int:
        """Articles the run has scheduled against ``--max-articles`` so far."""
        return int(self.redis.get(self.key("budget")) or 0)

    def return_budget(self) -> None:
        """An article that failed: its place goes to the next one any worker finds."""
        self._return_budget(keys=[self.key("budget")])

    def article_urls(self, article_id: str, urls: Iterable[str]) -> list[str]:
        """Every URL any worker has seen for the article this run, ``urls`` added."""
        encoded = self._article_urls(keys=[self.key("articles")], args=[article_id, *urls])
        return json.loads(encoded)


def check_redis(url: str, profile: SiteProfile, settings: BaseSettings) -> str | None:
    """Why a worker could not join ``profile``'s shared crawl on ``url`` (one line), or None."""
    copy = settings.copy()
    copy.set("REDIS_URL", url, priority="cmdline")
    # a quick answer at the command line: scrapy-redis's default waits 30 s for a connection
    copy.set(
        "REDIS_PARAMS",
        {**copy.getdict("REDIS_PARAMS"), "socket_connect_timeout": 5, "socket_timeout": 10},
        priority="cmdline",
    )
    try:
        client = _connect(copy)
    except ValueError as exc:  # a malformed URL
        return f"--redis {redacted(url)}: {exc}"
    try:
        client.ping()
        base = f"{settings['SHARED_CRAWL_PREFIX']}:{profile.name}:crawl:"
        token = cast("bytes | None", client.get(base + "run"))
        agreed = cast(
            "bytes | None", client.get(f"{base}{token.decode()}:profile") if token else None
        )
    except redis.RedisError as exc:
        return f"--redis {redacted(url)}: cannot use the server: {exc}"
    finally:
        client.close()
    if agreed is not None and agreed.decode() != profile_fingerprint(profile):
        return f"{profile.name}: {_disagreement(url)}"
    return None


def _disagreement(url: str) -> str:
    return (
        f"the run in progress on {redacted(url)} uses another profile or other mirrors, "
        "mirror lists, [fields] or Tor route; start every worker with the same SITE, --mirrors and "
        "--tor (given to all or none)"
    )
