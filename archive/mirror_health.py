"""Per-mirror health of one multi-mirror site: which mirror a request should go to next.

Scrapy-free on purpose: the downloader middleware feeds it outcomes, tests drive it with a
fake clock. Each mirror has a circuit breaker:

- *closed*: in use. ``bench_after`` consecutive failures open it.
- *open* (benched): not used for ``bench_seconds``; every re-bench without a success in
  between doubles that, up to ``bench_max_seconds``.
- *half-open*: the bench is over; exactly one request (the probe) may go there. A success
  closes the breaker, a failure benches it again for longer, a neutral outcome (a 404 we
  cannot blame yet) frees the probe slot for another request.

Any success closes the breaker, whichever request brought it: a page served is proof enough
that the mirror works, and waiting for "the" probe would keep a recovered mirror idle.

The order a run starts with (``order``) is the site's own unless the mirror memory says
otherwise (``archive.mirror_memory``: those that served well last run first, and ``proven``,
trusted from the start; with primary-first the memory keeps the profile's primary first):
primary-first means "first in that order", and ties in the ranking follow it. A mirror's
``role`` in the report stays what the profile says.

Earning a place back: a mirror that failed its last run (``demoted``, from the mirror memory)
is last in the order, and would get no request while the others serve, so the memory would
never see it recover. One pick in ``DEMOTED_SHARE`` (not a failover) goes to such a mirror
while it is usable; a success there makes it an ordinary mirror again.

Limited trust: a mirror that has not served a page yet, or whose last outcome was a failure,
is preferred for no more than ``bench_after`` requests in flight. Without it a dead host
soaks up a whole crawl's worth of requests before its first failures come back (a refused
connection takes Twisted 0.3 s, times Retry's attempts), and the crawl stalls meanwhile.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

STRATEGIES = ("primary-first", "spread")
CLOSED, OPEN, HALF_OPEN = "closed", "open", "half-open"
RETIRED = "retired"  # a discovered mirror that failed a later check: never used again

# Latency histogram: log-spaced buckets, 10 % wide, from 0.5 ms up. Bounded memory (a few
# hundred ints at most) over a run of any length; a quantile is exact to within one bucket.
# One pick in this many goes to a mirror that failed its last run (see above).
DEMOTED_SHARE = 10

_LATENCY_FLOOR = 0.0005
_LATENCY_GROWTH = math.log(1.1)


class LatencyHistogram:
    def __init__(self) -> None:
        self.buckets: Counter[int] = Counter()
        self.count = 0

    def add(self, seconds: float) -> None:
        index = (
            0
            if seconds <= _LATENCY_FLOOR
            else 1 + int(math.log(seconds / _LATENCY_FLOOR) / _LATENCY_GROWTH)
        )
        self.buckets[index] += 1
        self.count += 1

    def quantile(self, q: float) -> float | None:
        if not self.count:
            return None
        rank = q * self.count
        seen = 0
        for index in sorted(self.buckets):
            seen += self.buckets[index]
            if seen >= rank:
                return _bucket_middle(index)
        return _bucket_middle(max(self.buckets))


def _bucket_middle(index: int) -> float:
    if index == 0:
        return _LATENCY_FLOOR
    low = _LATENCY_FLOOR * math.exp((index - 1) * _LATENCY_GROWTH)
    return low * math.sqrt(1.1)  # geometric middle of [low, low * 1.1)


@dataclass
class Mirror:
    """One origin's breaker state and tallies."""

    origin: str
    index: int  # position in the site's mirror order: 0 is the primary
    preference: int = 0  # position in the order this run started with
    proven: bool = False  # served well last run (mirror memory): trusted before serving now
    demoted: bool = False  # failed its last run (mirror memory): until it serves in this one
    state: str = CLOSED
    streak: int = 0  # consecutive failures
    benches: int = 0  # times benched since the last success: sets the backoff
    times_benched: int = 0
    benched_since: float | None = None
    benched_until: float = 0.0
    benched_total: float = 0.0
    probe_started: float | None = None
    in_flight: int = 0  # picked and not finished yet
    requests: int = 0  # download attempts, Scrapy's retries included
    retries: int = 0  # attempts Scrapy repeated on this mirror (their outcome: "retried")
    successes: int = 0
    failures: Counter[str] = field(default_factory=Counter)
    failure_examples: dict[str, str] = field(default_factory=dict)
    latency: LatencyHistogram = field(default_factory=LatencyHistogram)
    # share of recent outcomes that were successes: ranks mirrors when the primary is out
    recent_success: float = 1.0


