"""``newsarchive replay``: the JSON records rebuilt from the WARC files alone.

The property that makes the WARC the source of truth: replaying a crawl's own WARCs into an
empty directory gives exactly the crawl's records, field for field. The crawls here cover what
makes that hard: mirror copies fetched for comparison (never records), a seized primary that
the crawl failed over from, conditional re-checks answered 304 (server-not-modified revisits),
identical bytes on two mirrors (identical-payload revisits), an edited article (version 2), a
republication (duplicate_of) and an article linked under several URLs. Then damage: broken and
foreign files are reported with file and offset, and the rest still replays.
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from scraper.demo.server import LoopbackServers, Reply
from scraper.demo.site import (
    SEIZURE_MARKER,
    SEIZURE_PAGE,
    LocalSite,
    generate_articles,
    serving_instead,
    write_profile,
)
from tests.conftest import FAST_CRAWL, newsarchive_command

HOSTS = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
FAST = [
    *FAST_CRAWL,
    "-s",
    "RETRY_TIMES=0",
    # small files: captures and their metadata records land in different files
    "-s",
    "ARCHIVE_WARC_MAX_BYTES=150000",
]

ROOT = Path(__file__).resolve().parents[1]


def crawl(profile: Path, out: Path, *options: str) -> dict[str, Any]:
    known = set((out / "runs").glob("*.json"))
    result = subprocess.run(
        [*newsarchive_command(), "crawl", str(profile), "--out", str(out), *FAST, *options],
        capture_output=True,
        text=True,
        timeout=180,
    )
    [report_path] = set((out / "runs").glob("*.json")) - known
    return {"result": result, "report": json.loads(report_path.read_text())}


def replay(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*newsarchive_command(), "replay", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=180,
    )


def records_in(out: Path) -> list[dict[str, Any]]:
    lines = [
        line
        for path in sorted((out / "json").glob("*/*.jsonl"))
        for line in path.read_text(encoding="utf-8").splitlines()
    ]
    return sorted((json.loads(line) for line in lines), key=lambda r: (r["id"], r["version"]))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    articles = generate_articles(16)
    site = LocalSite(list(articles), etags=True)  # its own list: the edits below replace it
    with LoopbackServers(site, HOSTS) as servers:
        work = tmp_path_factory.mktemp("replay")
        profile = write_profile(
            work / "localnews.toml", servers.origins, block_markers=[SEIZURE_MARKER]
        )
        out = work / "crawl"
        # Run 1, compare mode: mirror 2 serves one article with other text (a copy, never a
        # record), mirror 3 the same bytes (identical-payload revisits of the primary's).
        tampered = articles[2]
        site.behaviours[HOSTS[1]] = serving_instead(
            {
                tampered.path: site.render(
                    replace(tampered, paragraphs=[*tampered.paragraphs, "Added by a mirror."])
                )
            }
        )
        first = crawl(profile, out, "--compare-mirrors", "-s", "MIRROR_BENCH_AFTER=100")
        # Run 2, --refetch: one article edited (version 2), one new republishing another's text
        # (duplicate_of), one in the other template (new bytes, same text: no record); the rest
        # answer 304 (server-not-modified revisits).
        edited = replace(
            articles[4], paragraphs=[*articles[4].paragraphs, "A correction was added later."]
        )
        republished = replace(articles[6], id=820_002, slug="Republished", related=[])
        site.articles[:] = [republished, *[edited if a is articles[4] else a for a in articles]]
        site.rebuild()
        site.routes[articles[5].path] = site.render(articles[5], other_template=True)
        site.behaviours.clear()
        second = crawl(profile, out, "--refetch")
        # Run 3: the primary shows a seizure banner (HTTP 200) instead of a new article, which
        # comes from a mirror after the banner was archived.
        fresh = replace(
            articles[1], id=820_003, slug="A-fresh-story", title="A fresh story", related=[]
        )
        site.articles.insert(0, fresh)
        site.rebuild()
        site.behaviours[HOSTS[0]] = serving_instead({fresh.path: Reply.html(SEIZURE_PAGE)})
        third = crawl(profile, out)
        yield {
            "out": out,
            "profile": profile,
            "runs": [first, second, third],
            "work": work,
            "tampered": tampered,
            "edited": edited,
            "republished": republished,
            "copied": articles[6],
            "fresh": fresh,
        }


def test_the_crawls_made_what_replay_must_reproduce(archive: dict[str, Any]) -> None:
    first, second, third = archive["runs"]
    for run in (first, second):
        assert run["result"].returncode == 0, run["result"].stderr[-3000:]
    assert third["result"].returncode == 0, third["result"].stderr[-3000:]
    assert first["report"]["stats"].get("mirror_compare/copies", 0) >= 16
    unchanged = second["report"]["incremental"]["why"]["unchanged"]
    assert unchanged["not_modified"] == 14 and unchanged["same_text"] == 1
    assert (
        second["report"]["incremental"]["changed"] == 1
        and second["report"]["incremental"]["duplicates"] == 1
    )
    assert third["report"]["incremental"]["new"] == 1
    assert first["report"]["incremental"]["revisits"] >= 10  # mirror 3's identical copies


def test_replay_into_an_empty_directory_gives_the_crawls_records_field_for_field(
    archive: dict[str, Any],
) -> None:
    out = archive["work"] / "replayed"
    result = replay(archive["out"] / "warc", "--out", out, "--site", archive["profile"])
    assert result.returncode == 0, result.stderr[-3000:]
    crawled, replayed = records_in(archive["out"]), records_in(out)
    assert len(crawled) == 16 + 1 + 1 + 1  # 16 articles, a version 2, a republication, a fresh one
    assert [r["id"] for r in replayed] == [r["id"] for r in crawled]
    for ours, theirs in zip(replayed, crawled):
        assert ours == theirs, f"record {theirs['id']} v{theirs['version']} differs"
    # the tampered mirror copy and the seizure banner were read, and never became records
    report = json.loads(next((out / "runs").glob("*.json")).read_text())
    assert report["counts"]["replay/mirror_copy"] >= 16
    assert report["counts"]["replay/blocked"] >= 1
    assert (
        report["counts"]["unchanged/not_modified"] == 14
        and report["counts"]["unchanged/same_text"] == 1
    )
    edited = [r for r in replayed if r["id"] == f"localnews:{archive['edited'].id}"]
    assert [r["version"] for r in edited] == [1, 2] and edited[1]["previous_hash"] == edited[0][
        "content_hash"
    ]
    [copy] = [r for r in replayed if r["id"] == f"localnews:{archive['republished'].id}"]
    assert copy["duplicate_of"] == f"localnews:{archive['copied'].id}"


def test_without_site_a_crawls_warcs_replay_by_the_profile_they_carry(
    archive: dict[str, Any],
) -> None:
    """The crawl's profile was a file (``localnews`` is no built-in profile); each WARC holds
    its text, so the WARCs alone replay to the crawl's records, field for field."""
    out = archive["work"] / "replayed-self-described"
    result = replay(archive["out"] / "warc", "--out", out)
    assert result.returncode == 0, result.stderr[-3000:]
    crawled, replayed = records_in(archive["out"]), records_in(out)
    assert [r["id"] for r in replayed] == [r["id"] for r in crawled]
    for ours, theirs in zip(replayed, crawled):
        assert ours == theirs, f"record {theirs['id']} v{theirs['version']} differs"


