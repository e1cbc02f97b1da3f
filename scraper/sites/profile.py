"""Site profiles: the TOML file that tells the crawler what one news site is.

Loading never raises anything but ``ProfileError``, whose message is one line a user can act
on; the command line turns it into exit status 2.
"""

from __future__ import annotations

import ipaddress
import re
import stat
import string
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import SplitResult, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import cssselect
import regex

from scraper.sites import ARTICLE_PAGES
from scraper.sites.article_pattern import ArticlePattern
from scraper.sites.pattern_size import PatternTooLarge
from scraper.sites.profile_fields import FieldSelectors, parse_fields
from scraper.sites.site_access import SiteAccess, parse_access
from scraper.sites.url_normalisation import rebased_url
from scraper.sites.url_syntax import split_url, url_problem

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

BUILTIN_PACKAGE = "scraper.sites.profiles"
# A site's name names its files (state/<name>.sqlite, json/<name>/): no newline, no length a
# file system refuses.
NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


class ProfileError(ValueError):
    """A profile that cannot be used; the message says which file and what to fix."""


FOLLOW_LINKS_DEFAULT, FOLLOW_LINKS_MAX = 2, 5  # each hop multiplies the pages asked
# How much of a page is searched for block markers: banners sit near the top.
BLOCK_SCAN_BYTES = 65536


@dataclass(frozen=True)
class ArticleUrl:
    """What the profile's ``article_url`` pattern found in one URL."""

    url: str
    host: str
    path: str
    groups: dict[str, str]

    @property
    def published_day(self) -> date | None:
        try:
            return date(
                int(self.groups["year"]), int(self.groups["month"]), int(self.groups["day"])
            )
        except (KeyError, TypeError, ValueError):
            return None


