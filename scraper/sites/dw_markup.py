"""Deutsche Welle's article markup: selectors and patterns only, no algorithm.

Two templates, both seen on real pages (tests/fixtures/dw):

* current (2023 on): generated class names beside stable ones: the headline in
  ``article header h1``, the kicker (``div.kicker``, first ``<span>`` the section), the
  byline in ``div.author-details .author``, the day in ``span.publication time``
  ("30.01.2024"; recent pages print "vor 3 Stunden"), the standfirst in ``p.teaser-text``,
  the text in ``div.rich-text`` with figures (``figcaption``, credit in ``small.copyright``)
  and ad slots inside;
* legacy (to 2023): ``div.col3 h1`` under an ``h4.artikel`` kicker, ``p.intro``, the text in
  ``div.longText``, the lead picture in ``div.picBox``, and the facts under the text as
  ``ul.smallList li`` labelled by a ``<strong>`` ("Datum 28.04.2023", "Autorin/Autor …").
"""

from __future__ import annotations

import re

from scraper.sites.html import Selector

HEADLINE = (Selector("article header h1"), Selector("div.col3 h1"))
SECTION = (Selector("div.kicker span"), Selector("h4.artikel"))
DESCRIPTION = (Selector("p.teaser-text"), Selector("p.intro"))
AUTHORS = Selector("div.author-details .author")
PRINTED_DAY = (Selector("span.publication time"),)
# The legacy template's facts list: a <strong> label, then the value.
FACTS = Selector("ul.smallList li")
DATE_LABELS = re.compile(r"^(?:Datum|Date|Дата|Fecha|Data)$", re.IGNORECASE)
AUTHOR_LABELS = re.compile(r"^(?:Autorin/Autor|Autor(?:in)?|Author|Автор|Autor/a)$", re.IGNORECASE)
DAY = re.compile(r"\b(?P<day>\d{1,2})\.(?P<month>\d{1,2})\.(?P<year>\d{4})\b")

BODY = (Selector("article div.rich-text"), Selector("div.rich-text"), Selector("div.longText"))
BODY_CHROME = Selector(
    "figure, figcaption, script, style, noscript, iframe, form, aside, "
    "div.advertisement, div.gpt-slot, div.rich-text-ad, div.embed, div.vjs-wrapper, "
    "div.picBox, div.feedback"
)
PAGE_CHROME = Selector(
    "script, style, noscript, nav, aside, footer, form, iframe, header, "
    "div.advertisement, div.gpt-slot, div.feedback, div.linkList, ul.smallList, "
    "section.in-line, div#sharing-bar"
)

# Pictures: the current template's figures (lead and in the text), the legacy lead box.
FIGURES = Selector("article figure, div.picBox")
CAPTION = Selector("figcaption, p")
CREDIT = Selector("small.copyright")
# Pictures in the text are placeholders for a script: their address is a template,
# ``…/image/59234409_${formatId}.jpg``.  605 is the widest landscape format the page's own
# <picture> offers for its lead (``…_605.jpg 1199w``).
FORMAT_PLACEHOLDER = "${formatId}"
LANDSCAPE_FORMAT = "605"

SITE_NAMES = ("DW", "Deutsche Welle", "DW.COM")
