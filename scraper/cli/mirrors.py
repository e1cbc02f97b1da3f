"""``newsarchive mirrors``: what the crawls of a site learnt about its mirrors
(``state/<site>.mirrors.json``), and the operator's say over it: forget a host, trust one."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any

from archive.layout import OutputLayout
from archive.mirror_list_source import cached_copy, is_url
from archive.mirror_memory import (
    IN_PROFILE,
    MirrorMemo,
    MirrorMemory,
    MirrorMemoryError,
)
from archive.wording import count
from scraper.cli.arguments import add_out_again, add_site_and_out
from scraper.cli.site_index import must_be_writable, site_name
from scraper.exit_status import EXIT_OK, UsageError
from scraper.sites.profile import ProfileError, SiteProfile, load_profile
from scraper.spiders.listed_mirrors import list_location


def add_command(commands: Any) -> None:
    mirrors = commands.add_parser(
        "mirrors",
        help="what the crawls learnt about a site's mirrors; forget or trust one",
        description="List every mirror the crawls of SITE know: the profile's own and those "
        "learnt from the site's pages or redirects, where and when each was learnt, its "
        "verification, its last runs' success and its last failure; the order the next run "
        "starts with. The profile file is never changed.",
        epilog="Examples:\n"
        "  newsarchive mirrors presstv --out data\n"
        "  newsarchive mirrors presstv --json\n"
        "  newsarchive mirrors presstv forget www.presstv.example   (learnt again if announced)\n"
        "  newsarchive mirrors presstv trust https://presstv.example  (used without verification)\n"
        "  newsarchive mirrors presstv trust www.presstv.ir  (a profile mirror: not demoted for "
        "its past runs)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    mirrors.usage = "newsarchive mirrors SITE [--out DIR] [--json] [{forget HOST | trust HOST}]"
    add_site_and_out(mirrors)
    mirrors.add_argument("--json", action="store_true", help="print the memory as JSON")
    mirrors.set_defaults(run=run_mirrors, action=None)
    actions = mirrors.add_subparsers(
        dest="action", metavar="ACTION", prog="newsarchive mirrors SITE"
    )
    forget = actions.add_parser(
        "forget",
        help="forget a mirror the crawls learnt (a profile mirror: its history)",
        description="Remove HOST (a host name or an origin) from the memory; a mirror the "
        "site still announces is learnt again, and verified again, by the next run.",
    )
    forget.add_argument("host", metavar="HOST")
    add_out_again(forget)
    trust = actions.add_parser(
        "trust",
        help="use a learnt mirror without (further) verification; a profile mirror: forgive "
        "its past runs",
        description="Mark HOST trusted: the next runs use it for failover at once. A mirror "
        "of the profile (the primary too) is used without verification anyway: its failing "
        "runs so far no longer put it back in the order.",
    )
    trust.add_argument("host", metavar="HOST")
    add_out_again(trust)


def run_mirrors(args: argparse.Namespace) -> int:
    profile = _profile(args.site)
    name = profile.name if profile is not None else site_name(args.site, args.out)
    path = OutputLayout(args.out).mirror_memory(name)
    missing = UsageError(f"no mirror memory for {name} at {path} (no crawl yet, or wrong --out?)")
    if args.action is None:
        memory = _load(path)
        if not memory.mirrors:
            raise missing
        if args.json:  # the file as it is
            print(json.dumps([asdict(m) for m in memory.mirrors.values()], indent=1))
            return EXIT_OK
        if profile is not None:  # the crawl uses them, whatever the memory holds of them
            memory.know_profile(profile.origins, when="(not yet crawled)")
        print(_listing(name, path, memory, profile))
        if profile is not None and profile.mirror_lists:
            specs = [list_location(profile, spec) for spec in profile.mirror_lists]
            print(listed_lists(specs, OutputLayout(args.out).mirror_lists(name)))
        return EXIT_OK
    if not path.is_file():
        raise missing
    must_be_writable(path)
    try:
        with MirrorMemory.update(path, _notice) as memory:
            if profile is not None and memory.find(args.host) is None:
                memory.know_profile(profile.origins)  # a profile mirror whose entry was lost
            memo = memory.find(args.host)
            if memo is None:
                raise UsageError(
                    f"{args.host}: not a mirror of {name} (see newsarchive mirrors {args.site})"
                )
            if args.action == "forget":
                memory.forget(memo)
                print(
                    f"forgot {memo.origin}"
                    + (
                        " (its history; it stays in the profile)"
                        if memo.status == IN_PROFILE
                        else ""
                    )
                )
            elif memo.status == IN_PROFILE:
                memory.trust(memo)
                print(
                    f"{memo.origin}: trusted; in the profile, it is used without verification, "
                    "and its past runs no longer put it back in the order"
                )
            else:
                memory.trust(memo)
                print(f"{memo.origin}: trusted; the next run uses it for failover")
    except MirrorMemoryError as exc:
        raise UsageError(str(exc)) from None
    return EXIT_OK


def _profile(site: str) -> SiteProfile | None:
    """SITE's profile, when SITE names one (a name whose profile file is not at hand: None)."""
    try:
        return load_profile(site)
    except ProfileError:
        return None