@dataclass(frozen=True)
class SiteProfile:
    name: str
    primary: str
    mirrors: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[str, ...] = ()
    max_listing_pages: int = 3
    # Links followed inside the site's hosts, this many hops from the front page, feeds,
    # sitemaps and listings (scraper/spiders/link_following.py); None: FOLLOW_LINKS_DEFAULT
    # for a profile that names no feed, sitemap or listing (it has nothing else), else 0.
    follow_links: int | None = None
    article_url: ArticlePattern = field(default_factory=lambda: ArticlePattern(r"^/.+"))
    extractor: str = "generic"
    timezone: str | None = None
    # Text that marks a page as a block or seizure notice rather than the site (any mirror).
    block_markers: tuple[str, ...] = ()
    mirror_strategy: str = "primary-first"  # or "spread": share load across healthy mirrors
    # A format string over the ``article_url`` groups giving an article's canonical path on the
    # primary, e.g. "/Detail/{year}/{month}/{day}/{id}": every slug variant of one id, on any
    # host, gets the same canonical URL. Without it: the fetched URL normalised on the primary.
    canonical_path: str | None = None
    # Learn mirrors from the site's own pages (notices of alternate addresses, redirects,
    # canonical links) and, once verified, fail over to them (scraper/spiders/mirror_discovery.py)
    discover_mirrors: bool = True
    mirror_notice: str | None = None  # CSS selector of the notice; default: a generic reading
    # Published mirror lists, files or URLs (scraper/spiders/listed_mirrors.py): the entries
    # of this site's domains are discovery's candidates
    mirror_lists: tuple[str, ...] = ()
    # Mirrors the crawls learnt and verified (state/<site>.mirrors.json), never from the
    # profile file: after the profile's own in ``origins``
    discovered: tuple[str, ...] = ()
    access: SiteAccess = field(default_factory=SiteAccess)  # proxies, politeness: [access]
    fields: FieldSelectors = field(default_factory=FieldSelectors)  # [fields]: CSS per field
    source: str = "<built-in>"
    # The TOML text the profile was read from (empty for one built from a dict): written into
    # every WARC the crawl makes, so its archives replay without the profile file.
    text: str = field(default="", compare=False, repr=False)
    # Hosts replay's one --site profile took on (``adopt``), spelled as in ``_host_by_netloc``:
    # a table that grows in place, shared by copies of the profile. Empty in a crawl.
    adopted: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def origins(self) -> tuple[str, ...]:
        """Primary first, then mirrors, then discovered mirrors, as ``scheme://host[:port]``
        without a trailing slash."""
        return (self.primary, *self.mirrors, *self.discovered)

    @property
    def finds_feeds(self) -> bool:
        """A profile naming no feed, sitemap or listing: the run looks for the site's own."""
        return not (self.feeds or self.sitemaps or self.listings)

    @property
    def link_depth(self) -> int:
        default = FOLLOW_LINKS_DEFAULT if self.finds_feeds else 0
        return default if self.follow_links is None else self.follow_links

    @property
    def own_origins(self) -> tuple[str, ...]:
        """Primary and mirrors as the profile names them: without discovered mirrors."""
        return (self.primary, *self.mirrors)

    def with_discovered(self, origins: Iterable[str]) -> SiteProfile:
        """The profile with discovered mirrors added, and its text (the copy written into
        every WARC) saying so, so that replay reads their pages as the site's."""
        added = tuple(o for o in dict.fromkeys(origins) if o not in self.origins)
        if not added:
            return self
        discovered = (*self.discovered, *added)
        text = self.text
        if text.startswith(_DISCOVERED_KEY):  # ours, from an earlier call: replaced
            text = text.split("\n", 1)[1] if "\n" in text else ""
        listed = ", ".join(f'"{o}"' for o in discovered)
        # first, so that it is a top-level key whatever tables the file has
        return replace(self, discovered=discovered, text=f"{_DISCOVERED_KEY} = [{listed}]\n{text}")

    @cached_property
    def hosts(self) -> frozenset[str]:
        """Every host name (with port when not default) that belongs to this site.

        The primary's, mirrors' and aliases' hosts, each also with ``www.`` added or removed:
        sites serve both (presstv.ir and www.presstv.ir, presstv.tv and www.presstv.tv), and
        a profile that forgot one would treat half the site's links as foreign. IP addresses
        and single-label hosts (localhost) have no such variant.
        """
        declared = {_netloc(origin) for origin in self.origins}
        declared.update(_netloc(alias) for alias in self.aliases)
        names = set(declared)
        for host in declared:
            names.update(_www_variants(host))
        names.discard("")
        return frozenset(names)

    @cached_property
    def _host_by_netloc(self) -> dict[str, str]:
        # The spider tests every link of every page (tens of thousands a minute): netlocs as
        # they appear in URLs, default ports spelled out too, avoid parsing each.
        spelled: dict[str, str] = {}
        for host in self.hosts:
            spelled.update(_spellings(host))
        return spelled

    @cached_property
    def _unusual_netlocs(self) -> dict[tuple[str, str], str]:
        # Netlocs not spelled as in ``_host_by_netloc`` (foreign hosts mostly; also userinfo,
        # a trailing dot, upper case, a port with leading zeros): parsed once, then remembered
        # as ``hosts`` spells them ("" for none).
        return {}

    def adopt(self, netloc: str) -> None:
        """Own the host of ``netloc`` from now on, as if it were one more alias: replay's one
        --site profile takes on every host whose pages its article_url matches. The table
        grows in place: a new profile for each of 8,000 hosts, every table rebuilt, made such
        a replay quadratic (624 s where one host took 16 s)."""
        host = _netloc(netloc.lower())
        for name in (host, *_www_variants(host)):
            self.adopted.update(_spellings(name))

    @cached_property
    def _canonical_fields(self) -> tuple[str, ...]:
        return _format_fields(self.canonical_path) if self.canonical_path else ()

    @cached_property
    def canonical_origin(self) -> str:
        """The primary as canonical URLs spell it: lower-case host, no default port."""
        return f"{urlsplit(self.primary).scheme}://{_netloc(self.primary)}"

    @cached_property
    def _block_marker_bytes(self) -> tuple[bytes, ...]:
        # Checked on every page: lower-cased and encoded once.
        return tuple(m.lower().encode("utf-8") for m in self.block_markers if m.strip())

    def block_marker_in(self, body: bytes, scan_bytes: int = BLOCK_SCAN_BYTES) -> str | None:
        """The block marker the page shows within its first ``scan_bytes``, if any (a seized
        mirror answers 200 with a banner: only the page says it is not the site)."""
        if not self._block_marker_bytes:
            return None
        head = body[:scan_bytes].lower()
        for marker in self._block_marker_bytes:
            if marker in head:
                return marker.decode("utf-8", "replace")
        return None

    def owns(self, url: str) -> bool:
        """Whether ``url`` is on one of the site's hosts (any scheme, ``www.`` or not)."""
        parts = split_url(url)  # a link a page spells wrong is no page of the site
        return parts is not None and self._host_of(parts) is not None

    def _host_of(self, parts: SplitResult) -> str | None:
        netloc = parts.netloc
        host = self._host_by_netloc.get(netloc) or self.adopted.get(netloc)
        if host is not None:
            return host
        key = (parts.scheme, netloc)
        known = self._unusual_netlocs
        parsed = known.get(key)
        if parsed is None:
            parsed = _netloc(_spelled(parts)) if netloc else ""
            if len(known) >= 50_000:  # a crawl of the open web must not grow this without bound
                known.clear()
            known[key] = parsed
        return parsed if parsed in self.hosts or parsed in self.adopted else None

    def match_article(self, url: str) -> ArticleUrl | None:
        """The article that ``url`` names, if it is an article URL on one of the site's hosts."""
        parts = split_url(url)
        if parts is None or parts.scheme not in ("http", "https"):
            return None
        match = self.article_url.match(parts.path)
        if match is None:
            return None
        host = self._host_of(parts)
        if host is None:
            return None
        groups = {k: v for k, v in match.groupdict().items() if v is not None}
        return ArticleUrl(url=url, host=host, path=parts.path, groups=groups)

    def article_id(self, article: ArticleUrl) -> str:
        """Stable across mirrors: ``<site>:<id group>``, else ``<site>:<canonical URL>``."""
        article_id = article.groups.get("id")
        return f"{self.name}:{article_id or self.canonical_url(article)}"

    def canonical_url(self, article: ArticleUrl) -> str:
        """The article's one URL on the primary, whichever host and spelling it was found as."""
        if self.canonical_path is None:
            return rebased_url(article.url, self.canonical_origin)
        values = {name: article.groups.get(name, "") for name in self._canonical_fields}
        return rebased_url(self.canonical_path.format_map(values), self.canonical_origin)

    def on_origin(self, url: str, origin: str) -> str:
        """The same path and query on another of the site's origins."""
        parts = urlsplit(url)
        query = f"?{parts.query}" if parts.query else ""
        return f"{origin}{parts.path or '/'}{query}"


