"""``newsarchive crawl``: one run of the news spider on a site, and its closing summary."""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

from archive.layout import DEFAULT_OUT, OutputLayout
from scraper import log_handlers
from scraper.cli.arguments import apply_settings, output_directory, whole_number
from scraper.cli.site_index import check_crawl_index
from scraper.exit_status import EXIT_FAILURES, EXIT_OK, UsageError
from scraper.since import parse_since
from scraper.sites.profile import SiteProfile, builtin_profile_names, load_profile, with_origins
from scraper.sites.site_access import tor_proxy


def add_command(commands: Any) -> None:
    crawl = commands.add_parser(
        "crawl",
        help="crawl a site and archive its articles",
        description="Crawl SITE's feeds, sitemaps and listings on its primary domain and mirrors; "
        "write every exchange to WARC and every article to JSON Lines.",
        epilog="Examples:\n"
        "  newsarchive crawl presstv --out data --max-articles 50 --since 7d\n"
        "  newsarchive crawl mysite.toml --out data                  any site, from a profile file\n"
        "  newsarchive crawl presstv --mirrors https://www.presstv.co.uk,https://presstv.tv\n"
        "  newsarchive crawl presstv --compare-mirrors --max-articles 20\n"
        "  newsarchive crawl presstv --from-warc data/warc --out retry   offline, from an archive\n"
        "  newsarchive crawl presstv -s DOWNLOAD_DELAY=2 --log-format json\n"
        "Exit status: 0 all good, 1 finished with failures or an alert (see the run report), "
        "2 usage error.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    crawl.add_argument(
        "site", metavar="SITE", help="built-in profile name (presstv) or a profile .toml path"
    )
    crawl.add_argument(
        "--out",
        type=Path,
        default=Path(DEFAULT_OUT),
        metavar="DIR",
        help="output directory: warc/, json/, state/, runs/ (default: ./data)",
    )
    crawl.add_argument(
        "--mirrors",
        metavar="URL,URL…",
        help="replace the profile's primary and mirrors; the first is the primary",
    )
    crawl.add_argument(
        "--tor",
        metavar="URL",
        help="reach .onion mirrors through this Tor SOCKS proxy, like socks5h://127.0.0.1:9050 "
        "(the profile's [access] tor); without it they are listed as unreachable",
    )
    crawl.add_argument(
        "--max-articles", type=whole_number(1), metavar="N", help="stop after N articles"
    )
    crawl.add_argument(
        "--compare-mirrors",
        action="store_true",
        help="also fetch each article from every other healthy mirror and report text that "
        "differs (runs/<run-id>.mirror_divergence.jsonl); same as -s MIRROR_COMPARE=True",
    )
    crawl.add_argument(
        "--since",
        metavar="DATE",
        help="only articles published on or after DATE (2026-03-01, or 7d, 36h, 2w)",
    )
    crawl.add_argument(
        "--refetch",
        action="store_true",
        help="re-check every article the index already has (conditional requests: a 304 "
        "costs no body); by default known articles are skipped, and only those younger "
        "than 48 h are re-checked, at most every 6 h",
    )
    crawl.add_argument(
        "--assets",
        choices=("none", "images", "page"),
        help="what is archived after each article: its pictures (images, the default), "
        "also the stylesheets, scripts and fonts its page loads (page), or nothing (none)",
    )
    crawl.add_argument(
        "--from-warc",
        action="append",
        type=Path,
        default=[],
        metavar="DIR",
        help="offline: answer every request from these WARC files or directories (repeatable) "
        "instead of the network, to try a changed profile or extractor on an old crawl; a URL "
        "not archived is a miss in the run report. Use another --out than the archive's",
    )
    crawl.add_argument(
        "--redis",
        metavar="URL",
        help="be one of several workers (any machines) sharing this crawl through Redis, e.g. "
        "redis://10.0.0.5:6379/0 (default: $REDIS_URL): the queue, duplicate filter, article "
        "claims and dedup index are shared there; WARC, JSON and the run report stay in --out",
    )
    crawl.add_argument(
        "-s",
        "--set",
        dest="settings",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy or newsarchive setting (repeatable), e.g. -s DOWNLOAD_DELAY=1",
    )
    crawl.add_argument(
        "--log-level",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="default INFO; WARNING with --quiet or under the live panel",
    )
    crawl.add_argument(
        "--log-format",
        default="text",
        choices=["text", "json"],
        help="json: one JSON object per log line (time, level, logger, message, fields), "
        "for log shippers; the closing summary too",
    )
    crawl.add_argument(
        "--quiet",
        action="store_true",
        help="warnings, errors and the closing summary only: no progress (on a terminal "
        "the default is a live panel; without one, a progress line every 10 s)",
    )
    crawl.set_defaults(run=run_crawl)


