"""CDXJ indexes beside closed WARCs: written by a real crawl as each file closes, exactly what
``cdxj-indexer`` prints, every response/revisit at its true offset and length, and rebuilt by
``newsarchive index`` (identically, or not at all when current; a corrupt file is named and
the rest still indexed)."""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import surt
from warcio.archiveiterator import ArchiveIterator
from warcio.timeutils import iso_date_to_timestamp

from archive.cdxj import cdxj_path, index_warc
from archive.warc_records import HttpExchange
from archive.warc_writer import RotatingWarcWriter
from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, write_profile
from tests.conftest import FAST_CRAWL, run_newsarchive, tool

FIXTURES = Path(__file__).parent / "fixtures" / "warc" / "warcio"
FAST = [
    *FAST_CRAWL,
    "-s",
    "ARCHIVE_WARC_MAX_BYTES=150000",
]
# cdxj_indexer's (and pywb's) defaults: these record types, except application/warc-fields ones;
# and ours: only records with a WARC-Target-URI (our metadata records have none)
INDEXED_TYPES = {"response", "revisit", "resource", "metadata"}


def crawl_local_site(
    local_site: tuple[LocalSite, LoopbackServers], work: Path, *extra: str
) -> dict[str, Any]:
    """Two ``newsarchive crawl`` runs into one directory: the second (``--refetch``) gets the
    same bytes again, so its WARCs hold revisits of the first run's responses."""
    _, servers = local_site
    profile = write_profile(work / "localnews.toml", servers.origins, with_bad_pages=True)
    out = work / "out"
    for again in ([], ["--refetch"]):
        result = run_newsarchive(
            "crawl", str(profile), "--out", str(out), "--max-articles", "15", *FAST, *extra, *again
        )
        # 1 is "finished with failures": the site's bad pages are reported, not fatal
        assert result.returncode in (0, 1), result.stderr[-3000:]
    warc_dir = out / "warc" / "localnews"
    records = [
        json.loads(line)
        for path in sorted((out / "json" / "localnews").glob("*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    return {
        "out": out,
        "profile": profile,
        "warc_dir": warc_dir,
        "warcs": sorted(warc_dir.glob("*.warc.gz")),
        "records": records,
    }


@pytest.fixture(scope="module")
def crawl(
    local_site: tuple[LocalSite, LoopbackServers], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Any]:
    return crawl_local_site(local_site, tmp_path_factory.mktemp("cdxj"))


def warc_entries(path: Path) -> list[dict[str, Any]]:
    """What an index must say about each response/revisit, read independently with warcio."""
    found = []
    with path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            url = record.rec_headers.get_header("WARC-Target-URI")
            if (
                record.rec_type not in INDEXED_TYPES
                or not url
                or record.rec_headers.get_header("Content-Type") == "application/warc-fields"
            ):
                continue
            http = record.http_headers
            found.append(
                {
                    "urlkey": surt.surt(url),
                    "timestamp": iso_date_to_timestamp(record.rec_headers.get_header("WARC-Date")),
                    "url": url,
                    "type": record.rec_type,
                    "status": http.get_statuscode()
                    if http and record.rec_type in ("response", "revisit")
                    else None,
                    "offset": records.get_record_offset(),
                    "length": records.get_record_length(),
                }
            )
    return found


def cdxj_lines(path: Path) -> list[str]:
    return cdxj_path(path).read_text(encoding="utf-8").splitlines()


def parse(line: str) -> tuple[str, str, dict[str, Any]]:
    urlkey, timestamp, fields = line.split(" ", 2)
    return urlkey, timestamp, json.loads(fields)


def test_the_crawl_leaves_a_sorted_index_beside_every_closed_warc(crawl: dict[str, Any]) -> None:
    assert len(crawl["warcs"]) > 2  # rotation: several files were closed during the crawl
    names = sorted(p.name for p in crawl["warc_dir"].iterdir())
    assert names == sorted(
        [w.name for w in crawl["warcs"]] + [w.name + ".cdxj" for w in crawl["warcs"]]
    )
    for warc in crawl["warcs"]:
        lines = cdxj_lines(warc)
        # a rotated file may hold only metadata records (no URL: not indexed); any with a
        # response or revisit has lines, checked one by one in the next test
        assert bool(lines) == bool(warc_entries(warc)), warc
        assert lines == sorted(lines)
        assert cdxj_path(warc).stat().st_mtime_ns >= warc.stat().st_mtime_ns


def test_every_response_and_revisit_is_listed_at_its_offset(crawl: dict[str, Any]) -> None:
    kinds = set()
    for warc in crawl["warcs"]:
        expected = warc_entries(warc)
        entries = [parse(line) for line in cdxj_lines(warc)]
        assert len(entries) == len(expected)
        by_offset = {int(fields["offset"]): (urlkey, ts, fields) for urlkey, ts, fields in entries}
        for record in expected:
            urlkey, ts, fields = by_offset[record["offset"]]
            assert int(fields["length"]) == record["length"]
            assert fields["filename"] == warc.name
            assert (urlkey, ts, fields["url"]) == (
                record["urlkey"],
                record["timestamp"],
                record["url"],
            )
            assert fields.get("status") == record["status"]
            assert (fields["mime"] == "warc/revisit") == (record["type"] == "revisit")
            kinds.add(record["type"])
            # the offset is a random-access point: the record is there on its own
            with warc.open("rb") as stream:
                stream.seek(record["offset"])
                found = next(iter(ArchiveIterator(stream)))
                assert found.rec_headers.get_header("WARC-Target-URI") == record["url"]
    assert {"response", "revisit"} <= kinds  # the second run's revisits are indexed too


def test_entries_are_what_the_cdxj_indexer_command_prints(crawl: dict[str, Any]) -> None:
    left_out = 0
    for warc in crawl["warcs"]:
        printed = subprocess.run(
            [tool("cdxj-indexer"), "--sort", str(warc)],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        # the command also lists records without a URL, keyed "-": those are left out
        with_url = [line for line in printed.stdout.splitlines() if "url" in parse(line)[2]]
        left_out += len(printed.stdout.splitlines()) - len(with_url)
        assert with_url == cdxj_lines(warc)
        assert all(not line.startswith("- ") for line in cdxj_lines(warc))
    assert left_out == sum(1 for w in crawl["warcs"] for _ in urlless_records(w))


def urlless_records(path: Path) -> list[str]:
    with path.open("rb") as stream:
        return [
            r.rec_type
            for r in ArchiveIterator(stream)
            if r.rec_type in INDEXED_TYPES and not r.rec_headers.get_header("WARC-Target-URI")
        ]


def test_index_rebuilds_a_deleted_index_identically(crawl: dict[str, Any], tmp_path: Path) -> None:
    copy = tmp_path / "out"
    shutil.copytree(crawl["out"], copy)  # copy2 keeps mtimes: the copied indexes stay current
    warcs = sorted((copy / "warc" / "localnews").glob("*.warc.gz"))
    victim = warcs[1]
    original = cdxj_path(victim).read_bytes()
    cdxj_path(victim).unlink()

    result = run_newsarchive("index", str(copy))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == len(warcs)
    assert f"indexed  {victim} (" in result.stdout
    assert sum(line.startswith("current  ") for line in lines) == len(warcs) - 1
    assert cdxj_path(victim).read_bytes() == original
    assert f"index: 1 indexed, {len(warcs) - 1} current, 0 failed" in result.stderr

    forced = run_newsarchive("index", str(copy / "warc"), "--force")
    assert forced.returncode == 0, forced.stderr
    assert sum(line.startswith("indexed  ") for line in forced.stdout.splitlines()) == len(warcs)
    for warc, source in zip(warcs, crawl["warcs"]):
        assert cdxj_path(warc).read_bytes() == cdxj_path(source).read_bytes()


def test_index_names_a_corrupt_warc_and_indexes_the_rest(
    crawl: dict[str, Any], tmp_path: Path
) -> None:
    good = tmp_path / crawl["warcs"][0].name
    shutil.copy(crawl["warcs"][0], good)
    bad = tmp_path / "localnews-corrupt.warc.gz"
    shutil.copy(FIXTURES / "example-bad.warc.gz.bad", bad)  # one gzip stream over all records
    foreign = tmp_path / "notes.warc"
    foreign.write_text("<html><body>not a WARC</body></html>\n")
    unfinished = tmp_path / "localnews-unfinished.warc.gz.open"
    shutil.copy(crawl["warcs"][0], unfinished)

    result = run_newsarchive("index", str(tmp_path))
    assert result.returncode == 1
    assert f"FAILED   {bad}: non-chunked gzip" in result.stdout
    assert f"FAILED   {foreign}: " in result.stdout
    assert f"indexed  {good} (" in result.stdout
    assert f"skipped  {unfinished} (unfinished WARC)" in result.stdout
    assert "Traceback" not in result.stderr
    assert cdxj_path(good).read_bytes() == cdxj_path(crawl["warcs"][0]).read_bytes()
    # nothing half-written is left behind for the failures, nothing at all for the .open
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [good.name, good.name + ".cdxj", bad.name, foreign.name, unfinished.name]
    )
    assert "index: 1 indexed, 0 current, 2 failed, 1 unfinished skipped" in result.stderr


def test_index_usage_errors_exit_2_in_one_line(tmp_path: Path) -> None:
    missing = run_newsarchive("index", str(tmp_path / "nowhere"))
    assert missing.returncode == 2
    assert (
        missing.stderr.strip()
        == f"newsarchive: error: {tmp_path / 'nowhere'}: no such file or directory"
    )
    empty = run_newsarchive("index", str(tmp_path))
    assert empty.returncode == 2 and "no WARC files" in empty.stderr
    assert "Traceback" not in missing.stderr + empty.stderr
    bare = run_newsarchive("index")
    assert bare.returncode == 2


def test_crawl_without_cdxj_leaves_none_and_index_builds_them(
    local_site: tuple[LocalSite, LoopbackServers], tmp_path: Path
) -> None:
    _, servers = local_site
    profile = write_profile(tmp_path / "localnews.toml", servers.origins)
    out = tmp_path / "out"
    result = run_newsarchive(
        "crawl",
        str(profile),
        "--out",
        str(out),
        "--max-articles",
        "3",
        *FAST,
        "-s",
        "ARCHIVE_CDXJ_ENABLED=False",
    )
    assert result.returncode in (0, 1), result.stderr[-3000:]
    warcs = sorted((out / "warc" / "localnews").glob("*.warc.gz"))
    assert warcs and not list(out.rglob("*.cdxj"))
    built = run_newsarchive("index", str(out))
    assert built.returncode == 0, built.stderr
    for warc in warcs:
        assert [parse(line)[2]["offset"] for line in cdxj_lines(warc)]
        assert sorted(int(parse(line)[2]["offset"]) for line in cdxj_lines(warc)) == sorted(
            e["offset"] for e in warc_entries(warc)
        )


# -- the writer's hook, without a crawl ------------------------------------------------------


def exchange(n: int) -> HttpExchange:
    from datetime import datetime, timezone

    return HttpExchange(
        url=f"http://127.0.0.1:8/page/{n}",
        method="GET",
        request_headers=[("User-Agent", "t")],
        request_body=b"",
        protocol="HTTP/1.1",
        status=200,
        reason="OK",
        # incompressible, so each exchange alone passes max_bytes and rotates the file
        response_headers=[("Content-Type", "application/octet-stream")],
        payload=secrets.token_bytes(3000),
        ip_address="127.0.0.1",
        date=datetime(2024, 5, 1, tzinfo=timezone.utc),
    )


def test_writer_indexes_each_file_as_it_is_finished(tmp_path: Path) -> None:
    finished: list[Path] = []

    def hook(path: Path) -> None:
        assert path.exists() and not path.name.endswith(".open")
        index_warc(path)
        finished.append(path)

    with RotatingWarcWriter(tmp_path, "t", max_bytes=2000, on_finished=hook) as writer:
        for n in range(5):
            writer.write_exchange(exchange(n))
    warcs = sorted(tmp_path.glob("*.warc.gz"))
    assert len(warcs) == 5 and sorted(finished) == warcs  # rotation and close both announce
    for warc in warcs:
        assert len(cdxj_lines(warc)) == 1


def test_a_failing_hook_is_logged_never_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(path: Path) -> None:
        raise RuntimeError("index disk full")

    writer = RotatingWarcWriter(tmp_path, "t", on_finished=broken)
    writer.write_exchange(exchange(1))
    writer.close()  # does not raise
    assert len(list(tmp_path.glob("*.warc.gz"))) == 1
    assert "index disk full" in caplog.text
