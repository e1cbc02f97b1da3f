"""Standard tools read what a real crawl writes: ``warcio check``, ``warcio index`` and
``cdxj-indexer`` on every kind of record ``newsarchive crawl`` produces, and pywb's ``wayback``
replaying archived articles and revisits byte for byte (issue "Replay: ... any standard tool can
read ours").

One crawl of the loopback site, shared by every test here: two runs on one output directory,
with files small enough to rotate.
1. ``--compare-mirrors`` on three hosts: each article comes from the primary (127.0.0.1: plain
   responses), then from 127.0.0.2 (the same bytes: identical-payload-digest revisits whose
   original has another URL) and 127.0.0.3 (which sends every page gzip Content-Encoded:
   responses whose payload is compressed).
2. ``--refetch``, in a later second, against ETags: the articles answer 304 (server-not-modified
   revisits) and feeds, sitemaps and listings come back with the same bytes (identical-payload-
   digest revisits of the same URL).
The crawler may also write metadata records (one per archived article); nothing here assumes
there are none, and the tools must accept them.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest

from scraper.demo.server import LoopbackServers
from scraper.demo.site import LocalSite, generate_articles, write_profile
from tests.conftest import tool
from tests.interop import (
    HttpReply,
    WarcRecord,
    Wayback,
    find_pywb,
    gzip_encoded,
    read_warcs,
    timestamp14,
    warcio_check,
)
from tests.test_incremental import crawl
from tests.test_warc_capture import sha1_b32

ARTICLES = 6
MAX_BYTES = 60_000  # an article is ~17 KB gzipped: run 1 rotates through several files
PLAIN, GZIP = "plain response", "gzip response"
OTHER_URL = "identical-payload revisit of another URL"
SAME_URL = "identical-payload revisit of the same URL"
NOT_MODIFIED = "server-not-modified revisit"


def kind(record: WarcRecord, by_id: dict[str, WarcRecord]) -> str | None:
    """Which of the kinds of capture this test is about ``record`` is."""
    if record.type == "response":
        encoding = record.http.get_header("Content-Encoding") if record.http else None
        return GZIP if encoding == "gzip" else PLAIN
    if record.type == "revisit":
        if record.profile == "server-not-modified":
            return NOT_MODIFIED
        original = by_id[record.headers.get_header("WARC-Refers-To")]
        return SAME_URL if original.url == record.url else OTHER_URL
    return None


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    site = LocalSite(
        generate_articles(ARTICLES), etags=True, behaviours={"127.0.0.3": gzip_encoded}
    )
    with LoopbackServers(site, ["127.0.0.1", "127.0.0.2", "127.0.0.3"]) as servers:
        work = tmp_path_factory.mktemp("interop")
        profile = write_profile(work / "localnews.toml", servers.origins)
        out = work / "out"
        warc_dir = out / "warc" / "localnews"
        runs = []
        for extra in (["--compare-mirrors"], ["--refetch"]):
            if runs:
                # Replay tools file captures by the second: keep run 2's apart from run 1's.
                time.sleep(1.05 - time.time() % 1)
            before = set(warc_dir.glob("*")) if warc_dir.exists() else set()
            run = crawl(profile, out, servers, *extra, "-s", f"ARCHIVE_WARC_MAX_BYTES={MAX_BYTES}")
            run["files"] = sorted(set(warc_dir.glob("*.warc.gz")) - before)
            run["warc"] = read_warcs(run["files"])
            runs.append(run)
    records = [record for run in runs for record in run["warc"]]
    by_id = {record.record_id: record for record in records}
    yield {
        "out": out,
        "warc_dir": warc_dir,
        "runs": runs,
        "files": [path for run in runs for path in run["files"]],
        "records": records,
        "by_id": by_id,
        "at": {(record.file, record.offset): record for record in records},
        "kinds": {record.record_id: kind(record, by_id) for record in records},
    }


def of_kind(crawled: dict[str, Any], wanted: str, articles_only: bool = False) -> list[WarcRecord]:
    found = [r for r in crawled["records"] if crawled["kinds"][r.record_id] == wanted]
    return [r for r in found if "/Detail/" in (r.url or "")] if articles_only else found


def captures(crawled: dict[str, Any]) -> list[WarcRecord]:
    return [r for r in crawled["records"] if r.type in ("response", "revisit")]


# ----------------------------------------------------------------------------- what was written


def test_the_crawl_wrote_every_kind_of_record(crawled: dict[str, Any]) -> None:
    first, refetch = crawled["runs"]
    assert not list(crawled["warc_dir"].glob("*.open"))
    assert len(first["files"]) >= 3, "ARCHIVE_WARC_MAX_BYTES should have rotated run 1's files"
    assert len(first["records"]) == ARTICLES
    kinds = Counter(crawled["kinds"][r.record_id] for r in captures(crawled))
    assert set(kinds) == {PLAIN, GZIP, OTHER_URL, SAME_URL, NOT_MODIFIED}, kinds
    # Every article three times, whichever host served it first (a host that has not served
    # yet takes only a few requests at once): plain bytes from 127.0.0.1 or .2, a revisit of
    # them from the other, gzip bytes from .3. Then run 2's conditional re-check: 304s.
    assert len(of_kind(crawled, PLAIN, articles_only=True)) == ARTICLES
    assert len(of_kind(crawled, OTHER_URL, articles_only=True)) == ARTICLES
    assert len(of_kind(crawled, GZIP, articles_only=True)) == ARTICLES
    not_modified = refetch["report"]["incremental"]["why"]["unchanged"]["not_modified"]
    assert len(of_kind(crawled, NOT_MODIFIED)) == not_modified >= 1


def test_every_revisit_names_an_original_a_replay_tool_can_find(crawled: dict[str, Any]) -> None:
    """What a replay tool needs to resolve a revisit: WARC-Refers-To a response, with its
    WARC-Date, and the digest the revisit claims (warcio check does not look at revisit digests).
    pywb looks the original up by WARC-Refers-To-Target-URI + -Date + digest."""
    revisits = [r for r in crawled["records"] if r.type == "revisit"]
    assert revisits
    for revisit in revisits:
        original = crawled["by_id"][revisit.headers.get_header("WARC-Refers-To")]
        assert original.type == "response"
        assert revisit.headers.get_header("WARC-Refers-To-Date") == original.date
        assert revisit.payload == b""
        if revisit.profile == "server-not-modified":
            assert revisit.status == "304"
            assert revisit.headers.get_header("WARC-Payload-Digest") is None
        else:
            assert revisit.headers.get_header("WARC-Refers-To-Target-URI") == original.url
            assert revisit.status == original.status == "200"
            digest = revisit.headers.get_header("WARC-Payload-Digest")
            assert digest == sha1_b32(original.payload)
            assert digest == original.headers.get_header("WARC-Payload-Digest")


def test_server_not_modified_revisits_name_their_originals_target_uri(
    crawled: dict[str, Any],
) -> None:
    revisits = of_kind(crawled, NOT_MODIFIED)
    assert revisits
    for revisit in revisits:
        original = crawled["by_id"][revisit.headers.get_header("WARC-Refers-To")]
        assert revisit.headers.get_header("WARC-Refers-To-Target-URI") == original.url


# ------------------------------------------------------------------------ warcio and cdxj-indexer


def test_warcio_check_passes_every_record_of_every_file(crawled: dict[str, Any]) -> None:
    result, verdicts = warcio_check(crawled["files"])
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert set(verdicts) == set(crawled["at"]), "warcio check -v names every record once"
    for position, record in crawled["at"].items():
        verdict = verdicts[position]
        where = f"{record.type} {record.url} in {record.file} at {record.offset}: {verdict}"
        if record.type == "revisit":
            assert verdict in (
                ["digest present but not checked (revisit)"],
                ["no digest to check"],
            ), where
        elif record.type in ("warcinfo", "request", "response"):
            assert verdict == ["digest pass"], where
        else:  # metadata records, or whatever else is there: accepted, and digests that hold
            assert verdict in (["digest pass"], ["no digest to check"]), where


def test_warcio_index_counts_what_each_run_did(crawled: dict[str, Any]) -> None:
    for number, run in enumerate(crawled["runs"], start=1):
        result = subprocess.run(
            [
                tool("warcio"),
                "index",
                "-f",
                "warc-type,offset,filename,warc-record-id",
                *map(str, run["files"]),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-3000:]
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        assert [
            (Path(r["filename"]).name, int(r["offset"]), r["warc-type"], r["warc-record-id"])
            for r in rows
        ] == [(w.file, w.offset, w.type, w.record_id) for w in run["warc"]]
        counts = Counter(r["warc-type"] for r in rows)
        stats = run["report"]["stats"]
        exchanges = len(run["requests"])  # every request the loopback servers answered
        where = f"run {number}: {dict(counts)}, stats {stats}"
        assert stats["archive/warc/exchanges"] == exchanges, where
        assert counts["warcinfo"] == len(run["files"]) == stats["archive/warc/files"], where
        assert counts["request"] == counts["response"] + counts["revisit"] == exchanges, where
        assert counts["revisit"] == stats.get("archive/warc/revisits", 0), where
        not_modified = [w for w in run["warc"] if w.profile == "server-not-modified"]
        assert len(not_modified) == stats.get("archive/warc/not_modified", 0), where
        # every file also carries the crawl's site profile, in a metadata record of its own
        profiles = [
            w
            for w in run["warc"]
            if w.type == "metadata"
            and w.url is None
            and "toml" in (w.headers.get_header("Content-Type") or "")
        ]
        assert len(profiles) == len(run["files"]), where
        assert counts["metadata"] - len(profiles) == stats.get("archive/warc/metadata", 0), where
        assert set(counts) <= {"warcinfo", "request", "response", "revisit", "metadata"}, where
        # the request records are the requests the servers saw, one for one
        archived = Counter(w.url for w in run["warc"] if w.type == "request")
        seen = Counter(f"http://{r.host}{r.target}" for r in run["requests"])
        assert archived == seen, f"run {number}"


def test_cdxj_indexer_lists_every_response_and_revisit(crawled: dict[str, Any]) -> None:
    result = subprocess.run(
        [tool("cdxj-indexer"), *map(str, crawled["files"])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows: dict[tuple[str, int], tuple[str, dict[str, Any]]] = {}
    for line in result.stdout.splitlines():
        _key, timestamp, data = line.split(" ", 2)
        row = json.loads(data)
        position = (Path(row["filename"]).name, int(row["offset"]))
        assert position not in rows, f"indexed twice: {line}"
        rows[position] = (timestamp, row)
    for record in captures(crawled):
        assert (record.file, record.offset) in rows, f"not indexed: {record.type} {record.url}"
        timestamp, row = rows[(record.file, record.offset)]
        assert (row["url"], timestamp) == (record.url, record.timestamp)
        assert row.get("status") == record.status, row
        if record.type == "revisit":
            assert row["mime"] == "warc/revisit", row
        else:
            assert row["mime"] == mime_of(record)
            digest = record.headers.get_header("WARC-Payload-Digest")
            assert row["digest"].removeprefix("sha1:") == digest.removeprefix("sha1:")
    for position in rows:
        assert crawled["at"][position].type in ("response", "revisit", "metadata", "resource")


# ---------------------------------------------------------------------------------------- pywb


@pytest.fixture(scope="module")
def wayback(crawled: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wayback]:
    bin_dir = find_pywb()
    with Wayback(bin_dir, tmp_path_factory.mktemp("pywb"), crawled["files"]) as server:
        yield server


def memento_timestamp(reply: HttpReply) -> str:
    """The capture time pywb says it served (Memento-Datetime), as 14 digits."""
    return parsedate_to_datetime(reply.headers["Memento-Datetime"]).strftime("%Y%m%d%H%M%S")


def served(reply: HttpReply, url: str) -> str:
    """What pywb answered, for failure messages."""
    return f"{url}: pywb served {reply.status} {reply.headers['Content-Type']} {reply.body[:100]!r}"


def mime_of(record: WarcRecord) -> str:
    """A capture's mime as CDX indexes give it."""
    if record.type == "revisit":
        return "warc/revisit"
    assert record.http is not None
    return record.http.get_header("Content-Type").split(";")[0].strip()


