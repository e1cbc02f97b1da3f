"""An archive another run is writing, or nobody may write (issue 21, item 15).

* ``replay`` into an ``--out`` where a crawl of the site runs: the one line a second crawl
  gets ("another run … is going on"), exit 2, not SQLite's "database is locked" traceback.
* A read-only archive: the reading commands (``state``, ``mirrors``, ``export``, ``verify``)
  work, the index read even when a killed run left commits in its ``-wal`` file and no
  ``-shm`` (SQLite's "unable to open database file" in a read-only directory); the writing
  ones (``state forget|expire|reset``, ``mirrors forget|trust``) say in one line that it is
  read-only, exit 2.

Read-only how: tests run as root here, and root writes through ``chmod a-w``. So when root,
the archive is bind-mounted read-only onto itself in a private mount namespace
(``unshare -m``), which refuses every write with EROFS, root's included; when not root,
``chmod -R a-w`` does. Where neither works (root without the right to mount), the tests skip.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

from archive.index.open import open_index
from archive.layout import OutputLayout
from archive.site_lock import SiteLock
from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, generate_articles, write_profile
from tests.conftest import FAST_CRAWL, run_newsarchive

SITE = "localnews"
ARTICLES = 4
# Run "$@" with the directory "$0" mounted read-only onto itself, for this process tree only.
READ_ONLY_MOUNT = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" "$0" && exec "$@"'


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A crawl's output (WARCs with the profile in them, records, index, mirror memory)."""
    base = tmp_path_factory.mktemp("crawled")
    with LoopbackServers(
        LocalSite(generate_articles(ARTICLES)), ["127.0.0.1", "127.0.0.2"]
    ) as servers:
        profile = write_profile(base / f"{SITE}.toml", servers.origins)
        out = base / "out"
        result = run_newsarchive("crawl", str(profile), "--out", str(out), *FAST_CRAWL)
        assert result.returncode == 0, result.stderr
    yield out


