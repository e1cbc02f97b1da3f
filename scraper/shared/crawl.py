"""One crawl of a site shared by several ``newsarchive crawl`` processes (workers) through Redis.

With ``REDIS_URL`` set (``--redis URL``, or the ``REDIS_URL`` environment variable) a crawl is
a *worker*: the request queue and duplicate filter are scrapy-redis's, on Redis; the
per-run claims on articles (which worker fetches an article, every URL seen for it) and the
dedup index (``archive.index_redis``) are there too. What each worker writes (WARC files,
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

Two things in scrapy-redis 0.9.1 needed changing for this spider, hence the subclasses below:
its queue key is per spider name for ever (``<spider>:requests``), which would mix runs, and
it pickles each request's meta whole, ``site_profile`` (a ``SiteProfile``) included: that is
swapped for a reference to the worker's own profile (same site, checked at join), so a queued
request stays small and failover keeps one profile object per site. Compare mode's mirror
copies never enter the shared queue: their answer belongs to the worker that recorded the
article (its in-memory comparison), so they wait in a local one.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import pickle
import secrets
import socket
from collections import deque
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import redis
from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings
from scrapy.utils.request import request_from_dict
from scrapy_redis.connection import get_redis_from_settings
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler as RedisScheduler

from archive.index_redis import redacted

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

    from scraper.sites.profile import SiteProfile

logger = logging.getLogger(__name__)

RUN_KEYS = ("requests", "dupefilter", "articles", "workers", "profile", "budget")
# Requests whose answer only the worker that made them can use: compare mode's mirror copies
# report to that worker's in-memory comparison. They stay in a local queue.
LOCAL_PAGE_TYPES = frozenset({"mirror_copy"})
PROFILE_REF = "newsarchive/site-profile"  # stands for the spider's profile in a queued request

# ARGV[1]: "<prefix>:<site>:crawl:". Times come from the server (TIME), so workers on
# machines with different clocks agree on who is idle since when.
_LUA_NOW = """
local function server_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end
"""

_LUA_JOIN = _LUA_NOW + """
local base, token, worker, ttl, fingerprint = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local current = redis.call('GET', base .. 'run')
if current then token = current end
local run = base .. token .. ':'
local agreed = redis.call('GET', run .. 'profile')
if agreed and agreed ~= fingerprint then return {token, agreed} end
redis.call('SET', base .. 'run', token, 'EX', ttl)
redis.call('SET', run .. 'profile', fingerprint, 'EX', ttl)
local now = server_now()
redis.call('HSET', run .. 'workers', worker, cjson.encode({busy = 1, since = now, beat = now}))
redis.call('EXPIRE', run .. 'workers', ttl)
return {token, fingerprint}
"""

_LUA_BEAT = _LUA_NOW + """
local base, token, worker, ttl = ARGV[1], ARGV[2], ARGV[3], ARGV[4]
local run = base .. token .. ':'
local current = redis.call('GET', base .. 'run')
if not current then
  redis.call('SET', base .. 'run', token, 'EX', ttl)
elseif current == token then
  redis.call('EXPIRE', base .. 'run', ttl)
end
local now = server_now()
local stored = redis.call('HGET', run .. 'workers', worker)
local state = {busy = 1, since = now}
if stored then state = cjson.decode(stored) end
state.beat = now
redis.call('HSET', run .. 'workers', worker, cjson.encode(state))
for i = 5, #ARGV do redis.call('EXPIRE', run .. ARGV[i], ttl) end
return redis.call('ZCARD', run .. 'requests')
"""

_LUA_IDLE = _LUA_NOW + """
local base, token, worker = ARGV[1], ARGV[2], ARGV[3]
local idle_close, timeout = tonumber(ARGV[4]), tonumber(ARGV[5])
local run = base .. token .. ':'
local workers = run .. 'workers'
local now = server_now()
local stored = redis.call('HGET', workers, worker)
local state = {}
if stored then state = cjson.decode(stored) end
if state.busy ~= 0 or not state.since then
  state.busy = 0
  state.since = now
end
state.beat = now
redis.call('HSET', workers, worker, cjson.encode(state))
if redis.call('ZCARD', run .. 'requests') > 0 then return 'work' end
local latest = 0
local all = redis.call('HGETALL', workers)
for i = 1, #all, 2 do
  local other = cjson.decode(all[i + 1])
  if now - other.beat > timeout then
    redis.call('HDEL', workers, all[i])  -- silent too long: gone
  elseif other.busy == 1 then
    return 'busy'
  elseif other.since > latest then
    latest = other.since
  end