class MirrorHealth:
    """Health of the mirrors of one site, in the site's order (primary first)."""

    def __init__(
        self,
        origins: Sequence[str],
        *,
        strategy: str = "primary-first",
        bench_after: int = 3,
        bench_seconds: float = 30.0,
        bench_max_seconds: float = 600.0,
        probe_timeout: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        order: Sequence[str] = (),
        proven: Collection[str] = (),
        demoted: Collection[str] = (),
    ) -> None:
        if not origins:
            raise ValueError("a site needs at least one origin")
        if strategy not in STRATEGIES:
            raise ValueError(
                f"mirror strategy {strategy!r} must be one of: {', '.join(STRATEGIES)}"
            )
        if bench_after < 1 or bench_seconds <= 0 or bench_max_seconds < bench_seconds:
            raise ValueError(
                "need bench_after >= 1 and 0 < bench_seconds <= bench_max_seconds, got "
                f"{bench_after}, {bench_seconds}, {bench_max_seconds}"
            )
        self.mirrors = {
            origin: Mirror(origin, i) for i, origin in enumerate(dict.fromkeys(origins))
        }
        self.reorder(order)
        for origin in proven:
            if origin in self.mirrors:
                self.mirrors[origin].proven = True
        for origin in demoted:
            if origin in self.mirrors:
                self.mirrors[origin].demoted = True
        self._picks = 0  # picks that were no failover: every DEMOTED_SHARE-th is shared
        self.strategy = strategy
        self.bench_after = bench_after
        self.bench_seconds = bench_seconds
        self.bench_max_seconds = bench_max_seconds
        # A probe whose outcome never comes back (dropped by another component) must not
        # keep the mirror half-open for ever.
        self.probe_timeout = probe_timeout if probe_timeout is not None else bench_seconds
        self.clock = clock
        self._turn = 0  # round-robin position for "spread"

    def reorder(self, order: Sequence[str]) -> None:
        """Start from ``order`` (origins not in it follow, in the site's order)."""
        ranked = [o for o in dict.fromkeys(order) if o in self.mirrors]
        ranked += [o for o in self.mirrors if o not in ranked]
        for position, origin in enumerate(ranked):
            self.mirrors[origin].preference = position
        self._first = self.mirrors[ranked[0]]  # primary-first's choice, asked on every pick

    def add(self, origin: str) -> bool:
        """A mirror that joins during the run (discovered and verified): last in the order,
        untrusted until it serves. False when it was there already."""
        if origin in self.mirrors:
            return False
        self.mirrors[origin] = Mirror(origin, len(self.mirrors), preference=len(self.mirrors))
        return True

    @property
    def origins(self) -> list[str]:
        return list(self.mirrors)

    @property
    def primary(self) -> str:
        return next(iter(self.mirrors))

    # -- choosing ---------------------------------------------------------------------------

    def pick(self, exclude: Collection[str] = ()) -> str | None:
        """The mirror for the next attempt, not one of ``exclude`` (already tried for this
        request); None when every other mirror is benched. A half-open mirror returned here
        is given its probe: the caller must report the outcome."""
        now = self.clock()
        usable = [
            m for m in self.mirrors.values() if m.origin not in exclude and self._usable(m, now)
        ]
        if not usable:
            return None
        # Untrusted mirrors at their in-flight limit only when nothing else is left: a
        # preference, never a reason to fail a request.
        candidates = [m for m in usable if not self._at_trust_limit(m)] or usable
        chosen = self._choose(candidates, bool(exclude))
        if chosen.state == HALF_OPEN:
            chosen.probe_started = now
        chosen.in_flight += 1
        return chosen.origin

    def _choose(self, candidates: list[Mirror], failing_over: bool) -> Mirror:
        probes = [m for m in candidates if m.state == HALF_OPEN]
        if probes:
            # Probing costs little: a failed probe falls over to the next mirror at once.
            return probes[0]
        if not failing_over:
            self._picks += 1
            if self._picks % DEMOTED_SHARE == 0:
                demoted = [m for m in candidates if m.demoted]
                if demoted:  # the one asked least so far: each demoted mirror in turn
                    return min(demoted, key=lambda m: (m.requests + m.in_flight, m.preference))
        if self.strategy == "spread" and not failing_over:
            self._turn = (self._turn + 1) % len(candidates)
            return candidates[self._turn]
        if self.strategy == "primary-first" and self._first in candidates:
            return self._first
        return min(candidates, key=self._rank)

    def _at_trust_limit(self, mirror: Mirror) -> bool:
        untrusted = (mirror.successes == 0 and not mirror.proven) or mirror.streak > 0
        return untrusted and mirror.in_flight >= self.bench_after

    def finished(self, origin: str) -> None:
        """A request ``pick`` sent to ``origin`` has its outcome (whatever it was)."""
        mirror = self.mirrors.get(origin)
        if mirror is not None and mirror.in_flight > 0:
            mirror.in_flight -= 1

    def order(self, exclude: Collection[str] = ()) -> list[str]:
        """Usable mirrors, best first (for reports and logs; does not start probes)."""
        now = self.clock()
        usable = [
            m for m in self.mirrors.values() if m.origin not in exclude and self._usable(m, now)
        ]
        return [m.origin for m in sorted(usable, key=self._rank)]

    def _rank(self, mirror: Mirror) -> tuple[int, float, int]:
        return (mirror.streak, -mirror.recent_success, mirror.preference)

    def retire(self, origin: str) -> None:
        mirror = self.mirrors.get(origin)
        if mirror is not None:
            mirror.state = RETIRED

    def _usable(self, mirror: Mirror, now: float) -> bool:
        if mirror.state == RETIRED:
            return False
        if mirror.state == OPEN and now >= mirror.benched_until:
            mirror.state = HALF_OPEN
            mirror.probe_started = None
        if mirror.state == HALF_OPEN:
            return mirror.probe_started is None or now - mirror.probe_started >= self.probe_timeout
        return mirror.state == CLOSED

    def is_benched(self, origin: str) -> bool:
        mirror = self.mirrors[origin]
        self._usable(mirror, self.clock())
        return mirror.state != CLOSED

    # -- outcomes ---------------------------------------------------------------------------

    def requested(self, origin: str, retry: bool = False) -> None:
        """One download attempt went to ``origin`` (Scrapy's own retries included); ``retry``:
        it repeats the previous attempt there, whose outcome is then neither ok nor failed."""
        mirror = self.mirrors.get(origin)
        if mirror is not None:
            mirror.requests += 1
            mirror.retries += retry

    def observe_latency(self, origin: str, seconds: float) -> None:
        if origin in self.mirrors:
            self.mirrors[origin].latency.add(seconds)

    def succeeded(self, origin: str) -> None:
        mirror = self.mirrors.get(origin)
        if mirror is None:
            return
        mirror.successes += 1
        mirror.demoted = False  # served this run: back among the others by its health
        mirror.recent_success = 0.8 * mirror.recent_success + 0.2
        mirror.streak = 0
        mirror.benches = 0
        # a page in flight when the mirror was retired does not bring it back
        if mirror.state not in (CLOSED, RETIRED):
            self._unbench(mirror, self.clock())

    def failed(self, origin: str, reason: str, detail: str | None = None) -> None:
        """``reason`` is a short key (``http_503``, ``timeout``…); ``detail`` the full story,
        of which the first one per reason is kept as an example."""
        mirror = self.mirrors.get(origin)
        if mirror is None:
            return
        now = self.clock()
        mirror.failures[reason] += 1
        mirror.failure_examples.setdefault(reason, detail or reason)
        mirror.recent_success *= 0.8
        mirror.streak += 1
        if mirror.state == HALF_OPEN or (
            mirror.state == CLOSED and mirror.streak >= self.bench_after
        ):
            self._bench(mirror, now)

    def neutral(self, origin: str) -> None:
        """An outcome that proves nothing yet (a 404 another mirror may explain): only frees
        a probe slot."""
        mirror = self.mirrors.get(origin)
        if mirror is not None and mirror.state == HALF_OPEN:
            mirror.probe_started = None

    def _bench(self, mirror: Mirror, now: float) -> None:
        backoff = min(self.bench_seconds * 2**mirror.benches, self.bench_max_seconds)
        mirror.benches += 1
        mirror.times_benched += 1
        mirror.state = OPEN
        mirror.benched_until = now + backoff
        mirror.probe_started = None
        if mirror.benched_since is None:  # a re-bench after a failed probe continues the spell
            mirror.benched_since = now

    def _unbench(self, mirror: Mirror, now: float) -> None:
        if mirror.benched_since is not None:
            mirror.benched_total += now - mirror.benched_since
        mirror.benched_since = None
        mirror.state = CLOSED
        mirror.probe_started = None

    # -- reporting --------------------------------------------------------------------------

    def all_failed(self) -> bool:
        """Every mirror was tried and none ever served a page."""
        return all(m.successes == 0 and m.failures for m in self.mirrors.values())

    def report(self) -> dict[str, dict[str, Any]]:
        now = self.clock()
        out: dict[str, dict[str, Any]] = {}
        for mirror in self.mirrors.values():
            self._usable(mirror, now)
            benched = mirror.benched_total + (
                now - mirror.benched_since if mirror.benched_since is not None else 0.0
            )
            p50, p95 = mirror.latency.quantile(0.5), mirror.latency.quantile(0.95)
            out[mirror.origin] = {
                "role": "primary" if mirror.index == 0 else "mirror",
                "requests": mirror.requests,
                "retries": mirror.retries,
                "successes": mirror.successes,
                "failures": dict(mirror.failures.most_common()),
                "failure_examples": dict(mirror.failure_examples),
                "latency_p50_ms": round(p50 * 1000, 1) if p50 is not None else None,
                "latency_p95_ms": round(p95 * 1000, 1) if p95 is not None else None,
                "times_benched": mirror.times_benched,
                "benched_seconds": round(benched, 3),
                "state": mirror.state,
            }
        return out
