"""Whether a candidate mirror may be used: its addresses, then its text.

**Addresses first.** A notice on a page is input from the network: a hostile (or hacked)
page naming ``http://10.0.0.5`` or ``http://169.254.169.254`` must not steer the crawler into
the network it runs in. A candidate whose addresses are private, loopback, link-local or
otherwise not public is refused, unless the site's own hosts are of the same kind (a site
served on a company network, or the tests' loopback site).

**Then its text.** An article the crawl already archived from a trusted mirror is fetched
from the candidate and both texts compared (the paragraphs of compare mode, ``archive.
divergence``): the candidate passes when the texts agree. An impostor serving other text, or
the site's look-alike with another story, fails.
"""

from __future__ import annotations

import difflib
import ipaddress
from collections.abc import Iterable

from archive.divergence import paragraphs_of

# The kinds of address, worst first.
PUBLIC = "public"


def address_kind(address: str) -> str:
    """``public``, or what makes an address unfit to be sent to on a page's word."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an address"
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:
        return "link-local"
    if ip.is_private:
        return "private"
    if ip.is_multicast or ip.is_reserved or ip.is_unspecified or not ip.is_global:
        return "reserved"
    return PUBLIC


def address_refusal(candidate: Iterable[str], site: Iterable[str]) -> str | None:
    """Why the candidate's addresses are refused (one line), or None when they may be used:
    every one public, or of a kind the site's own hosts have too."""
    allowed = {PUBLIC} | {address_kind(a) for a in site}
    addresses = list(candidate)
    if not addresses:
        return "no address"
    for address in addresses:
        kind = address_kind(address)
        if kind not in allowed:
            return f"address {address} is {kind}, and the site's own hosts are not"
    return None


def text_agreement(reference: str, candidate: str) -> float:
    """How much of two article texts is the same, 0 to 1: the characters in paragraphs both
    have, over the longer text's."""
    a, b = paragraphs_of(reference), paragraphs_of(candidate)
    longer = max(sum(map(len, a)), sum(map(len, b)))
    if not longer:
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    same = sum(
        sum(len(p) for p in a[i1:i2])
        for tag, i1, i2, _j1, _j2 in matcher.get_opcodes()
        if tag == "equal"
    )
    return same / longer
