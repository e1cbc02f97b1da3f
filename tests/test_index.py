"""The persistent dedup index (archive.index.model / archive.index.sqlite_backend / archive.index.redis_backend), on
real SQLite files and a real redis-server: the contract tests run on both backends (the
``backend_name`` fixture); SQLite's storage, batching and locking tests on SQLite only."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import archive.index.sqlite_urls
from archive.index.codec import (
    pack_digest,
    pack_http_date,
    pack_published,
    pack_record_id,
    pack_warc_date,
    unpack_digest,
    unpack_http_date,
    unpack_published,
    unpack_record_id,
    unpack_warc_date,
)
from archive.index.model import ArticleIndex, Capture, ForgetResult, IndexSchemaError
from archive.index.open import open_index
from archive.index.redis_backend import RedisIndex
from archive.index.sqlite_backend import SqliteIndex
from archive.warc_pointer import WarcPointer
from tests.redis_server import flush, needs_redis_server, redis_url  # noqa: F401 - a fixture

REPO = Path(__file__).resolve().parents[1]
T0 = datetime(2025, 3, 1, 12, 0, tzinfo=timezone.utc)
H = timedelta(hours=1)
URL_IR = "https://www.presstv.ir/Detail/2025/03/01/745001/Iran-says-talks-on-track"
URL_TV = "https://presstv.tv/Detail/2025/03/01/745001/Iran-says-talks-on-track"
URL_SLUG = "https://www.presstv.ir/Detail/2025/03/01/745001/Iran-says-talks-are-on-track"
HASH_A = "xxh3-128:" + "a1" * 16
HASH_B = "xxh3-128:" + "b2" * 16
HASH_C = "xxh3-128:" + "c3" * 16
RECORD = "<urn:uuid:0f8c7a9e-3b1d-4c2e-9a55-2f6b1e0d4c11>"
SHA1 = "sha1:2YF4KQGZ6QJXJ5TB3K7KQ5AYDBD3WBXF"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "index.sqlite"


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=needs_redis_server)])
def backend_name(request: pytest.FixtureRequest) -> str:
    return request.param


# Tests of SQLite's own storage: ``index`` is a SqliteIndex there.
sqlite_only = pytest.mark.parametrize("backend_name", ["sqlite"])


@pytest.fixture
def make_index(
    backend_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[Callable[..., ArticleIndex]]:
    """``make_index(where="state", **options)``: an index of the backend under test; the same
    ``where`` reopens the same index (SQLite: ``tmp_path/where/index.sqlite``; Redis: site
    ``where`` on this module's redis-server, emptied before each test)."""
    opened: list[ArticleIndex] = []
    url = request.getfixturevalue("redis_url") if backend_name == "redis" else None
    if url is not None:
        flush(url)

    def make(where: str = "state", **options: object) -> ArticleIndex:
        if url is None:
            ix: ArticleIndex = SqliteIndex(tmp_path / where / "index.sqlite", **options)  # type: ignore[arg-type]
        else:
            ix = RedisIndex(url, site=where, **options)  # type: ignore[arg-type]
        opened.append(ix)
        return ix

    yield make
    for ix in opened:
        ix.close()


@pytest.fixture
def index(make_index: Callable[..., ArticleIndex]) -> ArticleIndex:
    return make_index()


@pytest.fixture
def open_code(backend_name: str, path: Path, request: pytest.FixtureRequest) -> str:
    """Python source opening the same index as ``make_index()`` in another process."""
    if backend_name == "sqlite":
        return f"open_index({str(path)!r})"
    return f"open_index({request.getfixturevalue('redis_url')!r}, site='state')"


def other_connection(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, timeout=0.01, isolation_level=None, check_same_thread=False)


def version(ix: SqliteIndex, article_id: str, content_hash: str, at: datetime = T0, **kw):
    return ix.record_version(article_id, content_hash=content_hash, now=at, **kw)


# -- interface and file setup -------------------------------------------------------------------


def test_sqlite_index_implements_the_protocol(path: Path) -> None:
    ix = open_index(path)
    try:
        assert isinstance(ix, SqliteIndex)
        assert isinstance(ix, ArticleIndex)
    finally:
        ix.close()


@sqlite_only
def test_wal_mode_and_synchronous_normal(index: SqliteIndex, path: Path) -> None:
    assert index._connection.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert index._connection.db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert path.exists()


def test_newer_schema_is_refused_with_a_clear_error(path: Path) -> None:
    SqliteIndex(path).close()
    db = sqlite3.connect(path)
    db.execute("UPDATE schema_version SET version = 99")
    db.commit()
    db.close()
    with pytest.raises(IndexSchemaError, match=r"schema 99, newer than this newsarchive"):
        SqliteIndex(path)


def test_foreign_sqlite_file_is_refused(path: Path) -> None:
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE something (x)")
    db.commit()
    db.close()
    with pytest.raises(IndexSchemaError, match="not an index"):
        SqliteIndex(path)


def test_closed_index_refuses_calls(make_index: Callable[..., ArticleIndex]) -> None:
    ix = make_index()
    ix.close()
    ix.close()  # twice is harmless
    with pytest.raises(ValueError, match="closed"):
        ix.knows("presstv:1")


# -- versions -----------------------------------------------------------------------------------


def test_new_unchanged_changed(index: SqliteIndex) -> None:
    pointer = WarcPointer("presstv-000001.warc.gz", 1234, RECORD)
    first = version(
        index, "presstv:745001", HASH_A, fetched_at="2025-03-01T12:00:00.250000Z", warc=pointer
    )
    assert (first.status, first.version, first.previous_hash) == ("new", 1, None)
    same = version(index, "presstv:745001", HASH_A, T0 + H)
    assert (same.status, same.version, same.previous_hash) == ("unchanged", 1, None)
    changed = version(index, "presstv:745001", HASH_B, T0 + 2 * H)
    assert (changed.status, changed.version, changed.previous_hash) == ("changed", 2, HASH_A)
    again = version(index, "presstv:745001", HASH_B, T0 + 3 * H)
    assert (again.status, again.version, again.previous_hash) == ("unchanged", 2, HASH_A)

    latest = index.latest_version("presstv:745001")
    assert latest is not None
    assert (latest.version, latest.content_hash, latest.previous_hash) == (2, HASH_B, HASH_A)
    assert latest.first_seen == T0 + 2 * H
    assert latest.last_seen == T0 + 3 * H
    assert latest.warc is None and latest.fetched_at is None
    info = index.article("presstv:745001")
    assert info is not None and info.versions == 2


def test_version_fields_round_trip_exactly(index: SqliteIndex) -> None:
    pointer = WarcPointer("presstv-20250301120000000000-host-1.warc.gz", 98765, RECORD)
    version(
        index,
        "presstv:1",
        HASH_A,
        simhash=2**64 - 1,  # the top bit must survive SQLite's signed integers
        fetched_at="2025-03-01T12:00:00.250000Z",
        warc=pointer,
        published="2025-03-01T15:30:00+03:30",
    )
    latest = index.latest_version("presstv:1")
    assert latest is not None
    assert latest.simhash == 2**64 - 1
    assert latest.fetched_at == "2025-03-01T12:00:00.250000Z"
    assert latest.warc == pointer
    assert latest.first_seen == latest.last_seen == T0
    info = index.article("presstv:1")
    assert info is not None and info.published == "2025-03-01T15:30:00+03:30"


def test_reverting_to_an_older_text_is_a_new_version(index: SqliteIndex) -> None:
    version(index, "presstv:1", HASH_A)
    version(index, "presstv:1", HASH_B, T0 + H)
    back = version(index, "presstv:1", HASH_A, T0 + 2 * H)
    assert (back.status, back.version, back.previous_hash) == ("changed", 3, HASH_B)


def test_minor_change_from_simhash_distance_is_still_a_version(
    make_index: Callable[..., ArticleIndex],
) -> None:
    with make_index(minor_distance=3) as ix:
        version(ix, "presstv:1", HASH_A, simhash=0b1111_0000)
        near = version(ix, "presstv:1", HASH_B, T0 + H, simhash=0b1111_0111)  # 3 bits apart
        far = version(ix, "presstv:1", HASH_C, T0 + 2 * H, simhash=0b1000_1000)  # 4 bits apart
        assert (near.status, near.version, near.minor) == ("changed", 2, True)
        assert (far.status, far.version, far.minor) == ("changed", 3, False)
        latest = ix.latest_version("presstv:1")
        assert latest is not None and latest.minor is False
        assert ix.article("presstv:1").versions == 3  # type: ignore[union-attr]


def test_minor_flag_can_be_given_by_the_caller(index: SqliteIndex) -> None:
    version(index, "presstv:1", HASH_A)  # no simhash: the index cannot judge
    result = version(index, "presstv:1", HASH_B, T0 + H, minor=True)
    assert result.minor is True
    assert index.latest_version("presstv:1").minor is True  # type: ignore[union-attr]
    unjudged = version(index, "presstv:1", HASH_C, T0 + 2 * H)
    assert unjudged.minor is False


def test_same_text_different_id_is_recorded_as_duplicate_of(index: SqliteIndex) -> None:
    version(index, "presstv:100", HASH_A)
    assert version(index, "presstv:200", HASH_B).duplicate_of is None
    republished = version(index, "presstv:300", HASH_A, T0 + H)
    assert republished.status == "new" and republished.duplicate_of == "presstv:100"
    assert index.article("presstv:300").duplicate_of == "presstv:100"  # type: ignore[union-attr]
    assert index.article("presstv:100").duplicate_of is None  # type: ignore[union-attr]
    # never merged: both keep their own version 1
    assert index.latest_version("presstv:300").version == 1  # type: ignore[union-attr]


def test_knows_only_archived_articles(index: SqliteIndex) -> None:
    assert not index.knows("presstv:1")
    index.add_sighting("presstv:1", URL_IR, T0)
    assert not index.knows("presstv:1")  # a link seen is not an article archived
    assert index.latest_version("presstv:1") is None
    version(index, "presstv:1", HASH_A)
    assert index.knows("presstv:1")
    assert not index.knows("presstv:2")


# -- URLs ---------------------------------------------------------------------------------------


def test_sightings_map_every_url_to_its_article(index: SqliteIndex) -> None:
    assert index.add_sighting("presstv:745001", URL_IR, T0) is True
    assert index.add_sighting("presstv:745001", URL_TV, T0) is True
    assert index.add_sighting("presstv:745001", URL_SLUG, T0) is True
    assert index.add_sighting("presstv:745001", URL_TV, T0 + H) is False
    for url in (URL_IR, URL_TV, URL_SLUG):
        assert index.article_for_url(url) == "presstv:745001"
    assert index.article_for_url(URL_IR + "-x") is None
    assert index.article_for_url(URL_IR.replace("/Detail/", "/detail/")) is None
    assert (
        index.article_for_url(
            "https://www.presstv.co.uk/Detail/2025/03/01/745001/Iran-says-talks-on-track"
        )
        is None
    )
    info = index.article("presstv:745001")
    assert info is not None
    assert info.urls == sorted([URL_IR, URL_TV, URL_SLUG])
    assert info.last_seen == T0 + H


@pytest.mark.parametrize(
    "url",
    [
        "https://presstv.tv",  # origin only
        "http://127.0.0.1:8080/Detail/2025/03/01/1/x?page=2#top",
        "not a url at all",
        "https://www.presstv.ir/Detail/2025/03/01/1/Iran-\u00e9t\u00e9-\U0001f600",
        "",
    ],
)
def test_odd_urls_round_trip(index: SqliteIndex, url: str) -> None:
    index.add_sighting("presstv:9", URL_IR, T0)  # sets the article's url_base
    index.add_sighting("presstv:9", url, T0)
    assert index.article_for_url(url) == "presstv:9"
    assert url in index.article("presstv:9").urls  # type: ignore[union-attr]


def test_a_url_seen_for_another_article_moves_to_it(index: SqliteIndex) -> None:
    index.add_sighting("presstv:1", URL_IR, T0)
    assert index.add_sighting("presstv:2", URL_IR, T0 + H) is True
    assert index.article_for_url(URL_IR) == "presstv:2"
    assert index.article("presstv:1").urls == []  # type: ignore[union-attr]
    assert index.stats().urls == 1


@sqlite_only
def test_url_key_collisions_never_give_a_wrong_answer(
    index: SqliteIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive.index.sqlite_urls, "url_key", lambda url: 42)  # every URL collides
    index.add_sighting("presstv:1", URL_IR, T0)
    index.add_sighting("presstv:2", URL_TV, T0)
    index.add_sighting("presstv:3", URL_SLUG, T0)
    assert index.article_for_url(URL_IR) == "presstv:1"
    assert index.article_for_url(URL_TV) == "presstv:2"
    assert index.article_for_url(URL_SLUG) == "presstv:3"
    assert index.article_for_url(URL_IR + "/other") is None
    assert index.forget(URL_TV) == ForgetResult(urls=1)
    assert index.article_for_url(URL_TV) is None
    assert index.article_for_url(URL_SLUG) == "presstv:3"
    assert index.add_sighting("presstv:4", URL_TV, T0) is True  # reuses the free slot
    assert index.article_for_url(URL_TV) == "presstv:4"


# -- refetch policy and conditional requests ----------------------------------------------------


def test_needs_refetch_policy(index: SqliteIndex) -> None:
    assert index.needs_refetch("presstv:1", T0)  # unknown
    index.add_sighting("presstv:1", URL_IR, T0)
    assert index.needs_refetch("presstv:1", T0)  # only sighted
    version(index, "presstv:1", HASH_A, T0)  # fetched now, no published date: first seen counts
    assert not index.needs_refetch("presstv:1", T0 + H)
    assert not index.needs_refetch("presstv:1", T0 + 6 * H - timedelta(seconds=1))
    assert index.needs_refetch("presstv:1", T0 + 6 * H)
    index.record_check("presstv:1", T0 + 6 * H, None, None)
    assert not index.needs_refetch("presstv:1", T0 + 7 * H)
    assert index.needs_refetch("presstv:1", T0 + 7 * H, recheck_every=H)
    assert not index.needs_refetch("presstv:1", T0 + 48 * H)  # old: never, unless forced
    assert index.needs_refetch("presstv:1", T0 + 48 * H, young_window=timedelta(hours=72))
    assert index.needs_refetch("presstv:1", T0 + 400 * H, force=True)


def test_needs_refetch_ages_by_published_date(index: SqliteIndex) -> None:
    old = (T0 - 72 * H).astimezone(timezone(timedelta(hours=3, minutes=30))).isoformat()
    version(index, "presstv:old", HASH_A, T0, published=old)
    version(index, "presstv:young", HASH_B, T0, published="2025-03-01T11:00:00Z")
    assert not index.needs_refetch("presstv:old", T0 + 7 * H)  # first seen now, but 3 days old
    assert index.needs_refetch("presstv:young", T0 + 7 * H)
    assert index.article("presstv:young").published == "2025-03-01T11:00:00Z"  # type: ignore[union-attr]


def test_record_check_stores_validators(index: SqliteIndex) -> None:
    etag, modified = '"5f3e-61a"', "Sat, 01 Mar 2025 11:59:00 GMT"
    index.record_check("presstv:1", T0, etag, modified)
    info = index.article("presstv:1")
    assert info is not None
    assert (info.etag, info.last_modified, info.last_checked) == (etag, modified, T0)
    index.record_check("presstv:1", T0 + H, None, None, not_modified=True)  # 304 without them
    info = index.article("presstv:1")
    assert info is not None
    assert (info.etag, info.last_modified, info.last_checked) == (etag, modified, T0 + H)
    index.record_check("presstv:1", T0 + 2 * H, 'W/"new"', None)  # a 200 replaces both
    info = index.article("presstv:1")
    assert info is not None and (info.etag, info.last_modified) == ('W/"new"', None)
    index.record_check("presstv:1", T0 + 3 * H, None, "Sat, 1 Mar 2025 11:59:00 GMT")  # odd form
    assert index.article("presstv:1").last_modified == "Sat, 1 Mar 2025 11:59:00 GMT"  # type: ignore[union-attr]


# -- payloads -----------------------------------------------------------------------------------


def test_payload_first_capture_is_kept_across_mirrors(index: SqliteIndex) -> None:
    assert index.first_capture(SHA1) is None
    first = dict(
        target_uri=URL_IR,
        warc_date="2025-03-01T12:00:00.123456Z",
        record_id=RECORD,
        filename="a.warc.gz",
        offset=512,
    )
    assert index.record_payload(SHA1, **first) is True
    assert (
        index.record_payload(
            SHA1,
            target_uri=URL_TV,
            warc_date="2025-03-02T12:00:00.000000Z",
            record_id="<urn:uuid:11111111-1111-4111-8111-111111111111>",
            filename="b.warc.gz",
            offset=9,
        )
        is False
    )
    assert index.first_capture(SHA1) == Capture(**first)
    assert index.first_capture("sha1:" + "A" * 32) is None


@pytest.mark.parametrize(
    "digest",
    [
        "sha1:2YF4KQGZ6QJXJ5TB3K7KQ5AYDBD3WBXF",
        "sha256:" + "0f" * 32,
        "sha1:abc",
        "md5:XYZ!",
        "weird",
    ],
)
def test_payload_digests_of_any_form_round_trip(index: SqliteIndex, digest: str) -> None:
    index.record_payload(
        digest,
        target_uri="urn:x",
        warc_date="2025-03-01T12:00:00Z",
        record_id="<urn:other:1>",
        filename="f",
        offset=0,
    )
    capture = index.first_capture(digest)
    assert capture == Capture("urn:x", "2025-03-01T12:00:00Z", "<urn:other:1>", "f", 0)


# -- compact storage is lossless ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("pack", "unpack", "text", "compact"),
    [
        (pack_digest, unpack_digest, HASH_A, bytes),
        (pack_digest, unpack_digest, SHA1, bytes),
        (pack_digest, unpack_digest, "xxh3-128:" + "A1" * 16, str),  # upper hex
        (pack_digest, unpack_digest, "sha1:2YF4KQGZ6QJXJ5TB3K7KQ5AYDBD3WBX=", str),
        (pack_record_id, unpack_record_id, RECORD, bytes),
        (pack_record_id, unpack_record_id, RECORD.upper(), str),
        (pack_warc_date, unpack_warc_date, "2025-03-01T12:00:00.000001Z", int),
        (pack_warc_date, unpack_warc_date, "2025-03-01T12:00:00Z", str),
        (pack_warc_date, unpack_warc_date, "2025-03-01T12:00:00+00:00", str),
        (pack_published, unpack_published, "2025-03-01T15:30:00+03:30", int),
        (pack_published, unpack_published, "1969-07-20T20:17:00-05:00", int),
        (pack_published, unpack_published, "2025-03-01T15:30:00.5+03:30", str),
        (pack_published, unpack_published, "2025-03-01T15:30:00", str),
        (pack_published, unpack_published, "March 1st", str),
        (pack_http_date, unpack_http_date, "Sat, 01 Mar 2025 11:59:00 GMT", int),
        (pack_http_date, unpack_http_date, "Saturday, 01-Mar-25 11:59:00 GMT", str),
        (pack_http_date, unpack_http_date, "garbage", str),
    ],
)
def test_packing_is_lossless(pack, unpack, text: str, compact: type) -> None:
    packed = pack(text)
    assert type(packed) is compact
    assert unpack(packed) == text


