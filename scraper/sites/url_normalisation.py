"""The canonical form of a page's URL, whatever site it belongs to: the serving host
replaced by an origin, tracking parameters and fragment dropped, the rest normalised.

Normalisation uses w3lib (already installed with Scrapy, maintained by the Scrapy team, and the
same canonical form Scrapy's request fingerprints use): ``canonicalize_url`` lower-cases the
host, normalises path percent-encoding (upper-case escapes, non-ASCII encoded as UTF-8), resolves
dot segments, sorts the query and drops the fragment; ``url_query_cleaner`` removes tracking
parameters without re-encoding the rest of the query.
"""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

from w3lib.url import canonicalize_url, url_query_cleaner

# Query parameters that only say how a reader arrived (campaigns, ad clicks, newsletters,
# share buttons), never which page it is. Matched case-insensitively.
TRACKING_PARAMETERS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "igsh",
        "srsltid",
        "wickedid",
        "rb_clickid",
        "s_cid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "vero_conv",
        "_openstat",
        # Twitter/X embeds and share links. Plain ``ref`` is kept: some sites use it to select
        # content (a branch, a revision), so it is not clearly tracking.
        "ref_src",
        "ref_url",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_", "_hs", "__hs")


def is_tracking_parameter(name: str) -> bool:
    key = name.lower()
    return key in TRACKING_PARAMETERS or key.startswith(TRACKING_PREFIXES)


def without_tracking(url: str) -> str:
    """``url`` without tracking parameters or fragment; other parameters exactly as they were."""
    query = urlsplit(url).query
    names = [pair.partition("=")[0] for pair in query.split("&")] if query else []
    tracking = sorted({name for name in names if is_tracking_parameter(name)})
    if tracking:
        return url_query_cleaner(url, tracking, remove=True, unique=False)
    return url.split("#", 1)[0]


@lru_cache(maxsize=16384)  # the spider asks for the same link's identity many times a crawl
def rebased_url(url: str, origin: str) -> str:
    """``url``'s path and query on ``origin``, normalised: the canonical form of one page.

    ``origin`` is ``scheme://host[:port]`` (no default port). The host and port of ``url`` are
    ignored: on a multi-mirror site they say which mirror served it, not which page it is.
    """
    parts = urlsplit(url.strip())
    query = f"?{parts.query}" if parts.query else ""
    return canonicalize_url(without_tracking(f"{origin}{parts.path or '/'}{query}"))
