"""``newsarchive index`` and ``newsarchive verify``: indexes and integrity of WARC files.

Per-file lines go to stdout (they are the report), the summary line to stderr. Exit status:
0 all good, 1 a file could not be indexed / a problem was found, 2 usage error (a path
that does not exist, nothing to work on).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from archive.wording import count
from scraper.exit_status import EXIT_FAILURES, EXIT_OK, UsageError

_RECORD_ORDER = ("warcinfo", "response", "revisit", "request", "metadata", "resource")


def add_commands(commands: Any) -> None:
    """Add ``index`` and ``verify`` to the cli's subcommands."""

    index = commands.add_parser(
        "index",
        help="(re)build the CDXJ index beside each closed WARC",
        description="Write <name>.warc.gz.cdxj beside every closed WARC file: the sorted,\n"
        "SURT-keyed index that pywb, ReplayWeb.page and wacz read (made by cdxj-indexer).\n"
        "A crawl writes them as it closes each file; this builds the missing ones\n"
        "(ARCHIVE_CDXJ_ENABLED off, a crawl killed before indexing) and refreshes any older\n"
        "than its WARC. Unfinished *.open files are skipped.",
        epilog="Examples:\n"
        "  newsarchive index data                     every WARC under data/ that needs it\n"
        "  newsarchive index data/warc/presstv --force    rebuild them all\n"
        "  newsarchive index some.warc.gz             one file (any WARC, not only ours)\n"
        "\n"
        "Output: one line per WARC (indexed / current / FAILED: reason), then a summary on\n"
        "stderr. Exit status: 0 all indexed, 1 a file could not be read (the others are still\n"
        "indexed), 2 a path that does not exist or holds no WARC.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    index.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="DIR_OR_WARC",
        help="a crawl directory, any directory of WARCs, or WARC files",
    )
    index.add_argument("--force", action="store_true", help="rebuild indexes that look current too")
    index.set_defaults(run=run_index)

    verify = commands.add_parser(
        "verify",
        help="check WARC files and a crawl's pointers into them",
        description="Read every record of every WARC to its end and check its block and payload\n"
        "digests (as warcio check does), and that every revisit's WARC-Refers-To is among the\n"
        "files checked. For a crawl directory, also check that every JSON record's warc pointer\n"
        "(filename, offset, record_id) leads to that response record, and that each closed WARC\n"
        "has a current .cdxj index. A leftover *.open file is a problem: a crawl was killed\n"
        "(or is still running).",
        epilog="Examples:\n"
        "  newsarchive verify data                    a crawl directory: WARCs, pointers, indexes\n"
        "  newsarchive verify data/warc/presstv/*.warc.gz\n"
        "\n"
        "Output: one line per file (ok / FAIL and its record counts), each problem below it\n"
        "with its offset (WARC) or line (JSON Lines); warnings do not fail a file. Summary on\n"
        "stderr. Exit status: 0 clean, 1 any problem, 2 a path that does not exist or holds\n"
        "no WARC.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="DIR_OR_WARC",
        help="a crawl directory (with warc/ and json/), any directory of WARCs, or WARC files",
    )
    verify.set_defaults(run=run_verify)


def _require(paths: list[Path]) -> None:
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or directory")


def run_index(args: argparse.Namespace) -> int:
    from archive.cdxj import IndexResult, index_directory

    _require(args.paths)

    def show(result: IndexResult) -> None:
        if result.status == "indexed":
            entries = count(result.entries or 0, "entry", "entries")
            print(f"indexed  {result.warc} ({entries})", flush=True)
            for offset, reason in result.unreadable:
                print(f"         not indexed: offset {offset}: {reason}", flush=True)
        elif result.status == "current":
            print(
                f"current  {result.warc} (index newer than the WARC; --force rebuilds)", flush=True
            )
        else:
            print(f"FAILED   {result.warc}: {result.error}", flush=True)

    summary = index_directory(args.paths, force=args.force, progress=show)
    for path in summary.unfinished:
        print(f"skipped  {path} (unfinished WARC)")
    if not summary.results and not summary.unfinished:
        raise UsageError(f"no WARC files in {', '.join(map(str, args.paths))}")
    parts = [
        f"{summary.count('indexed')} indexed",
        f"{summary.count('current')} current",
        f"{summary.count('failed')} failed",
    ]
    if summary.partial:
        unreadable = sum(len(r.unreadable) for r in summary.partial)
        parts.append(f"{unreadable} unreadable records left out of {len(summary.partial)} indexes")
    if summary.unfinished:
        parts.append(f"{len(summary.unfinished)} unfinished skipped")
    print("index: " + ", ".join(parts), file=sys.stderr)
    return EXIT_FAILURES if summary.failed or summary.partial else EXIT_OK


def run_verify(args: argparse.Namespace) -> int:
    from archive.verify import describe_counts, verify_paths

    _require(args.paths)
    report = verify_paths(args.paths)
    if not any(f.kind in ("warc", "unfinished") for f in report.files):
        raise UsageError(f"no WARC files in {', '.join(map(str, args.paths))}")
    for check in report.files:
        status = "FAIL" if check.problems else "ok  "
        if check.kind == "warc":
            total = sum(check.counts.values())
            detail = (
                f"{count(total, 'record')} ({describe_counts(check.counts, _RECORD_ORDER)})"
                if total
                else "no records read"
            )
        elif check.kind == "records":
            c = check.counts
            detail = f"{c['records']} JSON records, {c['pointers resolved']} WARC pointers resolved"
            if c["without pointer"]:
                detail += f", {c['without pointer']} without a WARC pointer"
        else:
            detail = "unfinished"
        print(f"{status}  {check.path}: {detail}")
        for finding in check.findings:
            label = "warning: " if finding.warning else ""
            where = f"{finding.where}: " if finding.where else ""
            print(f"        {label}{where}{finding.message}")
    warcs = [f for f in report.files if f.kind in ("warc", "unfinished")]
    records = sum(sum(f.counts.values()) for f in report.files if f.kind == "warc")
    pointers = report.total("records", "pointers resolved")
    failing = sum(1 for f in report.files if f.problems)
    scope = f"{count(len(warcs), 'WARC file')}, {count(records, 'record')}"
    if any(f.kind == "records" for f in report.files):
        scope += f", {count(pointers, 'WARC pointer')} resolved"
    verdict = (
        "clean"
        if report.clean
        else f"{count(report.problems, 'problem')} in {count(failing, 'file')}"
    )
    if report.warnings:
        verdict += f", {count(report.warnings, 'warning')}"
    print(f"verify: {scope}: {verdict}", file=sys.stderr)
    return EXIT_OK if report.clean else EXIT_FAILURES