end
if now - latest >= idle_close then return 'done' end
return 'idle'
"""

_LUA_POP = _LUA_NOW + """
local first = redis.call('ZRANGE', KEYS[1], 0, 0)
if #first == 0 then return false end
redis.call('ZREM', KEYS[1], first[1])
local stored = redis.call('HGET', KEYS[2], ARGV[1])
if stored then
  local state = cjson.decode(stored)
  if state.busy ~= 1 then
    state.busy = 1
    state.since = server_now()
    redis.call('HSET', KEYS[2], ARGV[1], cjson.encode(state))
  end
end
return first[1]
"""

_LUA_LEAVE = _LUA_NOW + """
local base, token, worker, timeout = ARGV[1], ARGV[2], ARGV[3], tonumber(ARGV[4])
local run = base .. token .. ':'
local workers = run .. 'workers'
redis.call('HDEL', workers, worker)
local now = server_now()
local all = redis.call('HGETALL', workers)
for i = 1, #all, 2 do
  if now - cjson.decode(all[i + 1]).beat <= timeout then return 0 end
end
for i = 5, #ARGV do redis.call('DEL', run .. ARGV[i]) end
if redis.call('GET', base .. 'run') == token then redis.call('DEL', base .. 'run') end
return 1
"""

# One article of the run's --max-articles (ARGV[1]): 1 taken, 0 none left.
_LUA_TAKE_BUDGET = """
if redis.call('INCR', KEYS[1]) > tonumber(ARGV[1]) then
  redis.call('DECR', KEYS[1])
  return 0
