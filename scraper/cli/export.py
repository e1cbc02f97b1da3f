"""``newsarchive export``: a site's articles as one JSON line each (their latest full
records, or the index's view), and a WACZ package of its crawl."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from archive.layout import DEFAULT_OUT, OutputLayout
from archive.user_paths import OutputFile, UserPathError, output_file, writing
from archive.wording import count, size
from scraper.cli.site_index import open_site_index, site_name
from scraper.exit_status import EXIT_FAILURES, EXIT_OK, UsageError


def add_command(commands: Any) -> None:
    export = commands.add_parser(
        "export",
        help="write the articles as JSON lines (--jsonl) or a replayable WACZ package (--wacz)",
        description="--jsonl: one JSON line per article, its latest full record (title, body,\n"
        "canonical URL, authors, dates, WARC pointer…) from DIR/json/SITE/*.jsonl, ordered by\n"
        "id; --fields picks the keys. --from-index: the index's view instead (latest version's\n"
        "hash and WARC pointer, every URL seen on any mirror, version count), which a shared\n"
        "crawl has on its Redis server.\n\n"
        "--wacz: a WACZ 1.1.1 package (what ReplayWeb.page and pywb open, and `wacz validate`\n"
        "checks) of DIR/warc/SITE's closed WARCs, their merged CDXJ index and one page per\n"
        "archived article. Unfinished *.open WARCs are left out; bad JSON lines are skipped\n"
        "(exit status 1).",
        epilog="Examples:\n"
        "  newsarchive export presstv --jsonl presstv-articles.jsonl\n"
        "  newsarchive export presstv --out data --jsonl - --fields id,title,published,url | head\n"
        "  newsarchive export presstv --wacz presstv.wacz\n"
        "  newsarchive export presstv --from-index --redis redis://10.0.0.5 --jsonl index.jsonl",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    export.add_argument(
        "site", metavar="SITE", help="built-in profile name or a profile .toml path"
    )
    export.add_argument(
        "--out",
        "--dir",  # the name it had before --out meant the output directory everywhere
        dest="out",
        type=Path,
        default=Path(DEFAULT_OUT),
        metavar="DIR",
        help="the crawl's output directory, as for crawl, state and replay (default: ./data)",
    )
    export.add_argument(
        "--jsonl",
        type=Path,
        metavar="FILE",
        help="JSON Lines file to write ('-': stdout; a file is replaced atomically, a device or "
        "FIFO written in place, a symbolic link written through; its directory must exist)",
    )
    export.add_argument(
        "--fields",
        metavar="F1,F2,…",
        help="--jsonl: only these keys of each record (default: all)",
    )
    export.add_argument(
        "--from-index", action="store_true", help="--jsonl: the index's view of each article"
    )
    export.add_argument(
        "--wacz",
        type=Path,
        metavar="FILE",
        help="WACZ package to write (replaced atomically, as --jsonl)",
    )
    export.add_argument(
        "--redis",
        metavar="URL",
        default=os.environ.get("REDIS_URL"),
        help="--from-index: the index of a shared crawl on this Redis server (default: $REDIS_URL)",
    )
    export.set_defaults(run=run_export)


def run_export(args: argparse.Namespace) -> int:
    if args.out.is_file() or args.out.suffix in (".jsonl", ".json"):
        raise UsageError(
            f"--out {args.out}: --out is the crawl's output directory; write the article "
            "list with --jsonl FILE"
        )
    if args.jsonl is None and args.wacz is None:
        raise UsageError(
            "export needs --jsonl FILE (articles) or --wacz FILE (WACZ package), or both"
        )
    # Checked before any work: a missing directory is a mistake to hear of at once.
    for option in ("jsonl", "wacz"):
        path = getattr(args, option)
        if path is not None and str(path) != "-":
            _target(option, path)
    status = EXIT_OK
    if args.jsonl is not None:
        status = max(status, _export_articles(args))
    if args.wacz is not None:
        status = max(status, _export_wacz(args))
    return status


def _export_articles(args: argparse.Namespace) -> int:
    fields = [f.strip() for f in args.fields.split(",") if f.strip()] if args.fields else None
    if args.from_index:
        index = open_site_index(args.out, args.site, args.redis, read_only=True)
        site = site_name(args.site, None if args.redis else args.out)
        try:
            rows = ({"site": site, **row} for row in index.export_latest())
            written = _write_lines(args.jsonl, _select(rows, fields))
        finally:
            index.close()
        bad: list[str] = []
    else:
        from archive.latest_records import latest_records

        site = _site_with_records(args.out, args.site)
        files = OutputLayout(args.out).records_files(site)
        if not files:
            raise UsageError(
                f"no records of {site} in {OutputLayout(args.out).records_dir(site)} "
                "(wrong SITE or --out?)"
            )
        latest = latest_records(files)
        rows = (latest.records[key] for key in sorted(latest.records))
        written = _write_lines(args.jsonl, _select(rows, fields))
        bad = latest.bad_lines
        for line in bad[:10]:
            print(f"skipped bad JSON line {line}", file=sys.stderr)
    print(f"exported {count(written, 'article')} to {args.jsonl}", file=sys.stderr)
    return EXIT_FAILURES if bad else EXIT_OK


def _export_wacz(args: argparse.Namespace) -> int:
    from archive.cdxj import CdxjError
    from archive.wacz import export_site

    site = _site_with_records(args.out, args.site)
    try:
        done = export_site(args.out, site, args.wacz)
    except FileNotFoundError as exc:
        raise UsageError(f"{exc} (wrong SITE or --out?)") from None
    except CdxjError as exc:
        print(
            f"newsarchive: export: cannot index {exc}; {args.wacz} not written "
            f"(newsarchive verify {args.out} says more)",
            file=sys.stderr,
        )
        return EXIT_FAILURES
    except UserPathError as exc:
        raise UsageError(f"--wacz {exc}") from None
    except OSError as exc:
        raise UsageError(f"{args.wacz}: {exc.strerror or exc}") from None
    result, selection = done.result, done.selection
    for path in done.unfinished:
        print(f"left out unfinished WARC {path} (crawl still running, or killed)", file=sys.stderr)
    for bad in selection.bad_lines[:10]:
        print(f"skipped bad JSON line {bad}", file=sys.stderr)
    if len(selection.bad_lines) > 10:
        more = count(len(selection.bad_lines) - 10, "bad line")
        print(f"… and {more} more", file=sys.stderr)
    if selection.without_capture:
        print(
            f"{count(selection.without_capture, 'article')} without a capture in the package "
            "get no page",
            file=sys.stderr,
        )
    print(
        f"exported {count(result.warcs, 'WARC file')}, "
        f"{count(result.index_entries, 'index entry', 'index entries')}, "
        f"{count(result.pages, 'page')} from {count(done.record_files, 'JSON file')} "
        f"to {result.path}"
        + (f" ({size(result.bytes)})" if result.bytes is not None else "")
        + (
            f"; {count(len(selection.bad_lines), 'bad JSON line')} skipped"
            if selection.bad_lines
            else ""
        ),
        file=sys.stderr,
    )
    return EXIT_FAILURES if selection.bad_lines else EXIT_OK


def _select(rows: Iterable[dict[str, Any]], fields: list[str] | None) -> Iterator[dict[str, Any]]:
    for row in rows:
        if fields is None:
            yield row
            continue
        unknown = [f for f in fields if f not in row]
        if unknown:
            raise UsageError(
                f"--fields: no field {unknown[0]!r} in the records (they have: {', '.join(row)})"
            )
        yield {f: row[f] for f in fields}


def _write_lines(target: Path, rows: Iterable[dict[str, Any]]) -> int:
    lines = 0
    if str(target) == "-":
        for row in rows:
            sys.stdout.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
            lines += 1
        return lines
    try:
        with writing(_target("jsonl", target)) as stream:
            out = io.TextIOWrapper(stream, encoding="utf-8", newline="\n")
            for row in rows:
                out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")
                lines += 1
            out.flush()
            out.detach()  # the stream is closed (and renamed into place) by writing()
    except OSError as exc:
        raise UsageError(f"{target}: {exc.strerror or exc}") from None
    return lines


def _target(option: str, path: Path) -> OutputFile:
    try:
        return output_file(path)
    except UserPathError as exc:
        raise UsageError(f"--{option} {exc}") from None


def _site_with_records(directory: Path, site: str) -> str:
    """The site's name; a bare name whose records or WARCs are in DIR works without its
    profile (a crawl of a profile file elsewhere is still exportable by name)."""
    from scraper.sites.profile import ProfileError

    try:
        return site_name(site)
    except ProfileError:
        layout = OutputLayout(directory)
        if "/" not in site and (
            layout.warc_dir(site).is_dir() or layout.records_dir(site).is_dir()
        ):
            return site
        raise
