"""Choosing an article's headline among the titles a page states.

A page names its headline several times: OpenGraph, JSON-LD ``headline``, Twitter card,
``<title>``, and the visible ``<h1>``.  They disagree in predictable ways: ``<title>`` and
often og:title carry the site's name (or section, or date) as an affix ("… | Börsen-Zeitung",
"… - 毎日新聞", "… | Europa | DW | 28.04.2023"); the visible ``<h1>`` gets a kicker put before
it ("Olympische Spiele: …"), spacing artefacts from inline markup, or typographic quotes
the plain-text fields do not have; JSON-LD ``headline`` is often an SEO variant.

The rule: the publisher's declared title (og:title, then JSON-LD, Twitter, Dublin Core,
itemprop) with any affix cut off, where an affix is what stands beyond a separator once the
rest equals a visible ``<h1>``, or a segment naming the site (og:site_name, application
name, publisher, the host's own name).  A short tail ("-정치", " - World News") that
another declared title goes without is an affix too, spaced or not.  The visible headings
are the ``<h1>``s and each ``<hgroup>``'s heading.  Where the declared titles disagree with
each other and the ``<h1>`` is none of them, the page shows its readers the headline its
markup cannot settle: the ``<h1>``, unless it is a section's label.  Without declared
titles: the ``<h1>`` that ``<title>`` contains, else the first ``<h1>``, else ``<title>``
without its affixes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from scraper.sites.article import StatedTitle
from scraper.sites.url_syntax import url_host

# " | ", " - ", " – ", " — ", " · ", " • ", " :: ", " » ", " › ", " / "; a bare "|",
# full-width "｜", box-drawing "│" or the Hangul "ㅣ" Korean sites use as a bar needs no
# spaces.  A colon is not here: "Brexit: what next" is one headline.
_SEPARATOR = re.compile(r"\s+(?:[|\-–—·•»›/]|::)\s+|\s*[|｜│ㅣ]\s*")
# A closing guillemet is a separator only when it closes no quote: « Je ne partirai pas »
_CLOSES = {"»": "«", "›": "‹"}
_ELLIPSIS = ("…", "...")


def title_key(text: str) -> str:
    """What two spellings of one headline share: letters and digits, case-folded, NFKC
    (so quotes, dashes, spacing and punctuation never tell two titles apart)."""
    return "".join(c for c in unicodedata.normalize("NFKC", text).casefold() if c.isalnum())


def _folded(text: str) -> str:
    """The key without diacritics: "Börsen-Zeitung" and the host "boersen-zeitung" meet as
    "borsenzeitung"/"boersenzeitung", so both spellings are kept (see ``site_keys``)."""
    decomposed = unicodedata.normalize("NFKD", title_key(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_TRANSLITERATION = str.maketrans(
    {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "å": "aa", "æ": "ae", "ø": "oe"}
)


# The generic second-level domains under country codes ("co.uk", "com.au", "or.jp").
_SECOND_LEVEL = frozenset(
    "co com org net ac gov gob edu or ne go gv mil nic ltd plc info biz web nom".split()
)


def site_keys(names: Iterable[str], url: str) -> set[str]:
    """Keys of every way the page names its site, the host's own name among them."""
    keys: set[str] = set()
    for name in names:
        if not isinstance(name, str) or not name.strip():
            continue
        for variant in (name, name.removeprefix("@")):
            key = title_key(variant)
            if key:
                keys.update({key, _folded(variant), key.translate(_TRANSLITERATION)})
    host = url_host(url)
    labels = [label for label in host.split(".") if label not in ("www", "m", "amp", "")]
    if len(labels) >= 2:
        # "www.boersen-zeitung.de" names the site "boersen-zeitung" and "boersen-zeitung.de";
        # "www.mirror.co.uk" "mirror" and "mirror.co.uk", not "co"
        under_country = len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL
        size = 3 if len(labels) >= 3 and under_country else 2
        keys.add(title_key(labels[-size]))
        keys.add(title_key(".".join(labels[-size:])))
    keys.discard("")
    return keys


def _names_site(segment: str, sites: set[str]) -> bool:
    key = title_key(segment)
    if not key:
        return True  # an empty segment: nothing to keep
    if key in sites or _folded(segment) in sites or key.translate(_TRANSLITERATION) in sites:
        return True
    # "Mirror Online", "Lebanon News": the site's name and a word; a short segment only,
    # for a headline may well begin with the site's name
    return (
        len(segment.split()) <= 3
        and len(key) >= 4
        and any(len(site) >= 4 and (key.startswith(site) or site.startswith(key)) for site in sites)
    )


def _split(text: str) -> tuple[list[str], list[str]]:
    """``text`` cut at its separators: the segments, and the separators between them."""
    parts: list[str] = []
    separators: list[str] = []
    start = position = 0
    while match := _SEPARATOR.search(text, position):
        mark = match.group().strip()
        opening = _CLOSES.get(mark)
        if opening and text.count(opening, 0, match.start()) > text.count(mark, 0, match.start()):
            position = match.start() + 1  # it closes a quotation: look on past it
            continue
        parts.append(text[start : match.start()])
        separators.append(match.group())
        start = position = match.end()
    parts.append(text[start:])
    return parts, separators


