"""Whether a candidate mirror serves the site's text.

An article the crawl already archived from a trusted mirror is fetched from the candidate and
both texts compared (the paragraphs of compare mode, ``archive.divergence``): the candidate
passes when the texts agree. An impostor serving other text, or the site's look-alike with
another story, fails. (Where a candidate may be asked at all is ``archive.address_policy``'s
rule, applied to every request that is not to the site's own hosts.)
"""

from __future__ import annotations

import difflib

from archive.divergence import paragraphs_of


def text_agreement(reference: str, candidate: str) -> float:
    """How much of two article texts is the same, 0 to 1: the characters in paragraphs both
    have, over the longer text's."""
    a, b = paragraphs_of(reference), paragraphs_of(candidate)
    longer = max(sum(map(len, a)), sum(map(len, b)))
    if not longer:
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    same = sum(
        sum(len(p) for p in a[i1:i2])
        for tag, i1, i2, _j1, _j2 in matcher.get_opcodes()
        if tag == "equal"
    )
    return same / longer
