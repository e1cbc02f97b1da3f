"""Only regular files are read: a FIFO, a device or a symlink loop named like a WARC is
skipped with its reason by every command that reads archives (issue 14, item 3)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from archive.archive_paths import find_archives
from tests.conftest import run_newsarchive

FIXTURE = Path(__file__).parent / "fixtures" / "warc" / "warcio" / "example-resource.warc.gz"


@pytest.fixture
def hostile_dir(tmp_path: Path) -> Path:
    """A good WARC beside a FIFO, a device, a symlink loop, a link to nothing and a
    symlinked directory pointing back up, all named like WARCs."""
    shutil.copy(FIXTURE, tmp_path / "good.warc.gz")
    os.mkfifo(tmp_path / "fifo.warc.gz")
    os.symlink("/dev/zero", tmp_path / "device.warc")
    os.symlink(tmp_path / "loop-b.warc", tmp_path / "loop-a.warc")
    os.symlink(tmp_path / "loop-a.warc", tmp_path / "loop-b.warc")
    os.symlink(tmp_path / "nothing", tmp_path / "dangling.arc")
    os.symlink(tmp_path, tmp_path / "again")
    return tmp_path


def test_only_regular_files_are_found_each_other_named_with_its_reason(
    hostile_dir: Path,
) -> None:
    found = find_archives([hostile_dir])
    assert found.closed == [hostile_dir / "good.warc.gz"]  # once, though reached twice
    reasons = {s.path.name: s.reason for s in found.skipped}
    assert reasons == {
        "fifo.warc.gz": "not a regular file (a FIFO): not read",
        "device.warc": "not a regular file (a character device): not read",
        "loop-a.warc": "symlink loop",
        "loop-b.warc": "symlink loop",
        "dangling.arc": "symlink to nothing",
    }


def test_a_fifo_named_explicitly_is_skipped_not_waited_on(hostile_dir: Path) -> None:
    found = find_archives([hostile_dir / "fifo.warc.gz", hostile_dir / "loop-a.warc"])
    assert not found.closed
    assert [s.path.name for s in found.skipped] == ["fifo.warc.gz", "loop-a.warc"]


def test_verify_and_index_report_what_they_skipped_and_read_the_rest(hostile_dir: Path) -> None:
    verified = run_newsarchive("verify", str(hostile_dir), timeout=60)
    assert "Traceback" not in verified.stderr
    assert verified.returncode == 1
    assert "not a regular file (a FIFO)" in verified.stdout + verified.stderr
    assert "symlink loop" in verified.stdout + verified.stderr

    indexed = run_newsarchive("index", str(hostile_dir), timeout=60)
    assert "Traceback" not in indexed.stderr
    assert indexed.returncode == 1
    assert f"FAILED   {hostile_dir / 'fifo.warc.gz'}: not a regular file (a FIFO)" in indexed.stdout
    assert f"indexed  {hostile_dir / 'good.warc.gz'} (" in indexed.stdout


def test_replay_skips_them_reports_them_and_finishes(hostile_dir: Path, tmp_path: Path) -> None:
    out = tmp_path.parent / (tmp_path.name + "-out")
    replayed = run_newsarchive(
        "replay", str(hostile_dir), "--site", "presstv", "--out", str(out), timeout=120
    )
    assert "Traceback" not in replayed.stderr
    assert replayed.returncode == 1
    assert "fifo.warc.gz: not a regular file (a FIFO): not read" in replayed.stderr
    assert "loop-a.warc: symlink loop" in replayed.stderr


def test_index_on_an_empty_or_foreign_file_fails_and_writes_no_index(tmp_path: Path) -> None:
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    foreign = tmp_path / "notes.warc"
    foreign.write_text("hello world\n" * 10)
    result = run_newsarchive("index", str(tmp_path), timeout=60)
    assert result.returncode == 1
    assert f"FAILED   {empty}: empty file, not a WARC" in result.stdout
    assert f"FAILED   {foreign}: " in result.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.warc.gz", "notes.warc"]
