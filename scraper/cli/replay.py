"""``newsarchive replay``: rebuild the JSON records from WARC files alone."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from archive.layout import index_root
from archive.site_lock import LockHeld
from archive.wording import count
from scraper.cli.arguments import output_directory, whole_number
from scraper.exit_status import EXIT_FAILURES, EXIT_OK, UsageError
from scraper.sites.profile import SiteProfile, builtin_profile_names, load_profile


def add_command(commands: Any) -> None:
    replay = commands.add_parser(
        "replay",
        help="rebuild JSON records from WARC files (ours or any other tool's)",
        description="Read WARC/ARC files (.warc, .warc.gz, .arc, .arc.gz; directories are searched), "
        "resolve revisit records to the payload they refer to, run every archived article page "
        "through the site's page object and the same deduplication as a crawl, and write the "
        "records to DIR/json/<site>/<run-id>.jsonl with a run report in DIR/runs/. "
        "Replaying a crawl's WARCs into an empty directory gives the crawl's records. Bad "
        "records are reported with file and offset and skipped; the rest goes on.",
        epilog="Examples:\n"
        "  newsarchive replay data/warc/presstv --out rebuilt\n"
        "  newsarchive replay old-crawl.warc.gz --out rebuilt --site my-site.toml\n"
        "Exit status: 0 all read, 1 something was skipped or nothing was written (see the run "
        "report), 2 usage error.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    replay.add_argument("paths", nargs="+", type=Path, metavar="WARC_OR_DIR")
    replay.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="DIR",
        help="where records, dedup state and the run report go; an empty directory "
        "rebuilds from scratch, one with state/ continues its versions",
    )
    replay.add_argument(
        "--site",
        metavar="SITE",
        action="append",
        default=[],
        help="profile name or .toml path (repeatable; one --site reads every article URL "
        "its article_url matches, whatever the host); default: the profile a newsarchive "
        "crawl wrote into each WARC, else every built-in profile, chosen by the host of each "
        "archived URL",
    )
    replay.add_argument(
        "--index",
        type=Path,
        metavar="SQLITE",
        help="a crawl's dedup index (DIR/state/<site>.sqlite): resolves revisits whose "
        "original is in a WARC not given (looked for beside the given files and in the "
        "crawl's warc/ directory)",
    )
    replay.add_argument(
        "--workers",
        type=whole_number(0),
        metavar="N",
        help="extraction processes (default: one per core, plus one: this process "
        "reading the WARCs leaves a core partly idle; 0: extract in this process)",
    )
    replay.add_argument("--quiet", action="store_true", help="no progress lines")
    replay.set_defaults(run=run_replay)


def run_replay(args: argparse.Namespace) -> int:
    from archive.extraction import default_workers
    from archive.replay import Replay
    from archive.replay_progress import print_progress

    missing = [str(path) for path in args.paths if not path.exists()]
    if missing:
        raise UsageError(f"no such file or directory: {', '.join(missing)}")
    output_directory(args.out)
    from archive.warc_reader import archive_files

    if not archive_files(args.paths, on_skip=lambda skipped: None):
        raise UsageError(
            f"no WARC or ARC file in {', '.join(map(str, args.paths))}: nothing to replay"
        )
    profiles: list[SiteProfile] = [load_profile(site) for site in args.site]
    if not profiles:
        profiles = [load_profile(name) for name in builtin_profile_names()]
    workers = default_workers() + 1 if args.workers is None else args.workers
    progress = None if args.quiet else print_progress(sys.stderr)
    index = _open_index(args.index) if args.index else None
    lookup = _digest_lookup(index, args.index, args.paths) if index is not None else None
    replay = Replay(
        args.out,
        profiles,
        forced=profiles[0] if len(args.site) == 1 else None,
        embedded=not args.site,
        workers=workers,
        progress=progress,
        lookup_digest=lookup,
    )
    try:
        result = replay.run(args.paths)
    except LockHeld as held:  # a crawl (or replay) of that site into --out is going on
        who = held.holder.describe() if held.holder else "holder unknown"
        raise UsageError(
            f"another run of {held.path.stem} into {args.out} is going on ({who}): wait for "
            "it to end, or replay into another --out"
        ) from None
    finally:
        if index is not None:
            index.close()
    report = result.report
    for failure in report.failures[:20]:
        print(f"skipped: {failure.reason}", file=sys.stderr)
    if report.failure_count > 20:
        print(
            f"… and {report.failure_count - 20} more, listed in {result.report_path}",
            file=sys.stderr,
        )
    repaired = report.outcomes.get("replay/read_with_warnings", 0)
    if repaired:
        examples = report.stats.get("read_warning_examples", [])
        for example in examples[:5]:
            print(f"warning: {example}", file=sys.stderr)
        print(
            f"read with warnings: {count(repaired, 'article capture')} (quirks repaired, "
            "not skipped); "
            f"examples in {result.report_path}",
            file=sys.stderr,
        )
    print(report.incremental_line(), file=sys.stderr)
    for alert in report.alerts:
        print(
            f"ALERT {report.site}: {alert}" if report.site else f"ALERT: {alert}", file=sys.stderr
        )
    for notice in report.notices:
        print(f"notice: {notice}", file=sys.stderr)
    if report.stopped_by:
        print(f"newsarchive: {report.stopped_by}", file=sys.stderr)
    status = "failed" if report.alerts else report.status
    print(
        f"{status}: {count(result.records, 'record')} from "
        f"{count(report.stats['records'], 'WARC record')} in "
        f"{count(report.stats['files'], 'file')}, {report.failure_count} skipped; "
        f"report {result.report_path}",
        file=sys.stderr,
    )
    return EXIT_OK if status == "ok" else EXIT_FAILURES


def _open_index(path: Path) -> Any:
    from archive.index.model import IndexSchemaError
    from archive.index.open import open_index

    if not path.is_file():
        raise UsageError(f"--index: no such file: {path}")
    try:
        return open_index(path, read_only=True)  # a crawl may be writing it
    except (IndexSchemaError, OSError, ValueError) as exc:
        raise UsageError(f"--index {path}: {exc}") from None


def _digest_lookup(index: Any, index_path: Path, paths: list[Path]) -> Any:
    """Payload digest -> (file, offset) of its first capture, by the crawl's index; the file is
    looked for beside the replayed ones and in the crawl's own warc/<site>/ directories."""
    directories = [path if path.is_dir() else path.parent for path in paths]
    directories += sorted(index_root(index_path).warc_root.glob("*/"))

    def lookup(digest: str) -> tuple[Path, int] | None:
        capture = index.first_capture(digest)
        if capture is None or capture.filename is None or capture.offset is None:
            return None
        for directory in directories:
            for candidate in (directory / capture.filename, *directory.rglob(capture.filename)):
                if candidate.is_file():
                    return candidate, capture.offset
        return None

    return lookup