def _netloc(url: str) -> str:
    """``host[:port]`` of a URL or bare host: lower case, no trailing dot, no default port."""
    parts = urlsplit(url if "//" in url else f"//{url}")
    host = (parts.hostname or "").lower().rstrip(".")
    if ":" in host:  # IPv6 literal: keep it as URLs spell it
        host = f"[{host}]"
    default_port = {"http": 80, "https": 443}.get(parts.scheme)
    try:
        port = parts.port
    except ValueError:
        return host
    if not port or port == default_port or (default_port is None and port in (80, 443)):
        return host  # a bare alias "host:443" means the host itself, on either scheme
    return f"{host}:{port}"


def _spelled(parts: SplitResult) -> str:
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme else f"//{parts.netloc}"


def _spellings(host: str) -> dict[str, str]:
    """``host`` as URLs spell it, default ports written out too."""
    if _has_port(host):
        return {host: host}
    return {host: host, f"{host}:80": host, f"{host}:443": host}


def host_keys(parts: SplitResult) -> frozenset[str]:
    """The names under which a profile's ``hosts`` holds the host of a URL of these parts, if
    the profile owns it: a table of many profiles' hosts finds a URL's owner by these keys
    alone (replay's ``ProfileChooser``) instead of asking every profile."""
    netloc = parts.netloc
    if not netloc:
        return frozenset()
    return frozenset(
        (_netloc(_spelled(parts)), netloc, netloc.removesuffix(":80"), netloc.removesuffix(":443"))
    )