@sqlite_only
def test_hashes_are_stored_as_bytes_and_url_keys_as_integers(index: SqliteIndex) -> None:
    index.add_sighting("presstv:1", URL_IR, T0)
    index.add_sighting("presstv:1", URL_TV, T0)
    version(index, "presstv:1", HASH_A, warc=WarcPointer("f", 0, RECORD))
    db = index._connection.db
    assert db.execute(
        "SELECT typeof(content_hash), length(content_hash), typeof(warc_record) FROM versions"
    ).fetchone() == ("blob", 17, "blob")
    keys = db.execute("SELECT typeof(url_key), length(tail) FROM urls").fetchall()
    assert keys == [("integer", 0), ("integer", 0)]  # both mirrors share the stored path


# -- operator functions -------------------------------------------------------------------------


def populate(ix: SqliteIndex) -> None:
    ix.add_sighting("presstv:2", URL_IR, T0)
    ix.add_sighting("presstv:2", URL_TV, T0 + 24 * H)
    version(ix, "presstv:2", HASH_A, T0)
    version(ix, "presstv:2", HASH_B, T0 + H)
    ix.add_sighting("presstv:10", "https://www.presstv.ir/Detail/2025/03/01/10/x", T0)
    version(ix, "presstv:10", HASH_C, T0)
    ix.add_sighting(
        "presstv:1", "https://www.presstv.ir/Detail/2025/03/01/1/y", T0
    )  # never fetched
    ix.record_payload(
        SHA1,
        target_uri=URL_IR,
        warc_date="2025-03-01T12:00:00.000000Z",
        record_id=RECORD,
        filename="a.warc.gz",
        offset=0,
    )


