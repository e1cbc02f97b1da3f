"""``newsarchive sites import LIST --dir PROFILES``: one profile per site of a published
mirror list (``scraper/sites/imported_profile.py`` writes its text), each naming the list in
``mirror_lists`` so that every run takes the list's newest mirrors as candidates.

The list is read by ``archive.mirror_lists`` (a file, or a URL fetched once by
``archive.mirror_list_source.fetch_list``). A file in PROFILES is never written over: an
existing profile is skipped with a line, and ``--force`` replaces regular files only (a
temporary file renamed over it); a symbolic link, FIFO or device at a profile's name is
refused, whatever the options.
"""

from __future__ import annotations

import argparse
import errno
import os
import stat
import sys
from http.client import HTTPException
from pathlib import Path
from typing import Any

from archive.mirror_list_source import fetch_list, is_url
from archive.mirror_lists import MAX_LIST_BYTES, MirrorList, MirrorListError, parse_mirror_list
from archive.wording import count
from scraper.cli.arguments import read_user_file
from scraper.exit_status import EXIT_FAILURES, EXIT_OK, UsageError
from scraper.sites.imported_profile import (
    ImportedProfile,
    SiteNotImported,
    host_name,
    imported_profile,
)
from scraper.sites.profile import SiteProfile, builtin_profile_names, load_profile
from scraper.spiders.listed_mirrors import site_domains


def add_import(actions: Any) -> None:
    importing = actions.add_parser(
        "import",
        help="write a profile for each site of a mirror list (Bypass Censorship's)",
        description="Read a published mirror list (mirrorSites.json, v1 or v2; a file or a "
        "URL) and write one profile per site (main_domain) into PROFILES, each naming the "
        "list in mirror_lists so that runs take its new mirrors as candidates. A site a "
        "built-in profile covers gets that profile (article_url, page object, feeds); any "
        "other a minimal profile whose article_url you write before a run. Existing files "
        "are never written over (--force replaces regular files).",
        epilog="Examples:\n"
        "  newsarchive sites import mirrorSites.json --dir my-profiles\n"
        "  newsarchive sites import https://raw.githubusercontent.com/OpenTechFund/"
        "bypass-mirrors/master/mirrorSites.json --dir my-profiles --only svoboda.org dw.com\n"
        "Exit status: 0 profiles written, 1 none written or a site not imported, 2 usage error.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    importing.add_argument("list", metavar="LIST", help="the mirror list: a file or an http(s) URL")
    importing.add_argument(
        "--dir",
        type=Path,
        required=True,
        metavar="PROFILES",
        help="directory to write the profiles into (made if missing, its parent must exist)",
    )
    importing.add_argument(
        "--only",
        nargs="+",
        action="extend",
        default=[],
        metavar="DOMAIN",
        help="only these sites of the list (their main_domain, www. or not)",
    )
    importing.add_argument(
        "--force", action="store_true", help="replace existing profile files (regular files only)"
    )
    importing.set_defaults(run=run_import)


def run_import(args: argparse.Namespace) -> int:
    only = [_only_domain(domain) for domain in args.only]
    directory = _profiles_dir(args.dir)
    try:
        spec, mirror_list = read_list(args.list)
    except ListNotFetched as exc:
        print(f"newsarchive sites: {exc}", file=sys.stderr)
        return EXIT_FAILURES
    _make(directory)  # once the list is read: a mistyped list makes no directory
    domains = list_domains(mirror_list)
    failed = False
    if only:
        missing = [domain for domain in only if domain not in domains]
        for domain in missing:
            print(f"newsarchive sites: {domain}: not in {args.list}", file=sys.stderr)
        failed = bool(missing)
        domains = [domain for domain in domains if domain in only]
    if not domains:
        print(f"newsarchive sites: {args.list}: no site to import", file=sys.stderr)
        return EXIT_FAILURES
    families = family_profiles()
    written: dict[str, str] = {}  # profile name -> the domain it was written for
    for domain in domains:
        try:
            profile = imported_profile(domain, spec, families.get(domain))
        except SiteNotImported as exc:
            print(f"newsarchive sites: {_shown(domain)}: not imported: {exc}", file=sys.stderr)
            failed = True
            continue
        if profile.name in written:
            print(
                f"{domain}: its profile {profile.name} is written already ({written[profile.name]})"
            )
            continue
        target = directory / f"{profile.name}.toml"
        refused, why_not = write_profile(target, profile.text, args.force)
        if why_not is not None:
            print(f"newsarchive sites: {why_not}", file=sys.stderr)
            failed = failed or refused
            continue
        written[profile.name] = domain
        print(_written_line(target, profile, len(mirror_list.for_domains([domain]))))
    if not written:
        print(f"newsarchive sites: no profile written into {directory}", file=sys.stderr)
        return EXIT_FAILURES
    return EXIT_FAILURES if failed else EXIT_OK


class ListNotFetched(Exception):
    """The list's URL gave nothing (the network, the server): a failure, not a usage error."""


def read_list(given: str) -> tuple[str, MirrorList]:
    """The list and how a profile names it (a URL as given; a file by its absolute path, so
    the profile finds it wherever it is moved to)."""
    if is_url(given):
        try:
            return given, parse_mirror_list(fetch_list(given), given)
        except MirrorListError as exc:
            raise UsageError(f"{given}: not a mirror list: {exc}") from None
        except (OSError, ValueError, HTTPException) as exc:  # URLError is an OSError
            reason = getattr(exc, "reason", None) or exc
            raise ListNotFetched(
                f"{given}: not fetched: {' '.join(str(reason).split())[:200]}"
            ) from None
    path = Path(given)
    data = read_user_file(path, MAX_LIST_BYTES, given)
    try:
        return os.path.abspath(path), parse_mirror_list(data, given)
    except MirrorListError as exc:
        raise UsageError(f"{given}: not a mirror list: {exc}") from None


def list_domains(mirror_list: MirrorList) -> list[str]:
    """The list's sites (their main_domain as a host name), in its order: those with an
    entry a crawl can use, or an IPFS one."""
    named = [entry.main_domain for entry in mirror_list.entries] + list(mirror_list.ipfs_domains)
    domains: dict[str, None] = {}
    for domain in named:
        try:
            domains[host_name(domain)] = None
        except SiteNotImported:
            domains[domain] = None  # said when its profile is written
    return list(domains)


def family_profiles() -> dict[str, SiteProfile]:
    """The built-in profile of each domain one covers (its own hosts, ``www.`` or not)."""
    covered: dict[str, SiteProfile] = {}
    for name in builtin_profile_names():
        profile = load_profile(name)
        for domain in sorted(site_domains(profile)):
            covered.setdefault(domain, profile)
    return covered


def write_profile(target: Path, text: str, force: bool) -> tuple[bool, str | None]:
    """Write ``text`` at ``target``, never over anything but (with ``force``) a regular file.
    ``(refused, why not)``: ``(False, None)`` when written; an existing profile is skipped,
    not refused."""
    try:
        mode: int | None = target.lstat().st_mode
    except FileNotFoundError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode):
        return True, f"{target}: refused: {_kind(mode)}, not a regular file (never written over)"
    if mode is not None and not force:
        return False, f"{target}: skipped: it exists (--force replaces it)"
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(text)
        if mode is not None:
            os.replace(tmp, target)  # a regular file, and --force
        else:
            _link_new(tmp, target)
    except FileExistsError:  # made meanwhile, by someone else
        return False, f"{target}: skipped: it exists (--force replaces it)"
    finally:
        tmp.unlink(missing_ok=True)
    return False, None


