"""Which network addresses a crawl may connect to on a page's word.

Pages, feeds, notices, redirects and pictures are chosen by the sites crawled, and a hostile
(or hacked) one may name ``http://169.254.169.254/`` (a cloud's metadata service),
``http://10.0.0.5/`` or ``http://localhost:6379/`` to steer the crawler into the network it
runs in. Every request that is not to one of the profile's own hosts is held to one rule: the
address it connects to must be public, or of a kind the site's own hosts have too (a site
served on a company network, or the tests' loopback site).

The rule is applied to the address actually connected to (``scraper.resolver`` asks this
policy about every name it resolves, after resolving it), so that a name cannot pass a check
with one address and be connected to with another (DNS rebinding). Through a proxy the
crawler resolves nothing: there the name itself is judged before the proxy is asked, a
literal address by its kind and a name by whether it can only mean a local network
(``localhost``, ``*.internal``, a name of one label).
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field

PUBLIC = "public"
LOCAL_NAME = "local name"

# Names that can only mean the network the resolver is in: RFC 6761/6762/8375 and the
# suffixes cloud providers and intranets use for their internal names.
_LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_LOCAL_SUFFIXES = (".localhost", ".local", ".internal", ".intranet", ".lan", ".home.arpa", ".corp")
# inet_aton's spellings of an IPv4 address ("0x7f.1", "2130706433", "0177.0.0.1"), which
# resolvers and proxies take as the address they spell
_NUMERIC_HOST = re.compile(r"[0-9a-fx.]+", re.IGNORECASE)


def address_kind(address: str) -> str:
    """``public``, or what makes an address unfit to be sent to on a page's word."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_unspecified:
        return "unspecified"  # 0.0.0.0 and :: connect to this machine
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_private:
        return "private"
    if ip.is_multicast or ip.is_reserved or not ip.is_global:
        return "reserved"
    return PUBLIC


def literal_address(host: str) -> str | None:
    """The address ``host`` spells (any of inet_aton's spellings), or None for a name."""
    host = host.strip("[]")
    try:
        return str(ipaddress.ip_address(host.split("%", 1)[0]))
    except ValueError:
        pass
    if _NUMERIC_HOST.fullmatch(host) and not host.endswith("."):
        try:
            return socket.inet_ntoa(socket.inet_aton(host))
        except OSError:
            return None
    return None


def name_kind(host: str) -> str:
    """The kind of a host as written: an address's kind, ``local name`` for a name that can
    only be resolved inside a private network, else ``public``."""
    address = literal_address(host)
    if address is not None:
        return address_kind(address)
    name = host.lower().rstrip(".")
    if name in _LOCAL_NAMES or name.endswith(_LOCAL_SUFFIXES) or "." not in name:
        return LOCAL_NAME
    return PUBLIC


@dataclass
class AddressPolicy:
    """The rule for one crawl. ``site_names`` are the host names the profile names itself
    (primary, mirrors, aliases; never a discovered mirror): they may be anywhere, and the
    kinds of their addresses, as they resolve during the run, are the kinds any other host
    may have too. ``proxy_names`` are the proxies the operator chose: reached wherever they
    are, they teach nothing (a Tor proxy on loopback does not open loopback to pages)."""

    site_names: frozenset[str]
    proxy_names: frozenset[str] = frozenset()
    allowed_kinds: set[str] = field(default_factory=lambda: {PUBLIC})

    @classmethod
    def for_site(cls, site_names: Iterable[str], proxy_names: Iterable[str] = ()) -> AddressPolicy:
        names = frozenset(_plain(n) for n in site_names if n)
        proxies = frozenset(_plain(n) for n in proxy_names if n)
        return cls(names, proxies, {PUBLIC} | {name_kind(n) for n in names})

    def owns(self, host: str) -> bool:
        """Whether ``host`` is one of the site's own: not held to the rule."""
        return _plain(host) in self.site_names

    def address_refusal(self, host: str, address: str) -> str | None:
        """Why connecting to ``address``, which ``host`` resolved to, is refused (one line),
        or None."""
        kind = address_kind(address)
        name = _plain(host)
        if name in self.site_names:
            self.allowed_kinds.add(kind)  # the site's own: what it is, others may be
            return None
        if kind in self.allowed_kinds or name in self.proxy_names:
            return None
        if literal_address(host) == address:
            return f"address {address} is {kind}, and the site's own hosts are not"
        return f"{host} resolves to {address}, a {kind} address, and the site's own hosts are not"

    def name_refusal(self, host: str) -> str | None:
        """Why ``host`` is refused as written (a literal address, or a name a proxy would
        resolve for us), or None. A proxy's own address is no exception: a page naming it
        would have the proxy ask itself."""
        if self.owns(host):
            return None
        kind = name_kind(host)
        if kind in self.allowed_kinds:
            return None
        address = literal_address(host)
        if address is not None:
            return f"address {address} is {kind}, and the site's own hosts are not"
        return f"{host} names a local network, and the site's own hosts do not"


def _plain(host: str) -> str:
    return host.lower().strip("[]").rstrip(".")
