"""Quirks other crawlers write (issue 14), each in a file of its own built here
(``tests/warcs/quirks.py``): warcio reads every one, and so do we, to the same payload bytes,
with a warning that names the quirk instead of a skip.  warcio is the oracle."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from archive.warc_reader import ReadProblem, iter_records
from tests.test_cdxj import run_newsarchive
from tests.warcs.quirks import HOST, PAGE, QUIRKS, URL, write_news_profile, write_quirks


def warcio_payloads(path: Path) -> list[bytes]:
    """What warcio gives as each response's content: de-chunked and decoded as it can."""
    with path.open("rb") as stream:
        return [
            record.content_stream().read()
            for record in ArchiveIterator(stream, arc2warc=True)
            if record.rec_type == "response"
        ]


@pytest.mark.parametrize("name", sorted(QUIRKS))
def test_warcio_and_we_read_the_same_payload_and_we_say_what_was_odd(
    name: str, tmp_path: Path
) -> None:
    path = write_quirks(tmp_path)[name]
    assert warcio_payloads(path) == [PAGE], "the fixture must be one warcio reads"
    problems: list[ReadProblem] = []
    [response] = [r for r in iter_records(path, problems.append) if r.type == "response"]
    assert problems == []
    assert response.target_uri == URL and response.http_status == 200
    assert response.body() == PAGE
    keyword = QUIRKS[name][0]
    assert any(keyword in warning for warning in response.warnings), response.warnings
    assert response.record_id  # ARC records too: a synthetic id from file and offset


def test_arc_records_have_a_stable_id_from_file_and_offset(tmp_path: Path) -> None:
    path = write_quirks(tmp_path)["ip-none.arc.gz"]
    first = [(r.offset, r.record_id) for r in iter_records(path)]
    again = [(r.offset, r.record_id) for r in iter_records(path)]
    assert first == again
    assert len({record_id for _, record_id in first}) == len(first)
    assert all(f"ip-none.arc.gz@{offset}" in record_id for offset, record_id in first)


def test_replay_reads_every_quirk_into_a_record_and_counts_the_warnings(tmp_path: Path) -> None:
    archives = tmp_path / "archives"
    archives.mkdir()
    write_quirks(archives)
    profile = write_news_profile(tmp_path)
    out = tmp_path / "out"
    result = run_newsarchive(
        "replay", str(archives), "--site", str(profile), "--out", str(out), timeout=120
    )
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    assert f"read with warnings: {len(QUIRKS)} article captures" in result.stderr
    [records_file] = (out / "json").glob("*/*.jsonl")
    records = [json.loads(line) for line in records_file.read_text().splitlines()]
    # one article seen in every file: one record, its text the page's
    assert {r["url"] for r in records} == {URL}
    assert "Paragraph 7: the city council approved" in records[0]["body"]
    [report_path] = (out / "runs").glob("*.json")
    report = json.loads(report_path.read_text())
    assert report["counts"]["replay/read_with_warnings"] == len(QUIRKS)
    assert len(report["stats"]["read_warning_examples"]) == len(QUIRKS)


def test_an_arc_capture_becomes_a_record_pointing_at_it(tmp_path: Path) -> None:
    """ARC records have no WARC-Record-ID: replay once ended in a traceback on them."""
    arc = write_quirks(tmp_path)["ip-none.arc.gz"]
    out = tmp_path / "out"
    result = run_newsarchive(
        "replay",
        str(arc),
        "--site",
        str(write_news_profile(tmp_path)),
        "--out",
        str(out),
        timeout=120,
    )
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    [records_file] = (out / "json").glob("*/*.jsonl")
    [record] = [json.loads(line) for line in records_file.read_text().splitlines()]
    offset = record["warc"]["offset"]
    assert record["warc"] == {
        "filename": "ip-none.arc.gz",
        "offset": offset,
        "record_id": f"<urn:x-arc-record:ip-none.arc.gz@{offset}>",
    }


def test_a_replay_no_profile_claims_names_the_hosts_it_saw(tmp_path: Path) -> None:
    archives = tmp_path / "archives"
    archives.mkdir()
    write_quirks(archives)
    out = tmp_path / "out"
    result = run_newsarchive("replay", str(archives), "--out", str(out), timeout=120)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    [alert] = [line for line in result.stderr.splitlines() if line.startswith("ALERT")]
    assert f"no site profile matches the archive's hosts: {HOST} ({len(QUIRKS)})" in alert
    assert "--site" in alert
    assert not list(out.glob("json/*/*.jsonl"))


def test_index_lists_what_the_reader_reads_and_names_the_rest_by_offset(tmp_path: Path) -> None:
    """index, verify and replay share the reader: every quirk file is indexed; a date no
    timestamp can be made of, and a damaged gzip member, are named by offset while the rest
    of their file is indexed."""
    from tests.warcs.quirks import gz, http_head, response

    paths = write_quirks(tmp_path)
    members = [gz(response(http_head(), PAGE, url=f"{URL}-{n}")) for n in range(3)]
    damaged = bytearray(members[1])
    damaged[len(damaged) // 2] ^= 0xFF
    broken = tmp_path / "one-damaged-member.warc.gz"
    broken.write_bytes(members[0] + bytes(damaged) + members[2])

    result = run_newsarchive("index", str(tmp_path), timeout=120)
    assert "Traceback" not in result.stderr
    assert result.returncode == 1
    for name, path in paths.items():
        if name != "bad-warc-date.warc.gz":
            assert f"indexed  {path} (1 entry)" in result.stdout, name
    dated = paths["bad-warc-date.warc.gz"]  # its one record: nothing left to index
    assert (
        f"FAILED   {dated}: no record readable (at offset 0: "
        "WARC-Date '2008-10-294T10:00:00Z' unparsable: not indexed)"
    ) in result.stdout
    assert f"indexed  {broken} (2 entries)" in result.stdout
    assert f"not indexed: offset {len(members[0])}: bad gzip member" in result.stdout
    lines = (broken.parent / (broken.name + ".cdxj")).read_text().splitlines()
    assert [json.loads(line.split(" ", 2)[2])["offset"] for line in lines] == [
        "0",
        str(len(members[0]) + len(members[1])),
    ]


def test_an_arc_file_header_with_a_wrong_length_is_read_as_warcio_reads_it(
    tmp_path: Path,
) -> None:
    from tests.warcs.quirks import arc_file_header_length_wrong

    path = tmp_path / "header-length.arc"
    path.write_bytes(arc_file_header_length_wrong())
    assert warcio_payloads(path) == [PAGE]
    problems: list[ReadProblem] = []
    header, response = iter_records(path, problems.append)
    assert problems == []
    assert header.type == "warcinfo" and "ARC file header's length" in header.warnings[0]
    assert response.body() == PAGE
    result = run_newsarchive("index", str(path), timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"indexed  {path} (1 entry)" in result.stdout
