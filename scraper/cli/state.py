"""``newsarchive state`` and ``newsarchive export``: see and change what the index knows.

Both read ``<DIR>/state/<site>.sqlite``, the index a crawl with ``--out DIR`` keeps. They never
create one: a missing index is a usage error (wrong SITE or --out), exit status 2.
``export --wacz`` needs no index: it packages ``<DIR>/warc/<site>/`` and ``<DIR>/json/<site>/``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

from archive.layout import DEFAULT_OUT, OutputLayout
from scraper.exit_status import EXIT_FAILURES, EXIT_OK, UsageError
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
    state.add_argument("site", metavar="SITE", help="built-in profile name or a profile .toml path")
    state.add_argument(
        "--out",
        type=Path,
        default=Path(DEFAULT_OUT),
        metavar="DIR",
        help="the crawl's output directory (default: ./data)",
    )
    state.add_argument("--json", action="store_true", help="print the summary as JSON")
    state.add_argument(
        "--redis",
        metavar="URL",
        default=os.environ.get("REDIS_URL"),
        help="the index of a shared crawl on this Redis server (default: $REDIS_URL), "
        "instead of DIR/state/SITE.sqlite",
    )
    state.set_defaults(run=run_state, action=None)
    actions = state.add_subparsers(dest="action", metavar="ACTION")
    here = {"type": Path, "default": argparse.SUPPRESS, "metavar": "DIR", "help": "as above"}
    forget = actions.add_parser(
        "forget",
        help="forget one article id (all its versions and URLs) or one URL",
        description="An article id (SITE:ID) removes the article, its versions "
        "and URLs, so the next run fetches it as new; a URL removes that "
        "sighting only. WARC payload captures are kept.",
    )
    forget.add_argument("target", metavar="ID_OR_URL")
    forget.add_argument("--out", **here)
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
    expire.add_argument("--out", **here)
    reset = actions.add_parser(
        "reset",
        help="forget everything the index knows (needs --yes)",
        description="Empty the index: the next run fetches every article as "
        "new. WARC and JSON files are not touched.",
    )
    reset.add_argument("--yes", action="store_true", help="really reset")
    reset.add_argument("--out", **here)

    export = commands.add_parser(
        "export",
        help="write the article list (--out) or a replayable WACZ package (--wacz)",
        description="--out: from the index, one JSON line per article, ordered by id, with its latest\n"
        "version (hash, WARC pointer, fetched_at), every URL seen for it on any mirror and its\n"
        "version count. The per-run JSONL files stay the append-only log of every version.\n\n"
        "--wacz: a WACZ 1.1.1 package (what ReplayWeb.page and pywb open, and `wacz validate`\n"
        "checks) of DIR/warc/SITE's closed WARCs, their merged CDXJ index and one page per\n"
        "archived article (its latest version in DIR/json/SITE/*.jsonl). Needs no index.\n"
        "Unfinished *.open WARCs are left out; bad JSON lines are skipped (exit status 1).",
        epilog="Examples:\n"
        "  newsarchive export presstv --dir data --out presstv-articles.jsonl\n"
        "  newsarchive export presstv --dir data --wacz presstv.wacz\n"
        "  newsarchive export presstv --dir data --out articles.jsonl --wacz presstv.wacz",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument(
        "site", metavar="SITE", help="built-in profile name or a profile .toml path"
    )
    export.add_argument(
        "--out", type=Path, metavar="FILE", help="JSON Lines file to write ('-': stdout)"
    )
    export.add_argument(
        "--wacz", type=Path, metavar="FILE", help="WACZ package to write (replaced atomically)"
    )
    export.add_argument(
        "--dir",
        type=Path,
        default=Path(DEFAULT_OUT),
        metavar="DIR",
        help="the crawl's output directory (default: ./data)",
    )
    export.add_argument(
        "--redis",
        metavar="URL",
        default=os.environ.get("REDIS_URL"),
        help="--out: read the index of a shared crawl on this Redis server (default: $REDIS_URL)",
    )
    export.set_defaults(run=run_export)


def _duration(text: str) -> timedelta:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _site_name(site: str, directory: Path | None = None) -> str:
    """The site's name: a built-in profile's, a profile file's, or a name whose index is in
    ``directory`` (a crawl made from a profile file nobody has at hand)."""
    from scraper.sites.profile import NAME_PATTERN, ProfileError, load_profile

    try:
        return load_profile(site).name
    except ProfileError:
        if directory is not None and NAME_PATTERN.fullmatch(site):
            if OutputLayout(directory).index_file(site).is_file():
                return site
        raise


def _open(directory: Path, site: str, redis_url: str | None, read_only: bool = False) -> Any:
    from archive.index.model import IndexSchemaError
    from archive.index.open import open_index

    name = _site_name(site, None if redis_url else directory)
    if redis_url:
        return _open_redis(redis_url, name)
    path = OutputLayout(directory).index_file(name)
    if not path.is_file():
        raise UsageError(f"no index for {name} at {path} (wrong SITE or --out?)")
    try:
        # A reader beside a running crawl sees its last commit and takes no lock; a wait for
        # one is bounded (a checkpoint), and the crawl is never held up.
        options = {"read_only": True, "busy_timeout": 5.0} if read_only else {}
        return open_index(path, **options)
    except (IndexSchemaError, OSError) as exc:
        raise UsageError(f"{path}: {exc}") from None
    except Exception as exc:  # sqlite3.DatabaseError: not a database
        raise UsageError(f"{path}: cannot open index: {exc}") from None


def _open_redis(url: str, site: str) -> Any:
    """A shared crawl's index, where its workers keep it (``newsarchive:<site>:index:``)."""
    import redis

    from archive.index.open import is_redis_url
    from archive.index.redis_backend import RedisIndex, redacted

    if not is_redis_url(url):
        raise UsageError(
            f"--redis {redacted(url)}: expected redis://HOST[:PORT][/DB], rediss://… or unix://PATH"
        )
    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
    try:
        client.ping()  # a quick one-line answer, not a traceback after redis-py's retries
    except (redis.RedisError, ValueError) as exc:
        raise UsageError(f"--redis {redacted(url)}: cannot use the server: {exc}") from None
    finally:
        client.close()
    return RedisIndex(url, site=site)


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
    index = _open(args.out, args.site, args.redis, read_only=args.action is None)
    try:
        if args.action == "forget":
            result = index.forget(args.target)
            if not (result.articles or result.urls):
                raise UsageError(f"{args.target}: not in the index")
            print(
                f"forgot {result.articles} article(s), {result.versions} version(s), {result.urls} URL(s)"
            )
        elif args.action == "expire":
            removed = index.expire_urls(args.older_than)
            print(f"expired {removed} URL(s) not seen for {args.older_than}")
        elif args.action == "reset":
            index.reset()
            print("index reset: the next run fetches every article as new")
        else:
            name = _site_name(args.site, None if args.redis else args.out)
            summary = _summary(index, args.out, name, args.redis)
            if args.json:
                print(json.dumps(summary, indent=2))
            else:
                print(_summary_text(summary))
        index.flush()
    finally:
        index.close()
    return EXIT_OK


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
    }


