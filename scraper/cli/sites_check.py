"""``newsarchive sites check PROFILE [--url URL] [--html FILE]``: what a profile makes of the
site's pages before any run (``scraper/sites/site_check.py``): each field of one article page,
where it came from (the profile's ``[fields]`` selector, the site's page object, the generic
reading) and whether a selector fell back; the links of a page that match ``article_url``
and those a run would follow.

Pages are fetched once each, directly (no crawl, no archive): the site's own hosts wherever
they are, any other host only at an address the address policy allows (public, or of a kind
the site's own hosts have: ``archive/address_policy.py``, as a crawl holds every request that
is not to the site's hosts), redirects held to the same rule, and the address checked is the
address connected to (a name cannot answer once for the check and again for the connection).
A profile that reaches the site through a proxy or Tor is not fetched: its pages are given
saved, with ``--html``.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import asdict
from http.client import HTTPConnection, HTTPException, HTTPSConnection
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from archive.address_policy import AddressPolicy
from archive.limits import MAX_DOWNLOAD_BYTES
from archive.wording import count
from scraper.cli.arguments import read_page_file
from scraper.exit_status import EXIT_FAILURES, EXIT_OK, UsageError
from scraper.settings import USER_AGENT
from scraper.sites.html import decode_html
from scraper.sites.profile import ProfileError, SiteProfile, load_profile
from scraper.sites.site_check import (
    NOWHERE,
    ArticleCheck,
    FieldCheck,
    FrontPageCheck,
    check_article,
    check_front_page,
)
from scraper.sites.url_syntax import url_problem

FETCH_TIMEOUT = 30.0  # seconds for one page
SHOWN_LINKS = 5  # of each kind, in the table (--json has them all)
VALUE_WIDTH = 72


def add_check(actions: Any) -> None:
    check = actions.add_parser(
        "check",
        help="what a profile reads off the site's pages: each field and its source, the links",
        description="Fetch the site's front page and its first article (or the article at "
        "--url, or read a saved page with --html) and print what each field would be, where it came "
        "from (the profile's [fields] selector, the site's page object, the generic reading), "
        "which selector fell back and why, which links match article_url and which links a run "
        "would follow. Nothing is archived.",
        epilog="Exit status: 0 the page gave fields and article links; 1 no field came from "
        "the article page, or no link matched article_url; 2 usage error.\n"
        "Examples:\n"
        "  newsarchive sites check my-site.toml\n"
        "  newsarchive sites check voanews --url https://www.voanews.com/a/7585813.html\n"
        "  newsarchive sites check my-site.toml --html saved.html --url https://example.com/a/1",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("site", metavar="PROFILE", help="profile name or .toml path")
    check.add_argument(
        "--url",
        help="the article page to check (default: the front page, then the first article it "
        "links to); with --html, the address the page was saved from",
    )
    check.add_argument(
        "--html",
        type=Path,
        metavar="FILE",
        help="a saved page to read instead, gzipped or not (no network)",
    )
    check.add_argument("--json", action="store_true", help="one JSON object")
    check.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    try:
        profile = load_profile(args.site)
    except ProfileError as exc:
        raise UsageError(str(exc)) from None
    if args.url is not None:
        problem = url_problem(args.url)
        if problem is not None or urlsplit(args.url).scheme not in ("http", "https"):
            raise UsageError(f"--url {args.url!r} {problem or 'must be an http(s) URL'}")
    # Imported here: the spider's module brings Scrapy, which the rest of the CLI need not load.
    from scraper.spiders.link_following import SKIPPED_SUFFIXES

    if args.html is not None:
        if args.url is None:
            raise UsageError("--html needs --url: the address the page was saved from")
        body = _read_saved(args.html)
        links = check_front_page(profile, args.url, body, None, SKIPPED_SUFFIXES)
        article: ArticleCheck | None = check_article(profile, args.url, decode_html(body))
    else:
        try:
            links, article = _fetched(profile, args.url, SKIPPED_SUFFIXES)
        except FetchFailed as exc:
            print(f"newsarchive: {exc}", file=sys.stderr)
            return EXIT_FAILURES
    if args.json:
        print(json.dumps(_as_json(profile, links, article), ensure_ascii=False, indent=2))
    else:
        _print(profile, links, article)
    problems = _problems(links, article)
    for problem in problems:
        print(f"newsarchive: {problem}", file=sys.stderr)
    return EXIT_FAILURES if problems else EXIT_OK


def _fetched(
    profile: SiteProfile, url: str | None, skipped: tuple[str, ...]
) -> tuple[FrontPageCheck, ArticleCheck | None]:
    """The page at ``url``, read as the article and for its links; without one, the front
    page for its links and the first article it links to. ``skipped``: the suffixes a run
    never follows."""
    fetcher = _Fetcher(profile)
    final, body, kind = fetcher.get(url or profile.primary + "/")
    links = check_front_page(profile, final, body, kind, skipped)
    if url is not None:
        return links, check_article(profile, final, decode_html(body, kind))
    if not links.article_links:
        return links, None
    article_url = links.article_links[0]
    final, body, kind = fetcher.get(article_url)
    return links, check_article(profile, final, decode_html(body, kind))


def _problems(links: FrontPageCheck, article: ArticleCheck | None) -> list[str]:
    problems = []
    if not links.article_links:
        problems.append(
            f"no link of {links.url} matches the profile's article_url "
            f"({count(links.links, 'link')} on the page)"
        )
    if article is None:
        problems.append("no article page to read: no article link was found")
    elif not article.from_page:
        problems.append(f"no field came from {article.url}: the profile reads no article there")
    return problems


# -- fetching ---------------------------------------------------------------------------------


class FetchRefused(Exception):
    """A page the address policy keeps the check from (a redirect's target too)."""


class FetchFailed(Exception):
    """One line: the page and why it could not be had."""

    def __init__(self, url: str, why: str) -> None:
        super().__init__(f"{url}: {' '.join(why.split())[:300]}")


class _CheckedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, check: Callable[[str], None]) -> None:
        self.check = check

    def redirect_request(
        self, req: Any, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        self.check(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _pinned(connection: type[HTTPConnection], pinned: dict[str, str]) -> Callable[..., Any]:
    """``connection`` made to connect to the address pinned for its host, if any (TLS still
    names and verifies the host)."""

    def make(host: str, **kwargs: Any) -> HTTPConnection:
        made = connection(host, **kwargs)
        address = pinned.get(made.host.lower())
        if address is not None:
            create = made._create_connection  # type: ignore[attr-defined]
            made._create_connection = lambda where, *rest: create((address, where[1]), *rest)  # type: ignore[attr-defined]
        return made

    return make


class _PinnedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, pinned: dict[str, str]) -> None:
        super().__init__()
        self.pinned = pinned

    def http_open(self, req: Any) -> Any:
        return self.do_open(_pinned(HTTPConnection, self.pinned), req)


class _PinnedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, pinned: dict[str, str]) -> None:
        super().__init__()
        self.pinned = pinned

    def https_open(self, req: Any) -> Any:
        return self.do_open(_pinned(HTTPSConnection, self.pinned), req, context=self._context)  # type: ignore[attr-defined]


