"""Scale-out: three ``newsarchive crawl --redis`` workers started together share one crawl of the
local multi-host site through a real redis-server (scrapy-redis queue and dupefilter, article
claims, the Redis dedup index), each writing its own WARC, JSON and run report into its own
``--out``. Together they must archive exactly what a single process archives, nothing twice,
and stop by themselves; a second run then starts clean and skips everything as known."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from warcio.archiveiterator import ArchiveIterator

from archive.index.redis_backend import RedisIndex
from scraper.demo.server import LoopbackServers
from scraper.demo.site import ALIAS_HOST, LocalSite, generate_articles, slow, write_profile
from tests.conftest import newsarchive_command
from tests.redis_server import needs_redis_server, redis_url  # noqa: F401 - a fixture

pytestmark = needs_redis_server

WORKERS = 3
# Two requests at a time per worker and 50 ms a page: the crawl lasts a few seconds, so every
# worker gets a share of the queue (on loopback one worker would otherwise take everything).
SETTINGS = [
    "-s",
    "AUTOTHROTTLE_ENABLED=False",
    "-s",
    "NEWSARCHIVE_PROGRESS=off",
    "-s",
    "NEWSARCHIVE_PROGRESS_INTERVAL=0",
    "-s",
    "NEWSARCHIVE_EXTRACT_WORKERS=0",
    "-s",
    "CONCURRENT_REQUESTS=2",
    "-s",
    "SHARED_CRAWL_IDLE_CLOSE=1.5",
]
COMPARED = ("id", "canonical_url", "title", "body", "content_hash", "version")
TIME_LIMIT = 90  # seconds for a worker to finish and exit by itself


def environment() -> dict[str, str]:
    return {name: value for name, value in os.environ.items() if name != "REDIS_URL"}


def start(profile: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*newsarchive_command(), "crawl", str(profile), "--out", str(out), *SETTINGS, *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=environment(),
    )


def finish(process: subprocess.Popen[str], out: Path, started: float) -> dict[str, Any]:
    try:
        _, stderr = process.communicate(timeout=TIME_LIMIT)
    except subprocess.TimeoutExpired:
        process.kill()
        _, stderr = process.communicate()
        pytest.fail(
            f"worker {out.name} did not end by itself within {TIME_LIMIT} s:\n{stderr[-3000:]}"
        )
    reports = sorted((out / "runs").glob("*.json"), key=lambda path: path.stat().st_mtime)
    report = json.loads(reports[-1].read_text()) if reports else None
    jsonl = out / "json" / report["site"] / f"{report['run_id']}.jsonl" if report else None
    records = (
        [json.loads(line) for line in jsonl.read_text().splitlines()]
        if jsonl is not None and jsonl.exists()
        else []
    )
    return {
        "out": out,
        "returncode": process.returncode,
        "stderr": stderr,
        "report": report,
        "records": records,
        "seconds": time.monotonic() - started,
    }


def run_workers(profile: Path, outs: list[Path], url: str) -> list[dict[str, Any]]:
    began = time.monotonic()
    processes = [start(profile, out, "--redis", url) for out in outs]
    return [finish(process, out, began) for process, out in zip(processes, outs)]


def warc_responses(out: Path) -> list[tuple[str, str, str]]:
    """(record type, target URI, payload digest) of every response and revisit record."""
    found = []
    for path in sorted((out / "warc" / "localnews").glob("*.warc.gz")):
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                if record.rec_type in ("response", "revisit"):
                    found.append(
                        (
                            record.rec_type,
                            record.rec_headers.get_header("WARC-Target-URI"),
                            record.rec_headers.get_header("WARC-Payload-Digest"),
                        )
                    )
    return found


@pytest.fixture(scope="module")
def crawls(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:  # noqa: F811
    articles = generate_articles(60)
    site = LocalSite(articles, hidden_ids={articles[-1].id, articles[-2].id})
    addresses = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]
    for address in addresses:
        site.behaviours[address] = slow(0.05)
    work = tmp_path_factory.mktemp("scale-out")
    with LoopbackServers(site, addresses) as servers:
        profile = write_profile(work / "localnews.toml", servers.origins)
        single = finish(start(profile, work / "single"), work / "single", time.monotonic())
        before = len(servers.requests)
        first = run_workers(profile, [work / f"worker-{n}" for n in range(WORKERS)], redis_url)
        keys_after_first = sorted(redis.Redis.from_url(redis_url, decode_responses=True).keys("*"))
        between = len(servers.requests)
        second = run_workers(profile, [work / f"again-{n}" for n in range(2)], redis_url)
        yield {
            "site": site,
            "single": single,
            "first": first,
            "second": second,
            "url": redis_url,
            "keys_after_first": keys_after_first,
            "first_requests": servers.requests[before:between],
            "second_requests": servers.requests[between:],
        }


def compared(records: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    return {tuple(record[name] for name in COMPARED) for record in records}


def test_every_worker_ends_by_itself_with_status_0(crawls: dict[str, Any]) -> None:
    assert crawls["single"]["returncode"] == 0, crawls["single"]["stderr"][-3000:]
    for worker in crawls["first"] + crawls["second"]:
        assert worker["returncode"] == 0, worker["stderr"][-3000:]
        assert "Traceback" not in worker["stderr"]
        assert worker["report"]["status"] == "ok"
        assert worker["report"]["stats"]["finish_reason"] == "finished"
        assert worker["seconds"] < TIME_LIMIT


def test_union_of_the_workers_records_is_the_single_process_crawl(crawls: dict[str, Any]) -> None:
    expected = crawls["single"]["records"]
    assert len(expected) == len(crawls["site"].articles) == 60
    union = [record for worker in crawls["first"] for record in worker["records"]]
    ids = Counter(record["id"] for record in union)
    assert [article_id for article_id, times in ids.items() if times > 1] == []  # no article twice
    assert compared(union) == compared(expected)


def test_the_work_was_shared(crawls: dict[str, Any]) -> None:
    shares = [len(worker["records"]) for worker in crawls["first"]]
    assert sum(1 for share in shares if share > 0) >= 2, shares
    runs = {worker["report"]["stats"]["shared_crawl/run"] for worker in crawls["first"]}
    assert len(runs) == 1  # one shared run
    assert (
        len({worker["report"]["run_id"] for worker in crawls["first"]}) == WORKERS
    )  # own JSONL each
    # every discovery page fetched once for the whole crawl, as a single process does
    pages = Counter(
        r.target for r in crawls["first_requests"] if not r.target.startswith("/Detail/")
    )
    assert pages["/rss.xml"] == 1 and pages["/sitemap.xml"] == 1 and pages["/Section/101"] == 1
    articles = Counter(
        r.target for r in crawls["first_requests"] if r.target.startswith("/Detail/")
    )
    assert max(articles.values()) == 1


def test_no_warc_response_record_twice_across_workers(crawls: dict[str, Any]) -> None:
    records = [record for worker in crawls["first"] for record in warc_responses(worker["out"])]
    responses = Counter((uri, digest) for kind, uri, digest in records if kind == "response")
    assert [key for key, times in responses.items() if times > 1] == []
    assert len(responses) >= 60
    # robots.txt, fetched by each worker: one response, the others revisits of it
    robots = [kind for kind, uri, _ in records if uri.endswith("/robots.txt")]
    assert robots.count("response") == 1 and robots.count("revisit") == WORKERS - 1


def test_each_record_lists_the_urls_every_worker_saw(crawls: dict[str, Any]) -> None:
    with RedisIndex(crawls["url"], site="localnews") as index:
        exported = {row["id"]: row for row in index.export_latest()}
    assert len(exported) == 60
    for worker in crawls["first"]:
        for record in worker["records"]:
            assert record["url"] in record["urls"]
            assert set(record["urls"]) <= set(exported[record["id"]]["urls"])
    # the feed lists articles on the alias host; whichever worker read it, the index has them
    feed_ids = {f"localnews:{article.id}" for article in crawls["site"].discoverable[:15]}
    assert all(any(ALIAS_HOST in url for url in exported[i]["urls"]) for i in feed_ids)


def test_each_worker_keeps_its_own_files(crawls: dict[str, Any]) -> None:
    for worker in crawls["first"]:
        out = worker["out"]
        assert list((out / "warc" / "localnews").glob("*.warc.gz"))
        assert (out / "runs" / f"{worker['report']['run_id']}.json").is_file()
        assert not (out / "state" / "localnews.sqlite").exists()  # the index is on Redis
    names = [
        path.name
        for worker in crawls["first"]
        for path in (worker["out"] / "warc" / "localnews").glob("*.warc.gz")
    ]
    assert len(names) == len(set(names))  # WARC names never collide


def test_the_run_leaves_only_the_index_in_redis(crawls: dict[str, Any]) -> None:
    keys = crawls["keys_after_first"]
    assert keys and all(key.startswith("newsarchive:localnews:index:") for key in keys), keys
    assert (
        sum(
            worker["report"]["stats"].get("shared_crawl/last_worker", 0)
            for worker in crawls["first"]
        )
        == 1
    )


def test_a_second_run_starts_clean_and_skips_every_known_article(crawls: dict[str, Any]) -> None:
    second = crawls["second"]
    assert [worker["records"] for worker in second] == [[], []]
    # a new run: the first run's duplicate filter is gone, so discovery is fetched again
    assert any(r.target == "/rss.xml" for r in crawls["second_requests"])
    assert not [r for r in crawls["second_requests"] if r.target.startswith("/Detail/")]
    # every discoverable article, each by one worker (hidden ones are linked only from article
    # pages, which a run that fetches no article does not see)
    assert sum(worker["report"]["incremental"]["skipped_known"] for worker in second) == 58


def test_max_articles_bounds_the_whole_run_not_each_worker(redis_url: str, tmp_path: Path) -> None:  # noqa: F811
    site = LocalSite(generate_articles(30))
    addresses = ["127.0.0.1", "127.0.0.2"]
    for address in addresses:
        site.behaviours[address] = slow(0.05)
    with LoopbackServers(site, addresses) as servers:
        # a site of its own: the index the other tests' runs left in this server knows localnews
        profile = write_profile(tmp_path / "budget.toml", servers.origins, name="budgetnews")
        began = time.monotonic()
        processes = [
            start(profile, tmp_path / f"w{n}", "--redis", redis_url, "--max-articles", "7")
            for n in range(2)
        ]
        workers = [
            finish(process, tmp_path / f"w{n}", began) for n, process in enumerate(processes)
        ]
    assert [w["returncode"] for w in workers] == [0, 0], [w["stderr"][-2000:] for w in workers]
    ids = [record["id"] for w in workers for record in w["records"]]
    assert len(ids) == 7 and len(set(ids)) == 7  # seven in all, each once
    assert redis.Redis.from_url(redis_url).keys("newsarchive:budgetnews:crawl:*") == []


def test_a_worker_is_refused_when_redis_does_not_answer(tmp_path: Path) -> None:
    from scraper.demo.server import closed_origin

    dead = closed_origin("127.0.0.1").replace("http://", "redis://") + "/0"
    result = subprocess.run(
        [*newsarchive_command(), "crawl", "presstv", "--out", str(tmp_path), "--redis", dead],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment(),
    )
    assert result.returncode == 2, result.stderr
    assert (
        result.stderr.startswith("newsarchive: error: --redis redis://127.0.0.1:")
        and "Traceback" not in result.stderr
    )
    assert not (tmp_path / "runs").exists()


def test_a_worker_of_another_profile_is_refused(redis_url: str, tmp_path: Path) -> None:  # noqa: F811
    client = redis.Redis.from_url(redis_url)
    client.set("newsarchive:presstv:crawl:run", "feedc0de")  # a run in progress, other mirrors
    client.set("newsarchive:presstv:crawl:feedc0de:profile", "0123456789abcdef")
    try:
        result = subprocess.run(
            [
                *newsarchive_command(),
                "crawl",
                "presstv",
                "--out",
                str(tmp_path),
                "--redis",
                redis_url,
                "--mirrors",
                "http://127.0.0.1:9",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            env=environment(),
        )
    finally:
        client.delete("newsarchive:presstv:crawl:run", "newsarchive:presstv:crawl:feedc0de:profile")
    assert result.returncode == 2, result.stderr
    assert "uses another profile or other mirrors" in result.stderr