def test_without_site_a_foreign_archive_is_alerted_about_without_naming_a_site(
    tmp_path: Path,
) -> None:
    """No --site, an archive of a host no profile knows: every built-in profile was tried,
    none chosen, so neither the ALERT nor the report names one (issue 22, item 7)."""
    foreign = Path(__file__).parent / "fixtures" / "warc" / "warcio" / "example.warc.gz"
    out = tmp_path / "out"
    result = replay(foreign, "--out", out, "--quiet")
    assert result.returncode == 1, result.stderr[-3000:]
    [alert] = [line for line in result.stderr.splitlines() if line.startswith("ALERT")]
    assert alert.startswith("ALERT: no article read: no site profile matches"), alert
    assert "presstv" not in result.stderr
    # counts agree with their nouns (issue 22, item 11): not "in 1 files"
    assert "failed: 0 records from 6 WARC records in 1 file, 0 skipped; report " in result.stderr
    [report] = (out / "runs").glob("*.json")
    assert json.loads(report.read_text())["site"] == ""


def test_one_site_reads_its_articles_on_a_host_the_profile_does_not_name(
    archive: dict[str, Any], tmp_path: Path
) -> None:
    """An archive of a mirror the profile never listed: one --site reads it all the same."""
    moved = tmp_path / "moved.toml"
    text = archive["profile"].read_text()
    lines = [
        line for line in text.splitlines() if not line.startswith(("primary", "mirrors", "aliases"))
    ]
    moved.write_text('primary = "http://elsewhere.example"\n' + "\n".join(lines) + "\n")
    out = tmp_path / "out"
    result = replay(archive["out"] / "warc", "--out", out, "--site", moved)
    assert result.returncode == 0, result.stderr[-3000:]
    assert {r["id"] for r in records_in(out)} == {r["id"] for r in records_in(archive["out"])}
    report = json.loads(next((out / "runs").glob("*.json")).read_text())
    assert len(report["stats"]["hosts_read_as_site"]) == len(HOSTS)