class _Fetcher:
    """One page at a time, directly, the profile's user agent and headers sent; hosts other
    than the site's held to the address policy, redirects too."""

    def __init__(self, profile: SiteProfile) -> None:
        self.profile = profile
        self.policy = AddressPolicy.for_site(
            [urlsplit(origin).hostname or "" for origin in profile.own_origins]
            + list(profile.aliases)
        )
        # host -> the address checked for it: connected to, so that a name answering
        # differently the second time (DNS rebinding) cannot move the request elsewhere
        self.pinned: dict[str, str] = {}
        # No environment proxies: the address checked is the address connected to.
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}),
            _PinnedHTTPHandler(self.pinned),
            _PinnedHTTPSHandler(self.pinned),
            _CheckedRedirects(self._check),
        )

    def get(self, url: str) -> tuple[str, bytes, str | None]:
        """The final URL, body and Content-Type; ``FetchFailed`` when it cannot be had."""
        try:
            self._check(url)
            headers = {"User-Agent": self.profile.access.user_agent or USER_AGENT}
            headers.update(dict(self.profile.access.headers))
            if self.profile.access.cookies:  # a consent wall's cookie, as a run sends it
                headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.profile.access.cookies)
            request = urllib.request.Request(url, headers=headers)
            with self.opener.open(request, timeout=FETCH_TIMEOUT) as response:
                body: bytes = response.read(MAX_DOWNLOAD_BYTES + 1)
                final, kind = response.geturl(), response.headers.get("Content-Type")
        except FetchRefused as exc:
            raise FetchFailed(url, str(exc)) from None
        except urllib.error.HTTPError as exc:
            raise FetchFailed(url, f"HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            reason = exc.reason
            raise FetchFailed(url, str(reason)) from None
        except (OSError, HTTPException, ValueError) as exc:
            raise FetchFailed(url, str(exc) or type(exc).__name__) from None
        if len(body) > MAX_DOWNLOAD_BYTES:
            raise FetchFailed(url, f"over {MAX_DOWNLOAD_BYTES:,} bytes, more than a crawl takes")
        return final, body, kind

    def _check(self, url: str) -> None:
        parts = urlsplit(url)
        host = parts.hostname or ""
        origin = f"{parts.scheme}://{parts.netloc.lower()}"
        if parts.scheme not in ("http", "https") or not host:
            raise FetchRefused(f"not an http(s) URL: {url}")
        if self.profile.access.proxy_for(origin) or host.endswith(".onion"):
            raise FetchRefused(
                "the profile reaches it through a proxy or Tor, which sites check does not "
                "use: save the page and give it with --html FILE --url URL"
            )
        if self.profile.owns(url) or self.policy.owns(host):
            return
        self._learn_site_kinds()
        refusal = self.policy.name_refusal(host)
        if refusal is None:
            try:
                infos = socket.getaddrinfo(host, parts.port or 443, type=socket.SOCK_STREAM)
            except OSError as exc:
                raise FetchRefused(f"{host} does not resolve: {exc.strerror or exc}") from None
            for info in infos:
                refusal = refusal or self.policy.address_refusal(host, str(info[4][0]))
            if refusal is None and infos:
                self.pinned[host.lower()] = str(infos[0][4][0])
        if refusal is not None:
            raise FetchRefused(f"not on the site's hosts, and {refusal}")

    def _learn_site_kinds(self) -> None:
        """The kinds of address the site's own hosts have (a crawl learns them as it resolves
        them): what another host may have too."""
        for name in self.policy.site_names:
            try:
                infos = socket.getaddrinfo(name, 443, type=socket.SOCK_STREAM)
            except OSError:
                continue
            for info in infos:
                self.policy.address_refusal(name, str(info[4][0]))


def _read_saved(path: Path) -> bytes:
    return read_page_file(path, MAX_DOWNLOAD_BYTES, f"--html {path}")


# -- output -----------------------------------------------------------------------------------


def _print(profile: SiteProfile, links: FrontPageCheck, article: ArticleCheck | None) -> None:
    given = ", ".join(profile.fields.names) or "none"
    print(f"profile {profile.name}: page object {profile.extractor}, [fields] {given}")
    follows = (
        f"a run follows links {links.link_depth} hops deep"
        if links.link_depth
        else "a run follows no links (follow_links 0: the profile names its feeds or listings)"
    )
    print(
        f"\npage {links.url}: {count(links.links, 'link')}, "
        f"{count(len(links.article_links), 'article URL')}, "
        f"{count(len(links.followed), 'link')} a run would follow, "
        f"{links.off_site} off the site's hosts; {follows}"
    )
    for label, urls in (("article", links.article_links), ("follow", links.followed)):
        for url in urls[:SHOWN_LINKS]:
            print(f"  {label:<8} {url}")
        if len(urls) > SHOWN_LINKS:
            print(f"  {'':<8} … {len(urls) - SHOWN_LINKS} more")
    for feed in links.feeds:
        read = "a run reads it" if links.reads_feeds else "the profile names its own feeds"
        print(f"  {'feed':<8} {feed} ({read})")
    if article is None:
        return
    matches = "matches article_url" if article.is_article_url else "does NOT match article_url"
    print(f"\narticle {article.url} ({matches})")
    rows = [("field", "source", "selector", "value")]
    for check in article.fields:
        rows.append((check.name, _source(check), _selector(check), _shown(check)))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  " + "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])), row[3])
    print(f"fallbacks: {', '.join(article.fallbacks) or 'none'}")