def strip_affixes(text: str, h1_keys: set[str], sites: set[str]) -> str:
    """``text`` without what stands beyond a separator: the part that equals a visible
    ``<h1>`` when there is one, else without leading/trailing segments naming the site."""
    parts, separators = _split(text)
    if len(parts) == 1:
        return text

    def join(first: int, last: int) -> str:  # segments first..last-1 with their separators
        pieces = [parts[first]]
        for index in range(first + 1, last):
            pieces += [separators[index - 1], parts[index]]
        return "".join(pieces).strip()

    if h1_keys:
        count = len(parts)
        # the longest span of whole segments that equals an <h1>
        for size in range(count - 1, 0, -1):
            for first in range(0, count - size + 1):
                span = join(first, first + size)
                if title_key(span) in h1_keys:
                    return span
    first, last = 0, len(parts)
    while last - first > 1 and _names_site(parts[last - 1], sites):
        last -= 1
    while last - first > 1 and _names_site(parts[first], sites):
        first += 1
    return join(first, last)


def choose_title(
    declared: Iterable[str | None],
    h1s: list[str],
    title_tag: str | None,
    sites: set[str],
) -> str | None:
    """The headline: see the module docstring.  ``declared`` is in order of trust."""
    h1s = [h for h in h1s if h and title_key(h) and title_key(h) not in sites]
    h1_keys = {title_key(h) for h in h1s}
    texts: list[str] = []
    for candidate in declared:
        if not candidate:
            continue
        text = strip_affixes(candidate, h1_keys, sites)
        key = title_key(text)
        if key and key not in sites:  # not a template's og:title naming only the site
            texts.append(text)
    # The declared title the reader sees as the headline, first in order of trust: equal to
    # an <h1>, or differing by a kicker only: one inside the <h1> ("Olympische Spiele: …")
    # or one shown beside it that the declared title keeps.
    for text in texts:
        key = title_key(text)
        if key in h1_keys or any(
            (h.endswith(key) and len(key) >= 0.4 * len(h))
            or (key.endswith(h) and len(h) >= 0.4 * len(key))
            for h in h1_keys
        ):
            return text
    for text in texts:
        if text.endswith(_ELLIPSIS):  # cut short for a share card: the <h1> is whole
            stem = title_key(text.rstrip(".…"))
            whole = next((h for h in h1s if title_key(h).startswith(stem)), None)
            if whole:
                return whole
    shown = _shown_headline(h1s, texts)
    if shown:
        return shown
    if texts:
        return _without_tail(texts[0], texts)
    if h1s:
        if title_tag:
            tag_key = title_key(title_tag)
            inside = next((h for h in h1s if title_key(h) in tag_key), None)
            if inside:
                return inside
        return h1s[0]
    if title_tag:
        text = strip_affixes(title_tag, set(), sites)
        return text or None
    return None


# A heading of fewer words is a section's label ("Mehr aus Sachsen-Anhalt", "M&A Updates"),
# not a headline; one ending in a colon introduces what follows it.
_LABEL_WORDS = 4


def _shown_headline(h1s: list[str], texts: list[str]) -> str | None:
    """The visible headline where the declared titles disagree with each other and none is
    shown: the publisher states no one headline, and the reader sees the ``<h1>``.  Where
    the declared titles agree, they are the headline and the ``<h1>`` a display variant."""
    if len({title_key(_without_tail(text, texts)) for text in texts}) < 2:
        return None
    return next(
        (h for h in h1s if len(h.split()) >= _LABEL_WORDS and not h.rstrip().endswith(":")),
        None,
    )


# What may follow a headline as an affix: a separator, then a few words.
_TAIL_MARKS = "-–—|/·•"
_TAIL = re.compile(rf"\s*[{_TAIL_MARKS}]\s*\S(?:.{{0,28}}\S)?", re.S)


def _without_tail(text: str, others: list[str]) -> str:
    """``text`` without a short tail ("…커졌다-정치", "… - Politik") that another declared
    title of the page goes without: that title is the headline the tail was added to, even
    where the separator has no spaces for ``strip_affixes`` to see."""
    for other in others:
        other = other.strip()
        if other and text.startswith(other) and len(other) < len(text):
            tail = text[len(other) :]
            # a section's name, a word or two; unspaced, one ("-정치"): "Busan-style summit"
            # is no affix of "… Busan", nor "- here's how to check" of what it ends
            words = 1 if not tail[0].isspace() else 2
            if _TAIL.fullmatch(tail) and len(tail.lstrip().lstrip(_TAIL_MARKS).split()) <= words:
                return other
    return text


# A page states a few titles; a hostile one may repeat <h1> or meta tags without end.
MAX_STATED_TITLES = 12


def stated_titles(stated: Iterable[tuple[str, str | None]], sites: set[str]) -> list[StatedTitle]:
    """Every distinct title the page states, each with the places that state it, in the
    order given: what ``choose_title`` chose among, kept so that a reader who wanted
    another convention (the SEO title, the <title> with its site name) loses nothing.
    A text that only names the site (a logo in an <h1>) is no title."""
    by_text: dict[str, StatedTitle] = {}
    for source, text in stated:
        text = " ".join((text or "").split())
        if not text or title_key(text) in sites:
            continue
        if text in by_text:
            if source not in by_text[text].sources:
                by_text[text].sources.append(source)
        elif len(by_text) < MAX_STATED_TITLES:
            by_text[text] = StatedTitle(text, [source])
    return list(by_text.values())