end
return 1
"""
# An article that failed gives its place back (never below zero: a run's keys may have been
# cleared under a slow worker).
_LUA_RETURN_BUDGET = """
if tonumber(redis.call('GET', KEYS[1]) or '0') > 0 then redis.call('DECR', KEYS[1]) end
return 1
"""

# Per (article id, url, may claim): 0 the URL was already seen for the article this run;
# 1 a new URL of an article claimed before; 2 first sighting of an article too old to claim
# (--since; not remembered, like the single-process spider); 3 claimed now, by this worker.
_LUA_CLAIM = """
local out = {}
for i = 1, #ARGV, 3 do
  local id, url = ARGV[i], ARGV[i + 1]
  local stored = redis.call('HGET', KEYS[1], id)
  if stored then
    local urls = cjson.decode(stored)
    local known = 0
    for _, seen in ipairs(urls) do
      if seen == url then known = 1 break end
    end
    if known == 1 then
      out[#out + 1] = 0
    else
      urls[#urls + 1] = url
      redis.call('HSET', KEYS[1], id, cjson.encode(urls))
      out[#out + 1] = 1
    end
  elseif ARGV[i + 2] == '1' then
    redis.call('HSET', KEYS[1], id, cjson.encode({url}))
    out[#out + 1] = 3
  else
    out[#out + 1] = 2
  end
end
return out
"""

_LUA_ARTICLE_URLS = """
local stored = redis.call('HGET', KEYS[1], ARGV[1])
local urls = {}
if stored then urls = cjson.decode(stored) end
local changed = false
for i = 2, #ARGV do
  local known = false
  for _, seen in ipairs(urls) do
    if seen == ARGV[i] then known = true break end
  end
  if not known then
    urls[#urls + 1] = ARGV[i]
    changed = true
  end
end
local encoded = cjson.encode(urls)
if changed then redis.call('HSET', KEYS[1], ARGV[1], encoded) end
return encoded
"""


class SharedCrawlError(RuntimeError):
    """This worker cannot take part in the site's shared crawl (another profile is running)."""


def profile_fingerprint(profile: SiteProfile) -> str:
    """What workers of one run must agree on: where the site is and what an article is."""
    described = {"name": profile.name, "origins": list(profile.origins), "article_url": profile.article_url.pattern,
                 "canonical_path": profile.canonical_path, "extractor": profile.extractor}
    return hashlib.sha1(json.dumps(described, sort_keys=True).encode()).hexdigest()[:16]


def _connect(settings: BaseSettings) -> redis.Redis:
    return get_redis_from_settings(settings)  # REDIS_URL, REDIS_PARAMS; replies are bytes


class SharedCrawl:
    """This worker's membership of the site's current run, and the run's shared state."""

    KNOWN, SIGHTING, TOO_OLD, CLAIMED = 0, 1, 2, 3

    def __init__(self, client: redis.Redis, site: str, fingerprint: str, *, prefix: str = "newsarchive",
                 idle_close: float = 5.0, worker_timeout: float = 30.0, url: str = "") -> None:
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
        self._join = client.register_script(_LUA_JOIN)
        self._beat = client.register_script(_LUA_BEAT)
        self._idle = client.register_script(_LUA_IDLE)
        self._pop = client.register_script(_LUA_POP)
        self._leave = client.register_script(_LUA_LEAVE)
        self._claim = client.register_script(_LUA_CLAIM)
        self._article_urls = client.register_script(_LUA_ARTICLE_URLS)
        self._take_budget = client.register_script(_LUA_TAKE_BUDGET)
        self._return_budget = client.register_script(_LUA_RETURN_BUDGET)

    @classmethod
    def for_spider(cls, settings: BaseSettings, profile: SiteProfile) -> SharedCrawl | None:
        """Join the site's run when ``REDIS_URL`` is set, else None (a crawl of its own)."""
        url = settings.get("REDIS_URL")
        if not url:
            return None
        shared = cls(_connect(settings), profile.name, profile_fingerprint(profile),
                     prefix=settings.get("SHARED_CRAWL_PREFIX") or "newsarchive",
                     idle_close=settings.getfloat("SHARED_CRAWL_IDLE_CLOSE", 5.0),
                     worker_timeout=settings.getfloat("SHARED_CRAWL_WORKER_TIMEOUT", 30.0), url=url)
        shared.join()
        return shared

    @classmethod
    def of(cls, crawler: Crawler) -> SharedCrawl:
        """The spider's (``spider.shared``); spiders other than ours get one by their name."""
        spider = crawler.spider
        shared = getattr(spider, "shared", None)
        if shared is None:
            assert spider is not None
            shared = cls(_connect(crawler.settings), spider.name, spider.name,
                         prefix=crawler.settings.get("SHARED_CRAWL_PREFIX") or "newsarchive",
                         idle_close=crawler.settings.getfloat("SHARED_CRAWL_IDLE_CLOSE", 5.0),
                         worker_timeout=crawler.settings.getfloat("SHARED_CRAWL_WORKER_TIMEOUT", 30.0),
                         url=crawler.settings.get("REDIS_URL") or "")
            shared.join()
            spider.shared = shared  # type: ignore[attr-defined]
        return shared

    def key(self, name: str) -> str:
        return f"{self.base}{self.token}:{name}"

    # -- membership ----------------------------------------------------------------------------

    def join(self) -> str:
        token, agreed = self._join(args=[self.base, secrets.token_hex(8), self.worker, self.ttl, self.fingerprint])
        self.token = token.decode()
        if agreed.decode() != self.fingerprint:
            raise SharedCrawlError(
                f"{self.site}: the run in progress on {redacted(self.url)} uses another profile or other "
                "mirrors; start every worker with the same SITE and --mirrors"
            )
        return self.token

    def beat(self) -> int:
        """Alive: renew the run's expiry. Returns how many requests are queued."""
        return int(self._beat(args=[self.base, self.token, self.worker, self.ttl, *RUN_KEYS]))

    def idle_check(self) -> str:
        """This worker has nothing to do: ``work`` (the queue has requests), ``busy``
        (another worker is working), ``idle`` (all idle, not for long enough) or ``done``."""
        verdict = self._idle(args=[self.base, self.token, self.worker, self.idle_close, self.worker_timeout])
        return verdict.decode()

    def leave(self) -> bool:
        """This worker is done. True when it was the last one: the run's keys are deleted."""
        if self.left:
            return False
        self.left = True
        return bool(self._leave(args=[self.base, self.token, self.worker, self.worker_timeout, *RUN_KEYS]))

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
        ``_LUA_CLAIM``). An article is claimed by exactly one worker of the run."""
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
    copy.set("REDIS_PARAMS", {**copy.getdict("REDIS_PARAMS"), "socket_connect_timeout": 5, "socket_timeout": 10},
             priority="cmdline")
    try:
        client = _connect(copy)
    except ValueError as exc:  # a malformed URL
        return f"--redis {redacted(url)}: {exc}"
    try:
        client.ping()
        base = f"{settings.get('SHARED_CRAWL_PREFIX') or 'newsarchive'}:{profile.name}:crawl:"
        token = client.get(base + "run")
        agreed = client.get(f"{base}{token.decode()}:profile") if token else None
    except redis.RedisError as exc:
        return f"--redis {redacted(url)}: cannot use the server: {exc}"
    finally:
        client.close()
    if agreed is not None and agreed.decode() != profile_fingerprint(profile):
        return (f"{profile.name}: the run in progress on {redacted(url)} uses another profile or other mirrors; "
                "start every worker with the same SITE and --mirrors")
    return None


# -- scrapy-redis, adapted -------------------------------------------------------------------


class SharedRequestQueue(PriorityQueue):
    """scrapy-redis's priority queue under the run's key, popping with :meth:`SharedCrawl.pop`,
    and with the spider's ``SiteProfile`` sent as a reference (see the module docstring)."""

    def __init__(self, server: redis.Redis, spider: Spider, key: str, shared: SharedCrawl) -> None:
        # Not super().__init__: it %-formats the key with the spider name a second time.
        from scrapy_redis import picklecompat

        self.server = server
        self.spider = spider
        self.key = key
        self.serializer = picklecompat
        self.shared = shared

    def _encode_request(self, request: Request) -> bytes:
        data = request.to_dict(spider=self.spider)
        meta = data.get("meta")
        profile = getattr(self.spider, "profile", None)
        if meta and profile is not None and meta.get("site_profile") is profile:
            data["meta"] = {**meta, "site_profile": (PROFILE_REF, profile.name)}  # to_dict shares meta
        return pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)

    def _decode_request(self, encoded_request: bytes) -> Request:
        data = pickle.loads(encoded_request)
        meta = data.get("meta")
        reference = meta.get("site_profile") if meta else None
        if isinstance(reference, tuple) and len(reference) == 2 and reference[0] == PROFILE_REF:
            profile = self.spider.profile  # type: ignore[attr-defined]
            if reference[1] != profile.name:
                raise SharedCrawlError(f"a queued request of site {reference[1]!r} reached a {profile.name!r} worker")
            meta["site_profile"] = profile
        return request_from_dict(data, spider=self.spider)

    def pop(self, timeout: int = 0) -> Request | None:
        data = self.shared.pop(self.key)
        return self._decode_request(data) if data else None


class SharedScheduler(RedisScheduler):
    """scrapy-redis's scheduler with the run's keys (``…:crawl:<token>:requests`` and
    ``:dupefilter``) and the queue above. ``persist`` is always on: a worker that finishes
    must not clear the queue its peers still use; the last worker to leave clears the run."""

    shared: SharedCrawl

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedScheduler:
        shared = SharedCrawl.of(crawler)
        dupefilter = RFPDupeFilter(shared.redis, shared.key("dupefilter"),
                                   debug=crawler.settings.getbool("DUPEFILTER_DEBUG"))
        scheduler = cls(server=shared.redis, persist=True, queue_key=shared.key("requests"),
                        dupefilter=dupefilter, dupefilter_key=shared.key("dupefilter"))
        scheduler.stats = crawler.stats
        scheduler.shared = shared
        return scheduler

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.queue = SharedRequestQueue(self.server, spider, self.queue_key, self.shared)
        self.local: deque[Request] = deque()  # LOCAL_PAGE_TYPES
        queued = len(self.queue)
        logger.info("shared crawl %s of %s on %s: worker %s%s", self.shared.token, self.shared.site,
                    redacted(self.shared.url), self.shared.worker,
                    f", joining with {queued} requests queued" if queued else "")

    # The two below are scrapy-redis's, minus the ``spider=`` argument to the stats collector,
    # which Scrapy 2.14+ deprecates (a warning per request).

    def enqueue_request(self, request: Request) -> bool:
        if request.meta.get("page_type") in LOCAL_PAGE_TYPES:
            self.local.append(request)
            if self.stats:
                self.stats.inc_value("scheduler/enqueued/local")
            return True
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.queue.push(request)
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        if self.local:
            return self.local.popleft()
        request = self.queue.pop()
        if request is not None and self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def has_pending_requests(self) -> bool:
        return bool(self.local) or len(self) > 0


class SharedCrawlAddon:
    """With ``REDIS_URL`` set, the crawl becomes a worker: the shared scheduler and
    scrapy-redis's duplicate filter (``ADDONS`` in scraper/settings.py)."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("REDIS_URL"):
            return
        for name, value in (("SCHEDULER", "scraper.shared.crawl.SharedScheduler"),
                            ("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter"),
                            ("SCHEDULER_PERSIST", True)):
            # over project settings (another scheduler would not share anything), but not
            # over what the user asked for on the command line
            if (settings.getpriority(name) or 0) < SETTINGS_PRIORITIES["cmdline"]:
                settings.set(name, value, priority="cmdline")
