"""An article's language: the tag its markup states, checked against the text itself.

Templates state a language for the whole site, so the tag is often wrong for the article:
fundus's Zulu, Xhosa and Swahili pages all say ``lang="en"``; some say ``kr`` (Kanuri) for
Korean or ``de_de``.  Tags are put in BCP 47's standard form by langcodes ("de_de" →
"de-DE", "eng" → "en", "iw" → "he"); the text's language is identified by py3langid (a
maintained, pickled-model port of langid.py: ~0.4 ms for the 1,000 characters read here, no
download).  The stated tag stands unless the text is long enough and the identification
sure enough, and the two are different languages by langcodes' distance (Bokmål and
"Norwegian" are one; Serbian and Croatian, which character n-grams cannot tell apart
reliably, are left as stated).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import langcodes

if TYPE_CHECKING:
    from py3langid.langid import LanguageIdentifier

# Enough text for the n-gram model to be right; more costs time and changes nothing.
_SAMPLE_CHARS = 1000
# The model reads byte n-grams, so "enough" is counted in UTF-8 bytes: 130 Hangul
# characters say as much as 400 Latin ones.
_MIN_BYTES_TO_DETECT = 200  # a page without a stated language
_MIN_BYTES_TO_OVERRULE = 400  # a page whose template states one
_MIN_PROBABILITY_TO_DETECT = 0.9
_MIN_PROBABILITY_TO_OVERRULE = 0.95
# langcodes' distance from which two tags are different languages, not variants of one:
# no/nb 1, zh/zh-Hant 54, sr/hr 59, en/zu 84, ko/kr 134.
_DIFFERENT_LANGUAGES = 60


def standard_tag(tag: str | None) -> str | None:
    """``tag`` in BCP 47's standard form, or None when it is not a language tag."""
    if not tag:
        return None
    try:
        standard = langcodes.standardize_tag(tag.strip())
    except (ValueError, LookupError):
        return None
    if standard in ("und", "x-default") or standard.startswith(("x-", "und-")):
        return None
    return standard


def article_language(stated: str | None, text: str) -> str | None:
    """The stated tag (standardised), or the language of ``text`` where the markup states
    none or, surely, the wrong one."""
    tag = standard_tag(stated)
    sample = " ".join(text[:_SAMPLE_CHARS].split())
    if len(sample.encode()) < (_MIN_BYTES_TO_OVERRULE if tag else _MIN_BYTES_TO_DETECT):
        return tag
    detected, probability = _identifier().classify(sample)
    if tag is None:
        return detected if probability >= _MIN_PROBABILITY_TO_DETECT else None
    if probability >= _MIN_PROBABILITY_TO_OVERRULE and _different(tag, detected):
        return detected
    return tag


def _different(tag: str, detected: str) -> bool:
    try:
        return bool(langcodes.tag_distance(tag, detected) >= _DIFFERENT_LANGUAGES)
    except (ValueError, LookupError):
        return False


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    # Loading the model takes ~0.7 s: once per process, and only when a page needs it.
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
