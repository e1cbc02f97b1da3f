"""``newsarchive state`` and ``newsarchive export``: see and change what the index knows.

Both read ``<DIR>/state/<site>.sqlite``, the index a crawl with ``--out DIR`` keeps. They never
create one: a missing index is a usage error (wrong SITE or --out), exit status 2.
``export --wacz`` needs no index: it packages ``<DIR>/warc/<site>/`` and ``<DIR>/json/<site>/``.
"""

from __future__ import annotations

import argparse
import json
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from archive.layout import OutputLayout
from archive.wording import count, duration, size
from scraper.cli.arguments import add_out_again, add_site_and_out
from scraper.cli.site_index import open_site_index, site_name
from scraper.exit_status import EXIT_OK, UsageError
from scraper.since import parse_duration


def add_commands(commands: Any) -> None:
    """Add ``state`` and ``export`` to the cli's subcommands."""

    state = commands.add_parser(
        "state",
        help="show or change what the dedup index knows about a site",
        description="Show the site's dedup index (articles, versions, URLs, payloads, index size, "
        "last runs), or change it: forget one article or URL, expire old URL memory, reset.",
        epilog="Examples:\n"
        "  newsarchive state presstv --out data\n"
        "  newsarchive state presstv forget presstv:698345    (refetched as new next run)\n"
        "  newsarchive state presstv forget https://www.presstv.ir/Detail/2023/02/19/698345/x\n"
        "  newsarchive state presstv expire --older-than 30d  (URL memory only; archived\n"
        "                                                      articles and versions stay)\n"
        "  newsarchive state presstv reset --yes              (forget everything)\n"
        "  newsarchive state presstv --redis redis://10.0.0.5:6379/0   (a shared crawl's index)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    state.usage = (
        "newsarchive state SITE [--out DIR] [--redis URL] [--json] "
        "[{forget ID_OR_URL | expire --older-than DURATION | reset --yes}]"
    )
    add_site_and_out(state)
    state.add_argument("--json", action="store_true", help="print the summary as JSON")
    state.add_argument(
        "--redis",
        metavar="URL",
        default=os.environ.get("REDIS_URL"),
        help="the index of a shared crawl on this Redis server (default: $REDIS_URL), "
        "instead of DIR/state/SITE.sqlite",
    )
    state.set_defaults(run=run_state, action=None)
    # prog: argparse would build it from the whole usage line above
    actions = state.add_subparsers(dest="action", metavar="ACTION", prog="newsarchive state SITE")
    forget = actions.add_parser(
        "forget",
        help="forget one article id (all its versions and URLs) or one URL",
        description="An article id (SITE:ID) removes the article, its versions "
        "and URLs, so the next run fetches it as new; a URL removes that "
        "sighting only. WARC payload captures are kept.",
    )
    forget.add_argument("target", metavar="ID_OR_URL")
    add_out_again(forget)
    expire = actions.add_parser(
        "expire",
        help="drop URL sightings not seen for a while",
        description="Drop URLs not seen for DURATION. Only URL memory "
        "expires: articles, versions and payloads are never removed.",
    )
    expire.add_argument(
        "--older-than",
        required=True,
        metavar="DURATION",
        type=_duration,
        help="e.g. 30d, 12h, 2w, 90m, 45s",
    )
    add_out_again(expire)
    reset = actions.add_parser(
        "reset",
        help="forget everything the index knows (needs --yes)",
        description="Empty the index: the next run fetches every article as "
        "new. WARC and JSON files are not touched.",
    )
    reset.add_argument("--yes", action="store_true", help="really reset")
    add_out_again(reset)


def _duration(text: str) -> timedelta:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _index_location(directory: Path, site: str, redis_url: str | None) -> str:
    from archive.index.redis_backend import redacted

    return (
        f"{redacted(redis_url)} ({site})"
        if redis_url
        else str(OutputLayout(directory).index_file(site))
    )


