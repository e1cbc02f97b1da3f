"""Replay throughput: ``newsarchive replay`` against a bare warcio iteration of the same files.

    python bench/replay.py [--articles 2000] [--workers N] [--rounds 5] [--warc DIR --site PROFILE]

By default it first archives the local multi-host site with a real ``newsarchive crawl``
(loopback servers this script starts; nothing else is contacted), twice over two mirrors so
the set holds identical-payload revisits too, then times:

* bare warcio: ``ArchiveIterator`` over every file, reading every record's content;
* ``newsarchive replay`` of the same files into an empty directory (extraction on the
  process pool, deduplication, JSON Lines, run report).

Prints records/s for both, articles/s for replay, and their ratio. The headline, printed
last: the first run's articles/s, where every article page is parsed (the second set is half
revisits that need no parsing, so its figure flatters). Target: >= 350 articles/s on the
2-core machine.

``--rounds N`` replays the same files N times (the archive is made once) and takes the
median first-run figure as the headline: on a shared VM one replay moves by a tenth either
way, more than most changes it is meant to show.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from warcio.archiveiterator import ArchiveIterator  # noqa: E402

from scraper.demo.server import LoopbackServers  # noqa: E402
from scraper.demo.site import LocalSite, generate_articles, write_profile  # noqa: E402


def archive_site(articles: int, work: Path) -> tuple[list[Path], list[Path], Path]:
    """A real crawl's WARC files (the first run's, and both runs'), and the profile to read them."""
    site = LocalSite(generate_articles(articles), page_size=50)
    out = work / "crawl"
    runs: list[list[Path]] = []
    with LoopbackServers(site, ["127.0.0.1", "127.0.0.2"]) as servers:
        profile = write_profile(work / "bench.toml", servers.origins, max_listing_pages=100)
        for second in (False, True):
            # The second run starts on the other host and re-checks every article (--refetch):
            # the same bytes again, written as identical-payload revisits replay must resolve.
            origins = servers.origins[::-1] if second else servers.origins
            run_profile = write_profile(work / "run.toml", origins, max_listing_pages=100)
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "scraper.cli",
                    "crawl",
                    str(run_profile),
                    "--out",
                    str(out),
                    "--log-level",
                    "WARNING",
                    *(["--refetch"] if second else []),
                    "-s",
                    "AUTOTHROTTLE_ENABLED=False",
                    "-s",
                    "CONCURRENT_REQUESTS=16",
                    "-s",
                    "CONCURRENT_REQUESTS_PER_DOMAIN=16",
                    "-s",
                    "NEWSARCHIVE_PROGRESS_INTERVAL=0",
                ],
                cwd=REPO,
                check=True,
                stderr=subprocess.DEVNULL,
            )
            runs.append(warc_files(out / "warc"))
    return runs[0], runs[1], profile


def warc_files(directory: Path) -> list[Path]:
    return sorted(
        p for p in directory.rglob("*") if p.name.endswith((".warc.gz", ".warc", ".arc.gz", ".arc"))
    )


def bare_warcio(files: list[Path]) -> tuple[int, float]:
    started = time.perf_counter()
    records = 0
    for path in files:
        with path.open("rb") as stream:
            for record in ArchiveIterator(stream):
                record.content_stream().read()
                records += 1
    return records, time.perf_counter() - started


def replay(files: list[Path], profile: Path, out: Path, workers: int | None) -> tuple[dict, float]:
    command = [
        sys.executable,
        "-m",
        "scraper.cli",
        "replay",
        *map(str, files),
        "--out",
        str(out),
        "--site",
        str(profile),
        "--quiet",
        *(["--workers", str(workers)] if workers is not None else []),
    ]
    started = time.perf_counter()
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if result.returncode not in (0, 1):
        sys.exit(f"replay failed: {result.stderr[-2000:]}")
    [report] = (out / "runs").glob("*.json")
    return json.loads(report.read_text()), wall


def measure(label: str, files: list[Path], profile: Path, out: Path, workers: int | None) -> float:
    """Prints the figures; returns replay's article pages/s."""
    size = sum(p.stat().st_size for p in files)
    bare_records, bare_wall = bare_warcio(files)
    report, wall = replay(files, profile, out, workers)
    records, counts = report["stats"]["records"], report["counts"]
    pages, written = counts.get("replay/article_captures", 0), counts.get("article", 0)
    print(f"{label}: {len(files)} files, {size / 1e6:.1f} MB")
    print(
        f"  bare warcio : {bare_records:7d} records in {bare_wall:6.2f} s = {bare_records / bare_wall:8.1f} records/s"
    )
    print(
        f"  replay      : {records:7d} records in {wall:6.2f} s = {records / wall:8.1f} records/s "
        f"(wall, process start included)"
    )
    print(
        f"                {pages:7d} article pages = {pages / wall:8.1f} articles/s; "
        f"{written} records written, {counts.get('unchanged/same_text', 0)} unchanged "
        f"({counts.get('replay/same_payload', 0)} known bytes, not parsed), {report['failure_count']} problems"
    )
    print(
        f"  ratio       : replay/bare records/s {records / wall / (bare_records / bare_wall):.3f}"
    )
    return pages / wall


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument(
        "--workers", type=int, help="replay's extraction processes (default: one per core)"
    )
    parser.add_argument(
        "--warc", type=Path, help="replay these WARCs instead of crawling the local site"
    )
    parser.add_argument("--site", type=Path, help="the profile for --warc")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="replay the same files this many times; the headline is the median first-run "
        "figure (the VM drifts: one replay near the target says little)",
    )
    args = parser.parse_args()
    if args.rounds < 1:
        parser.error("--rounds must be 1 or more")

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.warc:
            if not args.site:
                parser.error("--warc needs --site")
            for round_ in range(args.rounds):
                measure(
                    "given WARC set",
                    warc_files(args.warc),
                    args.site,
                    work / f"replayed-{round_}",
                    args.workers,
                )
            return
        print(
            f"archiving the local site: {args.articles} articles, two runs over two mirrors…",
            flush=True,
        )
        first, both, profile = archive_site(args.articles, work)
        headlines = []
        for round_ in range(args.rounds):
            if args.rounds > 1:
                print(f"round {round_ + 1} of {args.rounds}")
            headlines.append(
                measure(
                    "first run only (every article page parsed)",
                    first,
                    profile,
                    work / f"replayed-1-{round_}",
                    args.workers,
                )
            )
            measure(
                "both runs (second: identical-payload revisits)",
                both,
                profile,
                work / f"replayed-2-{round_}",
                args.workers,
            )
        if args.rounds > 1:
            print(f"first run, each round: {', '.join(f'{h:.1f}' for h in headlines)} articles/s")
            print(
                f"headline: first run, every article parsed: median {statistics.median(headlines):.1f} "
                f"articles/s over {args.rounds} rounds (target >= 350)"
            )
        else:
            print(
                f"headline: first run, every article parsed: {headlines[0]:.1f} articles/s "
                "(target >= 350)"
            )


if __name__ == "__main__":
    main()
