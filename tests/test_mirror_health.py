"""The per-mirror circuit breaker and mirror choice, driven by a fake clock."""

from __future__ import annotations

import pytest

from archive.mirror_health import LatencyHistogram, MirrorHealth

A, B, C = "http://a.test", "http://b.test", "http://c.test"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def health(strategy: str = "primary-first", **kwargs: float) -> tuple[MirrorHealth, Clock]:
    clock = Clock()
    options = {"bench_after": 3, "bench_seconds": 30.0, "bench_max_seconds": 600.0, **kwargs}
    return MirrorHealth([A, B, C], strategy=strategy, clock=clock, **options), clock  # type: ignore[arg-type]


def fail(h: MirrorHealth, origin: str, times: int, reason: str = "http_503") -> None:
    for _ in range(times):
        h.failed(origin, reason)


def test_primary_first_while_healthy() -> None:
    h, _ = health()
    h.succeeded(A)  # a proven mirror: no in-flight limit
    assert [h.pick() for _ in range(5)] == [A] * 5
    assert h.pick(exclude=[A]) == B
    assert h.pick(exclude=[A, B]) == C
    assert h.pick(exclude=[A, B, C]) is None


def test_consecutive_failures_bench_and_a_success_resets_the_count() -> None:
    h, _ = health()
    fail(h, A, 2)
    h.succeeded(A)
    fail(h, A, 2)
    assert not h.is_benched(A)
    fail(h, A, 1)
    assert h.is_benched(A)
    assert h.report()[A]["times_benched"] == 1


def test_benched_primary_sends_requests_to_the_healthiest_mirror() -> None:
    h, _ = health()
    fail(h, A, 3)
    fail(h, B, 2)  # not benched, but worse than C
    assert h.pick() == C
    assert h.pick(exclude=[C]) == B
    assert h.order() == [C, B]


def test_half_open_probe_then_close_on_success() -> None:
    h, clock = health()
    fail(h, A, 3)
    clock.now += 29
    assert h.pick() == B
    clock.now += 1
    assert h.pick() == A  # the one probe
    assert h.pick() == B  # probe in flight: others go elsewhere
    h.succeeded(A)
    assert [h.pick() for _ in range(3)] == [A, A, A]
    assert h.report()[A]["benched_seconds"] == pytest.approx(30.0)
    assert h.report()[A]["state"] == "closed"


def test_failed_probe_rebenches_with_doubling_backoff_up_to_the_max() -> None:
    h, clock = health(bench_seconds=30, bench_max_seconds=100)
    fail(h, A, 3)
    waits = []
    for _ in range(4):
        start = clock.now
        while h.pick() != A:
            clock.now += 1
        waits.append(clock.now - start)
        h.failed(A, "timeout")  # the probe failed: benched again at once
        assert h.is_benched(A)
    assert waits == [30, 60, 100, 100]
    assert h.report()[A]["times_benched"] == 5
    assert h.report()[A]["benched_seconds"] == pytest.approx(290)  # one spell, still on


def test_a_lost_probe_does_not_keep_the_mirror_half_open_for_ever() -> None:
    h, clock = health(bench_seconds=10)
    fail(h, A, 3)
    clock.now += 10
    assert h.pick() == A
    clock.now += 5
    assert h.pick() == B
    clock.now += 5
    assert h.pick() == A  # probe timed out: another may go


def test_neutral_outcome_frees_the_probe_slot() -> None:
    h, clock = health(bench_seconds=10)
    fail(h, A, 3)
    clock.now += 10
    assert h.pick() == A
    h.neutral(A)
    assert h.pick() == A
    assert h.is_benched(A)


def test_all_benched_gives_none() -> None:
    h, _ = health()
    for origin in (A, B, C):
        fail(h, origin, 3)
    assert h.pick() is None
    assert h.all_failed()


def test_spread_rotates_over_healthy_mirrors_and_skips_benched_ones() -> None:
    h, _ = health("spread")
    picks = [h.pick() for _ in range(6)]
    assert sorted(picks) == sorted([A, B, C] * 2)  # type: ignore[type-var]
    fail(h, B, 3)
    assert set(h.pick() for _ in range(6)) == {A, C}


def test_report_counts_requests_failures_latency() -> None:
    h, _ = health()
    for ms in range(1, 101):
        h.requested(A)
        h.observe_latency(A, ms / 1000)
        h.succeeded(A)
    h.failed(A, "offsite_redirect", "off-site redirect to http://x.test/")
    h.failed(A, "offsite_redirect", "off-site redirect to http://y.test/")
    row = h.report()[A]
    assert row["requests"] == 100 and row["successes"] == 100
    assert row["failures"] == {"offsite_redirect": 2}
    assert row["failure_examples"]["offsite_redirect"].endswith("x.test/")
    assert row["latency_p50_ms"] == pytest.approx(50, rel=0.1)
    assert row["latency_p95_ms"] == pytest.approx(95, rel=0.1)
    assert row["role"] == "primary" and h.report()[B]["role"] == "mirror"
    assert h.report()[B]["latency_p50_ms"] is None
    assert not h.all_failed()


def test_latency_histogram_memory_is_bounded() -> None:
    histogram = LatencyHistogram()
    for n in range(100_000):
        histogram.add((n % 5000) / 1000)
    assert len(histogram.buckets) < 120
    assert histogram.quantile(0.5) == pytest.approx(2.5, rel=0.1)


def test_bad_configuration_is_refused() -> None:
    with pytest.raises(ValueError):
        MirrorHealth([A], strategy="random")
    with pytest.raises(ValueError):
        MirrorHealth([A], bench_after=0)
    with pytest.raises(ValueError):
        MirrorHealth([])


def test_an_untrusted_mirror_gets_few_requests_in_flight_while_others_can_take_them() -> None:
    h, _ = health(bench_after=3)
    assert [h.pick() for _ in range(5)] == [A, A, A, B, B]  # A has not served a page yet
    h.finished(A)
    h.succeeded(A)
    assert h.pick() == A and h.pick() == A  # proven: no limit
    h.failed(A, "http_503")
    h.finished(A)
    assert h.pick() == B  # a failure makes it untrusted again while 3+ are out


def test_the_trust_limit_never_fails_a_request() -> None:
    solo = MirrorHealth([A], bench_after=2)
    assert [solo.pick() for _ in range(4)] == [A] * 4