def test_stats(index: SqliteIndex) -> None:
    empty = index.stats()
    assert (empty.articles, empty.versions, empty.urls, empty.payloads) == (0, 0, 0, 0)
    populate(index)
    stats = index.stats()
    assert (stats.articles, stats.versions, stats.urls, stats.payloads) == (3, 3, 4, 1)
    assert stats.size_bytes > 0
    assert stats.as_dict()["urls"] == 4


def test_forget_by_id(index: SqliteIndex) -> None:
    populate(index)
    assert index.forget("presstv:2") == ForgetResult(articles=1, versions=2, urls=2)
    assert not index.knows("presstv:2")
    assert index.needs_refetch("presstv:2", T0 + H)
    assert index.article_for_url(URL_IR) is None and index.article_for_url(URL_TV) is None
    assert index.first_capture(SHA1) is not None  # a WARC fact, kept
    assert index.knows("presstv:10")
    assert index.forget("presstv:2") == ForgetResult()
    assert index.stats().articles == 2
    assert (
        version(index, "presstv:3", HASH_A, T0 + 2 * H).duplicate_of is None
    )  # texts forgotten too


def test_forget_by_url(index: SqliteIndex) -> None:
    populate(index)
    assert index.forget(URL_TV) == ForgetResult(urls=1)
    assert index.article_for_url(URL_TV) is None
    assert index.article_for_url(URL_IR) == "presstv:2"
    assert index.knows("presstv:2")
    assert index.latest_version("presstv:2").version == 2  # type: ignore[union-attr]
    assert index.forget(URL_TV) == ForgetResult()


