"""The profile ``newsarchive sites import`` writes for one site of a published mirror list:
the TOML text, for the user to review.

A site a built-in profile already covers (the RFE/RL and VOA family, DW, Press TV) gets that
profile's text whole (its article_url, page object, feeds, mirrors and the comments saying
why), with the list named in ``mirror_lists``. Any other site gets a minimal profile (name,
primary, the list) whose ``article_url`` only the user can write: it is left as a commented
placeholder, so that the file is refused by a run, and shown as incomplete by
``sites list``, until it is written.

The list is untrusted: its ``main_domain`` is used only if it is a plain host name, and every
text made here is parsed back as a profile before it is handed on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scraper.sites.profile import NAME_PATTERN, ProfileError, SiteProfile, parse_profile

# A host name as a profile's primary can take it: letters, digits, hyphens, dots (IDN names
# in their xn-- form); no port, user, path or anything TOML would read.
_HOST = re.compile(
    r"(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+"
)
HEADER = "# Written by `newsarchive sites import` from the mirror list {spec}\n# (main_domain = {domain}){source}: review it before a run.\n"
MIRROR_LISTS_NOTE = (
    "# The list's addresses for this site are candidates each run verifies (the address\n"
    "# policy, then the text of the articles it archived): new mirrors are picked up as the\n"
    "# list changes.\n"
)
ARTICLE_URL_TODO = (
    "# TODO before a run: article_url, a regular expression of the site's article paths\n"
    "# (look at a few article addresses on the site), e.g.\n"
    "# article_url = '^/news/(?P<id>\\d+)(?:/[^/?#]*)?$'\n"
)


class SiteNotImported(ValueError):
    """A list's site no profile can be written for; the message says why, in one line."""


@dataclass(frozen=True)
class ImportedProfile:
    domain: str  # the list's main_domain, as a host name
    name: str  # the profile's name, and its file's
    text: str
    family: str | None  # the built-in profile it was made from; None: a minimal profile

    @property
    def complete(self) -> bool:
        return self.family is not None


def host_name(domain: str) -> str:
    """The list's ``main_domain`` as a host name (lower case, IDN as xn--, no ``www.``);
    SiteNotImported when it is none."""
    bare = domain.strip().lower().rstrip(".")
    bare = bare[4:] if bare.startswith("www.") else bare
    try:
        ascii_name = bare.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_name = ""
    if not _HOST.fullmatch(ascii_name):
        raise SiteNotImported("not a host name")
    return ascii_name


def profile_name(host: str) -> str:
    """The name a minimal profile of ``host`` gets: the host, its dots as hyphens
    (``meduza.io`` -> ``meduza-io``): two sites of one name on different domains stay two."""
    name = host.replace(".", "-")
    if not NAME_PATTERN.fullmatch(name):
        raise SiteNotImported(f"{host} makes no profile name (over 64 characters)")
    return name


def imported_profile(domain: str, spec: str, family: SiteProfile | None) -> ImportedProfile:
    """The profile of the list's site ``domain``: ``family``'s text with the list added, or a
    minimal one. ``spec`` is the list as the profile names it (a URL, an absolute path)."""
    host = host_name(domain)
    lists = [spec] if family is None else [*family.mirror_lists, spec]
    lists_line = f"mirror_lists = [{', '.join(toml_string(s) for s in dict.fromkeys(lists))}]\n"
    if family is None:
        name = profile_name(host)
        text = (
            HEADER.format(spec=_comment(spec), domain=host, source="")
            + "# No built-in profile knows this site: a minimal one. A run finds the site's\n"
            "# feeds and follows its links inside its hosts (follow_links, 2 hops).\n"
            f"name = {toml_string(name)}\n"
            f"primary = {toml_string('https://' + host)}\n"
            + MIRROR_LISTS_NOTE
            + lists_line
            + ARTICLE_URL_TODO
        )
    else:
        name = family.name
        source = f", from the built-in profile {family.name}"
        text = (
            HEADER.format(spec=_comment(spec), domain=host, source=source)
            + MIRROR_LISTS_NOTE
            + lists_line
            + "\n"
            + _without_mirror_lists(family.text)
        )
    _check(text, name, lists, family)
    return ImportedProfile(host, name, text, family.name if family else None)


def toml_string(value: str) -> str:
    """``value`` as a TOML basic string: quotes, backslashes and every control character
    escaped (a list's or a user's text cannot end the string or the line)."""
    escaped = []
    for char in value:
        if char in '"\\':
            escaped.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            escaped.append(f"\\u{ord(char):04x}")
        else:
            escaped.append(char)
    return '"' + "".join(escaped) + '"'


def _comment(text: str) -> str:
    # a name in a comment stays on its line
    return "".join(c if c.isprintable() else "?" for c in text)


def _without_mirror_lists(text: str) -> str:
    """The family's text without its own top-level ``mirror_lists`` (the written profile
    names them first, with the list added): a TOML key is given once."""
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    skipping = False
    for line in lines:
        if not skipping and re.match(r"mirror_lists\s*=", line):
            skipping = "]" not in line.split("#", 1)[0]
            continue
        if skipping:
            skipping = "]" not in line.split("#", 1)[0]
            continue
        kept.append(line)
    return "".join(kept)


def _check(text: str, name: str, lists: list[str], family: SiteProfile | None) -> None:
    """The text read back is the profile meant (for a minimal one, with article_url given)."""
    probe = text if family is not None else text + "article_url = '^/(?!)'\n"
    try:
        profile = parse_profile(probe, source=name)
    except ProfileError as exc:
        raise SiteNotImported(f"no profile could be written: {exc}") from None
    expected = tuple(dict.fromkeys(lists))
    if profile.name != name or profile.mirror_lists != expected:
        raise SiteNotImported(f"no profile could be written: {name}'s text does not read back")
    if family is not None and (
        profile.article_url.pattern != family.article_url.pattern
        or profile.extractor != family.extractor
        or profile.own_origins != family.own_origins
    ):
        raise SiteNotImported(
            f"no profile could be written: {family.name}'s text does not read back"
        )
