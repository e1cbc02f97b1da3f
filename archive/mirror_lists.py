"""Published mirror lists read into typed entries: Bypass Censorship's ``mirrorSites.json``
(OpenTechFund/bypass-mirrors), in either of its formats.

- v1: per site, ``main_domain``, ``available_mirrors`` (bare host names, reached over
  https), ``available_onions`` (bare ``.onion`` names, http as onion services are) and
  ``available_ipfs_nodes``;
- v2: per site, ``main_domain`` and ``available_alternatives``, each with ``proto`` (http,
  https, tor), ``type`` (mirror, eotk: an onion, ipfs), ``url``, ``created_at``,
  ``updated_at``.

A list is untrusted input (fetched from the internet, or a file someone sent): it is read
under a size bound, an entry that does not fit is counted and skipped, never raised, and
nothing in it is more than a *candidate* until mirror discovery has verified it
(``scraper/spiders/mirror_discovery.py``). IPFS entries name content, not a host that
serves the site's paths: ignored, and counted.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from scraper.sites.site_access import is_onion

MAX_LIST_BYTES = 16 * 1024 * 1024  # the real list is about 60 kB
MAX_ENTRIES = 100_000  # alternatives over all sites; beyond, the rest are not read


class MirrorListError(Exception):
    """The list cannot be read as a mirror list at all (one line, for a warning)."""


@dataclass(frozen=True)
class ListedMirror:
    """One alternative address of one site, as a list gives it."""

    main_domain: str  # the site's own domain, lower case, as the list names it
    origin: str  # scheme://host[:port], lower case
    proto: str  # http, https or tor
    kind: str  # mirror or eotk (an onion address)
    created_at: str | None = None
    updated_at: str | None = None

    @property
    def onion(self) -> bool:
        return is_onion(self.origin)


@dataclass(frozen=True)
class MirrorList:
    name: str  # the file or URL it was read from
    version: int  # 1 or 2 (a list may mix them: the version of its first site)
    sites: int
    entries: tuple[ListedMirror, ...]
    ipfs_domains: tuple[str, ...] = ()  # the main_domain of each IPFS entry (ignored)
    skipped: int = 0  # entries that did not fit the format (no URL, not http/https, a path)

    def for_domains(self, domains: Iterable[str]) -> list[ListedMirror]:
        """The entries of the sites whose ``main_domain`` is one of ``domains`` (host names,
        ``www.`` or not)."""
        wanted = {bare_domain(d) for d in domains}
        return [e for e in self.entries if bare_domain(e.main_domain) in wanted]

    def ipfs_for(self, domains: Iterable[str]) -> int:
        """How many IPFS entries of those sites were ignored."""
        wanted = {bare_domain(d) for d in domains}
        return sum(bare_domain(d) in wanted for d in self.ipfs_domains)


def bare_domain(host: str) -> str:
    host = host.strip().lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


def parse_mirror_list(data: bytes, name: str) -> MirrorList:
    """The list in ``data``; :class:`MirrorListError` when it is not one."""
    if len(data) > MAX_LIST_BYTES:
        raise MirrorListError(f"larger than {MAX_LIST_BYTES // (1024 * 1024)} MB")
    try:
        document = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise MirrorListError(f"not JSON: {str(exc)[:120]}") from None
    sites = document.get("sites") if isinstance(document, dict) else document
    if not isinstance(sites, list):
        raise MirrorListError("no list of sites (neither a 'sites' list nor a list)")
    entries: list[ListedMirror] = []
    counts = {"skipped": 0}
    ipfs: list[str] = []
    versions: list[int] = []
    for site in sites:
        if not isinstance(site, dict) or not isinstance(site.get("main_domain"), str):
            counts["skipped"] += 1
            continue
        if "available_alternatives" in site:
            versions.append(2)
            found = _v2(site, counts, ipfs)
        else:
            versions.append(1)
            found = _v1(site, counts, ipfs)
        entries += found[: max(0, MAX_ENTRIES - len(entries))]
    if sites and not versions:
        raise MirrorListError("no site with a main_domain")
    return MirrorList(
        name=name,
        version=versions[0] if versions else 2,
        sites=len(versions),
        entries=tuple(dict.fromkeys(entries)),  # one entry listed twice is one candidate
        ipfs_domains=tuple(ipfs[:MAX_ENTRIES]),
        skipped=counts["skipped"],
    )


def _v2(site: Mapping[str, Any], counts: dict[str, int], ipfs: list[str]) -> list[ListedMirror]:
    domain = site["main_domain"].strip().lower()
    alternatives = site.get("available_alternatives")
    found = []
    for alternative in alternatives if isinstance(alternatives, list) else []:
        if not isinstance(alternative, dict):
            counts["skipped"] += 1
            continue
        kind, proto = alternative.get("type"), alternative.get("proto")
        if kind == "ipfs" or proto == "ipfs":
            ipfs.append(domain)
            continue
        origin = _origin(alternative.get("url"))
        if origin is None or not isinstance(kind, str) or not isinstance(proto, str):
            counts["skipped"] += 1
            continue
        found.append(
            ListedMirror(
                domain,
                origin,
                proto.lower(),
                kind.lower(),
                _text(alternative.get("created_at")),
                _text(alternative.get("updated_at")),
            )
        )
    return found


def _v1(site: Mapping[str, Any], counts: dict[str, int], ipfs: list[str]) -> list[ListedMirror]:
    domain = site["main_domain"].strip().lower()
    found = []
    for key, scheme, proto, kind in (
        ("available_mirrors", "https", "https", "mirror"),
        ("available_onions", "http", "tor", "eotk"),
    ):
        hosts = site.get(key)
        for host in hosts if isinstance(hosts, list) else []:
            origin = _origin(
                host if not isinstance(host, str) or "//" in host else f"{scheme}://{host}"
            )
            if origin is None:
                counts["skipped"] += 1
                continue
            found.append(ListedMirror(domain, origin, proto, kind))
    nodes = site.get("available_ipfs_nodes")
    ipfs.extend([domain] * min(len(nodes), MAX_ENTRIES) if isinstance(nodes, list) else [])
    return found


def _origin(url: object) -> str | None:
    """``scheme://host[:port]`` of an entry's URL; None for one a crawl cannot use as a
    mirror (not http/https, no host, a path: a mirror serves the site's paths at its root)."""
    if not isinstance(url, str) or len(url) > 2048:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port  # raises on a port that is not one
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not host or parts.path not in ("", "/"):
        return None
    if parts.query or parts.fragment or parts.username or parts.password:
        return None
    if any(c.isspace() or c in "[]@\\" for c in host.strip("[]")):
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}" if port is None or port > 0 else None


def _text(value: object) -> str | None:
    return value[:64] if isinstance(value, str) else None
