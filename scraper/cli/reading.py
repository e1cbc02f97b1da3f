"""``newsarchive search``, ``list``, ``show`` and ``history``: read what was archived.

All four read ``DIR/json/<site>/`` through the site's search index (``archive/search``),
which they bring up to date with the records first; ``--out`` may be given several times
(each worker of a shared crawl has its own). Exit status: 0 found, 1 nothing found, 2 an
unknown site or id, or a bad query.
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path
from typing import Any, TextIO

from archive.layout import DEFAULT_OUT
from archive.search.index_rows import Filters, VersionRow
from archive.search.query import QueryError, parse_query
from archive.search.reading import (
    Opened,
    SiteArchive,
    article_versions,
    count_hits,
    latest_versions,
    open_archives,
    search,
    sites_in,
)
from archive.word_diff import changed, word_diff
from archive.wording import count
from scraper.cli.arguments import whole_number
from scraper.cli.reading_output import (
    bold,
    piece_json,
    print_hits,
    print_json,
    print_record,
    render_diff,
    version_json,
    wants_colour,
)
from scraper.exit_status import EXIT_FAILURES, EXIT_OK, UsageError
from scraper.since import parse_since


def add_commands(commands: Any) -> None:
    search_parser = commands.add_parser(
        "search",
        help="find archived articles by their words",
        description="Articles whose title, text, description, authors, section, tags, URL or "
        "mirror hold the query's words, best first, each article once (its newest version), "
        "with the lines that matched.",
        epilog="Query syntax:\n"
        "  iran oil              both words\n"
        '  "oil exports"         the phrase\n'
        "  sanctions OR embargo  either word\n"
        "  -opinion              without this word\n"
        "  sanction*             words starting so\n"
        "  title:tehran          in one field (title, body, description, authors, section,\n"
        "                        tags, url, mirror)\n"
        "Words match without regard to case or accents (Rohani finds Rohání). Words may\n"
        "follow the options; put them after -- when one starts with - (an exclusion):\n"
        "  newsarchive search presstv --since 7d -- iran -opinion\n\n"
        "Examples:\n"
        '  newsarchive search presstv "oil exports" --since 2023-01-01\n'
        "  newsarchive search presstv sanctions --section Iran --json | jq .title\n"
        "  newsarchive search presstv gaza --out worker1 --out worker2\n"
        "  newsarchive search presstv --reindex      (rebuild the index from the records)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _site_and_outs(search_parser)
    search_parser.add_argument("query", metavar="QUERY", nargs="*", help="words to look for")
    _filters(search_parser)
    search_parser.add_argument(
        "--reindex",
        action="store_true",
        help="rebuild the site's search index from its JSON Lines records first",
    )
    search_parser.set_defaults(run=run_search, takes_extra_words=True)

    list_parser = commands.add_parser(
        "list",
        help="list archived articles, newest first",
        description="Each archived article once (its newest version), newest first by "
        "publication time (capture time where the page gave none).",
        epilog="Example:\n  newsarchive list presstv --since 7d --section Iran",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _site_and_outs(list_parser)
    _filters(list_parser)
    list_parser.set_defaults(run=run_list)

    show = commands.add_parser(
        "show",
        help="read one archived article",
        description="The article as a reader reads it: headline, date, authors, section, "
        "pictures with their captions, text; and where and when it was captured.",
        epilog="Example:\n  newsarchive show presstv:698345 --version 1",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    show.add_argument("article", metavar="ID", help="an article id, SITE:KEY (as search prints)")
    _outs(show)
    show.add_argument("--version", type=whole_number(1), metavar="N", help="default: the newest")
    show.add_argument("--json", action="store_true", help="the record itself, as JSON")
    show.set_defaults(run=run_show)

    history = commands.add_parser(
        "history",
        help="every version of an article, and what changed",
        description="Each archived version of the article: when, from which mirror, its "
        "content hash, whether the change was minor. With --diff, the words deleted and "
        "inserted between consecutive versions (title and text).",
        epilog="Example:\n  newsarchive history presstv:698345 --diff",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    history.add_argument("article", metavar="ID", help="an article id, SITE:KEY")
    _outs(history)
    history.add_argument("--diff", action="store_true", help="show what changed, word by word")
    history.add_argument("--json", action="store_true", help="versions (and diffs) as JSON")
    history.set_defaults(run=run_history)


def _outs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        action="append",
        metavar="DIR",
        help=f"an output directory of crawls or replays (default: ./{DEFAULT_OUT}); "
        "give it again to read several as one archive",
    )


def _site_and_outs(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "site", metavar="SITE", help="built-in profile name or a profile .toml path"
    )
    _outs(parser)


def _filters(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--since", metavar="DATE", help="published on or after: 2023-01-31, or 7d, 2w"
    )
    parser.add_argument("--until", metavar="DATE", help="published on or before this day")
    parser.add_argument("--section", metavar="S", help="only this section (case ignored)")
    parser.add_argument("--author", metavar="A", help="only articles with an author like this")
    parser.add_argument(
        "--limit", type=whole_number(1), default=20, metavar="N", help="at most N (default 20)"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per line")


# -- the commands --------------------------------------------------------------------------


def run_search(args: argparse.Namespace) -> int:
    text = " ".join(args.query)
    if not text and not args.reindex:
        raise UsageError("search: give words to look for (see newsarchive search --help)")
    try:
        query = parse_query(text) if text else None
    except QueryError as exc:
        raise UsageError(f"search: {exc}") from None
    filters = _filter_values(args)
    outs = _out_dirs(args)
    site = _site(args.site, outs)
    opened = _open(outs, site, reindex=args.reindex)
    try:
        if query is None:
            print(f"search index of {site} rebuilt: {_articles(opened)} articles", file=sys.stderr)
            return EXIT_OK
        hits = search(opened.archives, query, filters, limit=args.limit)
        if args.json:
            for hit in hits:
                print_json(hit.as_json())
        else:
            print_hits(hits, count_hits(opened.archives, query, filters) if hits else None, text)
        if not hits:
            print(f"no article matches {text!r}{_narrowed(filters)}", file=sys.stderr)
            return EXIT_FAILURES
        return EXIT_OK
    finally:
        opened.close()


def run_list(args: argparse.Namespace) -> int:
    filters = _filter_values(args)
    outs = _out_dirs(args)
    site = _site(args.site, outs)
    opened = _open(outs, site)
    try:
        rows = latest_versions(opened.archives, filters, limit=args.limit)
        color = wants_colour(sys.stdout)
        for _, row in rows:
            if args.json:
                print_json(version_json(row))
                continue
            day = (row.published or row.fetched_at or "")[:10] or "(no date)"
            section = f"  [{row.section}]" if row.section else ""
            title = bold(row.title or "(no title)", color)
            print(f"{day}  {row.article}  v{row.version}{section}  {title}")
        if not rows:
            print(f"no articles of {site}{_narrowed(filters)}", file=sys.stderr)
            return EXIT_FAILURES
        return EXIT_OK
    finally:
        opened.close()


def run_show(args: argparse.Namespace) -> int:
    outs = _out_dirs(args)
    opened, versions = _versions_of(args.article, outs)
    try:
        if args.version is not None:
            chosen = [pair for pair in versions if pair[1].version == args.version]
            if not chosen:
                numbers = ", ".join(str(row.version) for _, row in versions)
                raise UsageError(f"{args.article} has no version {args.version} (it has {numbers})")
        else:
            chosen = versions
        archive, row = chosen[-1]
        record = archive.record(row)
        if args.json:
            print_json(record.to_dict())
        else:
            print_record(record, len({r.version for _, r in versions}), wants_colour(sys.stdout))
        return EXIT_OK
    finally:
        opened.close()


def run_history(args: argparse.Namespace) -> int:
    outs = _out_dirs(args)
    opened, versions = _versions_of(args.article, outs)
    try:
        diffs = []
        if args.diff:
            records = [archive.record(row) for archive, row in versions]
            diffs = [
                (
                    old,
                    new,
                    word_diff(old.title or "", new.title or ""),
                    word_diff(old.body, new.body),
                )
                for old, new in zip(records, records[1:])
            ]
        if args.json:
            print_json(
                {
                    "id": args.article,
                    "versions": [version_json(row) | {"out": str(a.out)} for a, row in versions],
                    "diffs": [
                        {
                            "from": old.version,
                            "to": new.version,
                            "title": [piece_json(p) for p in title],
                            "body": [piece_json(p) for p in body],
                        }
                        for old, new, title, body in diffs
                    ],
                }
            )
            return EXIT_OK
        color = wants_colour(sys.stdout)
        print(f"{bold(args.article, color)}: {count(len(versions), 'version')}")
        for _, row in versions:
            notes = [n for n in ("minor change" if row.minor_change else "",
                                 f"duplicate of {row.duplicate_of}" if row.duplicate_of else "") if n]  # fmt: skip
            print(
                f"  v{row.version}  {row.fetched_at or '(no capture time)'}  {row.mirror}  "
                f"{row.content_hash}{'  ' + ', '.join(notes) if notes else ''}"
            )
        for old, new, title, body in diffs:
            print(f"\n{bold(f'v{old.version} → v{new.version}', color)}")
            if not changed(title) and not changed(body):
                print("  (the same title and text)")
                continue
            if changed(title):
                print("  title: " + render_diff(title, color, elide=False))
            if changed(body):
                print(textwrap.indent(render_diff(body, color), "  "))
        return EXIT_OK
    finally:
        opened.close()


# -- finding what was asked for -----------------------------------------------------------


def _out_dirs(args: argparse.Namespace) -> list[Path]:
    outs = args.out or [Path(DEFAULT_OUT)]
    for out in outs:
        if not out.is_dir():
            raise UsageError(
                f"--out {out}: {'not a directory' if out.exists() else 'no such directory'}"
            )
    return outs


def _site(site: str, outs: list[Path]) -> str:
    from scraper.sites.profile import ProfileError, load_profile

    try:
        name = load_profile(site).name
    except ProfileError:
        name = site  # a site crawled from a profile file nobody has at hand
    if not any(name in sites_in(out) for out in outs):
        present = sorted({s for out in outs for s in sites_in(out)})
        where = ", ".join(map(str, outs))
        has = f" (it has: {', '.join(present)})" if present else " (it has no records)"
        raise UsageError(f"no records of {site} in {where}{has}")
    return name


def _open(outs: list[Path], site: str, *, reindex: bool = False) -> Opened:
    progress = _progress(sys.stderr)
    opened = open_archives(outs, site, progress=progress)
    if reindex:
        for archive in opened.archives:
            archive.index.reindex(progress)
    if progress is not None and progress.shown:
        print(file=sys.stderr)  # end the progress line
    for note in opened.notes:
        print(f"newsarchive: {note}", file=sys.stderr)
    if not opened.archives:
        opened.close()
        raise UsageError(f"no search index of {site} could be opened")
    return opened


def _versions_of(
    article: str, outs: list[Path]
) -> tuple[Opened, list[tuple[SiteArchive, VersionRow]]]:
    site, sep, key = article.partition(":")
    if not sep or not site or not key:
        raise UsageError(f"{article!r} is not an article id: ids look like presstv:698345")
    opened = _open(outs, _site(site, outs))
    versions = article_versions(opened.archives, article)
    if not versions:
        opened.close()
        raise UsageError(f"no article {article} in {', '.join(map(str, outs))}")
    return opened, versions


def _filter_values(args: argparse.Namespace) -> Filters:
    def day(option: str, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            return parse_since(value).isoformat()
        except ValueError:
            raise UsageError(
                f"{option} {value!r}: give a date like 2023-01-31 or a span like 7d"
            ) from None

    for option, value in (("--section", args.section), ("--author", args.author)):
        if value is not None and not value.strip():
            raise UsageError(f"{option}: give a name (an empty one narrows to nothing)")
    return Filters(
        since=day("--since", args.since),
        until=day("--until", args.until),
        section=args.section,
        author=args.author,
    )


def _narrowed(filters: Filters) -> str:
    parts = [
        f"{name} {value}"
        for name, value in (
            ("since", filters.since),
            ("until", filters.until),
            ("in section", filters.section),
            ("by", filters.author),
        )
        if value
    ]
    return f" ({', '.join(parts)})" if parts else ""


def _articles(opened: Opened) -> int:
    return sum(archive.index.article_count() for archive in opened.archives)


class _Progress:
    """Progress of a long catch-up (an archive indexed for the first time), on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown = 0

    def __call__(self, indexed: int) -> None:
        if indexed - self.shown >= 5000:
            self.shown = indexed
            print(f"\rindexing records: {indexed:,}", end="", file=self.stream, flush=True)


def _progress(stream: TextIO) -> _Progress | None:
    return _Progress(stream) if stream.isatty() else None
