"""How a site is reached: the profile's ``[access]`` table.

```toml
[access]
proxy = "http://proxy.internal:3128"        # every host of the site (http, https, socks4,
                                            # socks5, or socks5h: the proxy resolves names)
tor = "socks5h://127.0.0.1:9050"            # every .onion host, and they only through it
download_delay = 1.5                        # seconds between requests to one host
concurrency_per_host = 2
user_agent = "newsarchive (+https://archive.example/contact)"
headers = { "Accept-Language" = "en" }
cookies = { consent = "yes" }

[access.mirror_proxies]                     # one mirror through its own proxy (an onion
"http://presstvxyz.onion" = "socks5h://127.0.0.1:9050"   # address through Tor, say)
```

A ``.onion`` host is reached through its own proxy (``mirror_proxies``) or ``tor`` (or
``newsarchive crawl --tor URL``), never the site's ``proxy``, and never without one: it is
never looked up in DNS (``scraper.proxied_download`` refuses it first).

Politeness here is the site's; ``-s`` flags on the command line still win over it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from scraper.sites.url_syntax import url_problem

PROXY_SCHEMES = ("http", "https", "socks4", "socks4a", "socks5", "socks5h")
# Seconds between two requests to one host: over an hour is a mistake, not politeness (inf,
# nan or 1e308 held a crawl for ever). ``-s DOWNLOAD_DELAY`` is held to the same bound.
MAX_DOWNLOAD_DELAY = 3600.0
SOCKS_SCHEMES = frozenset({"socks4", "socks4a", "socks5", "socks5h"})
TOR_SCHEMES = ("socks5h", "socks4a")  # the proxy resolves the name: an onion cannot be resolved
ONION_SUFFIX = ".onion"

_KEYS: dict[str, tuple[type | tuple[type, ...], str]] = {
    "proxy": (str, "a string"),
    "mirror_proxies": (dict, "a table of origin = proxy URL"),
    "tor": (str, "a string"),
    "download_delay": ((int, float), "a number of seconds"),
    "concurrency_per_host": (int, "a whole number"),
    "user_agent": (str, "a string"),
    "headers": (dict, "a table of name = value"),
    "cookies": (dict, "a table of name = value"),
}


Pairs = tuple[tuple[str, str], ...]  # a table, kept hashable (a profile is a frozen value)


@dataclass(frozen=True)
class SiteAccess:
    proxy: str | None = None
    mirror_proxies: Pairs = ()
    tor: str | None = None  # the SOCKS proxy of every .onion host
    download_delay: float | None = None
    concurrency_per_host: int | None = None
    user_agent: str | None = None
    headers: Pairs = ()
    cookies: Pairs = ()

    def proxy_for(self, origin: str) -> str | None:
        """The proxy requests to ``origin`` go through: the mirror's own, else for an onion
        ``tor`` (None without it: unreachable), else the site's."""
        own = self._proxy_by_origin.get(origin)
        if own is not None:
            return own
        return self.tor if is_onion(origin) else self.proxy

    @cached_property
    def _proxy_by_origin(self) -> dict[str, str]:  # asked on every request
        return dict(self.mirror_proxies)

    @property
    def politeness(self) -> bool:
        """Whether the profile asks for a delay or concurrency of its own."""
        return self.download_delay is not None or self.concurrency_per_host is not None


def parse_access(
    table: Mapping[str, Any],
    fail: Callable[[str], Exception],
    origin: Callable[[str, str], str],
) -> SiteAccess:
    """``origin(value, key)`` checks and normalises an origin the way the profile does."""
    unknown = sorted(set(table) - set(_KEYS))
    if unknown:
        raise fail(f"unknown key access.{unknown[0]} (allowed: {', '.join(_KEYS)})")
    for key, (kind, described) in _KEYS.items():
        value = table.get(key)
        if value is not None and (not isinstance(value, kind) or isinstance(value, bool)):
            raise fail(f"access.{key} must be {described}")
        if isinstance(value, dict) and not all(isinstance(v, str) for v in value.values()):
            raise fail(f"access.{key} must be {described}")
    delay, concurrency = table.get("download_delay"), table.get("concurrency_per_host")
    if delay is not None and not 0 <= delay <= MAX_DOWNLOAD_DELAY:  # nan is neither
        raise fail(
            f"access.download_delay must be 0 to {MAX_DOWNLOAD_DELAY:.0f} seconds, not {delay}"
        )
    if concurrency is not None and concurrency < 1:
        raise fail("access.concurrency_per_host must be at least 1")
    mirror_proxies = tuple(
        (origin(key, "access.mirror_proxies"), _proxy(value, f"access.mirror_proxies.{key}", fail))
        for key, value in table.get("mirror_proxies", {}).items()
    )
    proxy, tor = table.get("proxy"), table.get("tor")
    return SiteAccess(
        proxy=_proxy(proxy, "access.proxy", fail) if proxy else None,
        mirror_proxies=mirror_proxies,
        tor=tor_proxy(tor, "access.tor", fail) if tor else None,
        download_delay=float(delay) if delay is not None else None,
        concurrency_per_host=concurrency,
        user_agent=table.get("user_agent"),
        headers=tuple(table.get("headers", {}).items()),
        cookies=tuple(table.get("cookies", {}).items()),
    )


def _proxy(value: str, key: str, fail: Callable[[str], Exception]) -> str:
    problem = url_problem(value.strip())
    if problem is not None:
        raise fail(f"{key} {value!r} {problem}")
    parts = urlsplit(value.strip())
    if parts.scheme not in PROXY_SCHEMES or not parts.hostname:
        raise fail(
            f"{key} {value!r} must be a proxy URL like socks5h://127.0.0.1:9050 "
            f"({', '.join(PROXY_SCHEMES)})"
        )
    return value.strip()


def tor_proxy(value: str, key: str, fail: Callable[[str], Exception]) -> str:
    """A proxy that resolves names itself (Tor's SOCKS port): with socks5 or socks4 the
    crawler would look the onion up in DNS, which fails and tells the resolver where it goes."""
    proxy = _proxy(value, key, fail)
    if urlsplit(proxy).scheme not in TOR_SCHEMES:
        raise fail(
            f"{key} {value!r} must be socks5h:// or socks4a:// (Tor resolves .onion names; "
            "the crawler must not), like socks5h://127.0.0.1:9050"
        )
    return proxy


def is_onion(host_or_url: str) -> bool:
    """Whether a host (or a URL's host) is an onion service's: reachable through Tor only."""
    text = host_or_url if "//" in host_or_url else f"//{host_or_url}"
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        return False
    return host.rstrip(".").endswith(ONION_SUFFIX)