def _has_port(host: str) -> bool:
    return ":" in host.rsplit("]", 1)[-1]


def _www_variants(host: str) -> tuple[str, ...]:
    """``host`` with ``www.`` added or removed (port kept); none for IPs and single labels."""
    name, colon, port = host.rpartition(":") if _has_port(host) else (host, "", "")
    try:
        ipaddress.ip_address(name.strip("[]"))
        return ()
    except ValueError:
        pass
    if name.startswith("www."):
        bare = name[len("www.") :]
        return (f"{bare}{colon}{port}",) if "." in bare else ()
    return (f"www.{name}{colon}{port}",) if "." in name else ()


def _format_fields(template: str) -> tuple[str, ...]:
    parsed = string.Formatter().parse(template)
    return tuple(field for _, field, _, _ in parsed if field is not None)


def _check_canonical_path(
    template: str, article_url: ArticlePattern, fail: Callable[[str], Exception]
) -> None:
    groups = set(article_url.groupindex)
    known = ", ".join(sorted(groups)) or "none"
    if not template.startswith("/") or template.startswith("//") or "#" in template:
        raise fail(
            f"canonical_path {template!r} must be a path starting with '/', like '/news/{{id}}'"
        )
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise fail(f"canonical_path {template!r} is not a valid format string: {exc}") from None
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if name not in groups:
            raise fail(
                f"canonical_path {template!r} names unknown group {{{name}}} "
                f"(article_url groups: {known})"
            )
        if spec or conversion:
            raise fail(
                f"canonical_path {template!r}: write {{{name}}} plainly, "
                "without a format spec or conversion"
            )


_DISCOVERED_KEY = "discovered_mirrors"  # written by newsarchive into the WARC copy only
# key -> (python type, required)
_KEYS: dict[str, tuple[type, bool]] = {
    "name": (str, True),
    "primary": (str, True),
    "mirrors": (list, False),
    "aliases": (list, False),
    "feeds": (list, False),
    "sitemaps": (list, False),
    "listings": (list, False),
    "max_listing_pages": (int, False),
    "follow_links": (int, False),
    "article_url": (str, True),
    "extractor": (str, False),
    "timezone": (str, False),
    "block_markers": (list, False),
    "mirror_strategy": (str, False),
    "canonical_path": (str, False),
    "discover_mirrors": (bool, False),
    "mirror_notice": (str, False),
    "mirror_lists": (list, False),
    _DISCOVERED_KEY: (list, False),
    "access": (dict, False),
    "fields": (dict, False),
}
MIRROR_STRATEGIES = ("primary-first", "spread")


def builtin_profile_names() -> list[str]:
    files = resources.files(BUILTIN_PACKAGE).iterdir()
    return sorted(f.name[: -len(".toml")] for f in files if f.name.endswith(".toml"))