def test_replay_beside_a_running_crawl_is_one_line(crawled: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(crawled, out)
    # The lock a crawl of the site into out holds while it runs (scraper/cli/crawl.py).
    with SiteLock(OutputLayout(out).site_lock(SITE)).acquire(job="crawl"):
        result = run_newsarchive("replay", str(crawled / "warc"), "--out", str(out), "--quiet")
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr and "locked" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert f"another run of {SITE} into {out} is going on (pid {os.getpid()}" in line
    assert not list(OutputLayout(out).records_dir(SITE).glob("replay-*"))  # nothing written
    again = run_newsarchive("replay", str(crawled / "warc"), "--out", str(out), "--quiet")
    assert again.returncode == 0, again.stderr  # the lock is gone with the "crawl"


# -- a read-only archive -------------------------------------------------------------------------


def _can_mount_read_only(directory: Path) -> bool:
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    probe = subprocess.run(
        [unshare, "-m", "sh", "-c", READ_ONLY_MOUNT, str(directory), "touch", str(directory / "x")],
        capture_output=True,
        timeout=30,
    )
    return probe.returncode != 0 and b"Read-only file system" in probe.stderr


@pytest.fixture
def read_only(crawled: Path, tmp_path: Path) -> Iterator[tuple[Path, list[str]]]:
    """A copy of the crawl whose index a killed run left with commits in its -wal file and no
    -shm, then made read-only; and the prefix that runs a command where it is read-only."""
    out = tmp_path / "out"
    shutil.copytree(crawled, out)
    _leave_commits_in_the_wal(OutputLayout(out).index_file(SITE))
    if os.geteuid() != 0:
        for path in [out, *out.rglob("*")]:
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        yield out, []
        for path in [out, *out.rglob("*")]:
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    elif _can_mount_read_only(out):
        yield out, ["unshare", "-m", "sh", "-c", READ_ONLY_MOUNT, str(out)]
    else:
        pytest.skip("root here, and no read-only bind mount (unshare -m) allowed")


def _leave_commits_in_the_wal(index: Path) -> None:
    """One more article committed to the -wal file, and the -shm file gone: what a run
    killed before its checkpoint leaves, copied without the -shm (or never written)."""
    program = (
        "import os, sqlite3, sys\n"
        "from archive.index.open import open_index\n"
        "index = open_index(sys.argv[1], batch_size=1)\n"
        "db = index._connection.db\n"
        "db.execute('PRAGMA wal_autocheckpoint=0')\n"
        "index.add_sighting('localnews:wal-only', 'http://127.0.0.1:1/Detail/2023/02/19/9/x')\n"
        "index.record_version('localnews:wal-only', content_hash='xxh3-128:' + '0' * 32)\n"
        "index.flush()\n"
        "os._exit(0)  # no close, no checkpoint: the commit stays in the -wal file\n"
    )
    subprocess.run(["python", "-c", program, str(index)], check=True, timeout=60)
    wal = index.with_name(index.name + "-wal")
    assert wal.stat().st_size > 0
    index.with_name(index.name + "-shm").unlink()


def test_reading_commands_work_on_a_read_only_archive(
    read_only: tuple[Path, list[str]], tmp_path: Path
) -> None:
    out, prefix = read_only
    state = run_newsarchive("state", SITE, "--out", str(out), "--json", prefix=prefix)
    assert state.returncode == 0, state.stderr
    # the -wal file's commit is read: the index is not shown older than it is
    assert json.loads(state.stdout)["articles"] == ARTICLES + 1
    exported = run_newsarchive(
        "export", SITE, "--out", str(out), "--from-index", "--jsonl", "-", prefix=prefix
    )
    assert exported.returncode == 0, exported.stderr
    assert len(exported.stdout.splitlines()) == ARTICLES + 1
    records = run_newsarchive("export", SITE, "--out", str(out), "--jsonl", "-", prefix=prefix)
    assert records.returncode == 0 and len(records.stdout.splitlines()) == ARTICLES
    mirrors = run_newsarchive("mirrors", SITE, "--out", str(out), prefix=prefix)
    assert mirrors.returncode == 0 and "mirrors known (" in mirrors.stdout, mirrors.stderr
    verified = run_newsarchive("verify", str(out / "warc"), prefix=prefix)
    assert verified.returncode == 0, verified.stderr
    assert not list(Path(os.environ.get("TMPDIR", "/tmp")).glob("newsarchive-index-*"))


@pytest.mark.parametrize(
    "args",
    [
        ["state", SITE, "forget", f"{SITE}:wal-only"],
        ["state", SITE, "expire", "--older-than", "1d"],
        ["state", SITE, "reset", "--yes"],
        ["mirrors", SITE, "forget", "127.0.0.2"],
        ["mirrors", SITE, "trust", "127.0.0.2"],
    ],
    ids=lambda args: " ".join(args[:3]),
)
def test_writing_commands_say_the_archive_is_read_only(
    read_only: tuple[Path, list[str]], args: list[str]
) -> None:
    out, prefix = read_only
    result = run_newsarchive(*args, "--out", str(out), prefix=prefix)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    (line,) = result.stderr.splitlines()
    assert "is read-only here" in line and "reading commands" in line


def test_a_read_only_index_without_a_wal_is_read_immutable(tmp_path: Path) -> None:
    """No -wal, no -shm, a directory nobody may write: SQLite before 3.22 cannot open that
    ``mode=ro`` ("unable to open database file"; this one can, see the test above), and then
    the file alone is the whole index. Checked in process, the first try made to fail so."""
    path = tmp_path / "state" / f"{SITE}.sqlite"
    path.parent.mkdir()
    with open_index(path) as index:
        index.add_sighting(f"{SITE}:1", "http://127.0.0.1:1/Detail/2023/02/19/1/x")
        index.record_version(
            f"{SITE}:1", content_hash="xxh3-128:" + "1" * 32, now=datetime.now(timezone.utc)
        )
    from archive.index import sqlite_read_only

    real = sqlite_read_only._connect
    tries: list[str] = []

    def first_fails(target: str, timeout: float) -> sqlite3.Connection:
        tries.append(target)
        if target.endswith("mode=ro"):
            raise sqlite3.OperationalError("unable to open database file")
        return real(target, timeout)

    sqlite_read_only._connect = first_fails  # type: ignore[assignment]
    try:
        with open_index(path, read_only=True) as index:
            assert index.stats().articles == 1
    finally:
        sqlite_read_only._connect = real  # type: ignore[assignment]
    assert tries[-1].endswith("immutable=1")