def _source(check: FieldCheck) -> str:
    return f"{check.source} (fell back)" if check.fell_back else check.source


def _selector(check: FieldCheck) -> str:
    if check.selector is None:
        return "-"
    matched = count(check.matched or 0, "match", "matches")
    return f"{check.selector} ({matched}{': ' + check.why if check.why else ''})"


def _shown(check: FieldCheck) -> str:
    value = check.value
    if check.source == NOWHERE:
        return "-"
    if check.name == "body":
        text = " ".join(str(value).split())
        return _cut(f"{len(value):,} chars: {text}")
    if check.name == "images":
        return _cut(f"{len(value)}: " + ", ".join(image.url for image in value))
    if isinstance(value, list):
        return _cut("; ".join(map(str, value)))
    return _cut(str(value))


def _cut(text: str) -> str:
    return text if len(text) <= VALUE_WIDTH else text[: VALUE_WIDTH - 1] + "…"


def _as_json(
    profile: SiteProfile, links: FrontPageCheck, article: ArticleCheck | None
) -> dict[str, Any]:
    return {
        "profile": profile.name,
        "extractor": profile.extractor,
        "selectors": list(profile.fields.names),
        "page": asdict(links),
        "article": None if article is None else {**asdict(article), "from_page": article.from_page},
    }