def test_expire_urls_never_removes_versions(index: SqliteIndex) -> None:
    populate(index)
    removed = index.expire_urls(timedelta(hours=12), now=T0 + 30 * H)
    assert removed == 3  # seen at T0; URL_TV was seen 6 hours before "now"
    assert index.article_for_url(URL_IR) is None
    assert index.article_for_url(URL_TV) == "presstv:2"
    stats = index.stats()
    assert (stats.articles, stats.versions, stats.urls, stats.payloads) == (3, 3, 1, 1)
    assert index.knows("presstv:2") and index.knows("presstv:10")
    assert index.latest_version("presstv:2").content_hash == HASH_B  # type: ignore[union-attr]
    # the stored path survives in url_base, so a URL seen again is stored compactly again
    index.add_sighting("presstv:2", URL_IR, T0 + 31 * H)
    assert index.article_for_url(URL_IR) == "presstv:2"


def test_reset(index: SqliteIndex) -> None:
    populate(index)
    index.reset()
    stats = index.stats()
    assert (stats.articles, stats.versions, stats.urls, stats.payloads) == (0, 0, 0, 0)
    assert index.first_capture(SHA1) is None
    populate(index)  # still usable, dictionaries rebuilt
    assert index.article_for_url(URL_TV) == "presstv:2"
    assert index.first_capture(SHA1).filename == "a.warc.gz"  # type: ignore[union-attr]