def site_profile(site: str, mirrors: str | None) -> SiteProfile:
    profile = load_profile(site)
    if site != profile.name and profile.name in builtin_profile_names():
        # A file named like a built-in shares its archive under --out (index, WARC and
        # record directories, lock) and is read back with the built-in's profile by name.
        print(
            f"newsarchive: warning: {site} names its site {profile.name!r}, as the built-in "
            f"profile does: both archive into the same {profile.name} index and directories, "
            f"and `state {profile.name}` or `export {profile.name}` read them with the "
            "built-in profile; give it another name unless it stands in for the built-in",
            file=sys.stderr,
        )
    if mirrors:
        profile = with_origins(profile, [m for m in mirrors.split(",") if m.strip()])
    return profile


def run_crawl(args: argparse.Namespace) -> int:
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    profile = site_profile(args.site, args.mirrors)
    if args.tor:
        tor = tor_proxy(args.tor, "--tor", UsageError)
        profile = replace(profile, access=replace(profile.access, tor=tor))
    if args.since:
        try:
            parse_since(args.since)
        except ValueError as exc:
            raise UsageError(str(exc)) from None

    from archive.run_report import new_run_id
    from scraper.spiders.news import NewsSpider

    settings = Settings()
    settings.setmodule("scraper.settings", priority="project")
    apply_settings(settings, args.settings)
    settings.set("ARCHIVE_DIR", str(output_directory(args.out)), priority="cmdline")
    # On a terminal a live panel shows progress; log lines below WARNING would scroll it away.
    live = (
        not args.quiet
        and args.log_format == "text"
        and sys.stderr.isatty()
        and settings.get("NEWSARCHIVE_PROGRESS") in ("auto", "live")
    )
    settings.set(
        "LOG_LEVEL",
        args.log_level or ("WARNING" if args.quiet or live else "INFO"),
        priority="cmdline",
    )
    settings.set("NEWSARCHIVE_LOG_FORMAT", args.log_format, priority="cmdline")
    if args.assets:
        settings.set("NEWSARCHIVE_ASSETS", args.assets, priority="cmdline")
    run_id = new_run_id(profile.name)
    log_handlers.install(settings, args.log_format, OutputLayout(args.out).run_log(run_id))
    if args.quiet:
        settings.set("NEWSARCHIVE_PROGRESS", "off", priority="cmdline")
    if args.compare_mirrors:
        settings.set("MIRROR_COMPARE", True, priority="cmdline")
    if args.from_warc:
        missing = [str(path) for path in args.from_warc if not path.exists()]
        if missing:
            raise UsageError(f"--from-warc: no such file or directory: {', '.join(missing)}")
        from archive.warc_reader import archive_files

        if not archive_files(args.from_warc, on_skip=lambda skipped: None):
            raise UsageError(
                f"--from-warc: no WARC or ARC file in {', '.join(map(str, args.from_warc))}: "
                "an offline crawl would fetch nothing"
            )
        if any(_inside(path, args.out) for path in args.from_warc):
            raise UsageError(
                "--from-warc: the archive read must not be inside --out (its WARCs would be "
                "mixed with the offline run's records); choose another --out"
            )
        settings.set(
            "ARCHIVE_FROM_WARC", [str(path) for path in args.from_warc], priority="cmdline"
        )
        # answers come from disk: no politeness delay is owed to anyone, nothing new to archive
        settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        settings.set("ARCHIVE_WARC_ENABLED", False, priority="cmdline")
    redis_url = args.redis or settings.get("REDIS_URL")  # scraper/settings.py reads $REDIS_URL
    if redis_url:
        _check_redis(redis_url, profile, settings, bool(args.from_warc))
        settings.set("REDIS_URL", redis_url, priority="cmdline")

    site_lock = None if redis_url else _hold_site_lock(args.out, profile.name)
    try:
        check_crawl_index(args.out, profile.name, settings)
        process = CrawlerProcess(settings)
        process.crawl(
            NewsSpider,
            profile=profile,
            max_articles=args.max_articles,
            since=args.since,
            run_id=run_id,
            refetch=args.refetch,
        )
        process.start()
    finally:
        if site_lock is not None:
            site_lock.release()

    report_path = OutputLayout(args.out).run_report(run_id)
    say = _summary_printer(args.log_format)
    try:
        report = json.loads(report_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        say(f"newsarchive: crawl ended without a run report ({report_path})", "ERROR")
        return EXIT_FAILURES
    from archive.run_report import RunReport

    summary = RunReport(
        run_id=report["run_id"],
        site=report["site"],
        started_at=report["started_at"],
        mirrors=report.get("mirrors") or {},
    )
    for line in summary.mirror_lines():
        say(line)
    if report.get("mirror_divergence"):
        from archive.divergence import summary_line

        say(summary_line(report["mirror_divergence"], base=f"{args.out}/"))
    if report.get("incremental"):
        i = report["incremental"]
        say(
            f"{i['new']} new, {i['changed']} changed, {i['unchanged']} unchanged, "
            f"{i['skipped_known']} skipped as known, {i['revisits']} revisits"
        )
    from archive.run_summary import archived_line, assets_line, closing_line, unreachable_hint

    records_file = OutputLayout(args.out).records_file(report["site"], report["run_id"])
    say(archived_line(records_file, int(report.get("stats", {}).get("archive/warc/bytes", 0) or 0)))
    assets = assets_line(report.get("stats", {}))
    if assets:
        say(assets)
    # One line each, for whoever reads cron mail: every mirror failing, no new articles where
    # there usually are some (see archive.run_report.run_alerts).
    for alert in report.get("alerts", []):
        say(f"ALERT {report['site']}: {alert}", "ERROR")
    for notice in report.get("notices", []):
        say(f"notice {report['site']}: {notice}", "WARNING")
    if report.get("stopped_by"):  # a full disk: the run stopped cleanly, the next one resumes
        say(report["stopped_by"], "ERROR")
    say(closing_line(report, report_path))
    hint = unreachable_hint(report)
    if hint:
        say(hint)
    return EXIT_OK if report["status"] == "ok" and not report.get("alerts") else EXIT_FAILURES


def _summary_printer(log_format: str) -> Any:
    """The closing summary on stderr, as log lines of the chosen format."""
    if log_format == "json":
        import logging

        from scraper.log_handlers import json_formatter

        formatter = json_formatter()  # the log lines' own: one time format throughout

        def say_json(line: str, level: str = "INFO") -> None:
            record = logging.makeLogRecord(
                {
                    "name": "newsarchive",
                    "levelname": level,
                    "levelno": logging.getLevelName(level),
                    "msg": line,
                }
            )
            print(formatter.format(record), file=sys.stderr)

        return say_json

    def say_text(line: str, level: str = "INFO") -> None:
        print(line, file=sys.stderr)

    return say_text


def _hold_site_lock(out: Path, site: str) -> Any:
    """The lock scheduled runs of ``site`` into ``out`` take, taken by this crawl too: two
    runs writing one site's index and records at once would version articles twice.  None
    when the scheduler that started this crawl holds it for it."""
    from archive.site_lock import INHERITED_LOCK_ENV, LockHeld, SiteLock

    path = OutputLayout(out).site_lock(site)
    if os.environ.get(INHERITED_LOCK_ENV) == str(path.resolve()):
        return None
    lock = SiteLock(path)
    try:
        lock.acquire(job="crawl")
    except LockHeld as held:
        who = held.holder.describe() if held.holder else "holder unknown"
        raise UsageError(
            f"another run of {site} into {out} is going on ({who}): wait for it to "
            f"end, or crawl into another --out"
        ) from None
    if lock.stale is not None:
        print(
            f"newsarchive: took over the stale lock {path} (left by {lock.stale.describe()}, "
            "which no longer holds it)",
            file=sys.stderr,
        )
    return lock


def _check_redis(url: str, profile: SiteProfile, settings: Any, offline: bool) -> None:
    """A shared crawl's Redis must answer, and a run in progress must be of the same profile."""
    from archive.index.open import is_redis_url
    from archive.index.redis_backend import redacted
    from scraper.shared.crawl import check_redis

    if offline:
        raise UsageError(
            "--from-warc is a crawl of its own: it cannot be shared through Redis "
            "(drop --redis, or unset REDIS_URL)"
        )
    if not is_redis_url(url):
        raise UsageError(
            f"--redis {redacted(url)}: expected redis://HOST[:PORT][/DB], rediss://… or unix://PATH"
        )
    problem = check_redis(url, profile, settings)
    if problem:
        raise UsageError(problem)


def _inside(path: Path, directory: Path) -> bool:
    return path.resolve().is_relative_to(directory.resolve())