def test_a_second_replay_into_the_same_directory_adds_nothing(archive: dict[str, Any]) -> None:
    out = archive["work"] / "replayed-twice"
    for _ in range(2):
        result = replay(
            archive["out"] / "warc", "--out", out, "--site", archive["profile"], "--workers", "2"
        )
        assert result.returncode == 0, result.stderr[-3000:]
    assert len(records_in(out)) == len(records_in(archive["out"]))
    assert "0 new, 0 changed" in result.stderr


# A replay that dies (SIGKILL, power cut) just after writing its 8th record.
_KILLED_AFTER_8 = """
import os, sys
from archive.jsonl import JsonlWriter
from scraper.cli import main
write = JsonlWriter.write
def write_then_die(self, record):
    written = write(self, record)
    if self.count == 8:
        os._exit(137)
    return written
JsonlWriter.write = write_then_die
sys.exit(main(sys.argv[1:]))
"""


def test_a_killed_replay_run_again_loses_and_repeats_no_record(archive: dict[str, Any]) -> None:
    out = archive["work"] / "replay-killed"
    args = [
        "replay",
        str(archive["out"] / "warc"),
        "--out",
        str(out),
        "--site",
        str(archive["profile"]),
    ]
    # no extraction processes: orphans of a killed parent would hold its output pipes open
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_AFTER_8, *args, "--workers", "0"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
    )
    assert killed.returncode == 137, killed.stderr[-3000:]
    assert len(records_in(out)) == 8 and not list((out / "runs").glob("*.json"))
    again = replay(*args[1:])
    assert again.returncode == 0, again.stderr[-3000:]

    def key(record: dict[str, Any]) -> tuple[Any, ...]:
        return record["id"], record["version"], record["content_hash"]

    replayed = records_in(out)
    assert sorted(map(key, replayed)) == sorted(map(key, records_in(archive["out"])))  # each once
    report = json.loads(next((out / "runs").glob("*.json")).read_text())
    assert [r["kind"] for r in report["repairs"]] == ["index"]  # the killed run's 8 fed back


