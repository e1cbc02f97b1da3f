"""Whether a value a site's own selectors read is believable, or the generic reading of the
page should be taken instead.

A site's page object overrides the generic extractor field by field.  Its selectors are
written against templates that change: after a redesign they may still match, but
something else (the logo in the old headline's class, the lead in the old text container).
These checks are what a reader would notice at a glance, kept site-free so every site's
page object applies the same ones.
"""

from __future__ import annotations

from collections.abc import Iterable

from bs4 import BeautifulSoup

from scraper.sites.headline import site_keys, title_key


def title_fails(title: str | None, site_names: Iterable[str], url: str) -> bool:
    """Empty, or nothing but the site's name ("Press TV" from a logo in an ``<h1>``)."""
    if not title:
        return True
    key = title_key(title)
    return not key or key in site_keys(site_names, url)


def title_on_page(title: str, soup: BeautifulSoup) -> bool:
    """Whether the page shows ``title`` to its reader: a title read from the head (og:title,
    ``<title>``) that no visible text repeats belongs to another page (a stale cache, a
    copied template)."""
    root = soup.body or soup
    return title_key(title) in title_key(root.get_text(" "))


# Only a text shorter than this is read a second time, generically, to compare: the second
# parse is paid for on short pages, where a template change shows (a lead, a teaser).
CHECK_BODY_BELOW = 1000
# The site's text is a fragment when the generic reading holds at least this many times it.
_FRAGMENT_RATIO = 2
_MIN_GENERIC_BODY = 500


def body_is_fragment(site_body: str, generic_body: str) -> bool:
    """The site's text is much shorter than the generic reading of the same page: its
    selector found the standfirst, a teaser or one chunk of a text now split over other
    containers."""
    return len(generic_body) >= _MIN_GENERIC_BODY and len(generic_body) >= _FRAGMENT_RATIO * len(
        site_body
    )