def test_export_latest_one_line_per_archived_article_in_id_order(
    make_index: Callable[..., ArticleIndex],
) -> None:
    with make_index() as ix:
        populate(ix)
        exported = list(ix.export_latest())
        assert list(ix.export_latest()) == exported
    assert [e["id"] for e in exported] == ["presstv:10", "presstv:2"]  # text order; 1 unfetched
    second = exported[1]
    assert second["version"] == second["versions"] == 2
    assert second["content_hash"] == HASH_B and second["previous_hash"] == HASH_A
    assert second["urls"] == sorted([URL_IR, URL_TV])
    assert second["first_seen"] == T0.isoformat()
    with make_index() as reopened:
        assert list(reopened.export_latest()) == exported


def test_export_order_does_not_depend_on_insertion_order(
    make_index: Callable[..., ArticleIndex],
) -> None:
    ids = [f"presstv:{n}" for n in (5, 300, 12, 7, 1000)]
    results = []
    for name, order in (("a", ids), ("b", list(reversed(ids)))):
        with make_index(name) as ix:
            for article_id in order:
                version(ix, article_id, f"xxh3-128:{abs(hash(article_id)):032x}", T0)
            results.append([e["id"] for e in ix.export_latest()])
    assert results[0] == results[1] == sorted(ids)


