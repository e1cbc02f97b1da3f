"""Scale-out benchmark (``bench/crawl.py --workers 1,2,4``): the same local site crawled by 1, 2
and 4 ``newsarchive crawl --redis`` workers sharing one redis-server that this script starts on
a loopback port, each run from an empty Redis and empty output directories.

Printed per worker count: pages served and pages/s over the crawl (first to last request the
site answered, so process start-up and the idle wait before workers close are left out), and
the wall time of the whole run. Then the memory of every worker, sampled from
/proc/<pid>/status (VmRSS) every 0.2 s: the largest RSS seen in each quarter of the crawl (by
pages served), for the worker process alone and with its page-object processes, so that a
worker whose memory grew with the crawl would show it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scraper.demo.server import LoopbackServers, Reply, Request  # noqa: E402
from scraper.demo.site import LocalSite, generate_articles, write_profile  # noqa: E402
from tests.redis_server import redis_server  # noqa: E402

QUARTERS = (0.25, 0.5, 0.75, 1.0)


class CountingSite:
    """The site, counting the requests it answers and when the first and last came."""

    def __init__(self, site: LocalSite) -> None:
        self.site = site
        self.count = 0
        self.first = 0.0
        self.last = 0.0

    def reset(self) -> None:
        self.count, self.first, self.last = 0, 0.0, 0.0

    def __call__(self, request: Request) -> Reply:
        now = time.monotonic()
        if not self.count:
            self.first = now
        self.count += 1
        self.last = now
        return self.site(request)


def rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as listed:
                found += [int(child) for child in listed.read().split()]
    except OSError:
        pass
    return found


@dataclass
class Sample:
    pages: int  # served so far, all workers together
    own_kb: int
    with_children_kb: int


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    samples: list[Sample] = field(default_factory=list)


def sample_memory(workers: list[Worker], site: CountingSite, stop: threading.Event) -> None:
    while not stop.wait(0.2):
        for worker in workers:
            if worker.process.poll() is not None:
                continue
            pid = worker.process.pid
            own = rss_kb(pid)
            if own:
                family = own + sum(rss_kb(child) for child in children(pid))
                worker.samples.append(Sample(site.count, own, family))


def run(
    count: int, profile: Path, work: Path, url: str, site: CountingSite, settings: list[str]
) -> dict[str, Any]:
    import redis

    with redis.Redis.from_url(url) as client:
        client.flushall()
    site.reset()
    command = [
        sys.executable,
        "-m",
        "scraper.cli",
        "crawl",
        str(profile),
        "--redis",
        url,
        "--log-level",
        "WARNING",
        "-s",
        "NEWSARCHIVE_PROGRESS=off",
        "-s",
        "NEWSARCHIVE_PROGRESS_INTERVAL=0",
        "-s",
        "SHARED_CRAWL_IDLE_CLOSE=2",
    ]
    for setting in settings:
        command += ["-s", setting]
    began = time.monotonic()
    workers = [
        Worker(
            subprocess.Popen(
                [*command, "--out", str(work / f"w{count}-{n}")],
                cwd=REPO,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        )
        for n in range(count)
    ]
    stop = threading.Event()
    sampler = threading.Thread(target=sample_memory, args=(workers, site, stop), daemon=True)
    sampler.start()
    failed = []
    for n, worker in enumerate(workers):
        _, stderr = worker.process.communicate()
        if worker.process.returncode != 0:
            failed.append((n, worker.process.returncode, stderr.decode(errors="replace")[-2000:]))
    wall = time.monotonic() - began
    stop.set()
    sampler.join()
    for n, code, tail in failed:
        print(f"  worker {n} exited {code}:\n{tail}", file=sys.stderr)
    for n in range(count):
        shutil.rmtree(work / f"w{count}-{n}", ignore_errors=True)
    return {
        "workers": workers,
        "pages": site.count,
        "seconds": site.last - site.first,
        "wall": wall,
    }


def quarter_peaks(samples: list[Sample], total: int, attribute: str) -> list[int | None]:
    peaks: list[int | None] = []
    low = 0.0
    for high in QUARTERS:
        inside = [getattr(s, attribute) for s in samples if low * total < s.pages <= high * total]
        peaks.append(max(inside) if inside else None)
        low = high
    return peaks


def mb(kb: int | None) -> str:
    return "   -  " if kb is None else f"{kb / 1024:6.0f}"


def main(worker_counts: list[int], articles: int, concurrency: int, settings: list[str]) -> None:
    started = time.monotonic()
    generated = generate_articles(articles)
    pages_per_section = -(-articles // 4 // 50)
    site = CountingSite(LocalSite(generated, page_size=50))
    print(
        f"site: {len(generated)} articles, {len(site.site.routes)} pages "
        f"(built in {time.monotonic() - started:.0f} s); workers share a redis-server on loopback; "
        f"{os.cpu_count()} cores"
    )
    extra = [
        "AUTOTHROTTLE_ENABLED=False",
        f"CONCURRENT_REQUESTS={concurrency}",
        f"CONCURRENT_REQUESTS_PER_DOMAIN={concurrency}",
        *settings,
    ]
    results: dict[int, dict[str, Any]] = {}
    with (
        LoopbackServers(site, ["127.0.0.1", "127.0.0.2", "127.0.0.3"]) as servers,
        tempfile.TemporaryDirectory(prefix="bench-scale-out-") as tmp,
        redis_server() as url,
    ):
        work = Path(tmp)
        profile = write_profile(
            work / "bench.toml", servers.origins[:2], max_listing_pages=pages_per_section + 1
        )
        for count in worker_counts:
            result = results[count] = run(count, profile, work, url, site, extra)
            rate = result["pages"] / result["seconds"] if result["seconds"] else 0.0
            print(
                f"{count} worker{'s' if count > 1 else ' '}: {result['pages']:6d} pages in {result['seconds']:6.1f} s"
                f" = {rate:6.1f} pages/s (wall {result['wall']:.1f} s)",
                flush=True,
            )
    base = results[worker_counts[0]]
    base_rate = base["pages"] / base["seconds"]
    print(
        "speed-up   : "
        + ", ".join(
            f"{count} workers x{(r['pages'] / r['seconds']) / base_rate:.2f}"
            for count, r in results.items()
        )
    )
    print(
        "RSS per worker, MB: largest in each quarter of the crawl (by pages served), "
        "worker process / with its page-object processes"
    )
    print("                         25%           50%           75%          100%")
    for count, result in results.items():
        for n, worker in enumerate(result["workers"]):
            own = quarter_peaks(worker.samples, result["pages"], "own_kb")
            family = quarter_peaks(worker.samples, result["pages"], "with_children_kb")
            cells = "  ".join(f"{mb(a)} /{mb(b)}" for a, b in zip(own, family))
            print(f"  {count} workers, worker {n}: {cells}")
