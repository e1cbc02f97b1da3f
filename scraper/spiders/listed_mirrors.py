"""Published mirror lists as a source of mirror candidates (the profile's ``mirror_lists``).

At the start of a run each list is read (``archive.mirror_list_source``: a file as it is, a
URL fetched and its copy kept under ``OUT/state/``); the entries whose ``main_domain`` is
one of the profile's own hosts (primary, mirrors, aliases; ``www.`` or not) are handed to
mirror discovery as candidates, learnt ``from mirror list <name>``, and verified exactly as
the mirrors a site announces are (``scraper/spiders/mirror_discovery.py``): the address
policy, then the text of articles this run archived. A list is someone's word about the
site, not the site's: nothing in it is used for a record before it passed.

IPFS entries are ignored (counted: ``mirror_lists/ipfs_ignored``). Onion entries are handed
on after the others (a run checks a bounded number of candidates); without ``[access] tor``
(or ``--tor``) discovery lists them as unreachable and never asks, nor resolves, them.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from archive.layout import OutputLayout
from archive.mirror_list_source import is_url, read_mirror_lists
from archive.mirror_lists import MirrorList, bare_domain
from archive.wording import count
from scraper.sites.url_syntax import url_host

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from scraper.sites.profile import SiteProfile

logger = logging.getLogger(__name__)

# Entries handed to discovery per run, over all lists: a list naming thousands of addresses
# for one site costs a line, not a line each (discovery checks far fewer anyway).
MAX_LISTED = 200


def listed_candidates(crawler: Crawler, profile: SiteProfile) -> list[tuple[str, str]]:
    """``(origin, list name)`` of every entry for this site in its mirror lists; each list
    that cannot be read is one warning line."""
    if not profile.mirror_lists:
        return []
    cache = OutputLayout.at(crawler.settings["ARCHIVE_DIR"]).mirror_lists(profile.name)
    specs = [list_location(profile, spec) for spec in profile.mirror_lists]
    lists = read_mirror_lists(specs, cache, logger.warning)
    domains = site_domains(profile)
    found: list[tuple[str, str]] = []
    for mirror_list in lists:
        entries = mirror_list.for_domains(domains)
        _tell(crawler, mirror_list, len(entries), mirror_list.ipfs_for(domains))
        # ordinary mirrors first: the run checks a bounded number of candidates
        for entry in sorted(entries, key=lambda e: e.onion):
            found.append((entry.origin, mirror_list.name))
    if len(found) > MAX_LISTED:
        logger.info(
            "mirror lists: %s for this site; the first %d are considered",
            count(len(found), "entry", "entries"),
            MAX_LISTED,
        )
    return found[:MAX_LISTED]


def list_location(profile: SiteProfile, spec: str) -> str:
    """A URL as it is; a relative file name beside the profile file (a built-in profile's,
    or one made in code: the working directory)."""
    if is_url(spec) or Path(spec).is_absolute():
        return spec
    if profile.source.startswith("<"):  # "<built-in presstv>", "<string>"
        return spec
    return str(Path(profile.source).parent / spec)


def site_domains(profile: SiteProfile) -> set[str]:
    """The site's own host names as a list's ``main_domain`` would give them."""
    hosts = [url_host(origin) for origin in profile.own_origins]
    hosts += [url_host(f"//{alias}") for alias in profile.aliases]
    return {bare_domain(host) for host in hosts if host}


def _tell(crawler: Crawler, mirror_list: MirrorList, entries: int, ipfs: int) -> None:
    stats = crawler.stats
    if stats is not None:
        stats.inc_value("mirror_lists/read")
        stats.inc_value("mirror_lists/entries", entries)
        stats.inc_value("mirror_lists/ipfs_ignored", ipfs)
    ignored = f"; {count(ipfs, 'ipfs entry', 'ipfs entries')} ignored"
    logger.info(
        "mirror list %s (v%d, %s): %s for this site%s%s",
        mirror_list.name,
        mirror_list.version,
        count(mirror_list.sites, "site"),
        count(entries, "entry", "entries"),
        ignored if ipfs else "",
        f"; {count(mirror_list.skipped, 'entry', 'entries')} not usable"
        if mirror_list.skipped
        else "",
    )
