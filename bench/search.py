"""Search index benchmark (run by hand, not a test): N generated articles, 2 KB of text each.

    python bench/search.py [--articles 1000000] [--queries 500] [--keep DIR]

Articles are written the way a crawl writes them: each record through the run's sink
(``archive/search/sink.py``: its JSON line, then the search index, one transaction a record),
in runs of 10,000 records a file. Words follow a Zipf distribution over a 40,000-word
vocabulary (a few words in most articles, most words in few), titles of 6-12 words, bodies of
about 2 KB in paragraphs, sections, authors and tags from small sets, one version each.

Prints:
* indexing: records/s through the sink (JSON line + index), and records/s of a catch-up
  (the index rebuilt from the JSON Lines, as ``search --reindex`` does);
* queries: p50/p95/max ms of two-word queries, with the snippets of the first page of 20
  hits made, as ``newsarchive search`` does: content words (drawn by how many articles hold
  them, the 100 commonest words aside: they stand for "the" and "said"), the headline; then
  any words, the commonest too (pairs matching most of the archive); and ``list`` (the
  newest 20 of a section);
* size: the index file against the JSON Lines;
* the web app's ``/search`` (content words) and ``/article/<id>``, rendered in process.

Issue 24's targets: indexing >= 2,000 records/s, two-word query p95 < 50 ms, index <= 1.5x the
JSON Lines, ``/search`` and ``/article/<id>`` p95 < 100 ms.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from archive.layout import OutputLayout  # noqa: E402
from archive.records import ArticleRecord, content_hash  # noqa: E402
from archive.search.index_rows import Filters  # noqa: E402
from archive.search.query import parse_query  # noqa: E402
from archive.search.reading import count_hits, latest_versions, open_archives, search  # noqa: E402
from archive.search.sink import records_sink  # noqa: E402
from archive.search.text_index import COUNT_CAP, RANK_WINDOW  # noqa: E402

SITE = "benchnews"
VOCABULARY = 40_000
RUN_SIZE = 10_000
SECTIONS = ["Iran", "World", "Economy", "Politics", "Middle East", "Sport", "Culture", "Opinion"]
AUTHORS = [f"Author {n}" for n in range(200)]


def vocabulary(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words: set[str] = set()
    while len(words) < VOCABULARY:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(3, 10))))
    return sorted(words)


class Words:
    """Words drawn by Zipf's law (rank r with weight 1/r)."""

    def __init__(self, words: list[str], rng: random.Random) -> None:
        self.words = words
        self.rng = rng
        self.draws = numpy.random.default_rng(rng.randrange(1 << 32))
        weights = 1 / numpy.arange(1, len(words) + 1)
        self.cumulative = numpy.cumsum(weights / weights.sum())

    def draw(self, k: int) -> list[str]:
        ranks = numpy.searchsorted(self.cumulative, self.draws.random(k))
        words = self.words
        return [words[min(int(rank), len(words) - 1)] for rank in ranks]


def article(number: int, words: Words, rng: random.Random, start: datetime) -> ArticleRecord:
    title = " ".join(words.draw(rng.randint(6, 12))).capitalize()
    paragraphs = []
    size = 0
    while size < 2000:
        paragraph = " ".join(words.draw(rng.randint(25, 60))).capitalize() + "."
        paragraphs.append(paragraph)
        size += len(paragraph) + 1
    body = "\n".join(paragraphs)
    url = f"https://www.benchnews.example/Detail/{number}/{title.replace(' ', '-')[:60]}"
    published = (start + timedelta(minutes=number)).isoformat()
    return ArticleRecord(
        id=f"{SITE}:{number}",
        site=SITE,
        canonical_url=url,
        url=url,
        mirror="www.benchnews.example",
        urls=[url],
        title=title,
        published=published,
        published_offset_assumed=False,
        modified=None,
        section=rng.choice(SECTIONS),
        authors=[rng.choice(AUTHORS)],
        description=paragraphs[0][:160],
        body=body,
        images=[],
        tags=words.draw(3),
        language="en",
        fallbacks=[],
        fetched_at=(start + timedelta(minutes=number, seconds=30)).isoformat(),
        content_hash=content_hash(title, body),
        previous_hash=None,
        minor_change=None,
        duplicate_of=None,
        warc=None,
    )


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return f"p50 {statistics.median(ordered):6.1f} ms, p95 {p95:6.1f} ms, max {ordered[-1]:6.1f} ms"


