"""Credits of pictures: the label that opens one ("Foto:", "Photo by", "©", "사진="), the
credit a caption ends in ("… (Foto: dpa)", "… Andrew Harnik / AP"), and the credit an
ImageObject states.  Used by the article's figures and by site page objects whose captions
carry their credit inline (Press TV's "(File photo by AP)").
"""

from __future__ import annotations

import re
from typing import Any

from scraper.sites.html import clean_text

# Labels a credit starts with, in the languages of the news we read: "Foto: dpa",
# "Photo by Reuters", "Bild: Keystone", "Crédit photo : AFP", "File photo by AP", "사진=뉴스1".
_LABEL = (
    r"(?:(?:file|archive|archiv|handout|cover|header|top|main|lead)\s+)?"
    r"(?:photos?(?:graph(?:er|y)?)?|fotos?(?:graf(?:ie|ía|ia)?|grafo)?|bild(?:er)?|"
    r"images?|imagen|immagine|pictures?|pic|credits?|crédits?(?:\s+photos?)?|"
    r"copyright|bildquelle|quelle|source|fuente|fonte|zdjęcie|źródło|kuva|illustration|grafik|"
    r"video|beeld|bron|källa|kilde|zdroj|fotoğraf|kaynak|"
    r"фото|источник|коллаж|иллюстрация|джерело|صورة|المصدر|عکس|منبع|"
    r"symbolfoto|symbolbild|archivfoto|archivbild|pressefoto|사진(?:\s*출처)?|출처|写真|图片|圖片)"
    r"(?:\s+credits?)?"
)
# What parts a label from the credit: a colon (or "="), or "by"/"von"/"courtesy of".
_LABEL_TAIL = r"(?:\s*[:=：]|\s+(?:courtesy\s+of|by|von|par|de|di|door|av|af)\b\s*:?)\s*"
_LEADING_LABEL = re.compile(
    r"^[(\[]?\s*(?:" + _LABEL + _LABEL_TAIL + r"|courtesy\s+of\s+|via\s+)"
    r"|^[(\[]?\s*(?:©|\(c\)|copyright)\s*(?:\d{4}\s+)?",
    re.I,
)
# A caption ending in its credit, bracketed or after a label: "… (Foto: dpa)",
# "… (File photo by AP)", "… Photo: Jane Doe/Reuters", "… © Keystone".
_TRAILING_BRACKETED = re.compile(
    r"\s*[(\[]\s*(?P<credit>(?:" + _LABEL + _LABEL_TAIL + r"|©\s*)[^()\[\]]{1,100}?)\s*[)\]]\s*$",
    re.I,
)
_TRAILING_LABELLED = re.compile(
    r"(?:^|(?<=[\s.!?\"'»«“”)]))(?P<credit>(?:(?<![\w-])"
    + _LABEL
    + r"(?:\s*(?:courtesy\s+of|by|von|par|de|di))?\s*[:=：]"
    r"|(?<![\w-])(?:photo|foto|file\s+photo)\s+(?:courtesy\s+of|by)\s+|©)\s*[^:©]{1,100}?)\s*$",
    re.I,
)
# "… Andrew Harnik / AP", "… Friso Gentsch/dpa": a name and an agency joined by a slash, at
# the very end, after a sentence ends (a capitalised name, then "/ AGENCY").
_TRAILING_SLASHED = re.compile(
    r"(?:(?<=[.!?»«\"“”])|(?<=[.!?»«\"“”]\s))(?P<credit>(?:[A-ZÀ-Þ][\w.'’-]*\s?){1,4}"
    r"(?:\s?/\s?[\w][\w.'’-]*(?:\s[\w][\w.'’-]*){0,2}){1,3})\s*$"
)

# "… Michael D. Higgins. | Niall Carson/PA Images", "… in La Soledat / Lorenzo Marina": a
# credit set off by a bar after the last sentence, or by a spaced slash before a name.
_TRAILING_PIPED = re.compile(r"(?<=[.!?»“”\")])\s*\|\s*(?P<credit>[^|]{1,100})$")
_TRAILING_SPACED_SLASH = re.compile(
    r"\s/\s(?P<credit>[A-ZÀ-Þ][\w.'’-]*(?:\s[A-ZÀ-Þ][\w.'’-]*){1,3})$"
)
# "… the restoration. Supplied", "… 연설하고 있다. 연합뉴스": a few words after the last
# sentence, no sentence themselves.
_TRAILING_TAIL = re.compile(r"(?<=[.!?])\s+(?P<credit>[^\W\d_][^.!?:;]{0,39})$")
# "… released on Friday. (AP)": a short name in brackets after the last sentence, when it
# is not a note about the picture ("(Archivbild)", "(File)").
_TRAILING_BARE = re.compile(r"(?<=[.!?»“”\"])\s*[(\[](?P<credit>[A-ZÀ-Þ][^()\[\]]{0,50})[)\]]\s*$")
_NOT_A_CREDIT = re.compile(
    r"^(?:archiv|symbol|file|archive|stock|illustration|montage|"
    r"video|audio|updated?|aktualisiert|\d)",
    re.I,
)


