"""Mirror discovery on the local site: how soon announced mirrors are found and verified.

    python bench/mirror_discovery.py [--articles 300]

The profile names only the primary, which serves one article in three; every article page
announces two healthy mirrors and an impostor (other text at the same paths). Prints how many
articles had been recorded when the first mirror was verified (target: the first few),
where every record came from, and what the crawl cost. Loopback only.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from scraper.demo.server import LoopbackServers  # noqa: E402
from scraper.demo.site import LocalSite, failing_for, generate_articles, write_profile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--keep", metavar="DIR", help="debugging: crawl into DIR/tmp…/out")
    args = parser.parse_args()
    site = LocalSite(generate_articles(args.articles), page_size=50)
    index = {article.path: n for n, article in enumerate(site.articles)}
    fakes = {
        a.path: site.render(
            replace(
                site.articles[(n + 7) % len(site.articles)],
                id=a.id,
                slug=a.slug,
                published=a.published,
            )
        )
        for n, a in enumerate(site.articles)
    }
    site.behaviours["127.0.0.1"] = failing_for(lambda r: index.get(r.target, 0) % 3 != 0)
    site.behaviours["127.0.0.4"] = lambda request, reply: fakes.get(request.target, reply)
    addresses = ["127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.4"]
    with (
        LoopbackServers(site, addresses) as servers,
        nullcontext(args.keep) if args.keep else tempfile.TemporaryDirectory() as tmp,
    ):
        primary, healthy_a, healthy_b, impostor = servers.origins
        site.announced = (healthy_a, impostor, healthy_b)
        site.rebuild()
        profile = write_profile(Path(tmp) / "bench.toml", [primary], max_listing_pages=100)
        out = Path(tmp) / "out"
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "scraper.cli",
                "crawl",
                str(profile),
                "--out",
                str(out),
                "--quiet",
                "-s",
                "RETRY_TIMES=0",
                "-s",
                "AUTOTHROTTLE_ENABLED=False",
            ],
            cwd=REPO,
        )
        wall = time.perf_counter() - started
        [report_path] = (out / "runs").glob("*.json")
        report = json.loads(report_path.read_text())
        records = [
            json.loads(line)
            for path in (out / "json").glob("*/*.jsonl")
            for line in path.read_text().splitlines()
        ]
        host = {
            origin.split("//")[1]: name
            for origin, name in zip(
                servers.origins, ("primary", "healthy A", "healthy B", "impostor")
            )
        }
    stats = report["stats"]
    print(
        f"articles: {len(records)} of {args.articles} archived in {wall:.1f} s; status {report['status']}"
    )
    print(
        f"first mirror verified after {stats.get('mirror_discovery/first_verified_after')} articles recorded"
    )
    print(
        f"verified {stats.get('mirror_discovery/verified', 0)}, rejected {stats.get('mirror_discovery/rejected', 0)}, "
        f"check requests {stats.get('mirror_discovery/checks', 0)}, held then asked again {stats.get('mirror_discovery/asked_again', 0)}"
    )
    print("discovery:", {k: v for k, v in stats.items() if k.startswith("mirror_discovery")})
    print("failures:", report["failures_by_reason"], [f["url"] for f in report["failures"][:3]])
    print("records by mirror:", dict(Counter(host.get(r["mirror"], r["mirror"]) for r in records)))


if __name__ == "__main__":
    main()
