"""Crash safety: a crawl killed at any moment (SIGKILL), interrupted (SIGTERM) or stopped by a
full disk, then run again, archives every article of the site exactly once, with every WARC
file valid (``warcio check``), no ``.open`` file left and no half JSON line.

The end-to-end tests crawl the loopback site (scraper/demo) through ``newsarchive crawl``
in a subprocess, slowed down so that there is a crawl to interrupt; the unit tests below them
pin down each piece (WARC repair, JSON Lines writer and repair, the index's hold on versions
whose record is not written yet, feeding lost index batches back from the records).
"""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from archive.index.sqlite_backend import SqliteIndex
from archive.jsonl import JsonlWriter
from archive.recovery import reconcile_index, recover_site, repair_jsonl_tail
from archive.warc_reader import iter_records
from archive.warc_records import HttpExchange
from archive.warc_repair import repair_open_warcs
from archive.warc_writer import RotatingWarcWriter
from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, generate_articles, slow, write_profile
from tests.conftest import FAST_CRAWL, newsarchive_command, tool

ARTICLES = 40
SITE = "localnews"
# The run that gets interrupted: a slow site, few requests at a time and small WARC files (so
# that files are rotated, closed and renamed while the crawl runs): about 3 s of crawling.
SLOW = ["-s", "CONCURRENT_REQUESTS_PER_DOMAIN=4", "-s", "ARCHIVE_WARC_MAX_BYTES=30000"]
DELAY = 0.25


# -- the site and how to crawl it -------------------------------------------------------------


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[LocalSite, LoopbackServers]]:
    local = LocalSite(generate_articles(ARTICLES))
    with LoopbackServers(local, ["127.0.0.1", "127.0.0.2"]) as servers:
        yield local, servers


@pytest.fixture
def crawl_setup(
    site: tuple[LocalSite, LoopbackServers], tmp_path: Path
) -> Iterator[dict[str, Any]]:
    local, servers = site
    profile = write_profile(tmp_path / f"{SITE}.toml", servers.origins)
    yield {
        "site": local,
        "profile": profile,
        "out": tmp_path / "out",
        "ids": {f"{SITE}:{a.id}" for a in local.articles},
    }
    local.behaviours.clear()


def slowed(local: LocalSite) -> None:
    local.behaviours.update({"127.0.0.1": slow(DELAY), "127.0.0.2": slow(DELAY)})


def crawl_args(profile: Path, out: Path, *extra: str) -> list[str]:
    return ["crawl", str(profile), "--out", str(out), *FAST_CRAWL, *extra]


