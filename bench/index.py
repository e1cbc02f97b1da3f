"""Persistent index benchmark (run by hand, not a test): N articles with 2 URLs each.

    python bench/index.py [--articles 1000000] [--lookups 200000] [--payloads] [--keep DIR]

Per article, what a crawl records: one version (xxh3-128 text hash, simhash, WARC pointer,
fetched_at), two sightings, one check with Last-Modified. URLs are Press TV-like (~90
characters): the first on the primary, the second on a mirror with the same path (80 %) or
on the primary with an edited slug (20 %, the headline changed). ``--payloads`` also records
one payload capture per article, which a crawl stores for revisits (reported separately: the
issue's 400-byte target is about articles and their URLs).

Prints the insert rate, the url → article id lookup rate (random order, every URL found and
checked) and bytes per article of the closed database file. Issue 4 targets: >= 50,000
lookups/s and <= 400 bytes per article.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import xxhash

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from archive.index.sqlite_backend import SqliteIndex  # noqa: E402
from archive.warc_pointer import WarcPointer  # noqa: E402

PRIMARY = "https://www.presstv.ir"
MIRRORS = ("https://www.presstv.co.uk", "https://www.presstv.com", "https://presstv.tv")
WORDS = (
    "Iran Israel Gaza US sanctions Yemen Lebanon Hezbollah Ansarullah resistance talks "
    "nuclear minister foreign president says warns strikes ceasefire UN Security Council "
    "Tehran Washington Beirut Sanaa Red Sea ships missile drone attack protest students "
    "election parliament oil exports economy Russia China Syria Iraq Palestinians killed"
).split()


def slug(rng: random.Random, length: int) -> str:
    words: list[str] = []
    while sum(len(w) + 1 for w in words) < length:
        words.append(rng.choice(WORDS))
    return "-".join(words)


def article_urls(rng: random.Random, number: int, day: datetime) -> tuple[str, str]:
    path = f"/Detail/{day:%Y/%m/%d}/{number}/"
    first = PRIMARY + path + slug(rng, 90 - len(PRIMARY) - len(path))
    if rng.random() < 0.8:
        second = rng.choice(MIRRORS) + first[len(PRIMARY) :]
    else:
        second = PRIMARY + path + slug(rng, 90 - len(PRIMARY) - len(path))
    return first, second


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=200_000)
    parser.add_argument("--payloads", action="store_true")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--keep", type=Path, help="build the index here and keep it")
    parser.add_argument("--seed", type=int, default=4)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="index-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    path = workdir / "index.sqlite"
    for stale in workdir.glob("index.sqlite*"):
        stale.unlink()

    start_day = datetime(2012, 1, 1, tzinfo=timezone.utc)
    now = datetime(2025, 1, 1, tzinfo=timezone.utc)
    sample: list[str] = []
    sample_every = max(1, (2 * args.articles) // max(2, args.lookups))
    url_chars = 0

    index = SqliteIndex(path, batch_size=args.batch_size)
    began = time.perf_counter()
    for i in range(args.articles):
        number = 100_000 + i
        article_id = f"presstv:{number}"
        # ~130 articles a day, in publication order, as a years-long crawl would add them
        day = start_day + timedelta(seconds=i * 660)
        first, second = article_urls(rng, number, day)
        url_chars += len(first) + len(second)
        fetched = (now + timedelta(seconds=i / 10)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        index.add_sighting(article_id, first, now=now)
        index.record_version(
            article_id,
            content_hash="xxh3-128:" + xxhash.xxh3_128_hexdigest(article_id.encode()),
            simhash=rng.getrandbits(64),
            fetched_at=fetched,
            warc=WarcPointer(
                f"presstv-{i // 5000:06d}-20250101000000000000-crawler-{i % 7}.warc.gz",
                (i % 5000) * 16_384,
                f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}>",
            ),
            published=day.astimezone(timezone(timedelta(hours=3, minutes=30))).isoformat(),
            now=now,
        )
        index.add_sighting(article_id, second, now=now)
        index.record_check(article_id, now, None, f"{day:%a, %d %b %Y %H:%M:%S} GMT")
        if args.payloads:
            index.record_payload(
                "sha1:" + base64.b32encode(hashlib.sha1(first.encode()).digest()).decode(),
                target_uri=first,
                warc_date=fetched,
                record_id=f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128), version=4)}>",
                filename=f"presstv-{i // 5000:06d}.warc.gz",
                offset=(i % 5000) * 16_384,
            )
        # both URLs of the sampled articles: the mirror one is rebuilt from the shared path
        if i % sample_every == 0:
            sample += (first, second)
    index.close()
    insert_seconds = time.perf_counter() - began
    size = path.stat().st_size
    ops = args.articles * (4 + args.payloads)

    index = SqliteIndex(path)
    rng.shuffle(sample)
    began = time.perf_counter()
    for url in sample:
        if index.article_for_url(url) is None:
            raise SystemExit(f"lookup failed for {url}")
    lookup_seconds = time.perf_counter() - began
    missing = [u.replace("/Detail/", "/detail/") for u in sample[:20_000]]
    began = time.perf_counter()
    for url in missing:
        if index.article_for_url(url) is not None:
            raise SystemExit(f"false hit for {url}")
    miss_seconds = time.perf_counter() - began
    stats = index.stats()
    index.close()

    print(
        f"articles            {args.articles:,} (2 URLs each, mean {url_chars / (2 * args.articles):.0f} chars)"
    )
    print(
        f"insert              {args.articles / insert_seconds:,.0f} articles/s "
        f"({ops / insert_seconds:,.0f} index calls/s, {insert_seconds:.1f} s, batch {args.batch_size})"
    )
    print(
        f"lookup (url → id)   {len(sample) / lookup_seconds:,.0f} /s hits, random order ({len(sample):,})"
    )
    print(f"lookup, unknown url {len(missing) / miss_seconds:,.0f} /s")
    print(
        f"on disk             {size:,} bytes = {size / args.articles:.0f} bytes/article"
        f"{' (payload per article included)' if args.payloads else ''}"
    )
    print(f"rows                {stats.as_dict()}")
    if args.keep is None:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
