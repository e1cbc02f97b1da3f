"""The version decision (archive.index.versioning.decide_version): the pure function on its own,
then SQLite and Redis fed the same calls, which must give the same verdicts (both call it)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from archive.index.model import ArticleIndex, VersionResult
from archive.index.redis_backend import RedisIndex
from archive.index.sqlite_backend import SqliteIndex
from archive.index.versioning import Latest, decide_version
from archive.warc_pointer import WarcPointer
from tests.redis_server import flush, needs_redis_server, redis_url  # noqa: F401 - a fixture

HASH_A = "xxh3-128:" + "a1" * 16
HASH_B = "xxh3-128:" + "b2" * 16
HASH_C = "xxh3-128:" + "c3" * 16
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)


def decide(latest: Latest | None, content_hash: str, **given: Any) -> VersionResult:
    arguments: dict[str, Any] = {
        "simhash": None,
        "minor": None,
        "minor_distance": 3,
        "duplicate_of": None,
        "same_text_elsewhere": None,
    }
    arguments.update(given)
    return decide_version(latest, content_hash=content_hash, **arguments)


LATEST = Latest(
    version=2, content_hash=HASH_B, simhash=0b1111_0000, minor=True, previous_hash=HASH_A
)


def test_first_text_is_new_version_1() -> None:
    assert decide(None, HASH_A, simhash=0b1111_0000) == VersionResult(
        status="new", version=1, previous_hash=None, minor=False, duplicate_of=None
    )


def test_latest_text_is_unchanged_and_reported_as_stored() -> None:
    # the stored minor flag and previous hash are the verdict; the new simhash changes nothing
    assert decide(LATEST, HASH_B, simhash=0, duplicate_of="s:9", same_text_elsewhere="s:1") == (
        VersionResult(
            status="unchanged", version=2, previous_hash=HASH_A, minor=True, duplicate_of="s:9"
        )
    )


def test_other_text_is_the_next_version_reverting_included() -> None:
    for text in (HASH_C, HASH_A):  # HASH_A is version 1's text: still a new version
        result = decide(LATEST, text)
        assert (result.status, result.version, result.previous_hash) == ("changed", 3, HASH_B)


@pytest.mark.parametrize(
    ("simhash", "distance", "minor"),
    [
        (0b1111_0111, 3, True),  # 3 bits apart: at the threshold
        (0b1000_1000, 3, False),  # 4 bits apart
        (0b1000_1000, 4, True),  # ... within a wider threshold
        (0b1111_0000, 0, True),  # same simhash, other text
        (None, 3, False),  # nothing to compare
    ],
)
def test_minor_is_the_simhash_distance_within_the_threshold(
    simhash: int | None, distance: int, minor: bool
) -> None:
    assert decide(LATEST, HASH_C, simhash=simhash, minor_distance=distance).minor is minor


def test_minor_needs_the_latest_simhash_and_the_caller_may_decide() -> None:
    unjudged = Latest(version=1, content_hash=HASH_A, simhash=None, minor=False, previous_hash=None)
    assert decide(unjudged, HASH_B, simhash=0).minor is False
    assert decide(unjudged, HASH_B, simhash=0, minor=True).minor is True
    assert decide(LATEST, HASH_C, simhash=0b1111_0000, minor=False).minor is False
    assert decide(None, HASH_A, minor=True).minor is True  # the caller's word, even for version 1


def test_duplicate_of_is_set_once_and_kept() -> None:
    assert decide(None, HASH_A, same_text_elsewhere="s:1").duplicate_of == "s:1"
    assert decide(LATEST, HASH_C, same_text_elsewhere="s:1").duplicate_of == "s:1"
    kept = decide(LATEST, HASH_C, duplicate_of="s:7", same_text_elsewhere="s:1")
    assert kept.duplicate_of == "s:7"
    assert decide(LATEST, HASH_C).duplicate_of is None


# -- both backends, the same calls ------------------------------------------------------------

# (article id, content hash, simhash, caller's minor): new, unchanged, minor and major
# changes, a revert, a duplicate of another article, a duplicate's own next version.
CALLS: list[tuple[str, str, int | None, bool | None]] = [
    ("s:1", HASH_A, 0b1111_0000, None),
    ("s:1", HASH_A, 0b1111_0000, None),
    ("s:1", HASH_B, 0b1111_0111, None),
    ("s:1", HASH_C, 0b1000_1000, None),
    ("s:1", HASH_A, None, None),
    ("s:1", HASH_A, 0, None),
    ("s:2", HASH_B, 0b1111_0111, None),
    ("s:2", HASH_C, 0b1000_1000, True),
    ("s:2", HASH_C, None, None),
    ("s:3", HASH_C, None, False),
    ("s:3", "sha1:2YF4KQGZ6QJXJ5TB3K7KQ5AYDBD3WBXF", 2**64 - 1, None),
    ("s:3", "sha1:2YF4KQGZ6QJXJ5TB3K7KQ5AYDBD3WBXF", 2**64 - 2, None),
]


def verdicts(index: ArticleIndex) -> list[VersionResult]:
    results = []
    for n, (article_id, content_hash, simhash, minor) in enumerate(CALLS):
        results.append(
            index.record_version(
                article_id,
                content_hash=content_hash,
                simhash=simhash,
                minor=minor,
                warc=WarcPointer("w.warc.gz", n, f"<urn:uuid:{n:08d}-0000-4000-8000-000000000000>"),
                now=T0 + n * timedelta(minutes=1),
            )
        )
    return results


@needs_redis_server
def test_sqlite_and_redis_give_the_same_verdicts(tmp_path: Path, redis_url: str) -> None:  # noqa: F811
    flush(redis_url)
    with SqliteIndex(tmp_path / "index.sqlite") as sqlite, RedisIndex(redis_url, site="s") as rds:
        from_sqlite, from_redis = verdicts(sqlite), verdicts(rds)
        assert from_sqlite == from_redis
        assert [(r.status, r.version, r.minor, r.duplicate_of) for r in from_sqlite] == [
            ("new", 1, False, None),
            ("unchanged", 1, False, None),
            ("changed", 2, True, None),
            ("changed", 3, False, None),
            ("changed", 4, False, None),
            ("unchanged", 4, False, None),
            ("new", 1, False, "s:1"),
            ("changed", 2, True, "s:1"),
            ("unchanged", 2, True, "s:1"),
            ("new", 1, False, "s:1"),
            ("changed", 2, False, "s:1"),
            ("unchanged", 2, False, "s:1"),
        ]
        for article_id in ("s:1", "s:2", "s:3"):
            assert sqlite.latest_version(article_id) == rds.latest_version(article_id)
            assert sqlite.has_version(article_id, HASH_C) == rds.has_version(article_id, HASH_C)