def _name_like(tail: str, before: str, max_words: int) -> bool:
    """Whether an unlabelled tail reads as a name ("Supplied", "AP Photo", "연합뉴스") after a
    real sentence: not a note about the picture, no prose word, and the sentence before not
    ending in an abbreviation ("Dr. Müller", "Michael D. Higgins")."""
    words = tail.split()
    if not words or len(words) > max_words or _NOT_A_CREDIT.match(tail):
        return False
    if any(w[:1].islower() and w not in _NAME_PARTICLES for w in words):
        return False
    before_words = before.rstrip(" ([").split()
    if len(before_words) < 3:
        return False
    last = before_words[-1].rstrip(".!?")
    return not (len(last) <= 3 and last[:1].isupper())


_NAME_PARTICLES = frozenset(
    {
        "via",
        "von",
        "van",
        "de",
        "der",
        "den",
        "di",
        "da",
        "del",
        "la",
        "le",
        "and",
        "und",
        "for",
        "of",
        "y",
        "e",
    }
)


def strip_credit_label(text: str | None) -> str | None:
    """A credit without its label and brackets: "(Foto: dpa)" is "dpa", "© 2024 AFP" "AFP"."""
    if not text:
        return None
    credit = _RIGHTS_RESERVED.sub("", clean_text(text))
    for _ in range(2):  # "Foto: © dpa"
        credit = _LEADING_LABEL.sub("", credit, count=1).strip()
    credit = credit.strip(" |·•–—-:,;")
    # brackets around all of it go, brackets of a part stay: "Urs Flueeler (Keystone)"
    while credit[:1] in "([" and credit[-1:] in ")]" and credit.count("(") + credit.count("[") == 1:
        credit = credit[1:-1].strip()
    if credit.count("(") < credit.count(")") and credit.endswith(")"):
        credit = credit[:-1].rstrip()
    if credit.count("(") > credit.count(")") and credit.startswith("("):
        credit = credit[1:].lstrip()
    if not credit or len(credit) > 200:
        return None
    return credit


_RIGHTS_RESERVED = re.compile(
    r"[.,;]?\s*all rights reserved\.?|[.,;]?\s*alle rechte vorbehalten\.?", re.I
)


def split_credit(caption: str | None) -> tuple[str | None, str | None]:
    """(caption without its trailing credit, the credit) for a caption that ends in one,
    else (caption, None)."""
    if not caption:
        return caption or None, None
    text = clean_text(caption)
    for pattern in (
        _TRAILING_BRACKETED,
        _TRAILING_LABELLED,
        _TRAILING_SLASHED,
        _TRAILING_PIPED,
        _TRAILING_SPACED_SLASH,
        _TRAILING_BARE,
        _TRAILING_TAIL,
    ):
        match = pattern.search(text)
        if match:
            if pattern in (_TRAILING_BARE, _TRAILING_TAIL) and not _name_like(
                match["credit"], text[: match.start()], 5 if pattern is _TRAILING_BARE else 3
            ):
                continue
            credit = strip_credit_label(match["credit"])
            if (
                pattern is _TRAILING_LABELLED
                and credit
                and credit[0].islower()
                and not text[: match.start()].rstrip().endswith((".", "!", "?", "|", ")"))
            ):
                continue  # "Die Quelle: ein Brunnen" is prose, "… Berlin. Foto: dpa" a credit
            if credit and not credit.endswith((".", "!", "?")) or credit and len(credit) < 40:
                rest = text[: match.start()].rstrip(" |·•–—-:,;/")
                return rest or None, credit
    return text or None, None


def ld_image_credit(node: dict[str, Any]) -> str | None:
    """The credit a JSON-LD ImageObject states: creditText, else copyrightHolder, else
    author (names of persons or organisations, joined)."""
    for key in ("creditText", "copyrightHolder", "author", "creator"):
        names = _ld_names(node.get(key))
        if names:
            return strip_credit_label(" / ".join(names))
    return None


def _ld_names(value: Any) -> list[str]:
    values = value[:10] if isinstance(value, list) else [value]
    names: list[str] = []
    for item in values:
        if isinstance(item, dict):
            item = item.get("name")
            if isinstance(item, list):
                item = next((n for n in item if isinstance(n, str)), None)
        if isinstance(item, str) and clean_text(item):
            names.append(clean_text(item))
    return names


_LABELLED_START = re.compile(r"^\s*(?:©|\(c\)\s|" + _LABEL + _LABEL_TAIL + r")", re.I)


def starts_with_credit_label(text: str) -> bool:
    """ "Foto: dpa", "© Keystone", "Photo by Reuters": a text that says it is a credit."""
    return bool(_LABELLED_START.match(text))