def test_pywb_indexes_every_response_and_revisit_and_nothing_else(
    crawled: dict[str, Any], wayback: Wayback
) -> None:
    indexed = {(row["filename"], int(row["offset"])): row for row in wayback.index_rows()}
    for record in captures(crawled):
        row = indexed.get((record.file, record.offset))
        assert row is not None, f"wb-manager add did not index {record.type} {record.url}"
        assert (row["url"], row["timestamp"]) == (record.url, record.timestamp)
        assert (row["mime"] == "warc/revisit") == (record.type == "revisit"), row
    # Anything else pywb indexes is a capture of its WARC-Target-URI to pywb: replay of the
    # page can serve it instead of the page (a metadata record needs application/warc-fields,
    # or no WARC-Target-URI, to stay out of the index, as Heritrix's and wget's do).
    shadows = [
        f"{record.type} record ({row['mime']}) as {row['url']} {row['timestamp']}"
        for where, row in indexed.items()
        if (record := crawled["at"][where]).type not in ("response", "revisit")
    ]
    assert not shadows, "pywb indexes records that are not captures: " + "; ".join(shadows[:3])


def test_pywb_replays_each_archived_article_byte_for_byte(
    crawled: dict[str, Any], wayback: Wayback
) -> None:
    first = crawled["runs"][0]
    for article in first["records"]:
        pointer = article["warc"]
        response = crawled["at"][(pointer["filename"], pointer["offset"])]
        assert (response.type, response.record_id) == ("response", pointer["record_id"])
        reply = wayback.replay(article["url"], response.timestamp)
        assert (reply.status, reply.body) == (200, response.payload), served(reply, article["url"])
        assert reply.headers["Content-Type"] == response.http.get_header("Content-Type")
        assert memento_timestamp(reply) == response.timestamp


