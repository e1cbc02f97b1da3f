"""``newsarchive verify`` on a real crawl and on damaged copies of it: clean is exit 0; a changed
payload byte, a JSON pointer to the wrong offset or record, and a leftover ``.open`` are each
exit 1 naming the file and where; foreign and broken files are reported, never a crash."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import zlib
from pathlib import Path
from typing import Any

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.cdxj import cdxj_path
from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite
from tests.conftest import run_newsarchive
from tests.test_cdxj import FIXTURES, crawl_local_site


@pytest.fixture(scope="module")
def crawl(
    local_site: tuple[LocalSite, LoopbackServers], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    return crawl_local_site(local_site, tmp_path_factory.mktemp("verify"))


@pytest.fixture
def copy(crawl: dict[str, Any], tmp_path: Path) -> Path:
    """A copy of the crawl directory to damage (mtimes kept, so its indexes stay current)."""
    target = tmp_path / "out"
    shutil.copytree(crawl["out"], target)
    return target


def verify(*paths: Path) -> Any:
    result = run_newsarchive("verify", *map(str, paths), timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def response_payload_start(data: bytes, offset: int) -> int:
    """Where the HTTP payload of the (uncompressed) record at ``offset`` begins."""
    warc_head_end = data.index(b"\r\n\r\n", offset) + 4
    return data.index(b"\r\n\r\n", warc_head_end) + 4


def html_responses(path: Path) -> list[tuple[int, str]]:
    """(offset, record id) of the 200 text/html responses in a WARC."""
    found = []
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if (
                record.rec_type == "response"
                and record.http_headers.get_statuscode() == "200"
                and "html" in (record.http_headers.get_header("Content-Type") or "")
            ):
                found.append(
                    (records.get_record_offset(), record.rec_headers.get_header("WARC-Record-ID"))
                )
    return found


def jsonl_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8"
    )


def test_a_clean_crawl_verifies_clean(crawl: dict[str, Any]) -> None:
    result = verify(crawl["out"])
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for warc in crawl["warcs"]:
        assert any(line.startswith(f"ok    {warc}: ") for line in lines), warc
    jsonl = sorted((crawl["out"] / "json" / "localnews").glob("*.jsonl"))
    pointers = sum(1 for r in crawl["records"] if r.get("warc"))
    assert pointers >= 10
    for path in jsonl:
        assert any(line.startswith(f"ok    {path}: ") for line in lines), path
    assert "revisit" in result.stdout  # the second run's revisits were read and resolved
    assert "warning" not in result.stdout
    assert f"{pointers} WARC pointers resolved: clean" in result.stderr


def test_a_flipped_payload_byte_in_an_uncompressed_copy_is_found(
    crawl: dict[str, Any], tmp_path: Path
) -> None:
    source = next(w for w in crawl["warcs"] if html_responses(w))
    plain = tmp_path / source.name.removesuffix(".gz")
    data = bytearray(gzip.decompress(source.read_bytes()))  # every member, one after another
    plain.write_bytes(data)
    offset, _ = html_responses(plain)[0]
    assert verify(plain).returncode == 0  # the uncompressed copy itself is fine

    data[response_payload_start(data, offset) + 20] ^= 0x01
    plain.write_bytes(data)
    result = verify(plain)
    assert result.returncode == 1
    assert f"FAIL  {plain}: " in result.stdout
    assert f"offset {offset}: WARC-Payload-Digest sha1:" in result.stdout
    assert "does not match the payload" in result.stdout
    assert f"offset {offset}: WARC-Block-Digest sha1:" in result.stdout
    assert "1 WARC file, " in result.stderr and re.search(
        r"\d+ problems? in 1 file\b", result.stderr
    )


def test_a_rewritten_gzip_member_is_found_in_a_crawl_directory(
    crawl: dict[str, Any], copy: Path
) -> None:
    source = next(w for w in crawl["warcs"] if html_responses(w))
    warc = copy / "warc" / "localnews" / source.name
    offset, _ = html_responses(warc)[0]
    data = warc.read_bytes()
    member = zlib.decompressobj(wbits=31)
    record = bytearray(member.decompress(data[offset:]))
    end = len(data) - len(member.unused_data)
    record[response_payload_start(record, 0) + 20] ^= 0x01
    warc.write_bytes(data[:offset] + gzip.compress(bytes(record)) + data[end:])

    result = verify(copy)
    assert result.returncode == 1
    assert f"FAIL  {warc}: " in result.stdout
    assert f"offset {offset}: WARC-Payload-Digest sha1:" in result.stdout


def test_a_json_pointer_to_the_wrong_offset_or_record_is_found(copy: Path) -> None:
    jsonl = min((copy / "json" / "localnews").glob("*.jsonl"))
    records = jsonl_lines(jsonl)
    first, second = [i for i, r in enumerate(records) if r.get("warc")][:2]
    records[first]["warc"]["offset"] += 1
    records[second]["warc"]["record_id"] = "<urn:uuid:00000000-0000-0000-0000-000000000000>"
    write_jsonl(jsonl, records)

    result = verify(copy)
    assert result.returncode == 1
    assert f"FAIL  {jsonl}: " in result.stdout
    pointer = records[first]["warc"]
    assert (
        f"line {first + 1}: {records[first]['id']}: warc pointer {pointer['filename']} offset "
        f"{pointer['offset']}: no WARC record starts there"
    ) in result.stdout
    assert f"line {second + 1}: {records[second]['id']}: warc pointer " in result.stdout
    assert "not <urn:uuid:00000000-0000-0000-0000-000000000000>" in result.stdout
    assert "2 problems in 1 file" in result.stderr


def test_a_pointer_to_a_request_record_is_not_a_response(copy: Path) -> None:
    jsonl = min((copy / "json" / "localnews").glob("*.jsonl"))
    records = jsonl_lines(jsonl)
    index = next(i for i, r in enumerate(records) if r.get("warc"))
    pointer = records[index]["warc"]
    warc = copy / "warc" / "localnews" / pointer["filename"]
    with warc.open("rb") as stream:
        for record in (iterator := ArchiveIterator(stream)):
            if record.rec_type == "request":
                pointer["offset"] = iterator.get_record_offset()
                pointer["record_id"] = record.rec_headers.get_header("WARC-Record-ID")
                break
    write_jsonl(jsonl, records)
    result = verify(copy)
    assert result.returncode == 1
    assert "the record there is a request, not a response" in result.stdout


def test_a_leftover_open_file_is_a_problem(crawl: dict[str, Any], copy: Path) -> None:
    leftover = copy / "warc" / "localnews" / "localnews-killed.warc.gz.open"
    leftover.write_bytes(crawl["warcs"][0].read_bytes()[:1000])  # killed mid-write
    result = verify(copy)
    assert result.returncode == 1
    assert f"FAIL  {leftover}: unfinished" in result.stdout
    assert "unfinished WARC (crawl killed?)" in result.stdout
    assert "1 problem in 1 file" in result.stderr


def test_a_missing_index_is_a_warning_not_a_failure(crawl: dict[str, Any], copy: Path) -> None:
    warc = copy / "warc" / "localnews" / crawl["warcs"][0].name
    cdxj_path(warc).unlink()
    result = verify(copy)
    assert result.returncode == 0, result.stdout
    assert f"ok    {warc}: " in result.stdout
    assert "warning: no CDXJ index beside it" in result.stdout
    assert "clean, 1 warning\n" in result.stderr


def test_a_revisit_whose_original_is_elsewhere_is_a_warning(crawl: dict[str, Any]) -> None:
    for warc in crawl["warcs"]:
        ids, refers = set(), []
        with warc.open("rb") as stream:
            for record in ArchiveIterator(stream):
                ids.add(record.rec_headers.get_header("WARC-Record-ID"))
                if record.rec_type == "revisit":
                    refers.append(record.rec_headers.get_header("WARC-Refers-To"))
        outside = [r for r in refers if r not in ids]
        if outside:
            break
    else:
        pytest.fail("no revisit refers to another file")
    result = verify(warc)
    assert result.returncode == 0
    assert f"revisit refers to {outside[0]}, not in the files checked" in result.stdout


def test_foreign_and_broken_files_are_reported_not_crashed_on(tmp_path: Path) -> None:
    good = tmp_path / "example.warc.gz"
    shutil.copy(FIXTURES / "example.warc.gz", good)
    whole_gzip = tmp_path / "example-bad.warc.gz.bad"
    shutil.copy(FIXTURES / "example-bad.warc.gz.bad", whole_gzip)
    truncated = tmp_path / "example-trunc.warc"
    shutil.copy(FIXTURES / "example-trunc.warc", truncated)
    html = tmp_path / "page.html"
    html.write_text("<html><body>not a WARC</body></html>\n")
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    # five words on the first line: warcio takes that for an old ARC header
    text = tmp_path / "notes.warc"
    text.write_text("these are my crawl notes\nnothing else\n")

    result = verify(good, whole_gzip, truncated, html, empty, text)
    assert result.returncode == 1
    out = result.stdout
    assert f"ok    {good}: 6 records" in out
    # the reader replay and index use reads every record of a whole-file gzip; no offset
    # leads to them, which is the problem
    assert f"FAIL  {whole_gzip}: 6 records" in out
    assert "non-chunked gzip: its records share one gzip member" in out
    assert f"FAIL  {truncated}: " in out
    assert "offset 1197: Content-Length does not match" in out
    assert f"FAIL  {html}: no records read" in out and "looks like HTML" in out
    assert f"FAIL  {empty}: no records read" in out and "the file is empty" in out
    assert f"FAIL  {text}: no records read" in out
    assert "looks like text ('these are my crawl notes')" in out
    assert "6 WARC files, " in result.stderr
    assert "Remainder" not in result.stderr  # nothing loose on stderr


def test_verify_usage_errors_exit_2(tmp_path: Path) -> None:
    missing = verify(tmp_path / "nowhere")
    assert missing.returncode == 2
    assert (
        missing.stderr.strip()
        == f"newsarchive: error: {tmp_path / 'nowhere'}: no such file or directory"
    )
    empty = verify(tmp_path)
    assert empty.returncode == 2 and "no WARC files" in empty.stderr