def _summary_text(s: dict[str, Any]) -> str:
    lines = [
        f"site {s['site']}: index {s['index']} ({s['size_bytes']:,} bytes)",
        f"  articles {s['articles']:,}, versions {s['versions']:,}, URLs {s['urls']:,}, payloads {s['payloads']:,}",
    ]
    if s["last_runs"]:
        lines.append("  last runs:")
        for r in s["last_runs"]:
            lines.append(
                f"    {r['run_id']} {r['status']}: {r['articles']} records ({r['new']} new, {r['changed']} changed), "
                f"{r['unchanged']} unchanged, {r['skipped_known']} skipped as known, {r['revisits']} revisits"
            )
            coverage = r.get("coverage") or {}
            if coverage.get("records"):
                shares = ", ".join(f"{k} {v:.0%}" for k, v in coverage["fields"].items())
                fell_back = ", ".join(
                    f"{k} {n}" for k, n in (coverage.get("fell_back") or {}).items()
                )
                lines.append(
                    f"      fields of its {coverage['records']} records: {shares}"
                    + (f"; read generically (template drift?): {fell_back}" if fell_back else "")
                )
    else:
        lines.append("  no runs yet")
    return "\n".join(lines)


def run_export(args: argparse.Namespace) -> int:
    if args.out is None and args.wacz is None:
        raise UsageError(
            "export needs --out FILE (article list) or --wacz FILE (WACZ package), or both"
        )
    status = EXIT_OK
    if args.out is not None:
        status = max(status, _export_articles(args))
    if args.wacz is not None:
        status = max(status, _export_wacz(args))
    return status


