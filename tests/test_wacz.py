"""``newsarchive export SITE --wacz FILE`` on a real crawl: ``wacz validate`` accepts the package,
the WARCs go in stored and byte-identical, the merged index is sorted, names them as they are in
archive/ and is laid out as pywb and ReplayWeb.page read it (``indexes/index.cdx.gz`` in gzip
members, ``indexes/index.idx`` pointing at them), pages.jsonl has one page per archived article
with its title and text, and pywb 2.10 replays an article and its picture from the package
(``wb-manager add --unpack-wacz``, then ``wayback`` on loopback)."""

from __future__ import annotations

import gzip
import hashlib
import html
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from archive.cdxj import cdxj_path
from archive.wacz import pages_from_records, write_wacz
from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite
from tests.conftest import tool
from tests.interop import Wayback, find_pywb, read_warcs
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
            "indexes/index.cdx.gz",
            "indexes/index.idx",
            "pages/pages.jsonl",
            "datapackage.json",
            "datapackage-digest.json",
        }
        assert set(names) == expected and len(names) == len(expected)
        for warc in crawl["warcs"]:
            info = zf.getinfo(f"archive/{warc.name}")
            assert info.compress_type == zipfile.ZIP_STORED  # seekable inside the zip
            assert zf.read(info) == warc.read_bytes()


def index_lines(package: Path) -> list[str]:
    """The package's CDXJ lines, read as pywb reads indexes/index.cdx.gz: one gzip stream."""
    with zipfile.ZipFile(package) as zf:
        return gzip.decompress(zf.read("indexes/index.cdx.gz")).decode("utf-8").splitlines()


def test_the_index_is_every_warcs_entries_merged_and_sorted(
    crawl: dict[str, Any], exported: dict[str, Any]
) -> None:
    lines = index_lines(exported["path"])
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


def check_zipnum(package: Path) -> tuple[list[str], list[dict[str, Any]]]:
    """indexes/index.idx as ReplayWeb.page reads it: a ``!meta`` line naming index.cdx.gz,
    then per gzip member its first line's key and timestamp, offset, length and sha256; the
    members, inflated one by one, are the whole index. Returns (lines, idx entries)."""
    with zipfile.ZipFile(package) as zf:
        data_info = zf.getinfo("indexes/index.cdx.gz")
        assert data_info.compress_type == zipfile.ZIP_STORED  # read by byte range
        data = zf.read(data_info)
        meta, *idx = zf.read("indexes/index.idx").decode("utf-8").splitlines()
    assert meta.startswith("!meta 0 ")
    assert json.loads(meta.split(" ", 2)[2]) == {
        "format": "cdxj-gzip-1.0",
        "filename": "index.cdx.gz",
    }
    lines: list[str] = []
    entries = []
    end = 0
    for row in idx:
        key, timestamp, where_json = row.split(" ", 2)
        where = json.loads(where_json)
        assert where["offset"] == end  # members back to back, in order
        member = data[where["offset"] : where["offset"] + where["length"]]
        assert where["digest"] == "sha256:" + hashlib.sha256(member).hexdigest()
        block = gzip.decompress(member).decode("utf-8").splitlines()
        assert block and block[0].split(" ", 2)[:2] == [key, timestamp]
        lines += block
        entries.append({"key": key, "timestamp": timestamp, **where})
        end += where["length"]
    assert end == len(data)
    return lines, entries


def test_the_index_idx_points_at_every_gzip_member(exported: dict[str, Any]) -> None:
    lines, entries = check_zipnum(exported["path"])
    assert lines == index_lines(exported["path"])
    assert len(entries) == 1  # a small crawl fits one member of 1024 lines


