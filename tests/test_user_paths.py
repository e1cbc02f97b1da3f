"""Paths a user names are written the way they meant (issue 21, item 10): ``export --jsonl``
and ``--wacz`` write into a device or FIFO in place, through a symbolic link (the link
stays, its target gets the content), replace a regular file atomically, and never create a
missing directory; ``crawl``/``replay``/``demo --out`` make the directory named but not its
parent. Run on a real crawl of the loopback site; ``archive/user_paths.py`` is the module."""

from __future__ import annotations

import json
import os
import stat
import threading
import zipfile
from pathlib import Path
from typing import Any

import pytest

from archive.user_paths import UserPathError, output_directory, output_file, writing
from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, write_profile
from tests.conftest import FAST_CRAWL, run_newsarchive


@pytest.fixture(scope="module")
def crawl(
    local_site: tuple[LocalSite, LoopbackServers], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    _, servers = local_site
    work = tmp_path_factory.mktemp("user-paths")
    profile = write_profile(work / "localnews.toml", servers.origins, with_bad_pages=True)
    out = work / "out"
    result = run_newsarchive(
        "crawl",
        str(profile),
        "--out",
        str(out),
        "--max-articles",
        "4",
        "--assets",
        "none",
        *FAST_CRAWL,
    )
    assert result.returncode in (0, 1), result.stderr[-3000:]
    return {"profile": profile, "out": out}


def export(crawl: dict[str, Any], *options: str) -> Any:
    return run_newsarchive("export", str(crawl["profile"]), "--out", str(crawl["out"]), *options)


def read_fifo(path: Path) -> tuple[threading.Thread, list[bytes]]:
    """A reader of ``path`` in a thread, as another program at the other end of a pipe."""
    got: list[bytes] = []

    def read() -> None:
        with path.open("rb") as stream:
            got.append(stream.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    return reader, got


@pytest.mark.parametrize("option", ["--jsonl", "--wacz"])
def test_a_fifo_is_written_in_place_not_replaced(
    crawl: dict[str, Any], option: str, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    reader, got = read_fifo(fifo)
    result = export(crawl, option, str(fifo))
    reader.join(timeout=60)
    assert result.returncode == 0, result.stderr[-2000:]
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still the pipe, not a file renamed over it
    assert got and got[0]
    if option == "--jsonl":
        assert all(json.loads(line)["id"] for line in got[0].decode().splitlines())
    else:
        assert got[0].startswith(b"PK")  # a zip stream, read by the program at the other end
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]  # no temporary file left


@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
@pytest.mark.parametrize("option", ["--jsonl", "--wacz"])
def test_a_character_device_stays_one(crawl: dict[str, Any], option: str, tmp_path: Path) -> None:
    """A second node of /dev/null (1, 3) in a temporary directory: what ``--jsonl /dev/null``
    did to the real one as root (a regular file renamed over it) shows here, harmlessly."""
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    result = export(crawl, option, str(null))
    assert result.returncode == 0, result.stderr[-2000:]
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]


@pytest.mark.parametrize("option", ["--jsonl", "--wacz"])
def test_a_symbolic_link_is_written_through(
    crawl: dict[str, Any], option: str, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "articles"
    target.write_bytes(b"old")
    link = tmp_path / "link"
    link.symlink_to(target)
    result = export(crawl, option, str(link))
    assert result.returncode == 0, result.stderr[-2000:]
    assert link.is_symlink() and os.readlink(link) == str(target)
    content = target.read_bytes()
    assert content != b"old"
    if option == "--wacz":
        assert zipfile.ZipFile(target).testzip() is None
    assert sorted(p.name for p in elsewhere.iterdir()) == ["articles"]  # no temporary left


def test_a_regular_file_is_replaced_keeping_its_permissions(
    crawl: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "articles.jsonl"
    target.write_text("old\n")
    target.chmod(0o600)
    result = export(crawl, "--jsonl", str(target))
    assert result.returncode == 0, result.stderr[-2000:]
    assert json.loads(target.read_text().splitlines()[0])["id"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


@pytest.mark.parametrize("option", ["--jsonl", "--wacz"])
def test_a_missing_directory_is_refused_not_created(
    crawl: dict[str, Any], option: str, tmp_path: Path
) -> None:
    target = tmp_path / "no" / "such" / "x.out"
    result = export(crawl, option, str(target))
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert f"{option} {target}: directory {target.parent} does not exist" in lines[0]
    assert not (tmp_path / "no").exists()


def test_a_directory_is_refused(crawl: dict[str, Any], tmp_path: Path) -> None:
    result = export(crawl, "--jsonl", str(tmp_path))
    assert result.returncode == 2 and "is a directory" in result.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("command", ["crawl", "replay"])
def test_out_is_made_but_not_its_parent(
    crawl: dict[str, Any], command: str, tmp_path: Path
) -> None:
    out = tmp_path / "typo" / "data"
    source = [str(crawl["profile"])] if command == "crawl" else [str(crawl["out"] / "warc")]
    result = run_newsarchive(command, *source, "--out", str(out))
    assert result.returncode == 2, result.stderr[-2000:]
    assert f"--out {out}: directory {out.parent} does not exist" in result.stderr
    assert not (tmp_path / "typo").exists()


def test_the_module_on_its_own(tmp_path: Path) -> None:
    """The cases the commands rely on, without a command: a dangling link gets its target
    made; a failed write leaves the old file and no temporary."""
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "made")
    with writing(output_file(dangling)) as stream:
        stream.write(b"content")
    assert dangling.is_symlink() and (tmp_path / "made").read_bytes() == b"content"

    kept = tmp_path / "kept"
    kept.write_bytes(b"old")
    with pytest.raises(RuntimeError), writing(output_file(kept)) as stream:
        stream.write(b"half")
        raise RuntimeError("the export failed")
    assert kept.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dangling", "kept", "made"]

    assert output_file(Path("/dev/null")).in_place  # written in place, never renamed over
    with pytest.raises(UserPathError, match="does not exist"):
        output_directory(tmp_path / "a" / "b")
    assert output_directory(tmp_path / "a").is_dir()