def run_state(args: argparse.Namespace) -> int:
    if args.action == "reset" and not args.yes:
        raise UsageError("state reset forgets everything the index knows: add --yes to do it")
    index = open_site_index(args.out, args.site, args.redis, read_only=args.action is None)
    try:
        if args.action == "forget":
            result = index.forget(args.target)
            if not (result.articles or result.urls):
                raise UsageError(f"{args.target}: not in the index{_id_hint(args)}")
            print(
                f"forgot {count(result.articles, 'article')}, "
                f"{count(result.versions, 'version')}, {count(result.urls, 'URL')}"
            )
        elif args.action == "expire":
            removed = index.expire_urls(args.older_than)
            print(
                f"expired {count(removed, 'URL')} not seen for "
                f"{duration(args.older_than.total_seconds())}"
            )
        elif args.action == "reset":
            index.reset()
            print("index reset: the next run fetches every article as new")
        else:
            name = site_name(args.site, None if args.redis else args.out)
            summary = _summary(index, args.out, name, args.redis)
            if args.json:
                print(json.dumps(summary, indent=2))
            else:
                print(_summary_text(summary))
        index.flush()
    finally:
        index.close()
    return EXIT_OK


def _id_hint(args: argparse.Namespace) -> str:
    """An article's id is SITE:ID; a bare ``1002`` (the number in its URL) is no id."""
    target = str(args.target)
    if ":" in target or "/" in target:
        return ""
    name = site_name(args.site, None if args.redis else args.out)
    return f" (an article id is SITE:ID: {name}:{target})"


def _in_progress(directory: Path, site: str, redis_url: str | None) -> str | None:
    """The run of ``site`` into ``directory`` going on now, if any (its site lock is held)."""
    from archive.site_lock import running_holder

    if redis_url:  # a shared crawl's workers take no site lock
        return None
    holder = running_holder(OutputLayout(directory).site_lock(site))
    return holder.describe() if holder is not None else None


def _summary(index: Any, directory: Path, site: str, redis_url: str | None) -> dict[str, Any]:
    stats = index.stats().as_dict()
    from archive.run_report import previous_reports

    runs = []
    for report in reversed(previous_reports(OutputLayout(directory), site)[:5]):
        counts = report.get("incremental") or {}
        runs.append(
            {
                "run_id": report.get("run_id"),
                "status": report.get("status"),
                "started_at": report.get("started_at"),
                "articles": report.get("counts", {}).get("article", 0),
                **{
                    k: counts.get(k, 0)
                    for k in ("new", "changed", "unchanged", "skipped_known", "revisits")
                },
                "coverage": report.get("coverage"),
            }
        )
    return {
        "site": site,
        "index": _index_location(directory, site, redis_url),
        **stats,
        "last_runs": runs,
        "run_in_progress": _in_progress(directory, site, redis_url),
    }


def _summary_text(s: dict[str, Any]) -> str:
    lines = [
        f"site {s['site']}: index {s['index']} ({size(s['size_bytes'])})",
        f"  articles {s['articles']:,}, versions {s['versions']:,}, URLs {s['urls']:,}, payloads {s['payloads']:,}",
    ]
    if s["last_runs"]:
        lines.append("  last runs:")
        for r in s["last_runs"]:
            lines.append(
                f"    {r['run_id']} {r['status']}: {count(r['articles'], 'record')} ({r['new']} new, {r['changed']} changed), "
                f"{r['unchanged']} unchanged, {r['skipped_known']} skipped as known, {r['revisits']} revisits"
            )
            coverage = r.get("coverage") or {}
            if coverage.get("records"):
                shares = ", ".join(f"{k} {v:.0%}" for k, v in coverage["fields"].items())
                fell_back = ", ".join(
                    f"{k} {n}" for k, n in (coverage.get("fell_back") or {}).items()
                )
                lines.append(
                    f"      fields of its {count(coverage['records'], 'record')}: {shares}"
                    + (f"; read generically (template drift?): {fell_back}" if fell_back else "")
                )
    elif s.get("run_in_progress"):
        lines.append("  no run finished yet")
    else:
        lines.append("  no runs yet")
    if s.get("run_in_progress"):
        # the index grows as it goes; its line under "last runs" comes with its report
        lines.append(f"  a run is in progress ({s['run_in_progress']}): listed when it ends")
    return "\n".join(lines)