def _load(path: Path) -> MirrorMemory:
    try:
        return MirrorMemory.load(path, _notice)
    except MirrorMemoryError as exc:
        raise UsageError(str(exc)) from None


def _notice(line: str) -> None:
    """Damaged entries left out of the memory: said once, beside the listing."""
    print(f"newsarchive: notice: {line}", file=sys.stderr)


def _listing(name: str, path: Path, memory: MirrorMemory, profile: SiteProfile | None) -> str:
    lines = [f"site {name}: {count(len(memory.mirrors), 'mirror')} known ({path})"]
    for memo in memory.mirrors.values():
        lines.append(f"  {memo.origin}")
        lines.extend(f"      {line}" for line in _describe(memo))
    usable = memory.usable()
    if usable:
        # as the crawl orders them: the profile's order, its primary kept first by
        # primary-first, then the mirrors learnt
        if profile is not None:
            usable = [*profile.origins, *(o for o in usable if o not in profile.origins)]
        keep_first = profile is not None and profile.mirror_strategy == "primary-first"
        lines.append("next run starts with: " + ", ".join(memory.order(usable, keep_first)))
    return "\n".join(lines)


def _describe(memo: MirrorMemo) -> list[str]:
    seen = f"first seen {memo.first_seen}, last seen {memo.last_seen}"
    if memo.status == IN_PROFILE:
        lines = [f"in the profile; {seen}"]
    else:
        learnt = memo.learnt + (f" {memo.learnt_at}" if memo.learnt_at else "")
        lines = [f"{memo.status}; learnt from {learnt}; {seen}"]
    if memo.verification:
        # discovery's own words already say how many ("passed 3 checks (agreement …)")
        said = "check" in memo.verification
        checks = (
            f" ({count(memo.checks_passed, 'check')} passed)"
            if memo.checks_passed and not said
            else ""
        )
        lines.append(f"verification: {memo.verification}{checks}")
    if memo.runs:
        recent = memo.runs[-5:]
        rates = ", ".join(
            "-" if r.success_rate is None else f"{r.success_rate:.0%}" for r in recent
        )
        last = recent[-1]
        lines.append(
            f"last {count(len(recent), 'run')} served: {rates} (latest: {last.successes} ok, "
            f"{last.failures} failed of {count(last.requests, 'request')})"
        )
        failing = memo.failing_runs()
        if failing:
            lines.append(f"failed every request of its last {count(failing, 'run')}")
    if memo.last_failure:
        lines.append(f"last failure: {memo.last_failure} ({memo.last_failure_at})")
    return lines


def listed_lists(specs: list[str], cache_dir: Path) -> str:
    """The profile's mirror lists: a URL's copy and its age, a file read at each run."""
    lines = ["mirror lists (their entries for this site are candidates, verified first):"]
    for spec in specs:
        if not is_url(spec):
            found = "read at the start of each run" if Path(spec).is_file() else "not found"
            lines.append(f"  {spec}: a file, {found}")
            continue
        copy = cached_copy(cache_dir, spec)
        age = copy.age()
        lines.append(
            f"  {spec}: fetched {age} ago ({copy.path})"
            if age is not None
            else f"  {spec}: not fetched yet (fetched at the start of each run)"
        )
    return "\n".join(lines)
