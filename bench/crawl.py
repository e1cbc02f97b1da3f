"""Crawl throughput: the full ``newsarchive crawl`` against a bare Scrapy spider fetching the
same URLs from the same local multi-host site, measured in one run.

    python bench/crawl.py [--articles 2000] [--concurrency 16] [--no-failover] [--rounds 5]

Prints pages/s of each and their ratio (the headline; target: full >= 0.25 x bare, pictures
included), and the crawl process's CPU per page: the ratio swings with the VM, CPU time is
what compares two commits. Every request goes to loopback servers this script starts; nothing else is
contacted.

Then a failover run: the primary down (connection refused) and one mirror answering 503 for
half its paths (so Retry gives up and failover must move those pages to the third mirror),
load spread over the mirrors. Printed beside the healthy run: raw attempts/s (every download
attempt, refused ones and retries included) and useful pages/s (pages a mirror really served).
Target: useful pages/s >= 0.90 x the healthy run (and raw attempts/s >= 0.8 x: failover costs
under 20 % throughput beyond the extra requests it has to make). With ``--rounds N`` every round
has its failover run, right after its healthy one, and the median of the rounds' useful ratios
is printed too.

    python bench/crawl.py --assets none,images,page [--articles 2000]

Page assets instead: a fresh full crawl per mode, articles/s, exchanges/s, MB of WARC and MB/s
(the target: pictures cost no more than their bytes).

    python bench/crawl.py --workers 1,2,4 [--articles 19600]

Scale-out instead (bench/scale_out.py): the site (19,600 articles: ~20,000 pages) crawled by
1, 2 and 4 ``newsarchive crawl --redis`` workers sharing a redis-server started on loopback;
pages/s per worker count, and each worker's RSS over the crawl (largest per quarter).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import zlib
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scraper.demo.server import LoopbackServers, closed_origin  # noqa: E402
from scraper.demo.site import LocalSite, failing_for, generate_articles, write_profile  # noqa: E402

BARE_SPIDER = textwrap.dedent("""
    import json, sys
    from scrapy import Spider, Request
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    urls = json.load(open(sys.argv[1]))

    class Bare(Spider):
        name = "bare"
        async def start(self):
            for url in urls:
                yield Request(url, callback=self.parse)
        def parse(self, response):
            return None

    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    settings.set("EXTENSIONS", {"scrapy.extensions.logstats.LogStats": None,
                                "scrapy.extensions.telnet.TelnetConsole": None})
    settings.set("ITEM_PIPELINES", {})
    settings.set("SPIDER_LOADER_CLASS", "scrapy.spiderloader.SpiderLoader")
    for pair in sys.argv[3:]:
        name, _, value = pair.partition("=")
        settings.set(name, value)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(Bare)
    process.crawl(crawler)
    process.start()
    stats = crawler.stats.get_stats()
    json.dump({k: v for k, v in stats.items() if isinstance(v, (int, float))}, open(sys.argv[2], "w"))