# -- durability, batching, concurrency ----------------------------------------------------------


def test_persists_across_close_and_reopen(make_index: Callable[..., ArticleIndex]) -> None:
    with make_index() as ix:
        populate(ix)
        ix.record_check("presstv:2", T0 + 2 * H, '"e"', None)
    with make_index() as ix:
        assert ix.article_for_url(URL_TV) == "presstv:2"
        assert ix.latest_version("presstv:2").version == 2  # type: ignore[union-attr]
        assert ix.article("presstv:2").etag == '"e"'  # type: ignore[union-attr]
        assert ix.first_capture(SHA1) is not None
        assert version(ix, "presstv:2", HASH_B, T0 + 3 * H).status == "unchanged"


def test_writes_are_batched_until_flush(path: Path) -> None:
    with SqliteIndex(path, batch_size=1000, batch_seconds=3600) as ix:
        ix.add_sighting("presstv:1", URL_IR, T0)
        other = other_connection(path)
        assert other.execute("SELECT count(*) FROM urls").fetchone()[0] == 0
        assert ix.article_for_url(URL_IR) == "presstv:1"  # own writes are visible at once
        ix.flush()
        assert other.execute("SELECT count(*) FROM urls").fetchone()[0] == 1
        other.close()


def test_batch_commits_every_n_operations(path: Path) -> None:
    with SqliteIndex(path, batch_size=3, batch_seconds=3600) as ix:
        other = other_connection(path)
        for n in range(7):
            ix.add_sighting(f"presstv:{n}", f"{URL_IR}-{n}", T0)
        assert other.execute("SELECT count(*) FROM urls").fetchone()[0] == 6
        other.close()


