"""``newsarchive state`` and its actions on an index built directly (no crawl: fast)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from archive.index.open import open_index
from scraper.demo.site import write_profile
from tests.conftest import newsarchive_command
from tests.redis_server import redis_url  # noqa: F401 - a fixture

NOW = datetime.now(timezone.utc)


def state(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*newsarchive_command(), "state", *args], capture_output=True, text=True, timeout=60
    )


@pytest.fixture
def archive(tmp_path: Path) -> tuple[Path, Path]:
    profile = write_profile(
        tmp_path / "localnews.toml", ["http://127.0.0.1:1", "http://127.0.0.2:1"]
    )
    out = tmp_path / "out"
    (out / "state").mkdir(parents=True)
    with open_index(out / "state" / "localnews.sqlite") as index:
        for n in (1, 2, 3):
            aid = f"localnews:{n}"
            index.add_sighting(
                aid, f"http://127.0.0.1:1/Detail/2023/02/19/{n}/x", now=NOW - timedelta(days=60)
            )
            index.add_sighting(aid, f"http://127.0.0.2:1/Detail/2023/02/19/{n}/x", now=NOW)
            index.record_version(aid, content_hash=f"xxh3-128:{n:032x}", now=NOW)
    (out / "runs").mkdir()
    (out / "runs" / "localnews-20261127T000000Z-abcdef.json").write_text(
        json.dumps(
            {
                "run_id": "localnews-20261127T000000Z-abcdef",
                "status": "ok",
                "counts": {"article": 3},
                "incremental": {
                    "new": 3,
                    "changed": 0,
                    "unchanged": 0,
                    "skipped_known": 0,
                    "revisits": 0,
                },
            }
        )
    )
    return profile, out


def test_state_shows_what_the_index_knows(archive: tuple[Path, Path]) -> None:
    profile, out = archive
    result = state(str(profile), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "articles 3, versions 3, URLs 6, payloads 0" in result.stdout
    assert "localnews-20261127T000000Z-abcdef ok: 3 records (3 new" in result.stdout
    summary = json.loads(state(str(profile), "--out", str(out), "--json").stdout)
    assert summary["articles"] == 3 and summary["size_bytes"] > 0 and len(summary["last_runs"]) == 1


def test_forget_expire_and_reset(archive: tuple[Path, Path]) -> None:
    profile, out = archive
    forgot = state(str(profile), "forget", "localnews:1", "--out", str(out))
    assert forgot.returncode == 0 and forgot.stdout == "forgot 1 article, 1 version, 2 URLs\n"
    url = state(
        str(profile), "--out", str(out), "forget", "http://127.0.0.2:1/Detail/2023/02/19/2/x"
    )
    assert url.returncode == 0 and "0 versions, 1 URL\n" in url.stdout
    expired = state(str(profile), "--out", str(out), "expire", "--older-than", "30d")
    assert expired.returncode == 0 and expired.stdout == "expired 2 URLs not seen for 30 days\n"
    summary = json.loads(state(str(profile), "--out", str(out), "--json").stdout)
    assert (summary["articles"], summary["versions"], summary["urls"]) == (
        2,
        2,
        1,
    )  # content never expires
    refused = state(str(profile), "--out", str(out), "reset")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    assert json.loads(state(str(profile), "--out", str(out), "--json").stdout)["articles"] == 2
    reset = state(str(profile), "--out", str(out), "reset", "--yes")
    assert reset.returncode == 0
    summary = json.loads(state(str(profile), "--out", str(out), "--json").stdout)
    assert (summary["articles"], summary["versions"], summary["urls"]) == (0, 0, 0)


@pytest.mark.parametrize(
    "args",
    [
        ["forget", "localnews:999"],  # unknown id
        ["expire", "--older-than", "soon"],  # not a duration
        ["expire"],  # --older-than missing
    ],
)
def test_state_errors_are_one_line_and_exit_2(archive: tuple[Path, Path], args: list[str]) -> None:
    profile, out = archive
    result = state(str(profile), "--out", str(out), *args)
    assert result.returncode == 2, result
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_missing_index_or_site_is_a_usage_error(tmp_path: Path) -> None:
    result = state("presstv", "--out", str(tmp_path))
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "no index" in result.stderr
    assert not (tmp_path / "state").exists()  # never creates one
    unknown = state("no-such-site", "--out", str(tmp_path))
    assert unknown.returncode == 2 and unknown.stderr.count("\n") == 1
    export = subprocess.run(
        [
            *newsarchive_command(),
            "export",
            "presstv",
            "--out",
            str(tmp_path),
            "--from-index",
            "--jsonl",
            str(tmp_path / "x.jsonl"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert export.returncode == 2 and "no index" in export.stderr


def test_state_and_export_read_a_shared_crawls_index_on_redis(
    archive: tuple[Path, Path],
    redis_url: str,  # noqa: F811 - the fixture of that name
    tmp_path: Path,
) -> None:
    profile, out = archive
    with open_index(redis_url, site="localnews") as index:
        for n in (1, 2):
            index.add_sighting(
                f"localnews:{n}", f"http://127.0.0.1:1/Detail/2023/02/19/{n}/x", now=NOW
            )
            index.record_version(f"localnews:{n}", content_hash=f"xxh3-128:{n:032x}", now=NOW)
    result = state(str(profile), "--out", str(out), "--redis", redis_url)
    assert result.returncode == 0, result.stderr
    assert f"index {redis_url} (localnews)" in result.stdout
    assert "articles 2, versions 2, URLs 2, payloads 0" in result.stdout  # not the SQLite file's 3
    exported = tmp_path / "articles.jsonl"
    run = subprocess.run(
        [
            *newsarchive_command(),
            "export",
            str(profile),
            "--out",
            str(out),
            "--redis",
            redis_url,
            "--from-index",
            "--jsonl",
            str(exported),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert [json.loads(line)["id"] for line in exported.read_text().splitlines()] == [
        "localnews:1",
        "localnews:2",
    ]
    forgot = state(str(profile), "--out", str(out), "--redis", redis_url, "forget", "localnews:1")
    assert forgot.returncode == 0 and "forgot 1 article, 1 version, 1 URL" in forgot.stdout


def test_state_names_a_redis_server_it_cannot_use(archive: tuple[Path, Path]) -> None:
    profile, out = archive
    result = state(str(profile), "--out", str(out), "--redis", "redis://127.0.0.1:1/0")
    assert result.returncode == 2
    assert result.stderr.startswith(
        "newsarchive: error: --redis redis://127.0.0.1:1/0: cannot use the server"
    )
    assert "Traceback" not in result.stderr


def test_state_finds_a_site_by_name_when_its_index_is_there(archive: tuple[Path, Path]) -> None:
    """``localnews`` is no built-in profile and its file is elsewhere: the index names it."""
    _, out = archive
    result = state("localnews", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "articles 3" in result.stdout


def test_a_profile_files_site_with_a_wrong_out_is_told_like_a_built_in(
    archive: tuple[Path, Path], tmp_path: Path
) -> None:
    """``localnews`` (a profile file's site) with an --out that has no index of it: the
    same line as for a built-in, not "unknown site" (issue 22, item 10)."""
    wrong = tmp_path / "elsewhere"
    result = state("localnews", "--out", str(wrong))
    assert result.returncode == 2
    assert result.stderr == (
        f"newsarchive: error: no index for localnews at {wrong}/state/localnews.sqlite "
        "(wrong SITE or --out?)\n"
    )
    assert not wrong.exists()


def test_forget_of_a_bare_number_suggests_the_article_id(archive: tuple[Path, Path]) -> None:
    _, out = archive
    result = state("localnews", "--out", str(out), "forget", "1002")
    assert result.returncode == 2
    assert result.stderr == (
        "newsarchive: error: 1002: not in the index (an article id is SITE:ID: localnews:1002)\n"
    )


def test_state_during_a_run_says_a_run_is_in_progress(archive: tuple[Path, Path]) -> None:
    """A crawl holds the site lock: its report is not written yet, so "no runs yet" alone
    would say nothing is going on (issue 22, item 10)."""
    profile, out = archive
    for report in (out / "runs").glob("*.json"):
        report.unlink()
    assert "a run is in progress" not in state(str(profile), "--out", str(out)).stdout
    code = (
        "import sys, time; from pathlib import Path; from archive.site_lock import SiteLock; "
        "SiteLock(Path(sys.argv[1])).acquire(job='crawl'); print('locked', flush=True); "
        "time.sleep(120)"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", code, str(out / "state" / "localnews.lock")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        result = state(str(profile), "--out", str(out))
        summary = json.loads(state(str(profile), "--out", str(out), "--json").stdout)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 0, result.stderr
    assert "  no run finished yet\n" in result.stdout
    assert re.search(
        rf"a run is in progress \(pid {holder.pid} since \d\d:\d\d\): listed when it ends",
        result.stdout,
    ), result.stdout
    assert summary["run_in_progress"].startswith(f"pid {holder.pid} ")
    # the killed holder left its details in the file: no run is going on any more
    after = state(str(profile), "--out", str(out))
    assert "in progress" not in after.stdout and "no runs yet" in after.stdout


def test_a_reader_that_goes_away_is_no_error(archive: tuple[Path, Path]) -> None:
    """``newsarchive export SITE --out - | head -1``: the pipe closes, the command ends quietly."""
    profile, out = archive
    with open_index(out / "state" / "localnews.sqlite") as index:  # more than a pipe holds
        for n in range(4, 2000):
            index.add_sighting(
                f"localnews:{n}", f"http://127.0.0.1:1/Detail/2023/02/19/{n}/x", now=NOW
            )
            index.record_version(f"localnews:{n}", content_hash=f"xxh3-128:{n:032x}", now=NOW)
    command = [
        *newsarchive_command(),
        "export",
        str(profile),
        "--out",
        str(out),
        "--from-index",
        "--jsonl",
        "-",
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None and process.stderr is not None
        first = process.stdout.readline()
        process.stdout.close()  # what head does after its line
        errors = process.stderr.read().decode()
        status = process.wait(timeout=60)
    assert json.loads(first)["site"] == "localnews"
    assert "Traceback" not in errors and "BrokenPipe" not in errors, errors
    assert status == 0


def test_version() -> None:
    result = subprocess.run(
        [*newsarchive_command(), "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0 and result.stdout.startswith("newsarchive ")


def test_state_and_export_read_beside_a_crawl_holding_the_write_lock(
    archive: tuple[Path, Path],
) -> None:
    """A crawl keeps a batch open (BEGIN IMMEDIATE, rows not yet committed): readers see the
    last commit, wait for nothing and write nothing (issue 15, item 5)."""
    import sqlite3

    profile, out = archive
    crawl = sqlite3.connect(out / "state" / "localnews.sqlite", isolation_level=None)
    try:
        crawl.execute("BEGIN IMMEDIATE")
        crawl.execute("DELETE FROM versions")  # not committed: no reader may see it
        result = state(str(profile), "--out", str(out))
        assert result.returncode == 0, result.stderr
        assert "articles 3, versions 3" in result.stdout
        exported = subprocess.run(
            [
                *newsarchive_command(),
                "export",
                str(profile),
                "--out",
                str(out),
                "--from-index",
                "--jsonl",
                "-",
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert exported.returncode == 0, exported.stderr
        assert len(exported.stdout.splitlines()) == 3
    finally:
        crawl.execute("ROLLBACK")
        crawl.close()
