"""``newsarchive extract``: the JSON record a saved page would give, without crawling."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from scraper.cli.arguments import read_page_file, saved_page
from scraper.cli.crawl import site_profile
from scraper.exit_status import EXIT_FAILURES, EXIT_OK, UsageError
from scraper.sites import ARTICLE_PAGES
from scraper.sites.profile import SiteProfile, load_profile


def add_command(commands: Any) -> None:
    extract = commands.add_parser(
        "extract",
        help="print the JSON record a saved page would give",
        description="Run a page object on a saved HTML file, without crawling: "
        "for testing a profile or an extractor.",
        epilog="Examples:\n"
        "  newsarchive extract page.html --url https://www.presstv.ir/Detail/2023/02/19/698345/x\n"
        "  curl -s https://example.org/news/1 | newsarchive extract - --url https://example.org/news/1 "
        "--extractor generic\n"
        "  newsarchive extract page.html --url https://example.org/a/1 --site mysite.toml\n"
        "Exit status: 0 an article, 1 no article in the page, 2 usage error.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    extract.add_argument(
        "file",
        type=Path,
        metavar="FILE",
        help="saved HTML page, gzipped or not ('-' for standard input)",
    )
    extract.add_argument("--url", required=True, help="the URL the page was served at")
    which = extract.add_mutually_exclusive_group()
    which.add_argument(
        "--site", metavar="SITE", help="profile name or path (default: guessed from --url)"
    )
    which.add_argument(
        "--extractor",
        metavar="NAME",
        help=f"page object to use: {', '.join(ARTICLE_PAGES)} (default: the profile's)",
    )
    extract.set_defaults(run=run_extract)


def run_extract(args: argparse.Namespace) -> int:
    from archive.extraction import extract_article
    from archive.records import article_record
    from scraper.sites.url_syntax import url_problem

    problem = url_problem(args.url)
    if problem is not None:
        raise UsageError(f"--url {args.url!r} {problem}")
    body = _read_page(args.file)
    profile = site_profile(args.site, None) if args.site else _guess_profile(args.url)
    extractor = args.extractor or (profile.extractor if profile else "generic")
    if extractor not in ARTICLE_PAGES:
        raise UsageError(
            f"unknown extractor {extractor!r} (known: {', '.join(sorted(ARTICLE_PAGES))})"
        )
    if profile is not None and profile.match_article(args.url) is None:
        # A crawl would not have fetched it as an article: the record's id is its URL.
        print(
            f"newsarchive: warning: {args.url} is not an article URL of {profile.name} "
            f"(article_url {profile.article_url.pattern}): extracting anyway",
            file=sys.stderr,
        )
    result = extract_article(
        extractor,
        args.url,
        body,
        None,
        profile.timezone if profile else None,
        # --extractor names the page object alone: the profile's selectors go with its own
        fields=profile.fields if profile and not args.extractor else None,
    )
    if result.article is None:
        print(
            f"newsarchive: no article found in {args.file} (extractor {extractor})", file=sys.stderr
        )
        return EXIT_FAILURES
    listing = _listing(body, args.url, result.article.get("body") or "")
    if listing is not None:
        print(f"newsarchive: no article in {args.file}: {listing}", file=sys.stderr)
        return EXIT_FAILURES
    record = article_record(
        profile, args.url, result.article, urls=[args.url], fetched_at=None, warc=None
    )
    json.dump(record.to_dict(), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return EXIT_OK


def _read_page(path: Path) -> bytes:
    """The page's bytes: from a regular file or standard input, at most the extraction limit
    (``extract /dev/zero`` took 2.7 GB, and a FIFO no one writes hung it)."""
    from archive.limits import MAX_EXTRACT_BYTES

    if str(path) == "-":
        body = sys.stdin.buffer.read(MAX_EXTRACT_BYTES + 1)
        return saved_page(body, MAX_EXTRACT_BYTES, "standard input")
    hint = " (give - to read standard input)"
    return read_page_file(path, MAX_EXTRACT_BYTES, str(path), hint)


def _listing(body: bytes, url: str, text: str) -> str | None:
    """Why the text read from the page is a listing's, not an article's (None: an article)."""
    from archive.wording import count
    from scraper.sites.html import decode_html
    from scraper.sites.listing_text import headlines_in_body, reads_as_listing

    headlines, paragraphs = headlines_in_body(decode_html(body), url, text)
    if not reads_as_listing(headlines, paragraphs):
        return None
    return (
        f"it reads as a listing page ({headlines} of its {count(paragraphs, 'paragraph')} "
        "are headlines linking to other pages)"
    )


def _guess_profile(url: str) -> SiteProfile | None:
    from scraper.sites.profile import builtin_profile_names

    for name in builtin_profile_names():
        profile = load_profile(name)
        if profile.owns(url):
            return profile
    return None