def test_batch_commits_after_t_seconds(path: Path) -> None:
    with SqliteIndex(path, batch_size=1000, batch_seconds=0.2) as ix:
        other = other_connection(path)
        ix.add_sighting("presstv:1", URL_IR, T0)
        assert other.execute("SELECT count(*) FROM urls").fetchone()[0] == 0
        time.sleep(0.3)
        ix.knows("presstv:1")  # any call commits a batch that is due
        assert other.execute("SELECT count(*) FROM urls").fetchone()[0] == 1
        other.close()


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_second_process_sees_committed_data(index: SqliteIndex, open_code: str) -> None:
    populate(index)
    index.flush()
    done = run_python(f"""
        from archive.index.open import open_index
        ix = {open_code}
        print(ix.article_for_url({URL_TV!r}), ix.latest_version("presstv:2").version)
        ix.add_sighting("presstv:77", "https://presstv.tv/Detail/x/77", 1.7e9)
        ix.close()
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["presstv:2", "2"]
    assert index.article_for_url("https://presstv.tv/Detail/x/77") == "presstv:77"


def test_a_crash_loses_at_most_the_open_batch(path: Path) -> None:
    crashed = run_python(f"""
        import os
        from archive.index.sqlite_backend import SqliteIndex
        ix = SqliteIndex({str(path)!r}, batch_size=10, batch_seconds=3600)
        for n in range(25):
            ix.add_sighting(f"presstv:{{n}}", f"https://presstv.tv/Detail/{{n}}", 1.7e9)
        os._exit(0)  # no close, no flush
    """)
    assert crashed.returncode == 0, crashed.stderr
    with SqliteIndex(path) as ix:
        assert ix.stats().urls == 20
        assert ix.article_for_url("https://presstv.tv/Detail/19") == "presstv:19"
        assert ix.article_for_url("https://presstv.tv/Detail/20") is None


def hold_write_lock(path: Path, seconds: float) -> threading.Thread:
    locker = other_connection(path)
    locker.execute("BEGIN IMMEDIATE")
    locker.execute("INSERT INTO origins (origin) VALUES ('https://locker.example')")

    def release() -> None:
        time.sleep(seconds)
        locker.execute("COMMIT")
        locker.close()

    thread = threading.Thread(target=release)
    thread.start()
    return thread


def test_locked_database_is_retried(path: Path) -> None:
    with SqliteIndex(path, busy_timeout=0.01, lock_attempts=20, lock_wait_max=0.1) as ix:
        thread = hold_write_lock(path, 0.4)
        began = time.monotonic()
        assert ix.add_sighting("presstv:1", URL_IR, T0) is True
        thread.join()
        assert time.monotonic() - began >= 0.3  # it really waited for the other writer
        assert ix.lock_retries >= 1
        ix.flush()
        assert ix.article_for_url(URL_IR) == "presstv:1"


def test_locked_database_retry_is_bounded(path: Path) -> None:
    with SqliteIndex(path, busy_timeout=0.01, lock_attempts=3, lock_wait_max=0.05) as ix:
        thread = hold_write_lock(path, 2.0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                ix.add_sighting("presstv:1", URL_IR, T0)
            assert ix.lock_retries >= 2
        finally:
            thread.join()
        assert ix.add_sighting("presstv:1", URL_IR, T0) is True  # fine once released


def test_failed_operation_leaves_nothing_half_done(index: SqliteIndex) -> None:
    index.add_sighting("presstv:1", URL_IR, T0)
    with pytest.raises(ValueError, match="unsigned 64-bit"):
        version(index, "presstv:1", HASH_A, simhash=-1)
    assert index.latest_version("presstv:1") is None
    assert index.article("presstv:1").last_checked is None  # type: ignore[union-attr]