def web_pages(work: Path, content: Words, rng: random.Random, articles: int) -> None:
    """``/search`` and ``/article/<id>`` of ``newsarchive serve``, rendered in process (no
    socket: the app's own time)."""
    import warnings

    warnings.simplefilter("ignore")  # Starlette's TestClient asks for httpx2
    from starlette.testclient import TestClient

    from scraper.web.app import create_app

    client = TestClient(create_app([work]), base_url="http://127.0.0.1")
    for label, path in (
        ("/search", lambda: f"/search?site={SITE}&q={'+'.join(content.draw(2))}"),
        ("/article/<id>", lambda: f"/article/{SITE}:{rng.randrange(articles)}"),
    ):
        timings: list[float] = []
        for _ in range(100):
            url = path()
            began = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(f"web app {label:14s}          {percentiles(timings)} (target p95 < 100 ms)")


def time_queries(work: Path, words: Words, rng: random.Random, args: argparse.Namespace) -> None:
    opened = open_archives([work], SITE, read_only=True)
    # People look for content words; the 100 commonest words of a Zipf vocabulary play
    # the part of "the" and "said". Both kinds are timed; the first is the headline.
    content = Words(words.words[100:], rng)
    for label, source in (("content words", content), ("any words, the commonest too", words)):
        timings: list[float] = []
        counting: list[float] = []
        answers: list[float] = []
        hits_seen: list[int] = []
        for _ in range(args.queries):
            query = parse_query(" ".join(source.draw(2)))
            began = time.perf_counter()
            hits = search(opened.archives, query, Filters(), limit=20)
            timings.append((time.perf_counter() - began) * 1000)
            began = time.perf_counter()
            total = count_hits(opened.archives, query, Filters()).total
            counting.append((time.perf_counter() - began) * 1000)
            answers.append(timings[-1] + counting[-1])
            hits_seen.append(total)
            assert len(hits) == min(20, total)
        print(
            f"two-word queries, {label} ({args.queries}; a median of "
            f"{statistics.median(hits_seen):,.0f} matches, up to {max(hits_seen):,} "
            f"(counts stop past {COUNT_CAP:,}); the newest {RANK_WINDOW:,} matches ranked):"
        )
        print(f"  first page of 20 with snippets: {percentiles(timings)}")
        print(f"  counting the matches:           {percentiles(counting)}")
        print(f"  the answer (page + count):      {percentiles(answers)} (target p95 < 50 ms)")
    listing: list[float] = []
    for _ in range(50):
        began = time.perf_counter()
        latest_versions(opened.archives, Filters(section=rng.choice(SECTIONS)), limit=20)
        listing.append((time.perf_counter() - began) * 1000)
    print(f"list, newest 20 of a section:     {percentiles(listing)}")
    opened.close()
    web_pages(work, content, rng, args.articles)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--keep", type=Path, help="build in DIR and keep it (default: a temp dir)")
    parser.add_argument(
        "--queries-only",
        action="store_true",
        help="time the queries on the archive --keep built before (no writing, no rebuild)",
    )
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-search-"))
    rng = random.Random(24)
    words = Words(vocabulary(rng), rng)
    layout = OutputLayout(work)
    start = datetime(2020, 1, 1, tzinfo=timezone.utc)
    try:
        if args.queries_only:
            if args.keep is None:
                parser.error("--queries-only needs --keep DIR")
            time_queries(work, words, rng, args)
            return
        print(f"writing {args.articles:,} articles through the run's sink into {work}…", flush=True)
        began = time.perf_counter()
        generating = 0.0
        for run_start in range(0, args.articles, RUN_SIZE):
            sink = records_sink(layout, SITE, f"{SITE}-run{run_start // RUN_SIZE:05d}")
            for number in range(run_start, min(args.articles, run_start + RUN_SIZE)):
                made = time.perf_counter()
                record = article(number, words, rng, start)
                generating += time.perf_counter() - made
                sink.write(record)
            sink.close()
            if run_start and run_start % 100_000 == 0:
                rate = run_start / (time.perf_counter() - began - generating)
                print(f"  {run_start:,} written, {rate:,.0f} records/s", flush=True)
        writing = time.perf_counter() - began - generating
        print(
            f"indexing through the sink: {args.articles / writing:,.0f} records/s "
            f"(JSON line + index, generation excluded; target >= 2,000)"
        )

        opened = open_archives([work], SITE)
        began = time.perf_counter()
        rebuilt = opened.archives[0].index.reindex()
        rebuild = time.perf_counter() - began
        opened.close()  # the last connection checkpoints the WAL into the file
        print(
            f"catch-up from the JSON Lines (--reindex): {rebuilt.indexed / rebuild:,.0f} records/s"
        )

        jsonl = sum(p.stat().st_size for p in layout.records_files(SITE))
        index_size = sum(
            p.stat().st_size for p in layout.state_dir.glob(f"{SITE}.search.sqlite*") if p.is_file()
        )
        print(
            f"size: JSON Lines {jsonl / 1e6:,.1f} MB, index {index_size / 1e6:,.1f} MB = "
            f"{index_size / jsonl:.2f}x (target <= 1.5x)"
        )

        time_queries(work, words, rng, args)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
