"""The publication day of a page whose markup states no date, found the way htmldate finds it.

Some templates state no date in any markup the metadata reader looks at (meta tags, JSON-LD,
``itemprop``, ``<time>``), yet the page says it elsewhere: in its URL ("/2025/04/01/…"), in
script data, in a visible dateline.  htmldate is the maintained library made for that search
(it is trafilatura's date finder); on fundus's pages it finds the right day on 171 of 174 when
used alone.  Its pattern search over the whole text (``extensive_search``) is left off: it
takes any date printed on the page (a comment's, a related story's) when nothing better
exists, and an archive would rather have no date than a wrong one.

Only the day is taken: htmldate fills a time it did not find with midnight, and a time of day
the page did not state would be invented.
"""

from __future__ import annotations

import logging
from datetime import date

import lxml.html
from lxml import etree

# htmldate (and dateparser under it) log at WARNING on pages they cannot read; one bad page
# is not worth a line in a crawl's log.
logging.getLogger("htmldate").setLevel(logging.ERROR)

# Beyond this a page is not a news article; htmldate's searches are linear but not free.
_MAX_CHARS = 5_000_000


def publication_day(html: str, url: str | None) -> str | None:
    """``YYYY-MM-DD`` from the URL, the head and script data, or None."""
    if not html.strip() or len(html) > _MAX_CHARS:
        return None
    # A string that looks like a URL makes htmldate download it: hand it a parsed tree.
    try:
        tree = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None
    from htmldate import find_date  # dateparser's import costs ~0.2 s: only when needed

    try:
        found = find_date(
            tree, url=url, extensive_search=False, original_date=True, outputformat="%Y-%m-%d"
        )
    except Exception:
        return None
    if not found:
        return None
    try:
        return date.fromisoformat(found).isoformat()
    except ValueError:
        return None
