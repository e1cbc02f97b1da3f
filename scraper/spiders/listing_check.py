"""Whether a listing page is the site's listing, or a mirror's wrong page at its address.

Feeds and sitemaps say so themselves (they parse or they do not), articles by holding an
article; a listing is any HTML page, so a seized mirror's banner, a parked domain or a
block page without the profile's ``block_markers`` would pass for one (an HTTP 200). Two
signs that it is not the listing:

- none of its links is an article URL (the profile's ``article_url``): the listing is asked
  of the next mirror, and the one that served no article link is blamed only once another
  mirror serves the listing with articles (like a 404: a listing empty on every mirror is the
  site's, accepted as it is);
- its body is byte for byte one this mirror served for another path that was the wrong page
  (a seizure banner at an article's address), or for two other paths: a host serving the same
  page whatever is asked is not serving the site.

What is remembered is bounded: a digest and a path per page, the latest
``_BODIES_KEPT`` distinct bodies per mirror.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from archive.wording import count

if TYPE_CHECKING:
    from scrapy.http import Response

    from scraper.sites.profile import SiteProfile

NO_ARTICLE_LINKS = "no_article_links"
SAME_PAGE = "same_page_for_every_path"
_BODIES_KEPT = 256
_PATHS_KEPT = 3


class _Body:
    __slots__ = ("paths", "wrong")

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.wrong = False  # the page was judged the wrong page at one of its paths


class ListingCheck:
    def __init__(self) -> None:
        self._bodies: dict[str, OrderedDict[bytes, _Body]] = {}

    def problem(
        self, response: Response, links: Sequence[str], profile: SiteProfile
    ) -> tuple[str, str] | None:
        """(reason, one line) when ``response`` is not the listing its URL promised (the
        profile as it is now: mirrors join during a run); the page is remembered either way."""
        same = self._seen(response, wrong=False)
        if same is not None:
            return SAME_PAGE, (
                "not a listing: the same page this mirror served for " + ", ".join(same)
            )
        if not any(profile.match_article(url) is not None for url in links):
            return NO_ARTICLE_LINKS, (
                f"not a listing: no article URL among its {count(len(links), 'link')}"
            )
        return None

    def wrong_page(self, response: Response) -> None:
        """A page of any type judged the wrong page: its body, if served at other paths
        too, is not a listing either."""
        self._seen(response, wrong=True)

    def _seen(self, response: Response, wrong: bool) -> list[str] | None:
        """Remember the body at its path; the other paths it was served for when that
        shows the mirror serves it for every path."""
        parts = urlsplit(response.url)
        origin, path = f"{parts.scheme}://{parts.netloc.lower()}", parts.path or "/"
        digest = hashlib.blake2b(response.body, digest_size=16).digest()
        bodies = self._bodies.setdefault(origin, OrderedDict())
        body = bodies.get(digest)
        if body is None:
            body = bodies[digest] = _Body()
            if len(bodies) > _BODIES_KEPT:
                bodies.popitem(last=False)
        bodies.move_to_end(digest)
        others = [p for p in body.paths if p != path]
        if path not in body.paths and len(body.paths) < _PATHS_KEPT:
            body.paths.append(path)
        body.wrong = body.wrong or wrong
        if others and (body.wrong or len(others) >= 2):
            return others
        return None


def empty_everywhere(
    reason: str, wrong_before: Iterable[tuple[str, str, str]], attempts: Sequence[object]
) -> bool:
    """Whether every mirror asked served this listing without an article link (and did
    nothing else): the site's own empty listing, nobody's failure."""
    reasons = [why for _, why, _ in wrong_before] + [reason]
    if reason != NO_ARTICLE_LINKS or set(reasons) != {reason}:
        return False
    return not attempts or len(reasons) == len(attempts)  # no attempts: no failover to ask
