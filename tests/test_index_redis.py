"""What only the Redis index has to get right: many writers at once (versions numbered without
gaps, one first capture per payload, the claim that keeps simultaneous captures of the same
bytes from being stored twice), keys per site, and the URL dispatch of ``open_index``. The
shared contract is in tests/test_index.py, run against both backends."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from archive.index.model import ArticleIndex, IndexSchemaError
from archive.index.open import open_index
from archive.index.redis_backend import RedisIndex, redacted
from tests.redis_server import flush, needs_redis_server, redis_url  # noqa: F401 - a fixture

pytestmark = needs_redis_server
REPO = Path(__file__).resolve().parents[1]
SHA1 = "sha1:2YF4KQGZ6QJXJ5TB3K7KQ5AYDBD3WBXF"


@pytest.fixture
def url(redis_url: str) -> str:  # noqa: F811
    flush(redis_url)
    return redis_url


@pytest.fixture
def index(url: str) -> Iterator[RedisIndex]:
    with RedisIndex(url, site="presstv") as ix:
        yield ix


def capture(n: int) -> dict[str, object]:
    return {
        "target_uri": f"http://127.0.0.1/{n}",
        "warc_date": "2025-03-01T12:00:00.000000Z",
        "record_id": f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>",
        "filename": f"w{n}.warc.gz",
        "offset": n,
    }


def test_open_index_picks_redis_by_url_scheme(url: str) -> None:
    ix = open_index(url, site="presstv")
    try:
        assert isinstance(ix, RedisIndex) and isinstance(ix, ArticleIndex)
    finally:
        ix.close()
    with pytest.raises(TypeError):
        open_index(url)  # which site's keys? there is no file name to tell
    with pytest.raises(ValueError, match="plain site name"):
        open_index(url, site="a:b")


def test_keys_live_under_the_site_prefix_and_sites_do_not_mix(url: str) -> None:
    with RedisIndex(url, site="presstv") as one, RedisIndex(url, site="other") as two:
        one.add_sighting("presstv:1", "https://www.presstv.ir/Detail/1", 1.7e9)
        one.record_version("presstv:1", content_hash="xxh3-128:" + "a1" * 16, now=1.7e9)
        assert two.article_for_url("https://www.presstv.ir/Detail/1") is None
        assert not two.knows("presstv:1") and two.stats().articles == 0
        two.reset()
        assert one.knows("presstv:1")
    keys = redis.Redis.from_url(url, decode_responses=True).keys("*")
    assert keys and all(
        key.startswith(("newsarchive:presstv:index:", "newsarchive:other:index:")) for key in keys
    )


def test_newer_schema_is_refused(url: str) -> None:
    RedisIndex(url, site="presstv").close()
    redis.Redis.from_url(url).set("newsarchive:presstv:index:schema", 99)
    with pytest.raises(IndexSchemaError, match="schema 99, newer than this newsarchive"):
        RedisIndex(url, site="presstv")


def test_password_is_kept_out_of_messages() -> None:
    assert redacted("redis://user:secret@10.0.0.5:6380/2") == "redis://user:***@10.0.0.5:6380/2"
    assert redacted("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


def run_workers(code: str, count: int) -> list[str]:
    """``count`` processes running ``code`` at once (after a common start time)."""
    start = time.time() + 1.0
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(code), str(n), str(start)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(count)
    ]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
        outputs.append(out)
    return outputs


def test_concurrent_writers_number_versions_without_gaps(url: str, index: RedisIndex) -> None:
    # four processes each store 40 different texts of the same article at the same moment
    outputs = run_workers(
        f"""
        import sys, time
        from archive.index.open import open_index
        worker, start = int(sys.argv[1]), float(sys.argv[2])
        ix = open_index({url!r}, site="presstv")
        time.sleep(max(0.0, start - time.time()))
        for n in range(40):
            result = ix.record_version("presstv:1", content_hash=f"xxh3-128:{{worker:04d}}{{n:028d}}", now=1.7e9)
            print(result.status, result.version)
        ix.close()
    """,
        4,
    )
    results = [line.split() for out in outputs for line in out.splitlines()]
    assert sorted(int(number) for _, number in results) == list(range(1, 161))
    assert sum(status == "new" for status, _ in results) == 1
    info = index.article("presstv:1")
    assert info is not None and info.versions == 160
    assert index.stats().versions == 160


def test_one_first_capture_per_payload_across_processes(url: str, index: RedisIndex) -> None:
    outputs = run_workers(
        f"""
        import sys, time
        from archive.index.open import open_index
        worker, start = int(sys.argv[1]), float(sys.argv[2])
        ix = open_index({url!r}, site="presstv")
        time.sleep(max(0.0, start - time.time()))
        for n in range(50):
            won = ix.record_payload(f"sha1:{{n:032d}}", target_uri=f"http://w{{worker}}/", warc_date="d",
                                    record_id=f"<r{{worker}}>", filename=f"w{{worker}}", offset=n)
            print(n, int(won), worker)
        ix.close()
    """,
        4,
    )
    winners: dict[int, list[int]] = {}
    for out in outputs:
        for line in out.splitlines():
            n, won, worker = map(int, line.split())
            if won:
                winners.setdefault(n, []).append(worker)
    assert sorted(winners) == list(range(50)) and all(len(w) == 1 for w in winners.values())
    for n, [worker] in winners.items():
        found = index.first_capture(f"sha1:{n:032d}")
        assert found is not None and found.filename == f"w{worker}"


def test_a_capture_in_progress_elsewhere_is_waited_for(url: str, index: RedisIndex) -> None:
    with RedisIndex(url, site="presstv") as other:
        assert index.first_capture(SHA1) is None  # a miss claims the digest: we write it now
        assert index.first_capture(SHA1) is None  # asking again is still ours

        def write_then_record() -> None:
            time.sleep(0.2)
            index.record_payload(SHA1, **capture(1))  # type: ignore[arg-type]

        writer = threading.Thread(target=write_then_record)
        began = time.monotonic()
        writer.start()
        found = other.first_capture(SHA1)  # would have stored the same bytes in full
        writer.join()
        assert time.monotonic() - began >= 0.15
        assert found is not None and found.filename == "w1.warc.gz"
        assert other.claim_waits == 1
        assert other.record_payload(SHA1, **capture(2)) is False  # type: ignore[arg-type]


def test_an_abandoned_claim_is_waited_for_only_briefly(url: str) -> None:
    with (
        RedisIndex(url, site="presstv", claim_seconds=30) as claimer,
        RedisIndex(url, site="presstv", claim_wait=0.2) as other,
    ):
        assert claimer.first_capture(SHA1) is None  # and then it never writes (it crashed)
        began = time.monotonic()
        assert other.first_capture(SHA1) is None
        assert 0.15 <= time.monotonic() - began < 2
        assert other.record_payload(SHA1, **capture(2)) is True  # type: ignore[arg-type]
        assert claimer.first_capture(SHA1).filename == "w2.warc.gz"  # type: ignore[union-attr]


def test_a_claim_expires(url: str) -> None:
    with (
        RedisIndex(url, site="presstv", claim_seconds=0.1) as claimer,
        RedisIndex(url, site="presstv", claim_wait=5) as other,
    ):
        assert claimer.first_capture(SHA1) is None
        time.sleep(0.2)
        began = time.monotonic()
        assert other.first_capture(SHA1) is None  # expired: no wait, and now it is other's
        assert time.monotonic() - began < 0.5
        assert claimer.stats().payloads == 0  # claims are not captures