def test_broken_and_foreign_files_are_reported_and_the_rest_replays(
    archive: dict[str, Any], tmp_path: Path
) -> None:
    damaged = tmp_path / "damaged"
    shutil.copytree(archive["out"] / "warc", damaged)
    files = sorted(damaged.rglob("*.warc.gz"))
    victim = files[len(files) // 2]
    data = victim.read_bytes()
    members = _member_offsets(data)
    cut = members[len(members) // 2]
    # a gzip member with its middle overwritten: that record is lost, the file goes on
    victim.write_bytes(data[: cut + 40] + b"\x00" * 200 + data[cut + 240 :])
    (damaged / "notes.warc.gz").write_bytes(gzip.compress(b"<html>not an archive</html>"))
    (damaged / "empty.warc").write_bytes(b"")
    result = replay(damaged, "--out", tmp_path / "out", "--site", archive["profile"], "--quiet")
    assert result.returncode == 1, result.stderr[-3000:]
    assert f"{victim} at offset {cut}" in result.stderr
    assert "notes.warc.gz" in result.stderr and "not a WARC" in result.stderr
    assert "empty.warc" in result.stderr
    crawled = records_in(archive["out"])
    assert (
        len(records_in(tmp_path / "out")) >= len(crawled) - 3
    )  # at most the damaged capture's article


def _member_offsets(data: bytes) -> list[int]:
    """Where each gzip member of a WARC file starts (one record each)."""
    import zlib

    offsets, position = [], 0
    while position < len(data):
        offsets.append(position)
        decompressor = zlib.decompressobj(31)
        decompressor.decompress(data[position:])
        position = len(data) - len(decompressor.unused_data)
    return offsets


def test_progress_lines_say_records_rate_and_eta(archive: dict[str, Any], tmp_path: Path) -> None:
    result = replay(
        archive["out"] / "warc", "--out", tmp_path / "out", "--site", archive["profile"]
    )
    assert result.returncode == 0, result.stderr[-3000:]
    [last] = [line for line in result.stderr.splitlines() if line.startswith("replay: ")][-1:]
    assert re.fullmatch(
        r"replay: [\d,]+ records, 19 articles, 0 problems, [\d.]+ MB/s, 100% read, ETA 0 s", last
    ), last


def test_foreign_and_broken_files_from_other_tools(tmp_path: Path) -> None:
    """warcio's and jwarc's test files: revisits, wget, chunked, POST, ARC, Common Crawl, and
    the broken ones. Every readable record is read; each broken one is named with its offset."""
    fixtures = Path(__file__).parent / "fixtures" / "warc"
    profile = tmp_path / "example.toml"
    profile.write_text(
        'name = "example"\nprimary = "http://example.com"\nmirrors = ["https://www.iana.org"]\n'
        "article_url = '^/.*'\nextractor = \"generic\"\n",
        encoding="utf-8",
    )
    result = replay(fixtures, "--out", tmp_path / "out", "--site", profile, "--quiet")
    assert result.returncode == 1, result.stderr[-3000:]
    report = json.loads(next((tmp_path / "out" / "runs").glob("*.json")).read_text())
    reasons = [failure["reason"] for failure in report["failures"]]
    assert any("example-trunc.warc at offset 1197" in reason for reason in reasons), reasons
    assert any("bad.arc at offset 0" in reason for reason in reasons), reasons
    assert any("example-space-in-url.arc at offset 151" in reason for reason in reasons), reasons
    # the good files read whole: every revisit in them resolved, nothing else went wrong
    assert not [r for r in reasons if "revisit" in r], reasons
    assert not [
        r
        for r in reasons
        if not any(
            name in r for name in ("example-trunc.warc", "bad.arc", "example-space-in-url.arc")
        )
    ], reasons
    archives = [p for p in fixtures.rglob("*") if p.is_file() and p.name != "LICENSE"]
    assert (
        report["stats"]["files"] == len(archives) - 1
    )  # not example-bad.warc.gz.bad: not an archive name
    assert report["counts"]["replay/article_captures"] >= 10


def test_revisits_whose_original_is_not_replayed_resolve_through_the_crawls_index(
    tmp_path: Path,
) -> None:
    site = LocalSite(generate_articles(6))
    with LoopbackServers(site, HOSTS[:1]) as servers:
        profile = write_profile(tmp_path / "localnews.toml", servers.origins)
        out = tmp_path / "crawl"
        crawl(profile, out)
        first_files = set((out / "warc").rglob("*.warc.gz"))
        crawl(profile, out, "--refetch")  # the same bytes again: identical-payload revisits
    later = sorted(set((out / "warc").rglob("*.warc.gz")) - first_files)
    assert later
    alone = replay(*later, "--out", tmp_path / "alone", "--site", profile, "--quiet")
    assert alone.returncode == 1 and "not found in the files replayed" in alone.stderr
    assert records_in(tmp_path / "alone") == []
    indexed = replay(
        *later,
        "--out",
        tmp_path / "indexed",
        "--site",
        profile,
        "--quiet",
        "--index",
        out / "state" / "localnews.sqlite",
    )
    assert indexed.returncode == 0, indexed.stderr[-3000:]
    rebuilt = records_in(tmp_path / "indexed")
    assert len(rebuilt) == 6
    originals = {r["id"]: r["warc"] for r in records_in(out)}
    for record in rebuilt:  # each points at the first run's capture, as the crawl's record does
        assert record["warc"] == originals[record["id"]]
        assert Path(out / "warc" / "localnews" / record["warc"]["filename"]) in first_files


def test_records_from_crawl_and_replay_follow_the_published_schema(
    archive: dict[str, Any],
) -> None:
    """``newsarchive schema`` (archive/record.schema.json) is what the records are: every
    record of the crawls and of a replay validates (issue 15, item 8)."""
    from dataclasses import fields

    from jsonschema import Draft202012Validator

    from archive.records import ArticleRecord

    result = subprocess.run(
        [*newsarchive_command(), "schema"], capture_output=True, text=True, timeout=60
    )
    schema = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    names = [f.name for f in fields(ArticleRecord)]
    assert list(schema["properties"]) == names
    assert schema["required"] == [n for n in names if n != "titles"]  # older records lack it
    documented = (ROOT / "docs" / "output.md").read_text()
    assert [n for n in names if f"`{n}`" not in documented] == []
    validator = Draft202012Validator(schema)
    out = archive["work"] / "replayed-for-schema"
    replay(archive["out"] / "warc", "--out", out, "--site", archive["profile"])
    records = records_in(archive["out"]) + records_in(out)
    assert len(records) > 30
    # what the page states as its titles reaches the records, from a crawl and a replay alike
    assert all(r["titles"] and r["titles"][0]["sources"] for r in records)
    for record in records:
        errors = [e.message for e in validator.iter_errors(record)]
        assert errors == [], f"{record['id']} v{record['version']}: {errors}"