def test_pywb_resolves_revisits_of_another_url_to_the_original_payload(
    crawled: dict[str, Any], wayback: Wayback
) -> None:
    revisits = of_kind(crawled, OTHER_URL, articles_only=True)
    assert revisits
    for revisit in revisits:
        original = crawled["by_id"][revisit.headers.get_header("WARC-Refers-To")]
        assert original.url != revisit.url
        reply = wayback.replay(revisit.url, revisit.timestamp)
        assert (reply.status, reply.body) == (200, original.payload), served(reply, revisit.url)
        # headers and time are the revisit's own: it is that URL's capture, not the original's
        assert reply.headers["Content-Type"] == revisit.http.get_header("Content-Type")
        assert memento_timestamp(reply) == revisit.timestamp


def test_pywb_resolves_revisits_of_the_same_url_across_runs(
    crawled: dict[str, Any], wayback: Wayback
) -> None:
    revisits = of_kind(crawled, SAME_URL)
    assert revisits
    for revisit in revisits:
        original = crawled["by_id"][revisit.headers.get_header("WARC-Refers-To")]
        assert original.timestamp < revisit.timestamp
        # Accept-Encoding: gzip, or pywb decodes gzip payloads (robots.txt on 127.0.0.3 is one)
        reply = wayback.replay(revisit.url, revisit.timestamp, {"Accept-Encoding": "gzip"})
        assert (reply.status, reply.body) == (200, original.payload), served(reply, revisit.url)
        assert memento_timestamp(reply) == revisit.timestamp


