"""The one place where HTML bytes become text and text becomes a BeautifulSoup tree.

Crawl and replay must decode and parse a page identically, or replaying a crawl's WARCs
would not reproduce its records; so both go through these two functions.
"""
from __future__ import annotations

import unicodedata

import charset_normalizer

from bs4 import BeautifulSoup, NavigableString, PageElement, Tag
from w3lib.encoding import html_to_unicode

PARSER = "lxml"


def decode_html(body: bytes, content_type: str | None = None) -> str:
    """Decode a response body the way browsers do: BOM, then HTTP charset, then <meta>.

    When the bytes are not valid in the declared charset (a legacy page served as UTF-8 is
    common), the charset is detected from the bytes instead; never raises on bad bytes.
    """
    encoding, text = html_to_unicode(content_type or "", body)
    if "\ufffd" in text and not _decodes(body, encoding):
        guess = charset_normalizer.from_bytes(body[:DETECTION_SAMPLE]).best()
        if guess is not None and _decodes(body, guess.encoding):
            return body.decode(guess.encoding)
    return text


# Enough bytes for detection to be sure, few enough that a huge page costs little.
DETECTION_SAMPLE = 256 * 1024


def _decodes(body: bytes, encoding: str) -> bool:
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def make_soup(html: str | bytes) -> BeautifulSoup:
    return BeautifulSoup(html, PARSER)


# Elements that end the paragraph before them and start a new one.  Everything else is
# inline: its text runs on into its neighbours' (so "<b>Tehran</b>, Iran" stays one line).
BLOCK_TAGS = frozenset(
    """address article aside blockquote body dd details dialog div dl dt fieldset figcaption
    figure footer form h1 h2 h3 h4 h5 h6 header hgroup hr html li main nav ol p pre section
    summary table tbody td tfoot th thead tr ul caption center""".split()
)
# Elements whose text is never prose.
SKIP_TAGS = frozenset(
    "script style noscript template svg math iframe object embed canvas select option textarea "
    "button head title input video audio source picture map".split()
)
# Comment, CData, Doctype… subclass NavigableString; only the exact type is prose.
_PROSE_STRINGS = (NavigableString,)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


def clean_text(text: str) -> str:
    """NFC, no invisible characters, every run of whitespace (NBSP included) one space."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    return " ".join(text.split())


def block_paragraphs(element: Tag) -> list[str]:
    """The text of ``element`` as paragraphs, one per block.

    Two runs of text are in the same paragraph only when they share their nearest block
    ancestor and no ``<br>`` stands between them, which is what keeps "…agency TASS" and
    "Peskov said…" apart when a template puts them in sibling blocks.
    """
    paragraphs: list[str] = []
    current: list[str] = []
    current_block: Tag | None = None

    def flush() -> None:
        text = clean_text("".join(current))
        if text:
            paragraphs.append(text)
        current.clear()

    for node in element.descendants:
        if isinstance(node, Tag):
            if node.name == "br":
                flush()
            continue
        if not isinstance(node, NavigableString) or type(node) not in _PROSE_STRINGS:
            continue
        block = _nearest_block(node, element)
        if block is None:  # inside a script, style, …
            continue
        if block is not current_block:
            flush()
            current_block = block
        current.append(str(node))
    flush()
    return paragraphs


def _nearest_block(node: PageElement, stop: Tag) -> Tag | None:
    parent = node.parent
    while parent is not None:
        name = parent.name
        if name in SKIP_TAGS:
            return None
        if name in BLOCK_TAGS or parent is stop:
            return parent
        parent = parent.parent
    return stop