def load_profile(name_or_path: str | Path) -> SiteProfile:
    """A built-in profile by name (``presstv``) or a profile TOML file by path."""
    text_name = str(name_or_path)
    if text_name.endswith(".toml") or "/" in text_name or _is_file(text_name):
        path = Path(text_name)
        try:
            text = _read_profile_file(path).decode("utf-8")
        except OSError as exc:
            raise ProfileError(f"{path}: cannot read profile: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise ProfileError(f"{path}: not a TOML profile (not UTF-8 text)") from None
        return parse_profile(text, source=str(path))
    if text_name not in builtin_profile_names():
        known = ", ".join(builtin_profile_names())
        raise ProfileError(
            f"unknown site {text_name!r}: give a built-in profile ({known}) or a path to a .toml file"
        )
    resource = resources.files(BUILTIN_PACKAGE).joinpath(f"{text_name}.toml")
    return parse_profile(resource.read_text(encoding="utf-8"), source=f"<built-in {text_name}>")


# A profile is a few KB; a path to /dev/zero took GBs, and a FIFO no one writes hung the crawl.
MAX_PROFILE_FILE_BYTES = 1024 * 1024


def _read_profile_file(path: Path) -> bytes:
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        kinds = (
            (stat.S_ISDIR, "a directory"),
            (stat.S_ISFIFO, "a FIFO"),
            (stat.S_ISSOCK, "a socket"),
        )
        kind = next((name for test, name in kinds if test(mode)), "a device")
        raise ProfileError(f"{path}: not a regular file ({kind}): not a profile")
    with path.open("rb") as file:
        data = file.read(MAX_PROFILE_FILE_BYTES + 1)
    if len(data) > MAX_PROFILE_FILE_BYTES:
        raise ProfileError(
            f"{path}: over {MAX_PROFILE_FILE_BYTES:,} bytes, too large for a profile"
        )
    return data


def _is_file(name: str) -> bool:
    try:
        return Path(name).exists()
    except OSError:  # a name too long for a path is no file: a site name, or a mistake
        return False


def parse_profile(text: str, source: str = "<string>") -> SiteProfile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{source}: not valid TOML: {exc}") from None
    except RecursionError:
        raise ProfileError(f"{source}: not valid TOML: nested too deeply") from None
    return replace(profile_from_dict(data, source), text=text)


# A profile is TOML: its values are named in TOML's words ("must be an integer, not a
# string"), not Python's ("must be a int, not str").
_TOML_KINDS = {
    str: "a string",
    int: "an integer",
    float: "a number",
    bool: "true or false",
    list: "a list",
    dict: "a table",
}


def toml_kind(kind: type) -> str:
    return _TOML_KINDS.get(kind, kind.__name__)


def profile_from_dict(data: dict[str, Any], source: str = "<dict>") -> SiteProfile:
    def fail(message: str) -> ProfileError:
        return ProfileError(f"{source}: {message}")

    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (allowed: {', '.join(_KEYS)})")
    for key, (kind, required) in _KEYS.items():
        if key not in data:
            if required:
                raise fail(f"missing required key {key!r}")
            continue
        value = data[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise fail(f"{key!r} must be {toml_kind(kind)}, not {toml_kind(type(value))}")
        if isinstance(value, list) and not all(isinstance(v, str) for v in value):
            raise fail(f"{key!r} must be a list of strings")

    name = data["name"]
    if not NAME_PATTERN.fullmatch(name):
        raise fail(
            f"name {name[:80]!r} must be 1-64 lower-case letters, digits, '-' or '_', "
            "starting with a letter or digit"
        )
    primary = _origin(data["primary"], "primary", fail)
    mirrors = tuple(_origin(m, "mirrors", fail) for m in data.get("mirrors", []))
    aliases = tuple(a.strip().lower() for a in data.get("aliases", []))
    for alias in aliases:
        if not alias or "/" in alias or url_problem(f"//{alias}"):
            raise fail(f"alias {alias!r} must be a bare host name like 'example.com'")
    paths = {key: tuple(data.get(key, [])) for key in ("feeds", "sitemaps", "listings")}
    for key, values in paths.items():
        for value in values:
            if not value.startswith("/"):
                raise fail(
                    f"{key} entry {value!r} must be a path starting with '/' (valid on every mirror)"
                )
    try:
        article_url = ArticlePattern(data["article_url"])
    except regex.error as exc:
        raise fail(f"article_url is not a valid regular expression: {exc}") from None
    except PatternTooLarge as exc:
        raise fail(f"article_url {exc}") from None
    canonical_path = data.get("canonical_path")
    if canonical_path is not None:
        _check_canonical_path(canonical_path, article_url, fail)
    extractor = data.get("extractor", "generic")
    if extractor not in ARTICLE_PAGES:
        raise fail(f"unknown extractor {extractor!r} (known: {', '.join(sorted(ARTICLE_PAGES))})")
    timezone = data.get("timezone")
    if timezone is not None:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise fail(
                f"unknown timezone {timezone!r} (use an IANA name like 'Asia/Tehran')"
            ) from None
    strategy = data.get("mirror_strategy", "primary-first")
    if strategy not in MIRROR_STRATEGIES:
        raise fail(f"mirror_strategy {strategy!r} must be one of: {', '.join(MIRROR_STRATEGIES)}")
    markers = tuple(m for m in data.get("block_markers", []) if m.strip())
    notice = data.get("mirror_notice")
    if notice is not None:
        try:
            cssselect.GenericTranslator().css_to_xpath(notice)
        except cssselect.SelectorError as exc:
            raise fail(f"mirror_notice {notice!r} is not a CSS selector: {exc}") from None
    discovered = tuple(_origin(m, _DISCOVERED_KEY, fail) for m in data.get(_DISCOVERED_KEY, []))
    mirror_lists = tuple(s.strip() for s in data.get("mirror_lists", []) if s.strip())
    for spec in mirror_lists:
        if spec.startswith(("http://", "https://")) and url_problem(spec):
            raise fail(f"mirror_lists URL {spec!r} {url_problem(spec)}")
    max_pages = data.get("max_listing_pages", 3)
    if max_pages < 1:
        raise fail("max_listing_pages must be at least 1")
    follow = data.get("follow_links")
    if follow is not None and not 0 <= follow <= FOLLOW_LINKS_MAX:
        raise fail(f"follow_links must be 0 to {FOLLOW_LINKS_MAX} (hops from the front page)")
    return SiteProfile(
        name=name,
        follow_links=follow,
        primary=primary,
        mirrors=mirrors,
        aliases=aliases,
        max_listing_pages=max_pages,
        article_url=article_url,
        extractor=extractor,
        timezone=timezone,
        block_markers=markers,
        mirror_strategy=strategy,
        canonical_path=canonical_path,
        discover_mirrors=data.get("discover_mirrors", True),
        mirror_notice=notice,
        mirror_lists=mirror_lists,
        discovered=tuple(o for o in discovered if o != primary and o not in mirrors),
        access=parse_access(data.get("access", {}), fail, lambda v, k: _origin(v, k, fail)),
        fields=parse_fields(data.get("fields", {}), fail),
        source=source,
        feeds=paths["feeds"],
        sitemaps=paths["sitemaps"],
        listings=paths["listings"],
    )


def _origin(value: str, key: str, fail: Callable[[str], Exception]) -> str:
    problem = url_problem(value.strip())
    if problem is not None:
        raise fail(f"{key} URL {value!r} {problem}")
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise fail(f"{key} URL {value!r} must be absolute, like 'https://www.example.com'")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise fail(f"{key} URL {value!r} must be an origin only (no path, query or fragment)")
    return f"{parts.scheme}://{parts.netloc.lower()}"


def with_origins(profile: SiteProfile, origins: list[str]) -> SiteProfile:
    """The profile with its primary and mirrors replaced (``--mirrors``); first is primary."""
    if not origins:
        raise ProfileError("--mirrors needs at least one URL")
    checked = [_origin(o, "--mirrors", ProfileError) for o in origins]
    return replace(profile, primary=checked[0], mirrors=tuple(checked[1:]))
