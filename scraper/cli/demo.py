"""``newsarchive demo``: the tool at work without the internet. A small Press TV-like site is
served on three loopback mirrors (a primary that fails every third article, a seized mirror,
a healthy one) and crawled like any site; then the archive is there to try the other
commands on."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from archive.wording import count
from scraper.cli import crawl
from scraper.cli.arguments import output_directory, whole_number
from scraper.exit_status import UsageError

SITE_NAME = "demonews"
# One address a host: the failover (and its report) is per host, as with real mirrors.
ADDRESSES = ["127.0.0.1", "127.0.0.2", "127.0.0.3"]


def add_command(commands: Any) -> None:
    demo = commands.add_parser(
        "demo",
        help="crawl a built-in news site served on loopback (no internet needed)",
        description="Serve a small Press TV-like news site on three loopback mirrors (the "
        "primary fails every third article, the second mirror is seized, the third is "
        "healthy), crawl it into DIR with the usual failover, WARC files and JSON records, "
        "then print what was archived and the commands to try next (state, verify, replay, "
        "export). Linux (any 127.x.y.z address is loopback there).",
        epilog="Examples:\n"
        "  newsarchive demo                      into a new temporary directory\n"
        "  newsarchive demo --out demo --articles 60\n",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help="where the archive goes (default: a new directory under the system's temp dir, "
        "kept afterwards)",
    )
    demo.add_argument(
        "--articles",
        type=whole_number(1),
        default=30,
        metavar="N",
        help="articles on the demo site (default 30)",
    )
    demo.add_argument("--quiet", action="store_true", help="no progress lines")
    demo.set_defaults(run=run_demo)


def run_demo(args: argparse.Namespace) -> int:
    from scraper.demo.server import LoopbackServers
    from scraper.demo.site import LocalSite, failing_for, generate_articles, seized, write_profile

    out = args.out or Path(tempfile.mkdtemp(prefix="newsarchive-demo-"))
    output_directory(out)
    site = LocalSite(generate_articles(args.articles))
    failing = {article.path for article in site.articles[::3]}
    site.behaviours[ADDRESSES[0]] = failing_for(lambda request: request.target in failing)
    site.behaviours[ADDRESSES[1]] = seized()
    try:
        servers = LoopbackServers(site, ADDRESSES).__enter__()
    except OSError as exc:
        raise UsageError(
            f"cannot serve the demo site on {', '.join(ADDRESSES)}: {exc.strerror or exc} "
            "(the demo needs the whole 127.0.0.0/8 loopback net, as Linux has it)"
        ) from None
    try:
        profile = write_profile(out / f"{SITE_NAME}.toml", servers.origins, name=SITE_NAME)
        print(
            f"newsarchive demo: a {len(site.articles)}-article site on {servers.origins[0]} "
            f"(fails {count(len(failing), 'article')}), {servers.origins[1]} (seized), "
            f"{servers.origins[2]} (healthy); archiving into {out}",
            file=sys.stderr,
        )
        status = crawl.run_crawl(_crawl_arguments(profile, out, args.quiet))
    finally:
        servers.__exit__(None, None, None)
    # The result on stdout, the crawl's progress and log lines on stderr: `demo 2>/dev/null`
    # shows what was archived and what to try next, and a script can read it.
    print(_result(out))
    print(_next_steps(out))
    return status


def _result(out: Path) -> str:
    from archive.layout import OutputLayout

    reports = OutputLayout(out).run_reports_of(SITE_NAME)
    try:
        report = json.loads(reports[-1].read_text(encoding="utf-8")) if reports else {}
    except (OSError, ValueError):
        report = {}
    articles = report.get("counts", {}).get("article", 0) if isinstance(report, dict) else 0
    where = f"; report {reports[-1]}" if reports else "; no run report"
    return f"{SITE_NAME}: {count(articles, 'article')} archived into {out}{where}"


def _crawl_arguments(profile: Path, out: Path, quiet: bool) -> argparse.Namespace:
    """The crawl's own parser reads them, so the demo runs a crawl as typed by hand."""
    parser = argparse.ArgumentParser(prog="newsarchive")
    crawl.add_command(parser.add_subparsers())
    argv = ["crawl", str(profile), "--out", str(out), *(["--quiet"] if quiet else [])]
    # the site is ours, on loopback: no politeness owed, no need to wait
    argv += ["-s", "AUTOTHROTTLE_ENABLED=False", "-s", "DOWNLOAD_DELAY=0"]
    return parser.parse_args(argv)


def _next_steps(out: Path) -> str:
    return "\n".join(
        [
            "",
            "Next, try (the site is gone, the archive stays):",
            f"  newsarchive state {SITE_NAME} --out {out}",
            f"  newsarchive verify {out}/warc",
            f"  newsarchive export {SITE_NAME} --out {out} --jsonl - | head -c 600",
            f"  newsarchive replay {out}/warc --out {out}-replayed",
            f"  ls {out}/warc/{SITE_NAME} {out}/json/{SITE_NAME} {out}/runs",
        ]
    )
