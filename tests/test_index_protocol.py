"""The index protocol is complete (archive/index/model.py): every backend has every member, with
the protocol's parameters, and nothing in archive/ or scraper/ probes an index for a method
with ``getattr``/``hasattr`` (mypy then checks that what callers use is declared). The members
callers used to probe for behave the same on both backends."""

from __future__ import annotations

import ast
import inspect
from collections.abc import Callable
from pathlib import Path

import pytest

from archive.index.model import ArticleIndex
from archive.index.redis_backend import RedisIndex
from archive.index.sqlite_backend import SqliteIndex
from tests.redis_server import redis_url  # noqa: F401 - a fixture of make_index
from tests.test_index import backend_name, make_index  # noqa: F401 - fixtures

REPO = Path(__file__).resolve().parents[1]
BACKENDS = [SqliteIndex, RedisIndex]
HASH_A = "xxh3-128:" + "a1" * 16
HASH_B = "xxh3-128:" + "b2" * 16
PROBES = {"getattr", "hasattr"}


def protocol_members() -> list[str]:
    return sorted(name for name in vars(ArticleIndex) if not name.startswith("_"))


@pytest.mark.parametrize("backend", BACKENDS, ids=lambda b: b.__name__)
@pytest.mark.parametrize("name", protocol_members())
def test_every_backend_has_every_member_with_its_parameters(backend: type, name: str) -> None:
    declared = inspect.getattr_static(ArticleIndex, name)
    implemented = inspect.getattr_static(backend, name, None)
    assert implemented is not None, f"{backend.__name__} lacks {name}"
    if isinstance(declared, property):
        assert isinstance(implemented, property), f"{backend.__name__}.{name}: not a property"
        return
    # retry_when_locked keeps the signature (functools.wraps): signature() follows it
    got = inspect.signature(getattr(backend, name)).parameters
    want = inspect.signature(declared).parameters
    assert [(p.name, p.kind, p.default) for p in got.values()] == [
        (p.name, p.kind, p.default) for p in want.values()
    ], f"{backend.__name__}.{name}"


def _names_an_index(node: ast.expr) -> bool:
    name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", "")
    return "index" in name.lower()


def probes_of_an_index(source: str, name: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in PROBES
            and node.args
            and _names_an_index(node.args[0])
        ):
            found.append(f"{name}:{node.lineno}: {ast.unparse(node)}")
    return found


def test_no_index_is_probed_for_a_method() -> None:
    found = []
    for path in sorted(
        p for package in ("archive", "scraper") for p in (REPO / package).rglob("*.py")
    ):
        name = str(path.relative_to(REPO))
        found += probes_of_an_index(path.read_text(encoding="utf-8"), name)
    assert not found, "declare it in ArticleIndex (archive/index/model.py) instead:\n" + "\n".join(
        found
    )


def test_the_probe_scan_finds_a_probe() -> None:
    source = (
        "def f(run, index, exc):\n"
        "    getattr(run.index, 'x', None)\n"
        "    hasattr(index, 'y')\n"
        "    getattr(exc, 'filename', None)\n"  # not an index: allowed
    )
    assert probes_of_an_index(source, "f.py") == [
        "f.py:2: getattr(run.index, 'x', None)",
        "f.py:3: hasattr(index, 'y')",
    ]


# -- the members once probed for, on both backends ----------------------------------------------


def test_location_names_the_index(
    make_index: Callable[..., ArticleIndex],  # noqa: F811
    request: pytest.FixtureRequest,
) -> None:
    index = make_index()
    if isinstance(index, SqliteIndex):
        assert index.location == str(index.path)
    else:
        assert index.location == f"{request.getfixturevalue('redis_url')} (site state)"


def test_has_version_knows_every_version_not_only_the_latest(
    make_index: Callable[..., ArticleIndex],  # noqa: F811
) -> None:
    index = make_index()
    index.record_version("s:1", content_hash=HASH_A, now=1.7e9)
    index.record_version("s:1", content_hash=HASH_B, now=1.7e9 + 60)
    assert index.has_version("s:1", HASH_A) and index.has_version("s:1", HASH_B)
    assert not index.has_version("s:2", HASH_A)
    index.forget("s:1")
    assert not index.has_version("s:1", HASH_A)


def test_a_version_not_written_is_taken_back(make_index: Callable[..., ArticleIndex]) -> None:  # noqa: F811
    index = make_index()
    index.hold_versions_until_written()
    index.record_version("s:1", content_hash=HASH_A, now=1.7e9)
    index.version_written("s:1", HASH_A)
    index.record_version("s:1", content_hash=HASH_B, now=1.7e9 + 60)
    index.record_check("s:1", now=1.7e9 + 60, etag='"e"')
    index.version_not_written("s:1", HASH_B)  # e.g. disk full writing its line
    index.record_version("s:2", content_hash=HASH_A, now=1.7e9)  # never confirmed
    index.flush()  # the run is over: s:2's record never will be written
    latest = index.latest_version("s:1")
    assert latest is not None and (latest.version, latest.content_hash) == (1, HASH_A)
    assert not index.has_version("s:1", HASH_B)
    info = index.article("s:1")
    assert info is not None and info.etag is None and info.last_checked is None
    assert index.needs_refetch("s:1", now=1.7e9 + 120) and not index.knows("s:2")
    assert index.stats().versions == 1
    # numbered where it was when fetched again
    again = index.record_version("s:1", content_hash=HASH_B, now=1.7e9 + 120)
    assert (again.status, again.version) == ("changed", 2)


def test_without_holding_nothing_is_taken_back(make_index: Callable[..., ArticleIndex]) -> None:  # noqa: F811
    index = make_index()
    index.record_version("s:1", content_hash=HASH_A, now=1.7e9)
    index.version_not_written("s:1", HASH_A)  # replay of a foreign file, ``state``
    index.flush()
    assert index.knows("s:1")


def test_forget_captures_forgets_what_cannot_be_read(
    make_index: Callable[..., ArticleIndex],  # noqa: F811
) -> None:
    index = make_index()
    for n, (filename, offset) in enumerate(
        [("a.warc.gz", 0), ("a.warc.gz", 500), ("b.warc.gz", 9)]
    ):
        index.record_payload(
            f"sha1:{n:032d}",
            target_uri=f"https://example.org/{n}",
            warc_date="2025-03-01T12:00:00Z",
            record_id=f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>",
            filename=filename,
            offset=offset,
        )
    # a.warc.gz readable up to 400, b.warc.gz gone, c.warc.gz never seen
    assert index.forget_captures({"a.warc.gz": 400, "b.warc.gz": 0, "c.warc.gz": 0}) == 2
    assert index.first_capture(f"sha1:{0:032d}") is not None
    assert index.first_capture(f"sha1:{1:032d}") is None
    assert index.first_capture(f"sha1:{2:032d}") is None
    assert index.forget_captures({}) == 0