""")


def shared_settings(concurrency: int) -> list[str]:
    return [
        "AUTOTHROTTLE_ENABLED=False",
        f"CONCURRENT_REQUESTS={concurrency}",
        f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
        "LOG_LEVEL=WARNING",
    ]


def run_bare(urls: list[str], work: Path, concurrency: int) -> dict[str, float]:
    url_file, stats_file, script = work / "urls.json", work / "bare-stats.json", work / "bare.py"
    url_file.write_text(json.dumps(urls))
    script.write_text(BARE_SPIDER)
    subprocess.run(
        [
            sys.executable,
            str(script),
            str(url_file),
            str(stats_file),
            "ROBOTSTXT_OBEY=False",
            *shared_settings(concurrency),
        ],
        cwd=REPO,
        check=True,
    )
    return json.loads(stats_file.read_text())


def run_full(profile: Path, out: Path, concurrency: int, extra: list[str]) -> dict[str, float]:
    command = [
        sys.executable,
        "-m",
        "scraper.cli",
        "crawl",
        str(profile),
        "--out",
        str(out),
        "--log-level",
        "WARNING",
        "-s",
        "NEWSARCHIVE_PROGRESS_INTERVAL=0",
    ]
    for setting in shared_settings(concurrency) + extra:
        command += ["-s", setting]
    started, used = time.perf_counter(), _children_cpu()
    subprocess.run(command, cwd=REPO)
    wall, cpu = time.perf_counter() - started, _children_cpu() - used
    newest = max((out / "runs").glob("*.json"), key=lambda path: path.stat().st_mtime)
    report = json.loads(newest.read_text())
    stats = report["stats"]
    useful = sum(m["successes"] for m in report.get("mirrors", {}).values())
    return {
        **stats,
        "wall": wall,
        "cpu": cpu,
        "articles": report["counts"].get("article", 0),
        "useful": useful,
        "mirrors": report.get("mirrors", {}),
    }


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def half_the_paths(target: str) -> bool:
    # by path, not by request: Retry on the same mirror fails too, so failover has to act
    return zlib.crc32(target.encode()) % 2 == 0 and target != "/robots.txt"


def rates(run: dict[str, float]) -> tuple[float, float]:
    """(download attempts/s, useful pages/s)."""
    elapsed = run["elapsed_time_seconds"]
    return run.get("downloader/request_count", 0) / elapsed, run["useful"] / elapsed


def compare_assets(modes: list[str], count: int, concurrency: int) -> None:
    """What archiving each article's pictures (or everything its page loads) costs."""
    site = LocalSite(generate_articles(count), page_size=50)
    with (
        LoopbackServers(site, ["127.0.0.1", "127.0.0.2"]) as servers,
        tempfile.TemporaryDirectory() as tmp,
    ):
        profile = write_profile(Path(tmp) / "bench.toml", servers.origins, max_listing_pages=100)
        print(
            f"{'assets':8} {'wall s':>7} {'articles/s':>11} {'exchanges/s':>12} {'MB':>8} {'MB/s':>6}"
        )
        for mode in modes:
            run = run_full(
                profile, Path(tmp) / f"out-{mode}", concurrency, [f"NEWSARCHIVE_ASSETS={mode}"]
            )
            elapsed = run["elapsed_time_seconds"]
            megabytes = run.get("archive/warc/bytes", 0) / 1e6
            exchanges = run.get("archive/warc/exchanges", 0)
            print(
                f"{mode:8} {elapsed:7.1f} {run['articles'] / elapsed:11.1f} "
                f"{exchanges / elapsed:12.1f} {megabytes:8.1f} {megabytes / elapsed:6.2f}"
            )


def pages_per_second(run: dict[str, float]) -> float:
    return run["response_received_count"] / run["elapsed_time_seconds"]


def cpu_ms_per_page(run: dict[str, float]) -> float:
    return 1000 * run["cpu"] / run["response_received_count"]