def run_crawl(profile: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*newsarchive_command(), *crawl_args(profile, out, *extra)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def start_crawl(profile: Path, out: Path, log: Path, *extra: str) -> subprocess.Popen[bytes]:
    with log.open("wb") as stderr:
        return subprocess.Popen(
            [*newsarchive_command(), *crawl_args(profile, out, *SLOW, *extra)],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )


def wait_for(
    condition: Callable[[], bool],
    process: subprocess.Popen[bytes],
    what: str,
    timeout: float = 60.0,
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert process.poll() is None, (
            f"the crawl ended (status {process.returncode}) before {what}"
        )
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def warc_dir(out: Path) -> Path:
    return out / "warc" / SITE


def open_files(out: Path) -> list[Path]:
    return sorted(warc_dir(out).glob("*.open")) if warc_dir(out).is_dir() else []


def json_line_count(out: Path) -> int:
    folder = out / "json" / SITE
    return (
        sum(p.read_bytes().count(b"\n") for p in folder.glob("*.jsonl")) if folder.is_dir() else 0
    )


def all_records(out: Path) -> list[dict[str, Any]]:
    """Every record of every run; every line whole (no half line left by any run)."""
    records = []
    for path in sorted((out / "json" / SITE).glob("*.jsonl")):
        data = path.read_bytes()
        assert not data or data.endswith(b"\n"), f"{path.name} ends in half a line"
        records += [json.loads(line) for line in data.splitlines()]
    return records


def reports(out: Path) -> dict[str, dict[str, Any]]:
    return {p.stem: json.loads(p.read_text()) for p in (out / "runs").glob("*.json")}


def new_report(out: Path, before: dict[str, Any]) -> dict[str, Any]:
    [run_id] = set(reports(out)) - set(before)
    return reports(out)[run_id]


def assert_archive_complete(out: Path, ids: set[str]) -> list[dict[str, Any]]:
    """Every article once, version 1; valid WARCs only; the index agrees."""
    records = all_records(out)
    counts = Counter(r["id"] for r in records)
    assert {i for i, n in counts.items() if n > 1} == set(), "duplicated articles"
    assert ids - set(counts) == set(), "lost articles"
    assert set(counts) == ids and all(r["version"] == 1 for r in records)
    assert open_files(out) == []
    warcs = sorted(warc_dir(out).glob("*.warc.gz"))
    checked = subprocess.run(
        [tool("warcio"), "check", *map(str, warcs)], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stdout[-2000:] + checked.stderr[-2000:]
    verified = subprocess.run(
        [*newsarchive_command(), "verify", str(out)], capture_output=True, text=True, timeout=60
    )
    assert verified.returncode == 0, verified.stdout[-3000:]
    with SqliteIndex(out / "state" / f"{SITE}.sqlite") as index:
        assert index.stats().versions == len(ids)
    assert list((out / "state").glob(".reserve-*")) == []  # a killed run's disk reserve is gone too
    return records


# -- SIGKILL at several points ----------------------------------------------------------------


def _first_warc(out: Path, process: subprocess.Popen[bytes]) -> None:
    wait_for(lambda: bool(open_files(out)), process, "the first WARC file")


def _some_records(out: Path, process: subprocess.Popen[bytes]) -> None:
    wait_for(lambda: json_line_count(out) >= 8, process, "8 records")


def _mid_way(out: Path, process: subprocess.Popen[bytes]) -> None:
    wait_for(lambda: json_line_count(out) >= 1, process, "the first record")
    time.sleep(0.8)


@pytest.mark.parametrize(
    "kill_point",
    [_first_warc, _some_records, _mid_way],
    ids=["first-warc-file", "after-8-records", "mid-way-by-time"],
)
def test_killed_crawl_resumes_without_losing_or_duplicating(
    crawl_setup: dict[str, Any], kill_point: Callable[[Path, subprocess.Popen[bytes]], None]
) -> None:
    out, profile = crawl_setup["out"], crawl_setup["profile"]
    slowed(crawl_setup["site"])
    process = start_crawl(profile, out, out.parent / "killed.log")
    try:
        kill_point(out, process)
        assert process.poll() is None, "the crawl finished before it could be killed"
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    leftovers = [p.name for p in open_files(out)]

    crawl_setup["site"].behaviours.clear()
    before = reports(out)
    resumed = run_crawl(profile, out)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    report = new_report(out, before)
    assert report["status"] == "ok" and report["index_consistent"] is True
    repaired = {Path(r["path"]).name: r for r in report["repairs"] if r["kind"] == "warc"}
    assert set(repaired) == set(leftovers)
    for name in leftovers:
        assert repaired[name]["action"] in ("repaired", "closed", "removed")
        assert f"{repaired[name]['action']} " in resumed.stderr  # and said so in the log
    assert_archive_complete(out, crawl_setup["ids"])


# -- SIGTERM ------------------------------------------------------------------------------------


def test_sigterm_finishes_in_flight_work_closes_everything_and_exits_1(
    crawl_setup: dict[str, Any],
) -> None:
    out, profile = crawl_setup["out"], crawl_setup["profile"]
    slowed(crawl_setup["site"])
    log = out.parent / "terminated.log"
    process = start_crawl(profile, out, log)
    try:
        wait_for(lambda: json_line_count(out) >= 5, process, "5 records")
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    stderr = log.read_text()
    assert process.returncode == 1, stderr[-3000:]
    [first] = reports(out).values()
    assert first["status"] == "interrupted" and first["finish_reason"] == "shutdown"
    assert first["index_consistent"] is True
    assert stderr.rstrip().splitlines()[-1].startswith("interrupted: ")
    assert open_files(out) == []
    first_records = all_records(out)
    assert first["counts"]["article"] == len(first_records) >= 5

    crawl_setup["site"].behaviours.clear()
    resumed = run_crawl(profile, out)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    second = new_report(out, {first["run_id"]: first})
    assert second["repairs"] == []  # a clean stop leaves nothing to repair
    # the index knew exactly what the interrupted run wrote: only the rest is fetched
    assert second["incremental"]["skipped_known"] == len(first_records)
    assert second["incremental"]["new"] == ARTICLES - len(first_records)
    assert_archive_complete(out, crawl_setup["ids"])


def test_a_second_ctrl_c_forces_the_stop_and_the_next_run_repairs_what_it_left(
    crawl_setup: dict[str, Any],
) -> None:
    out, profile = crawl_setup["out"], crawl_setup["profile"]
    slowed(crawl_setup["site"])
    log = out.parent / "forced.log"
    process = start_crawl(profile, out, log)
    try:
        wait_for(lambda: json_line_count(out) >= 5, process, "5 records")
        process.send_signal(signal.SIGINT)
        time.sleep(0.05)
        process.send_signal(signal.SIGINT)  # "forcing unclean shutdown"
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
    assert process.returncode != 0, log.read_text()[-3000:]

    crawl_setup["site"].behaviours.clear()
    resumed = run_crawl(profile, out)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert_archive_complete(out, crawl_setup["ids"])


# -- disk full ----------------------------------------------------------------------------------


def assert_stopped_cleanly_for_disk_full(
    out: Path, result: subprocess.CompletedProcess[str]
) -> None:
    assert result.returncode == 1, result.stderr[-3000:]
    assert "disk full writing " in result.stderr and "free space and run again" in result.stderr
    [report] = reports(out).values()
    assert report["finish_reason"] == "disk_full" and report["status"] == "failed"
    assert report["stopped_by"].startswith("disk full writing ")
    assert (
        report["counts"].get("article", 0) == len(all_records(out)) < ARTICLES
    )  # whole lines only
    assert open_files(out) == []
    warcs = sorted(warc_dir(out).glob("*.warc.gz"))
    checked = subprocess.run(
        [tool("warcio"), "check", *map(str, warcs)], capture_output=True, text=True, timeout=60
    )
    assert checked.returncode == 0, checked.stdout[-2000:]


@pytest.fixture
def small_tmpfs(tmp_path: Path) -> Iterator[Path]:
    mount_point = tmp_path / "small-disk"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=800k", "tmpfs", str(mount_point)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if mounted.returncode != 0:
        pytest.skip(
            f"cannot mount a small tmpfs here (needs root): {mounted.stderr.strip()}; "
            "test_disk_full_simulated covers the same ground"
        )
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True, timeout=30)


def test_disk_full_on_a_real_small_filesystem_stops_cleanly_and_the_next_run_resumes(
    crawl_setup: dict[str, Any], small_tmpfs: Path
) -> None:
    out, profile = small_tmpfs / "out", crawl_setup["profile"]
    # the whole archive needs ~1.3 MB; 800 KB fill up part way
    first = run_crawl(profile, out, "-s", "ARCHIVE_DISK_RESERVE_BYTES=131072")
    assert_stopped_cleanly_for_disk_full(out, first)
    subprocess.run(["mount", "-o", "remount,size=64m", str(small_tmpfs)], check=True, timeout=30)
    second = run_crawl(profile, out)
    assert second.returncode == 0, second.stderr[-3000:]
    assert_archive_complete(out, crawl_setup["ids"])


def fill(directory: Path, leave: int = 0) -> None:
    """Take all of a filesystem's free space but ``leave`` bytes."""
    free = os.statvfs(directory).f_bavail * os.statvfs(directory).f_frsize
    with (directory / "filler").open("wb") as filler:
        try:
            filler.write(b"\0" * max(0, free - leave))
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def test_a_crawl_onto_a_full_disk_says_so_in_one_line(
    crawl_setup: dict[str, Any], small_tmpfs: Path
) -> None:
    fill(small_tmpfs)
    result = run_crawl(crawl_setup["profile"], small_tmpfs / "out")
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line == (
        f"newsarchive: disk full writing {small_tmpfs}/out/state/{SITE}.lock: stopped; "
        "free space and run again"
    )


@pytest.mark.parametrize("leave", [0, 96 * 1024], ids=["no-room", "some-room"])
def test_a_replay_onto_a_full_disk_stops_in_one_line_and_leaves_whole_lines(
    crawl_setup: dict[str, Any], small_tmpfs: Path, leave: int
) -> None:
    crawled = run_crawl(crawl_setup["profile"], crawl_setup["out"])
    assert crawled.returncode == 0, crawled.stderr[-3000:]
    fill(small_tmpfs, leave)
    out = small_tmpfs / "out"
    result = subprocess.run(
        [*newsarchive_command(), "replay", str(warc_dir(crawl_setup["out"])), "--out", str(out)]
        + ["--site", str(crawl_setup["profile"]), "--workers", "0", "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert "newsarchive: disk full writing " in result.stderr
    assert result.stderr.count("free space and run again") == 1, result.stderr
    for lines in out.glob("json/*/*.jsonl"):  # whole lines only, if any
        for line in lines.read_text(encoding="utf-8").splitlines():
            assert json.loads(line)["id"]


# Runs the command with a disk that fills after BUDGET bytes written into OUT through os.write
# (how the WARC and JSON Lines writers write): the last write is cut short, then ENOSPC.
FULL_DISK = """
import errno, os, sys
out, budget = os.path.realpath(sys.argv[1]) + os.sep, [int(sys.argv[2])]
real_write = os.write
def write(fd, data):
    try:
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        target = ""
    if not target.startswith(out):
        return real_write(fd, data)
    if budget[0] <= 0:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), target)
    done = real_write(fd, memoryview(data)[: budget[0]])
    budget[0] -= done
    return done
os.write = write
from scraper.cli import main
sys.exit(main(sys.argv[3:]))
"""


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd (Linux)")
def test_disk_full_simulated_stops_cleanly_and_the_next_run_resumes(
    crawl_setup: dict[str, Any],
) -> None:
    out, profile = crawl_setup["out"], crawl_setup["profile"]
    first = subprocess.run(
        [sys.executable, "-c", FULL_DISK, str(out), "400000", *crawl_args(profile, out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_stopped_cleanly_for_disk_full(out, first)
    # (on a real full disk SQLite may be the one to fail, inside a spider callback, which Scrapy
    # logs with its traceback; here only the archive's own writers run out of space)
    assert "Traceback" not in first.stderr
    second = run_crawl(profile, out)
    assert second.returncode == 0, second.stderr[-3000:]
    assert_archive_complete(out, crawl_setup["ids"])


# -- unit tests: WARC repair --------------------------------------------------------------------


def exchange(n: int) -> HttpExchange:
    return HttpExchange(
        url=f"http://127.0.0.1/a/{n}",
        method="GET",
        request_headers=[("Host", "127.0.0.1")],
        request_body=b"",
        protocol="HTTP/1.1",
        status=200,
        reason="OK",
        response_headers=[("Content-Type", "text/html")],
        payload=os.urandom(2000),
        ip_address=None,
        date=datetime(2026, 3, 1, tzinfo=timezone.utc),
    )


def killed_writer(directory: Path, exchanges: int) -> tuple[Path, int]:
    """A WARC left ``.open`` by a writer that died after ``exchanges`` exchanges: (path, size)."""
    writer = RotatingWarcWriter(directory, "t")
    for n in range(exchanges):
        writer.write_exchange(exchange(n))
    path = writer.current_path
    assert path is not None and writer._fd is not None
    os.close(writer._fd)  # the process "dies": its lock goes, nothing is renamed
    writer._fd, writer._closed = None, True
    return path, path.stat().st_size


def test_repair_cuts_a_half_written_record_renames_and_indexes(tmp_path: Path) -> None:
    path, size = killed_writer(tmp_path, 3)
    with path.open("ab") as handle:  # half a gzip member, as a kill mid-write leaves it
        handle.write(b"\x1f\x8b\x08\x00" + os.urandom(500))
    [repair] = repair_open_warcs(
        tmp_path, index=lambda final: final.with_name(final.name + ".cdxj").touch()
    )
    final = path.with_name(path.name.removesuffix(".open"))
    assert (repair.action, repair.records, repair.cut_bytes, repair.final) == (
        "repaired",
        7,
        504,
        str(final),
    )
    assert repair.message() == f"repaired {path}: kept 7 records, cut 504 bytes"
    assert not path.exists() and final.stat().st_size == size and repair.indexed
    assert subprocess.run([tool("warcio"), "check", str(final)], timeout=60).returncode == 0


def test_repair_leaves_a_live_writers_file_alone(tmp_path: Path) -> None:
    with RotatingWarcWriter(tmp_path, "t") as writer:
        writer.write_exchange(exchange(1))
        assert repair_open_warcs(tmp_path) == []  # locked: another worker's live file
        assert writer.current_path is not None and writer.current_path.exists()
    assert [p.suffix for p in tmp_path.iterdir()] == [".gz"]


def test_repair_removes_a_file_without_a_complete_record(tmp_path: Path) -> None:
    leftover = tmp_path / "t-20260301000000000000-00001-h-1-abcd.warc.gz.open"
    leftover.write_bytes(b"\x1f\x8b\x08\x00\x00")  # killed while writing the warcinfo record
    [repair] = repair_open_warcs(tmp_path)
    assert repair.action == "removed" and not leftover.exists()


def test_repair_leaves_damage_in_the_middle_for_a_human(tmp_path: Path) -> None:
    path, _ = killed_writer(tmp_path, 3)
    data = bytearray(path.read_bytes())
    second = [r.offset for r in iter_records(path)][2]
    data[second + 20 : second + 40] = b"\x00" * 20  # not what a crash does
    path.write_bytes(bytes(data))
    [repair] = repair_open_warcs(tmp_path)
    assert repair.action == "left" and "damaged before its end" in repair.message()
    assert path.exists()


# -- unit tests: JSON Lines ---------------------------------------------------------------------


def test_jsonl_writer_cuts_a_failed_write_back_to_the_last_whole_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = JsonlWriter(tmp_path / "run.jsonl")
    writer.write({"id": "a", "body": "x" * 1000})
    real_write = os.write

    def disk_fills(fd: int, data: Any) -> int:  # half the line goes out, then no space
        monkeypatch.setattr(
            os, "write", lambda fd, data: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full"))
        )
        return real_write(fd, bytes(data)[: len(data) // 2])

    monkeypatch.setattr(os, "write", disk_fills)
    with pytest.raises(OSError) as raised:
        writer.write({"id": "b", "body": "y" * 1000})
    assert raised.value.errno == errno.ENOSPC
    monkeypatch.setattr(os, "write", real_write)
    writer.write({"id": "c"})
    writer.close()
    assert [
        json.loads(line)["id"] for line in (tmp_path / "run.jsonl").read_text().splitlines()
    ] == ["a", "c"]


def test_repair_jsonl_tail_cuts_a_half_line_but_not_a_live_file(tmp_path: Path) -> None:
    path = tmp_path / "run.jsonl"
    path.write_bytes(b'{"id":"a"}\n{"id":"b","bo')
    live = JsonlWriter(tmp_path / "live.jsonl")
    with (tmp_path / "live.jsonl").open("ab") as handle:
        handle.write(b'{"id":"c"')
    assert repair_jsonl_tail(tmp_path / "live.jsonl") is None  # its writer holds it
    live.close()
    fixed = repair_jsonl_tail(path)
    assert fixed is not None and fixed.cut_bytes == 13 and path.read_bytes() == b'{"id":"a"}\n'
    assert repair_jsonl_tail(path) is None


def test_warc_writer_cuts_a_failed_record_back_and_goes_on_without_a_hole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write
    with RotatingWarcWriter(tmp_path, "t") as writer:
        writer.write_exchange(exchange(1))

        def disk_fills(fd: int, data: Any) -> int:
            monkeypatch.setattr(
                os, "write", lambda fd, data: (_ for _ in ()).throw(OSError(errno.ENOSPC, "full"))
            )
            return real_write(fd, bytes(data)[:700])

        monkeypatch.setattr(os, "write", disk_fills)
        with pytest.raises(OSError):
            writer.write_exchange(exchange(2))
        monkeypatch.setattr(os, "write", real_write)
        writer.write_exchange(exchange(3))
    [final] = tmp_path.glob("*.warc.gz")
    problems: list[Any] = []
    uris = [r.target_uri for r in iter_records(final, problems.append) if r.type == "response"]
    assert problems == [] and uris == ["http://127.0.0.1/a/1", "http://127.0.0.1/a/3"]


# -- unit tests: the index never gets ahead of the records ----------------------------------------


def committed_versions(path: Path) -> int:
    import sqlite3

    with sqlite3.connect(path) as other:  # another process's view: committed data only
        return int(other.execute("SELECT count(*) FROM versions").fetchone()[0])


def test_index_holds_a_version_until_its_record_is_written(tmp_path: Path) -> None:
    path = tmp_path / "index.sqlite"
    index = SqliteIndex(path, batch_seconds=0)
    index.hold_versions_until_written()
    index.record_version("s:1", content_hash="sha1:AAAA")
    index.knows("s:2")  # a due batch: would commit, but s:1's record is not written yet
    assert committed_versions(path) == 0
    index.version_written("s:1", "sha1:AAAA")
    index.knows("s:2")
    assert committed_versions(path) == 1
    index.record_version("s:2", content_hash="sha1:BBBB")
    index.record_check("s:2", etag='"e"')
    index.version_not_written("s:2", "sha1:BBBB")  # e.g. disk full writing its JSON line
    index.flush()
    assert committed_versions(path) == 1
    assert not index.knows("s:2") and index.needs_refetch("s:2")
    info = index.article("s:2")
    assert info is not None and info.etag is None  # no 304 for what was never recorded
    index.record_version("s:3", content_hash="sha1:CCCC")
    index.close()  # never confirmed: taken back at the end
    with SqliteIndex(path) as reopened:
        assert reopened.knows("s:1") and not reopened.knows("s:3")


def test_records_a_lost_index_batch_missed_are_fed_back_once(tmp_path: Path) -> None:
    out = tmp_path / "out"
    records = [
        {
            "id": f"{SITE}:{n}",
            "content_hash": f"sha1:{'A' * 31}{n}",
            "version": 1,
            "title": "t",
            "body": f"text {n}",
            "urls": [f"http://127.0.0.1/Detail/{n}"],
            "fetched_at": None,
            "published": None,
            "warc": None,
        }
        for n in range(3)
    ]
    with JsonlWriter(out / "json" / SITE / f"{SITE}-killed.jsonl") as writer:  # no run report
        for record in records:
            writer.write(record)
    with JsonlWriter(out / "json" / SITE / f"{SITE}-clean.jsonl") as writer:
        writer.write({**records[0], "id": f"{SITE}:clean"})
    (out / "runs").mkdir(parents=True)
    (out / "runs" / f"{SITE}-clean.json").write_text(json.dumps({"index_consistent": True}))
    with SqliteIndex(out / "state" / f"{SITE}.sqlite") as index:
        index.record_version(records[0]["id"], content_hash=records[0]["content_hash"])  # committed
        index.flush()
        [done] = reconcile_index(out, SITE, index)
        assert (done.records, done.fed) == (3, 2)
        assert all(index.knows(r["id"]) for r in records) and not index.knows(f"{SITE}:clean")
        assert index.stats().versions == 3
        assert recover_site(out, SITE, index) == []  # looked at once
