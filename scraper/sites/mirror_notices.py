"""A site's own notice of the other addresses it can be reached at ("Press TV's website can
also be accessed at the following alternate addresses: www.presstv.co.uk …"), read from a
page: the origins it names.

Generic by default: a block whose text speaks of alternate addresses, in the languages news
sites that live on several domains use (English, French, Spanish, German, Russian, Persian,
Arabic, Turkish), is the notice; its links and the host names written in its text are the
addresses. A profile may name the block instead (``mirror_notice``, a CSS selector).

Only a page of the site itself is read (the caller's business): a host only linked from a
third party is never a candidate. What is read here is a candidate, nothing more; the crawl
verifies it before any record comes from it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree
from lxml import html as lxml_html
from lxml.etree import ParserError

from scraper.sites.url_syntax import join_url, split_url, url_netloc

# Phrases that open a notice of alternate addresses.
_NOTICE = re.compile(
    r"alternat(?:e|ive)\s+(?:web\s*)?(?:address|domain|url|link)"
    r"|can\s+(?:also\s+)?be\s+(?:accessed|reached|found|visited)\s+(?:at|via|on)"
    r"|mirror\s+(?:site|address|domain)s?"
    r"|new\s+(?:web\s*)?address"
    r"|adresses?\s+(?:alternatives?|de\s+secours|miroirs?)"
    r"|direcci(?:ó|o)n(?:es)?\s+alternativas?"
    r"|alternative\s+(?:adresse|domain)"
    r"|альтернативн\w+\s+адрес"
    r"|(?:آدرس|نشانی)[\u200c\s]*(?:ها|های)?[\u200c\s]*(?:ی\s*)?جایگزین"
    r"|عناوين\s+بديلة|العناوين\s+البديلة|الموقع\s+البديل"
    r"|alternatif\s+adres",
    re.IGNORECASE,
)
# A host written out in the notice's text: a domain name, or an IPv4 address, with a port.
_HOST = re.compile(
    r"(?<![\w@.-])(?:https?://)?"
    r"((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}|(?:\d{1,3}\.){3}\d{1,3})"
    r"(:\d{1,5})?(?![\w-])",
    re.IGNORECASE,
)
# a word of every phrase above, lower-case; and how far around it the phrase may reach
_STEMS = (
    "alternat",
    "accessed",
    "reached",
    "found",
    "visited",
    "mirror",
    "address",
    "adresse",
    "direcci",
    "адрес",
    "جایگزین",
    "بديل",
)
_AROUND = 100
_MAX_NOTICES = 5
_MAX_ORIGINS = 20
# After the opening phrase, how much text the addresses may take: a list of hosts is short,
# and the first long stretch of prose after it is the page going on about something else.
_WINDOW_CHARS = 300
_SKIPPED = frozenset({"script", "style", "head", "noscript", "template"})


def announced_origins(html: str, page_url: str, selector: str | None = None) -> list[str]:
    """``scheme://host[:port]`` of every address the page's notices name, in page order,
    without the page's own origin. A host given without a scheme takes the page's."""
    if selector is None and not _mentions_notice(html):
        return []  # most pages of most sites: a few substring searches, no parse
    try:
        root = lxml_html.document_fromstring(html)
    except (ParserError, ValueError):
        return []
    page = split_url(page_url)
    if page is None:
        return []
    if selector:
        windows = [list(_stream(block)) for block in root.cssselect(selector)[:_MAX_NOTICES]]
    else:
        windows = _notice_windows(_stream(root))
    explicit: list[str] = []  # a scheme given (a link, or "https://…" in the text)
    inferred: list[str] = []  # a bare host name: the page's scheme
    for window in windows:
        for kind, value, text in window:
            if kind == "link":
                # an address in a notice is written out as the link's text; icons and
                # "Share on …" links around it are not addresses
                if selector or _HOST.search(text):
                    explicit.append(_origin(join_url(page_url, value) or ""))
                continue
            for match in _HOST.finditer(value):
                host = f"{match.group(1).lower()}{match.group(2) or ''}"
                given = match.group(0).lower().startswith(("http://", "https://"))
                scheme = match.group(0).split(":", 1)[0].lower() if given else page.scheme
                # a port past 65535 would be no origin: "" is dropped below
                (explicit if given else inferred).append(_origin(f"{scheme}://{host}"))
    hosts_given = {url_netloc(o) for o in explicit}
    found = explicit + [o for o in inferred if url_netloc(o) not in hosts_given]
    own = f"{page.scheme}://{page.netloc.lower()}"
    return [o for o in dict.fromkeys(found) if o and o != own][:_MAX_ORIGINS]


def _mentions_notice(html: str) -> bool:
    """Whether the page has a notice's opening phrase anywhere. The phrase regex over a whole
    page costs ~20 ms (its alternatives tried at every position); it runs here only around
    the words every phrase contains."""
    lowered = html.lower()
    for stem in _STEMS:
        at = lowered.find(stem)
        while at != -1:
            if _NOTICE.search(lowered, max(0, at - _AROUND), at + _AROUND):
                return True
            at = lowered.find(stem, at + 1)
    return False


def _stream(root: lxml_html.HtmlElement) -> Iterator[tuple[str, str, str]]:
    """The page in document order as ("text", chunk, "") and ("link", href, its text)."""
    walker = etree.iterwalk(root, events=("start", "end"))
    for event, element in walker:
        tag = element.tag if isinstance(element.tag, str) else ""
        if event == "start":
            if tag in _SKIPPED:
                walker.skip_subtree()
                continue
            if tag == "a" and element.get("href"):
                yield "link", element.get("href"), element.text_content()
            if tag and element.text:
                yield "text", element.text, ""
        elif element.tail:
            yield "text", element.tail, ""


Item = tuple[str, str, str]


def _notice_windows(items: Iterator[Item]) -> list[list[Item]]:
    """What follows each opening phrase, up to ``_WINDOW_CHARS`` of text."""
    windows: list[list[Item]] = []
    window: list[Item] | None = None
    budget = 0
    for kind, value, text in items:
        if kind == "text":
            match = _NOTICE.search(value)
            if match is not None and len(windows) < _MAX_NOTICES:
                window, budget = [], _WINDOW_CHARS
                windows.append(window)
                value = value[match.end() :]
            if window is not None:
                budget -= len(value.strip())
                if budget < 0:
                    window = None
                    continue
        if window is not None:
            window.append((kind, value, text))
    return windows


def _origin(url: str) -> str:
    parts = split_url(url)
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        return ""
    return f"{parts.scheme}://{parts.netloc.lower()}"
