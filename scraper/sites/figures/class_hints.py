"""Whether an element's class or id names what it is ("related-stories", "photo-credit",
"author-avatar"): the hint templates give where the markup itself says nothing.

Each pattern's verdict on each class/id text is remembered, in a bounded cache: hostile pages
invent names without end.
"""

from __future__ import annotations

import re

from bs4 import Tag


def hinted(tag: Tag, pattern: re.Pattern[str]) -> bool:
    """Whether the element's class or id matches ``pattern``."""
    attrs = tag.attrs
    if not attrs:
        return False
    for key in ("class", "id"):
        value = attrs.get(key)
        if not value:
            continue
        text = " ".join(value) if isinstance(value, list) else str(value)
        # Templates repeat a handful of class names hundreds of times.
        cache = _HINTS.get(pattern)
        if cache is None:
            cache = _HINTS[pattern] = {}
        hit = cache.get(text)
        if hit is None:
            if len(cache) > 20_000:
                cache.clear()
            hit = cache[text] = bool(pattern.search(text))
        if hit:
            return True
    return False


_HINTS: dict[re.Pattern[str], dict[str, bool]] = {}