def _export_wacz(args: argparse.Namespace) -> int:
    from archive.cdxj import CdxjError
    from archive.wacz import export_site

    site = _wacz_site(args.dir, args.site)
    try:
        done = export_site(args.dir, site, args.wacz)
    except FileNotFoundError as exc:
        raise UsageError(f"{exc} (wrong SITE or --dir?)") from None
    except CdxjError as exc:
        print(
            f"newsarchive: export: cannot index {exc}; {args.wacz} not written "
            f"(newsarchive verify {args.dir} says more)",
            file=sys.stderr,
        )
        return EXIT_FAILURES
    except OSError as exc:
        raise UsageError(f"{args.wacz}: {exc.strerror or exc}") from None
    result, selection = done.result, done.selection
    for path in done.unfinished:
        print(f"left out unfinished WARC {path} (crawl still running, or killed)", file=sys.stderr)
    for bad in selection.bad_lines[:10]:
        print(f"skipped bad JSON line {bad}", file=sys.stderr)
    if len(selection.bad_lines) > 10:
        print(f"… and {len(selection.bad_lines) - 10} more bad line(s)", file=sys.stderr)
    if selection.without_capture:
        print(
            f"{selection.without_capture} article(s) without a capture in the package get no page",
            file=sys.stderr,
        )
    print(
        f"exported {result.warcs} WARC file(s), {result.index_entries} index entries, {result.pages} "
        f"page(s) from {done.record_files} JSON file(s) to {result.path} ({result.bytes:,} bytes)"
        + (f"; {len(selection.bad_lines)} bad JSON line(s) skipped" if selection.bad_lines else ""),
        file=sys.stderr,
    )
    return EXIT_FAILURES if selection.bad_lines else EXIT_OK


def _wacz_site(directory: Path, site: str) -> str:
    """The site's name; a bare name with WARCs in DIR works without its profile (a crawl of a
    profile file elsewhere is still exportable by name)."""
    from scraper.sites.profile import ProfileError

    try:
        return _site_name(site)
    except ProfileError:
        if "/" not in site and OutputLayout(directory).warc_dir(site).is_dir():
            return site
        raise


def _export_articles(args: argparse.Namespace) -> int:
    index = _open(args.dir, args.site, args.redis, read_only=True)
    site = _site_name(args.site, None if args.redis else args.dir)
    count = 0
    try:
        if str(args.out) == "-":
            for row in index.export_latest():
                sys.stdout.write(
                    json.dumps({"site": site, **row}, ensure_ascii=False, sort_keys=True) + "\n"
                )
                count += 1
        else:
            try:
                args.out.parent.mkdir(parents=True, exist_ok=True)
                tmp = args.out.with_name(args.out.name + ".tmp")
                with tmp.open("w", encoding="utf-8") as out:
                    for row in index.export_latest():
                        out.write(
                            json.dumps({"site": site, **row}, ensure_ascii=False, sort_keys=True)
                            + "\n"
                        )
                        count += 1
                os.replace(tmp, args.out)  # a reader never sees half an export
            except OSError as exc:
                raise UsageError(f"{args.out}: {exc.strerror or exc}") from None
    finally:
        index.close()
    print(f"exported {count} article(s) to {args.out}", file=sys.stderr)
    return EXIT_OK
