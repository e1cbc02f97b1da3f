"""URLs as pages, profiles and archives spell them, parsed without raising.

``urllib.parse`` raises ``ValueError`` on what real pages are full of: a bracketed host that
is no IP address (``https://[username].github.io/``, a placeholder copied from some README),
an unclosed bracket (``http://[::1``), characters that change under NFKC normalisation in the
host; and ``.port`` raises for a port out of range or not a number. Scrapy's ``Request``
refuses the same URLs. One such link must not cost the article it is on, nor a profile's bad
URL a traceback: every URL read from a page, a profile, a WARC or the command line is parsed
here. A URL that does not parse is ``None``; the caller skips it (a link on a page) or refuses
it in one line (a profile, an option).
"""

from __future__ import annotations

import functools
from urllib.parse import SplitResult, urldefrag, urljoin, urlsplit

# A crawl asks about each link of a page two or three times (is it the site's? an article?)
# and pages repeat their menus' links: the latest URLs split are remembered, short ones only.
_REMEMBERED = 4096
_REMEMBERED_URL = 1000


def split_url(url: str) -> SplitResult | None:
    """``urlsplit(url)``, its port checked too (``.port`` is then safe to read); None for a
    URL urllib or Scrapy would refuse."""
    if len(url) > _REMEMBERED_URL:
        return _split_url(url)
    return _remembered_split(url)


def _split_url(url: str) -> SplitResult | None:
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - urlsplit checks the port only when asked for it
    except ValueError:
        return None
    return parts


_remembered_split = functools.lru_cache(maxsize=_REMEMBERED)(_split_url)


def url_problem(url: str) -> str | None:
    """Why ``url`` does not parse, in words for a one-line message ("has no valid port…");
    None when it parses."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"has no valid host ({exc})"
    try:
        parts.port  # noqa: B018
    except ValueError:
        return "has no valid port (1-65535)"
    return None


def join_url(base: str, href: str) -> str | None:
    """``href`` resolved against ``base``; None when either, or the result, does not parse."""
    try:
        joined = urljoin(base, href)
    except ValueError:
        return None
    return joined if split_url(joined) is not None else None


def web_url(base: str, href: str) -> str | None:
    """``href`` resolved against ``base`` without its fragment, if it is an http(s) URL that
    parses: what a page's link or picture may be followed as."""
    joined = join_url(base, href)
    if joined is None:
        return None
    url = urldefrag(joined).url  # parses: the fragment is all it drops
    return url if url.startswith(("http://", "https://")) else None


def url_netloc(url: str) -> str:
    """``host[:port]`` as ``url`` spells it; empty for a URL that does not parse."""
    parts = split_url(url)
    return parts.netloc if parts is not None else ""


def url_host(url: str) -> str:
    """The lower-case host of ``url`` (an IPv6 address without brackets); empty for a URL
    that does not parse or names none."""
    parts = split_url(url)
    return (parts.hostname or "") if parts is not None else ""


def url_path(url: str) -> str:
    """The path of ``url``; empty for a URL that does not parse."""
    parts = split_url(url)
    return parts.path if parts is not None else ""