def test_pywb_serves_gzip_payloads_as_stored_or_decoded(
    crawled: dict[str, Any], wayback: Wayback
) -> None:
    responses = of_kind(crawled, GZIP, articles_only=True)
    assert responses
    for response in responses:
        raw = wayback.replay(response.url, response.timestamp, {"Accept-Encoding": "gzip"})
        assert (raw.status, raw.body) == (200, response.payload), served(raw, response.url)
        assert raw.headers["Content-Encoding"] == "gzip"
        # a client that does not take gzip gets it decoded by pywb: the stored gzip is sound
        decoded = wayback.replay(response.url, response.timestamp)
        expected = gzip.decompress(response.payload)
        assert (decoded.status, decoded.body) == (200, expected), served(decoded, response.url)
        assert decoded.headers["Content-Encoding"] is None


def test_pywb_replays_a_server_not_modified_revisit_as_the_304_it_was(
    crawled: dict[str, Any], wayback: Wayback
) -> None:
    """pywb does not fetch the payload of a revisit whose recorded status is 3xx (304
    included): at the revisit's time it answers the archived 304, empty. The page itself is
    at the original's time, which the revisit names."""
    revisits = of_kind(crawled, NOT_MODIFIED)
    assert revisits
    for revisit in revisits:
        reply = wayback.replay(revisit.url, revisit.timestamp)
        assert (reply.status, reply.body) == (304, b""), served(reply, revisit.url)
        assert reply.headers["X-Archive-Orig-ETag"] == revisit.http.get_header("ETag")
        assert memento_timestamp(reply) == revisit.timestamp
        original = crawled["by_id"][revisit.headers.get_header("WARC-Refers-To")]
        then = timestamp14(revisit.headers.get_header("WARC-Refers-To-Date"))
        earlier = wayback.replay(original.url, then)
        assert (earlier.status, earlier.body) == (200, original.payload), served(
            earlier, original.url
        )
        assert earlier.headers["X-Archive-Orig-ETag"] == revisit.http.get_header("ETag")


