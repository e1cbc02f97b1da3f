"""The markup RFE/RL's and VOA's sites share: selectors and patterns only, no algorithm.

RFE/RL's language services (Radio Svoboda, Radio Farda, Azattyq…), Current Time and the
Voice of America's services run on one CMS (Pangea): article URLs ``/a/slug/12345678.html``
or ``/a/12345678.html``, and one article template.  Seen on real pages (tests/fixtures/rferl):

* the headline in ``<h1 class="title pg-title">``, the section in ``div.category a``;
* the date in ``div.published time[datetime]`` with the page's own offset
  (``2024-04-28T03:00:00-04:00``);
* the byline as links to ``/author/…`` pages in ``div.publishing-details`` (older
  templates: ``div.authors``);
* the lead picture in ``div.cover-media figure``, the text in ``#article-content div.wsw``
  with pictures, players and related-story boxes embedded as ``div.wsw__embed``, and the
  dateline ("AUBURN, Wash. —") as ``span.dateline`` before the first paragraph.

A template change is an edit here; ``rferl.py`` reads whatever these name.
"""

from __future__ import annotations

import re

from scraper.sites.html import Selector

# Selectors are html.Selector (tag, .class, #id, descendant): unsupported CSS fails at import.
HEADLINE = (Selector("h1.pg-title"), Selector("div.col-title h1"))
SECTION = (Selector("div.category a"), Selector("div.category"))
PUBLISHED = (Selector("div.published time"), Selector("span.date time"))
# Byline links; only those to an author page count (the same list may hold other links).
BYLINE_LINKS = (
    Selector("div.publishing-details div.links a"),
    Selector("div.authors a"),
    Selector("div.links__author a"),
)
AUTHOR_HREF = re.compile(r"/author/")
BODY = (Selector("#article-content div.wsw"), Selector("div.wsw"))
DATELINE = Selector("span.dateline")
# Inside the text container: never body text.  Embeds carry pictures (read as images, not
# text), players, polls and related-story boxes.
BODY_CHROME = Selector(
    "div.wsw__embed, figure, figcaption, script, style, noscript, iframe, form, aside, "
    "div.media-pholder, div.c-mmp, div.media-block-wrap, div.infgraphicsAttach, "
    "div.external-content-placeholder, div.clear, span.dateline"
)
# Around the text: what a generic reading must not take for it when the container is gone.
PAGE_CHROME = Selector(
    "script, style, noscript, nav, aside, footer, form, iframe, "
    "div.media-block-wrap, div.share--box, div.comments, div.c-hlights, div.hdr, "
    "div.sticky-share-container, div.region"
)
# The lead picture, then the pictures in the text; the caption is the figure's.
IMAGES = Selector("div.cover-media figure img, div.wsw figure img, div.wsw__embed figure img")
CAPTION = Selector("figcaption span.caption, figcaption")

# The family's own names: a "headline" that is only one of them is a logo.
SITE_NAMES = (
    "RFE/RL",
    "Radio Free Europe/Radio Liberty",
    "RadioFreeEurope/RadioLiberty",
    "Voice of America",
    "VOA",
    "Current Time",
)
