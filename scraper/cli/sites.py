"""``newsarchive sites``: the site profiles there are (``list``) and new ones made from a
published mirror list (``import``, in ``sites_import.py``).

Each action is a subparser of ``sites``: ``add_command`` adds them one after the other, and
an action is one ``add_…`` function with its own ``run``.
"""

from __future__ import annotations

import argparse
import json
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scraper.cli import sites_check, sites_import
from scraper.exit_status import EXIT_FAILURES, EXIT_OK, UsageError
from scraper.sites.profile import (
    MAX_PROFILE_FILE_BYTES,
    ProfileError,
    SiteProfile,
    builtin_profile_names,
    load_profile,
    profile_from_dict,
)

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def add_command(commands: Any) -> None:
    sites = commands.add_parser(
        "sites",
        help="the site profiles there are; new ones from a mirror list",
        description="List the built-in site profiles and your own, or write profiles for "
        "the sites of a published mirror list (Bypass Censorship's mirrorSites.json).",
        epilog="Examples:\n"
        "  newsarchive sites list\n"
        "  newsarchive sites list --profiles my-profiles/ --json\n"
        "  newsarchive sites import mirrorSites.json --dir my-profiles --only meduza.io\n"
        "  newsarchive sites check my-profiles/meduza-io.toml",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = sites.add_subparsers(
        dest="action", metavar="ACTION", prog="newsarchive sites", required=True
    )
    add_list(actions)
    sites_import.add_import(actions)
    sites_check.add_check(actions)


def add_list(actions: Any) -> None:
    listing = actions.add_parser(
        "list",
        help="the built-in profiles and your own: hosts, mirrors, page object",
        description="One line per profile: its name, page object (extractor), mirror count, "
        "how many hops of links a run follows, primary host and the mirror lists it names. "
        "A profile that cannot be read is one line saying why; the others are still listed.",
        epilog="Exit status: 0 every profile can be run, 1 one cannot (broken, or "
        "incomplete: it needs article_url), 2 usage error.",
    )
    listing.add_argument(
        "--profiles",
        type=Path,
        nargs="+",
        action="extend",
        default=[],
        metavar="PATH",
        help="profile files, or directories of *.toml profiles, listed after the built-in ones",
    )
    listing.add_argument("--json", action="store_true", help="one JSON object per profile")
    listing.set_defaults(run=run_list)


@dataclass(frozen=True)
class ListedProfile:
    """One profile as ``sites list`` shows it: read, read but lacking article_url, or not."""

    source: str  # "built-in" or the file's path
    profile: SiteProfile | None = None
    incomplete: bool = False  # no article_url: a run refuses it until one is written
    error: str | None = None

    def as_json(self) -> dict[str, object]:
        if self.profile is None:
            return {"source": self.source, "error": self.error}
        profile = self.profile
        return {
            "name": profile.name,
            "source": self.source,
            "primary": profile.primary,
            "host": profile.primary.split("://", 1)[-1],
            "mirrors": len(profile.mirrors),
            "mirror_lists": list(profile.mirror_lists),
            "extractor": profile.extractor,
            "follow_links": profile.link_depth,
            "complete": not self.incomplete,
        }


def run_list(args: argparse.Namespace) -> int:
    files = profile_files(args.profiles)
    listed = [ListedProfile("built-in", load_profile(name)) for name in builtin_profile_names()]
    listed += [read_listed(path) for path in files]
    if args.json:
        for entry in listed:
            print(json.dumps(entry.as_json(), ensure_ascii=False))
    else:
        _print_table([entry for entry in listed if entry.profile is not None])
    broken = [entry for entry in listed if entry.profile is None]
    incomplete = [entry for entry in listed if entry.incomplete]
    for entry in broken:
        print(f"newsarchive sites: {entry.error}", file=sys.stderr)
    for entry in incomplete:
        print(
            f"newsarchive sites: {entry.source}: incomplete: write its article_url "
            "(a regular expression of its article paths) before a run",
            file=sys.stderr,
        )
    return EXIT_FAILURES if broken or incomplete else EXIT_OK


def profile_files(paths: list[Path]) -> list[Path]:
    """The profile files the paths name: a file as it is, a directory's ``*.toml`` (not its
    subdirectories). A path that is not there is a usage error; a directory without a
    profile is a warning line."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.name.endswith(".toml"))
            if not found:
                print(
                    f"newsarchive sites: warning: {path}: no *.toml profile in it", file=sys.stderr
                )
            files += found
        elif path.exists() or path.is_symlink():
            files.append(path)  # not a regular file: read_listed says so
        else:
            raise UsageError(f"--profiles {path}: no such file or directory")
    return files


def read_listed(path: Path) -> ListedProfile:
    try:
        return ListedProfile(str(path), load_profile(path))
    except ProfileError as exc:
        profile = _without_article_url(path)
        if profile is not None:
            return ListedProfile(str(path), profile, incomplete=True)
        return ListedProfile(str(path), error=str(exc))


# Stands in for the missing article_url while the rest of an incomplete profile is read.
_PLACEHOLDER_ARTICLE_URL = "^(?!)"


def _without_article_url(path: Path) -> SiteProfile | None:
    """The profile at ``path`` if article_url is all it lacks (``sites import`` writes such
    a profile for a site it knows nothing of), else None."""
    try:
        if not stat.S_ISREG(path.stat().st_mode):
            return None  # a FIFO or device: never opened here
        with path.open("rb") as file:
            data = tomllib.loads(file.read(MAX_PROFILE_FILE_BYTES).decode("utf-8"))
        if "article_url" in data:
            return None
        return profile_from_dict({**data, "article_url": _PLACEHOLDER_ARTICLE_URL}, str(path))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError, ProfileError):
        return None


def _print_table(listed: list[ListedProfile]) -> None:
    head = ("NAME", "PAGE OBJECT", "MIRRORS", "FOLLOW", "PRIMARY HOST", "MIRROR LISTS", "FROM")
    rows = [head]
    for entry in listed:
        profile = entry.profile
        assert profile is not None
        lists = ", ".join(profile.mirror_lists) or "-"
        extractor = "(needs article_url)" if entry.incomplete else profile.extractor
        rows.append(
            (
                profile.name,
                extractor,
                str(len(profile.mirrors)),
                str(profile.link_depth),
                profile.primary.split("://", 1)[-1],
                lists,
                entry.source,
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())