def test_pywb_cdx_api_lists_revisits_as_revisits(crawled: dict[str, Any], wayback: Wayback) -> None:
    """The CDX server API lists every capture of a URL, revisits with mime ``warc/revisit``
    (it does not swap in the original's mime, even for a revisit of the same URL)."""
    examples = [
        of_kind(crawled, OTHER_URL, articles_only=True)[0],
        of_kind(crawled, SAME_URL)[0],
        of_kind(crawled, NOT_MODIFIED)[0],
    ]
    for example in examples:
        rows = wayback.cdx(example.url)
        listed = sorted(
            (row["timestamp"], row["filename"], int(row["offset"]), row["mime"]) for row in rows
        )
        ours = sorted(
            (r.timestamp, r.file, r.offset, mime_of(r))
            for r in captures(crawled)
            if r.url == example.url
        )
        assert listed == ours, example.url
        assert (example.timestamp, example.file, example.offset, "warc/revisit") in listed


def test_pywb_serves_an_archived_articles_pictures_from_our_warc(
    crawled: dict[str, Any], wayback: Wayback
) -> None:
    """The pictures a record lists were captured after it (``--assets images``, the
    default): pywb replays them from our WARC, as it does the article."""
    first = crawled["runs"][0]
    pictures = [image["url"] for article in first["records"] for image in article["images"]]
    assert len(pictures) >= ARTICLES
    for url in pictures:
        captured = [r for r in crawled["records"] if r.url == url and r.type == "response"]
        assert captured, f"{url}: not in the WARC"
        reply = wayback.replay(url, captured[0].timestamp)
        assert (reply.status, reply.body) == (200, captured[0].payload), served(reply, url)
        assert reply.headers["Content-Type"] == "image/jpeg"
