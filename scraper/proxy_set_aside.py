"""Proxies set aside for a while after failing their part (issue 21, item 16).

A proxy that cannot be reached, answers what is not its protocol or never completes a SOCKS
handshake fails every request sent through it, whatever page or mirror it is for. Asked again
for each of them (Scrapy's retries, then failover to every mirror behind the same proxy), a
proxy that accepts connections and never answers held one feed for minutes, each attempt
waiting out ``NEWSARCHIVE_PROXY_TIMEOUT``. So the first such failure sets the proxy aside:
until its time is up, every request through it fails at once with that same failure (same
reason key, same proxy named), making no connection. Then one request, and only one, is let
through to see whether the proxy is back; if it fails too, the proxy is set aside again for
twice as long. This is how a benched mirror is probed, with the same times
(``MIRROR_BENCH_SECONDS``, doubled up to ``MIRROR_BENCH_MAX_SECONDS``): an operator has one
notion of "tried again later", and a proxy back up is used again within a run that goes on.

Kept for the run only, in memory: a proxy down in one run is asked afresh by the next. Keyed
by the proxy URL as configured, login included (Tor keeps circuits apart by login: two logins
are two proxies); always named without the login. One set per crawl, shared by the http and
https download handlers (Scrapy makes one handler per scheme).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

_ATTRIBUTE = "_newsarchive_proxies_set_aside"

SET_ASIDE_STAT = "proxy/set_aside"  # times a proxy was set aside (again, after a probe)
FAILED_AT_ONCE_STAT = "proxy/failed_at_once"  # requests failed without asking the proxy
BACK_STAT = "proxy/back"  # a proxy that was set aside and then worked


@dataclass
class _Aside:
    failure: Exception  # what set it aside: every request meanwhile fails with it
    seconds: float  # how long it was set aside for
    until: float  # clock time it may be probed
    probing: bool = False  # the one request let through to probe it is under way


class ProxiesSetAside:
    """The proxies of one crawl that failed their part, and when each may be tried again."""

    def __init__(
        self, seconds: float, max_seconds: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.seconds = seconds
        self.max_seconds = max(seconds, max_seconds)
        self.clock = clock
        self._aside: dict[str, _Aside] = {}

    @classmethod
    def of(cls, crawler: Crawler) -> ProxiesSetAside:
        """The crawl's set, made on first use."""
        known: ProxiesSetAside | None = getattr(crawler, _ATTRIBUTE, None)
        if known is None:
            settings = crawler.settings
            known = cls(
                settings.getfloat("MIRROR_BENCH_SECONDS"),
                settings.getfloat("MIRROR_BENCH_MAX_SECONDS"),
            )
            setattr(crawler, _ATTRIBUTE, known)
        return known

    def admit(self, proxy: str) -> bool:
        """May a request go through ``proxy`` now? True when it is the probe of a proxy set
        aside (its outcome decides), False when the proxy is in use. Raises the failure that
        set the proxy aside while it is."""
        entry = self._aside.get(proxy)
        if entry is None:
            return False
        left = entry.until - self.clock()
        if entry.probing or left > 0:
            wait = f"asked again in {left:.0f} s" if left > 0 else "being asked again"
            raise type(entry.failure)(f"{entry.failure} (proxy set aside: {wait})")
        entry.probing = True
        return True

    def failed(self, proxy: str, failure: Exception, probe: bool) -> float | None:
        """``proxy`` failed its part: the seconds it is now set aside for, or None when it
        already was (a request sent before it was set aside, failing in turn)."""
        entry = self._aside.get(proxy)
        if entry is not None and not probe:
            return None
        seconds = min(entry.seconds * 2, self.max_seconds) if entry is not None else self.seconds
        self._aside[proxy] = _Aside(failure, seconds, self.clock() + seconds)
        return seconds

    def worked(self, proxy: str) -> bool:
        """A response came through ``proxy``: True when it had been set aside (it is back)."""
        return self._aside.pop(proxy, None) is not None

    def undecided(self, proxy: str, probe: bool) -> None:
        """A request through ``proxy`` ended with neither a response nor the proxy's failure
        (the host behind it timed out, the crawl was stopped): a probe tells nothing, and the
        next request probes in its place."""
        entry = self._aside.get(proxy)
        if probe and entry is not None:
            entry.probing = False