def print_rounds(rounds: list[tuple[dict[str, float], dict[str, float]]]) -> None:
    ratios = [pages_per_second(full) / pages_per_second(bare) for full, bare in rounds]
    cpus = [cpu_ms_per_page(full) for full, _ in rounds]
    print(f"rounds      : ratio {', '.join(f'{r:.3f}' for r in ratios)}")
    print(f"              crawl CPU {', '.join(f'{c:.2f}' for c in cpus)} ms/page")
    print(
        f"median      : ratio {statistics.median(ratios):.3f} (target >= 0.25), crawl CPU "
        f"{statistics.median(cpus):.2f} ms/page over {len(rounds)} rounds"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--articles", type=int, default=None, help="default 2000; 19600 with --workers"
    )
    parser.add_argument(
        "--workers",
        metavar="N[,N…]",
        help="scale-out benchmark instead: Redis-shared crawls with these worker counts, e.g. 1,2,4",
    )
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "-s", dest="settings", action="append", default=[], help="extra setting for the full crawl"
    )
    parser.add_argument("--no-failover", action="store_true", help="skip the failover run")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="fresh crawl and bare Scrapy this many times, alternating; the headline is the "
        "median ratio (the VM drifts: one pair near a target says little)",
    )
    parser.add_argument(
        "--assets",
        metavar="MODE[,MODE…]",
        help="page assets instead: one fresh full crawl per --assets mode (none, images, "
        "page): articles/s, exchanges/s, MB of WARC and MB/s of each",
    )
    args = parser.parse_args()
    if args.assets:
        compare_assets(args.assets.split(","), args.articles or 2000, args.concurrency)
        return
    if args.workers:
        from scale_out import main as scale_out

        scale_out(
            [int(n) for n in args.workers.split(",")],
            args.articles or 19_600,
            args.concurrency,
            args.settings,
        )
        return
    args.articles = args.articles or 2000

    articles = generate_articles(args.articles)
    site = LocalSite(articles, page_size=50)
    sizes = [len(site.routes[a.path].body) for a in articles]
    print(f"site: {len(articles)} articles, mean page {sum(sizes) / len(sizes) / 1024:.1f} KB")
    failover: dict[str, float] | None = None
    with (
        LoopbackServers(site, ["127.0.0.1", "127.0.0.2", "127.0.0.3"]) as servers,
        tempfile.TemporaryDirectory() as tmp,
    ):
        work = Path(tmp)
        profile = write_profile(work / "bench.toml", servers.origins[:2], max_listing_pages=100)
        full = run_full(profile, work / "out", args.concurrency, args.settings)
        # the same site again, unchanged, on the index the first run left behind
        second = run_full(profile, work / "out", args.concurrency, args.settings)
        fetched = sorted(
            {r.target for r in servers.requests if r.host == servers.origins[0].split("//")[1]}
        )
        urls = [servers.origins[0] + t for t in fetched]
        bare = run_bare(urls, work, args.concurrency)
        failover_origins = [closed_origin("127.0.0.4"), *servers.origins[1:3]]
        failover_profile = write_profile(
            work / "failover.toml", failover_origins, max_listing_pages=100
        )

        def run_failover(round_: int) -> dict[str, float] | None:
            if args.no_failover:
                return None
            # by path: Retry on the same mirror fails too, so failover has to act
            site.behaviours["127.0.0.2"] = failing_for(
                lambda request: half_the_paths(request.target), 503
            )
            try:
                return run_full(
                    failover_profile,
                    work / f"out-failover-{round_}",
                    args.concurrency,
                    ["MIRROR_STRATEGY=spread", *args.settings],
                )
            finally:
                del site.behaviours["127.0.0.2"]

        # each round's failover run right after its healthy run: the pair shares the VM's mood
        failovers = [run_failover(1)]
        more = []
        for round_ in range(2, args.rounds + 1):
            more.append(
                (
                    run_full(profile, work / f"out-{round_}", args.concurrency, args.settings),
                    run_bare(urls, work, args.concurrency),
                )
            )
            failovers.append(run_failover(round_))
        failover = failovers[0]

    bare_rate, full_rate = pages_per_second(bare), pages_per_second(full)
    print(
        f"bare scrapy : {bare['response_received_count']:6d} pages in {bare['elapsed_time_seconds']:6.2f} s"
        f" = {bare_rate:7.1f} pages/s"
    )
    print(
        f"newsarchive : {full['response_received_count']:6d} pages in {full['elapsed_time_seconds']:6.2f} s"
        f" = {full_rate:7.1f} pages/s ({full['articles']} articles, wall {full['wall']:.1f} s)"
    )
    print(f"ratio       : {full_rate / bare_rate:.3f} (target >= 0.25)")
    # The ratio swings with the VM (bare Scrapy alone moves by a quarter); CPU time of the
    # crawl process is what tells one commit's cost from another's.
    print(f"crawl CPU   : {full['cpu']:.1f} s = {cpu_ms_per_page(full):.2f} ms/page")
    if more:
        print_rounds([(full, bare), *more])
    print(
        f"second run  : unchanged site, {second['articles']} new articles, "
        f"{second.get('downloader/request_count', 0)} requests, wall {second['wall']:.1f} s "
        f"vs {full['wall']:.1f} s = {full['wall'] / second['wall']:.1f}x faster (target >= 5x)"
    )
    if failover is None:
        return
    healthy_raw, healthy_useful = rates(full)
    failing_raw, failing_useful = rates(failover)
    print("failover run: primary refusing connections, one mirror 503 on half its paths, spread")
    print(
        f"  healthy  : {healthy_raw:7.1f} attempts/s, {healthy_useful:7.1f} useful pages/s "
        f"({full['articles']} articles, {full.get('downloader/request_count', 0)} attempts)"
    )
    print(
        f"  failover : {failing_raw:7.1f} attempts/s, {failing_useful:7.1f} useful pages/s "
        f"({failover['articles']} articles, {failover.get('downloader/request_count', 0)} attempts, "
        f"{failover.get('mirror/failover', 0)} failovers)"
    )
    print(
        f"  ratio    : attempts/s {failing_raw / healthy_raw:.3f} (target >= 0.80), "
        f"useful pages/s {failing_useful / healthy_useful:.3f} (target >= 0.90)"
    )
    for origin, mirror in failover["mirrors"].items():
        print(
            f"  {origin}: {mirror['requests']} requests, {mirror['successes']} ok, failures {mirror['failures']}"
        )
    if more:
        useful = [
            rates(failing)[1] / rates(healthy)[1]
            for (healthy, _), failing in zip([(full, bare), *more], failovers)
            if failing is not None
        ]
        print(f"  rounds   : useful pages/s ratio {', '.join(f'{u:.3f}' for u in useful)}")
        print(
            f"  median   : useful pages/s ratio {statistics.median(useful):.3f} "
            f"(target >= 0.90) over {len(useful)} rounds"
        )


if __name__ == "__main__":
    main()
