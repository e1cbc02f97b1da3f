"""``newsarchive export SITE --wacz FILE`` on a real crawl: ``wacz validate`` accepts the package,
the WARCs go in stored and byte-identical, the merged index is sorted and names them as they
are in archive/, and pages.jsonl has one page per archived article."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from archive.cdxj import cdxj_path
from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite
from tests.conftest import tool
from tests.test_cdxj import FIXTURES, crawl_local_site, run_newsarchive


@pytest.fixture(scope="module")
def crawl(
    local_site: tuple[LocalSite, LoopbackServers], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    return crawl_local_site(local_site, tmp_path_factory.mktemp("wacz"))


@pytest.fixture(scope="module")
def exported(crawl: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    target = tmp_path_factory.mktemp("export") / "localnews.wacz"
    result = run_newsarchive(
        "export", str(crawl["profile"]), "--dir", str(crawl["out"]), "--wacz", str(target)
    )
    return {"path": target, "result": result}


def latest_versions(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for record in records:
        known = latest.get(record["id"])
        if known is None or (record["version"], record["fetched_at"]) >= (
            known["version"],
            known["fetched_at"],
        ):
            latest[record["id"]] = record
    return latest


def test_wacz_validate_accepts_the_export(exported: dict[str, Any]) -> None:
    result = exported["result"]
    assert result.returncode == 0, result.stderr
    assert f"to {exported['path']} (" in result.stderr
    # counts agree with their nouns, the size in units (issue 22, item 11)
    assert re.search(
        rf"to {re.escape(str(exported['path']))} \(\d+(\.\d)? (kB|MB)\)", result.stderr
    )
    assert "(s)" not in result.stderr, result.stderr
    check = subprocess.run(
        [tool("wacz"), "validate", "-f", str(exported["path"])],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Validation succeeded" in check.stdout


def test_the_package_holds_every_closed_warc_stored_and_unchanged(
    crawl: dict[str, Any], exported: dict[str, Any]
) -> None:
    with zipfile.ZipFile(exported["path"]) as zf:
        names = zf.namelist()
        expected = {f"archive/{w.name}" for w in crawl["warcs"]} | {
            "indexes/index.cdxj",
            "pages/pages.jsonl",
            "datapackage.json",
            "datapackage-digest.json",
        }
        assert set(names) == expected and len(names) == len(expected)
        for warc in crawl["warcs"]:
            info = zf.getinfo(f"archive/{warc.name}")
            assert info.compress_type == zipfile.ZIP_STORED  # seekable inside the zip
            assert zf.read(info) == warc.read_bytes()


def test_the_index_is_every_warcs_entries_merged_and_sorted(
    crawl: dict[str, Any], exported: dict[str, Any]
) -> None:
    with zipfile.ZipFile(exported["path"]) as zf:
        lines = zf.read("indexes/index.cdxj").decode("utf-8").splitlines()
    assert lines == sorted(lines)
    per_file = [
        line
        for w in crawl["warcs"]
        for line in cdxj_path(w).read_text(encoding="utf-8").splitlines()
    ]
    assert sorted(per_file) == lines
    # A file rotated in just before the crawl ended may hold only metadata records (the last
    # articles' capture contexts), which no index lists: every other file is named.
    indexed = {w.name for w in crawl["warcs"] if cdxj_path(w).read_text(encoding="utf-8").strip()}
    assert len(indexed) >= len(crawl["warcs"]) - 2  # at most one such file per crawl run
    assert {json.loads(line.split(" ", 2)[2])["filename"] for line in lines} == indexed


def test_pages_list_one_page_per_article(crawl: dict[str, Any], exported: dict[str, Any]) -> None:
    with zipfile.ZipFile(exported["path"]) as zf:
        header, *pages = [
            json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()
        ]
    assert header["format"] == "json-pages-1.0" and header["id"] == "pages" and header["title"]
    latest = latest_versions(crawl["records"])
    assert len(latest) >= 10
    assert len(pages) == len(latest)
    assert len({p["id"] for p in pages}) == len(pages)
    for page in pages:
        record = latest[page["id"]]
        assert page["url"] == record["url"]
        assert page["ts"] == record["fetched_at"]
        assert page.get("title") == record["title"]


def test_datapackage_lists_every_file_with_its_hash(exported: dict[str, Any]) -> None:
    with zipfile.ZipFile(exported["path"]) as zf:
        package_bytes = zf.read("datapackage.json")
        package = json.loads(package_bytes)
        digest = json.loads(zf.read("datapackage-digest.json"))
        assert package["profile"] == "data-package" and package["wacz_version"] == "1.1.1"
        assert package["created"].endswith("Z") and package["software"].startswith("newsarchive/")
        listed = {r["path"]: r for r in package["resources"]}
        assert set(listed) == set(zf.namelist()) - {"datapackage.json", "datapackage-digest.json"}
        for path, resource in listed.items():
            data = zf.read(path)
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
            assert resource["bytes"] == len(data)
    assert digest == {
        "path": "datapackage.json",
        "hash": "sha256:" + hashlib.sha256(package_bytes).hexdigest(),
    }


def test_open_files_are_left_out_and_bad_lines_skipped_and_named(
    crawl: dict[str, Any], tmp_path: Path
) -> None:
    copy = tmp_path / "out"
    shutil.copytree(crawl["out"], copy)
    unfinished = (
        copy / "warc" / "localnews" / "localnews-20990101000000000000-00001-x-1-abcd.warc.gz.open"
    )
    shutil.copy(crawl["warcs"][0], unfinished)
    jsonl = min((copy / "json" / "localnews").glob("*.jsonl"))
    with jsonl.open("a", encoding="utf-8") as f:
        f.write('{"id": "localnews:1", "url": "http://x/"')  # cut short, as by a crash
    target = tmp_path / "localnews.wacz"
    result = run_newsarchive("export", "localnews", "--dir", str(copy), "--wacz", str(target))
    assert result.returncode == 1, result.stderr  # written, but something was skipped
    assert f"left out unfinished WARC {unfinished}" in result.stderr
    assert f"skipped bad JSON line {jsonl}:" in result.stderr
    assert "; 1 bad JSON line skipped" in result.stderr
    with zipfile.ZipFile(target) as zf:
        assert not any(name.endswith(".open") for name in zf.namelist())
        pages = zf.read("pages/pages.jsonl").decode().splitlines()
    assert len(pages) - 1 == len(latest_versions(crawl["records"]))


def test_a_failed_export_leaves_the_old_package_untouched(
    crawl: dict[str, Any], tmp_path: Path
) -> None:
    copy = tmp_path / "out"
    shutil.copytree(crawl["out"], copy)
    shutil.copy(
        FIXTURES / "example-bad.warc.gz.bad",
        copy / "warc" / "localnews" / "localnews-corrupt.warc.gz",
    )
    target = tmp_path / "localnews.wacz"
    target.write_bytes(b"the previous export")
    result = run_newsarchive("export", "localnews", "--dir", str(copy), "--wacz", str(target))
    assert result.returncode == 1
    assert "localnews-corrupt.warc.gz" in result.stderr and "not written" in result.stderr
    assert "Traceback" not in result.stderr
    assert target.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "localnews.wacz",
        "out",
    ]  # no temp file left


def test_export_usage_errors(crawl: dict[str, Any], tmp_path: Path) -> None:
    neither = run_newsarchive("export", "localnews", "--dir", str(crawl["out"]))
    assert (
        neither.returncode == 2
        and "--jsonl FILE" in neither.stderr
        and "--wacz FILE" in neither.stderr
    )
    nothing = run_newsarchive(
        "export", str(crawl["profile"]), "--dir", str(tmp_path), "--wacz", str(tmp_path / "x.wacz")
    )
    assert nothing.returncode == 2, nothing.stderr
    assert "no closed WARC files" in nothing.stderr
    assert "Traceback" not in neither.stderr + nothing.stderr
    assert not (tmp_path / "x.wacz").exists()
