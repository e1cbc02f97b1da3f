"""Identity across mirrors: one canonical URL on the primary, and one id, per article.

Scrapy-free. ``SiteProfile`` decides what an article is (its ``article_url`` pattern, ``id``
group and ``canonical_path``); ``scraper.sites.url_normalisation`` normalises a URL without a
profile; this module holds the canonical URL of any page of a site and the rule for trusting a
page's own ``rel=canonical`` / ``og:url``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scraper.sites.profile import ArticleUrl, SiteProfile
from scraper.sites.url_normalisation import rebased_url
from scraper.sites.url_syntax import join_url


def site_canonical_url(profile: SiteProfile, url: str) -> str | None:
    """The canonical URL of any page of the site (article or not); None for a foreign URL."""
    article = profile.match_article(url)
    if article is not None:
        return profile.canonical_url(article)
    # owns() first: it is False for a URL that does not parse, which urlsplit would raise on
    if not profile.owns(url) or urlsplit(url).scheme not in ("http", "https"):
        return None
    return rebased_url(url, profile.canonical_origin)


def choose_canonical(
    profile: SiteProfile,
    fetched_url: str,
    page_canonical: str | None,
    fetched: ArticleUrl | None = None,
) -> str:
    """The canonical URL to record for the article fetched from ``fetched_url``.

    The page's own ``rel=canonical`` / ``og:url`` (``page_canonical``, absolute or relative to
    ``fetched_url``) is honoured only when it points inside the site (any of its hosts) AND
    names the same article (same article id); it is then rebased onto the primary through the
    profile's rules, so a mirror that advertises itself, or a seized domain's page that points
    elsewhere, cannot move the article. Otherwise the profile's canonical URL of ``fetched_url``.
    A ``fetched_url`` that is no article of the site gets its site canonical form, or is
    returned unchanged when it is foreign. ``fetched``: ``fetched_url``'s match, when the
    caller has it already.
    """
    if fetched is None:
        fetched = profile.match_article(fetched_url)
    if fetched is None:
        return site_canonical_url(profile, fetched_url) or fetched_url
    if page_canonical and page_canonical.strip():
        joined = join_url(fetched_url, page_canonical.strip())
        candidate = profile.match_article(joined) if joined else None
        if candidate is not None and profile.article_id(candidate) == profile.article_id(fetched):
            return profile.canonical_url(candidate)
    return profile.canonical_url(fetched)