def _link_new(tmp: Path, target: Path) -> None:
    """``tmp`` under the name ``target`` whole, only if nothing has that name: a hard link
    fails on an existing name where a rename would replace it."""
    try:
        os.link(tmp, target)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        # a file system without hard links: the content written straight into a new file
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        with os.fdopen(fd, "wb") as file:
            file.write(tmp.read_bytes())


def _kind(mode: int) -> str:
    kinds = (
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
    )
    return next((name for test, name in kinds if test(mode)), "a device")


def _profiles_dir(path: Path) -> Path:
    """PROFILES checked: a directory, or a name whose parent is one (made once the list is
    read; a missing parent is refused, never made: a typo would hide the profiles)."""
    if path.is_dir():
        return path
    if path.exists() or path.is_symlink():
        raise UsageError(f"--dir {path}: not a directory")
    if not path.absolute().parent.is_dir():
        raise UsageError(f"--dir {path}: its parent directory does not exist")
    return path


def _make(directory: Path) -> None:
    try:
        directory.mkdir(exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--dir {directory}: {exc.strerror or exc}") from None


def _only_domain(domain: str) -> str:
    try:
        return host_name(domain)
    except SiteNotImported as exc:
        raise UsageError(f"--only {_shown(domain)}: {exc}") from None


def _shown(domain: str) -> str:
    """A list's main_domain as a line can show it: itself when it is a host name, else
    quoted, its control characters escaped and its length bounded (the list is untrusted)."""
    try:
        return host_name(domain)
    except SiteNotImported:
        return repr(domain[:80]) + ("…" if len(domain) > 80 else "")


def _written_line(target: Path, profile: ImportedProfile, entries: int) -> str:
    listed = count(entries, "address", "addresses")
    if profile.family is not None:
        return f"wrote {target}: {profile.domain}, the built-in {profile.family} profile; {listed} in the list"
    return (
        f"wrote {target}: {profile.domain}, a minimal profile; {listed} in the list; "
        "it needs article_url before a run"
    )