def test_a_big_index_is_cut_into_members_the_idx_finds(
    crawl: dict[str, Any], exported: dict[str, Any], tmp_path: Path
) -> None:
    target = tmp_path / "blocks.wacz"
    write_wacz(target, crawl["warcs"], [], title="blocks", index_block_lines=7)
    lines, entries = check_zipnum(target)
    assert lines == index_lines(exported["path"])
    assert len(entries) == -(-len(lines) // 7) >= 2
    check = subprocess.run(
        [tool("wacz"), "validate", "-f", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_pages_list_one_page_per_article(crawl: dict[str, Any], exported: dict[str, Any]) -> None:
    with zipfile.ZipFile(exported["path"]) as zf:
        header, *pages = [
            json.loads(line) for line in zf.read("pages/pages.jsonl").decode().splitlines()
        ]
    assert header["format"] == "json-pages-1.0" and header["id"] == "pages" and header["title"]
    assert header["hasText"] is True  # ReplayWeb.page searches the pages' text
    latest = latest_versions(crawl["records"])
    assert len(latest) >= 10
    assert len(pages) == len(latest)
    assert len({p["id"] for p in pages}) == len(pages)
    for page in pages:
        record = latest[page["id"]]
        assert page["url"] == record["url"]
        assert page["ts"] == record["fetched_at"]
        assert page.get("title") == record["title"]
        assert page["text"] == record["body"] and page["text"].strip()
    assert [(p["ts"], p["id"]) for p in pages] == sorted((p["ts"], p["id"]) for p in pages)


def test_pages_are_read_back_from_the_latest_line_of_each_article(tmp_path: Path) -> None:
    """Only where each latest record is stays in memory; its line is read again for the page.
    Of equal versions the later line wins; an article without a capture in the package gets
    no page; a bad line is named by file and line."""
    jsonl = tmp_path / "a.jsonl"

    def record(article: str, version: int, at: str, body: str, warc: str = "w.warc.gz") -> str:
        return json.dumps(
            {
                "id": article,
                "url": f"http://x/{article}",
                "fetched_at": at,
                "version": version,
                "title": f"T {article} {version}",
                "body": body,
                "warc": {"filename": warc, "offset": 0},
            },
            ensure_ascii=False,
        )

    lines = [
        record("a", 1, "2024-01-01T00:00:00Z", "first"),
        record("b", 1, "2024-01-02T00:00:00Z", "élan"),
        "{broken",
        record("a", 2, "2024-01-03T00:00:00Z", "second"),
        record("c", 1, "2024-01-01T00:00:00Z", "elsewhere", warc="other.warc.gz"),
        record("b", 1, "2024-01-02T00:00:00Z", "élan, again"),
    ]
    jsonl.write_text("\n".join(lines) + "\n", encoding="utf-8")
    selection = pages_from_records([jsonl], ["w.warc.gz"])
    assert (selection.records, selection.without_capture) == (5, 1)
    assert selection.bad_lines == [f"{jsonl}:3: not JSON"]
    pages = [page.as_json() for page in selection.pages()]
    assert [(p["id"], p["title"], p["text"]) for p in pages] == [
        ("b", "T b 1", "élan, again"),
        ("a", "T a 2", "second"),
    ]


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


# ------------------------------------------------------------------------------ pywb, as a user


def words(page: bytes) -> str:
    """A page's text as a reader sees it: tags out, entities decoded, spaces collapsed."""
    text = re.sub(r"<[^>]*>", " ", page.decode("utf-8", "replace"))
    return " ".join(html.unescape(text).split())


def test_pywb_replays_an_article_and_its_picture_from_the_wacz(
    crawl: dict[str, Any], exported: dict[str, Any], tmp_path: Path
) -> None:
    """``wb-manager init`` + ``wb-manager add --unpack-wacz`` + ``wayback`` on 127.0.0.1, as
    pywb's documentation has a user do: the article opens at its replay URL with its title
    and text, and its picture comes back byte for byte."""
    bin_dir = find_pywb()
    assert exported["result"].returncode == 0, exported["result"].stderr
    latest = latest_versions(crawl["records"])
    article = next(r for r in latest.values() if r["images"] and r["body"].strip())
    warc_records = read_warcs(crawl["warcs"])
    response = next(w for w in warc_records if w.record_id == article["warc"]["record_id"])
    picture_url = article["images"][0]["url"]
    picture = next(w for w in warc_records if w.url == picture_url and w.type == "response")
    with Wayback(
        bin_dir, tmp_path / "pywb", [exported["path"]], add_options=("--unpack-wacz",)
    ) as wayback:
        assert wayback.added is not None
        said = wayback.added.stdout + wayback.added.stderr
        assert "does not contain any" not in said, said  # "... indices" / "... warc files"
        rows = wayback.index_rows()
        assert len(rows) == len(index_lines(exported["path"]))
        # The replay URL answers pywb's frame (banner, calendar); the frame loads the page
        # itself, rewritten, from the ``mp_`` URL: both as a browser asks for them.
        replay = f"/{wayback.collection}/{response.timestamp}"
        frame = wayback.get(f"{replay}/{article['url']}")
        assert frame.status == 200, f"{article['url']}: {frame.status} {frame.body[:300]!r}"
        assert b"replay_iframe" in frame.body
        page = wayback.get(f"{replay}mp_/{article['url']}")
        assert page.status == 200, f"{article['url']}: {page.status} {page.body[:300]!r}"
        seen = words(page.body)
        assert " ".join(article["title"].split()) in seen, seen[:500]
        for paragraph in article["body"].split("\n\n")[:3]:
            assert " ".join(paragraph.split()) in seen, (paragraph, seen[:2000])
        image = wayback.replay(picture_url, picture.timestamp)
        assert image.status == 200, f"{picture_url}: {image.status} {image.body[:300]!r}"
        assert image.body == picture.payload
        assert image.headers["Content-Type"] == picture.http.get_header("Content-Type")
