"""The crawl's DNS resolver (``TWISTED_DNS_RESOLVER``): Scrapy's caching resolver, with the
address policy (``archive.address_policy``) applied to every address it returns.

Twisted connects to the very address the resolver hands back, so judging it here judges the
connection itself: a name that answers a public address to one lookup and a loopback one to
the next (DNS rebinding) is refused on the answer it would be connected to, every time it
is asked. Addresses written as literals never reach a resolver; the address policy
middleware (``scraper.middlewares.address_policy``) judges them, and every name sent
through a proxy, before the request goes out.

The resolver is the reactor's, one per process: a crawl installs its policy when its spider
opens and takes it away when it closes. Without one (``scrapy shell``, another project's
spider) it is Scrapy's resolver unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest
from scrapy.resolver import CachingThreadedResolver
from twisted.internet.error import DNSLookupError

if TYPE_CHECKING:
    from twisted.internet.defer import Deferred

    from archive.address_policy import AddressPolicy


class AddressRefused(IgnoreRequest):
    """A request the address policy refused: no connection was made. Its message says
    which address and why, in one line."""


class _RefusedLookup(DNSLookupError):
    """What the resolver answers for a refused address: Twisted passes on no more of a
    failed lookup than "no results", so the reason is kept in ``refusals`` for the download
    handler to tell (``refusal_for``)."""


class GuardedResolver(CachingThreadedResolver):
    policy: AddressPolicy | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.refusals: dict[str, str] = {}  # name -> why its last answer was refused

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> Deferred[str]:
        resolved = super().getHostByName(name, timeout)
        if self.policy is not None:
            resolved.addCallback(self._allowed, name, self.policy)
        return resolved

    def _allowed(self, address: str, name: str, policy: AddressPolicy) -> str:
        refusal = policy.address_refusal(name, address)
        if refusal is None:
            return address
        if len(self.refusals) < _REFUSALS_KEPT:
            self.refusals[name.lower()] = refusal
        raise _RefusedLookup(refusal)


_REFUSALS_KEPT = 10_000  # names; a page naming more gets "DNS lookup failed" for the rest


def installed() -> GuardedResolver | None:
    """The reactor's resolver, when it is this one (``TWISTED_DNS_RESOLVER``)."""
    from twisted.internet import reactor  # the one Scrapy installed: not at import time

    resolver = getattr(reactor, "resolver", None)
    return resolver if isinstance(resolver, GuardedResolver) else None


def refusal_for(host: str) -> str | None:
    """Why the reactor's resolver refused ``host``'s address, if it did: a failed lookup of
    a download is told as the address policy's refusal it was."""
    resolver = installed()
    return resolver.refusals.get(host.lower()) if resolver is not None else None
