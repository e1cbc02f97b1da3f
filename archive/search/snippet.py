"""The lines of a hit a reader sees: the stretch of text with the most query words, and
where those words are, so a terminal, JSON and HTML each mark them their own way."""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

from archive.search.query import SearchQuery, normalise

_WORD = re.compile(r"\w+", re.UNICODE)
SNIPPET_WORDS = 32


@dataclass(frozen=True)
class Marked:
    """Text and the (start, end) character spans of the query's words in it."""

    text: str
    spans: tuple[tuple[int, int], ...]

    def render(self, before: str, after: str, escape: Callable[[str], str] | None = None) -> str:
        """The text with each span wrapped; ``escape`` applied to every piece of text (not
        to the marks), for HTML."""
        pieces: list[str] = []
        position = 0
        convert = escape or str
        for start, end in self.spans:
            pieces += [
                convert(self.text[position:start]),
                before,
                convert(self.text[start:end]),
                after,
            ]
            position = end
        pieces.append(convert(self.text[position:]))
        return "".join(pieces)


def mark(text: str, query: SearchQuery) -> Marked:
    """Every word of ``text`` the query looks for."""
    return Marked(text, tuple(_hit_spans(text, query)))


def snippet(text: str, query: SearchQuery, words: int = SNIPPET_WORDS) -> Marked:
    """About ``words`` words of ``text`` around the most distinct query words ("…" where it
    is cut); the start of the text when no query word is in it."""
    tokens = list(_WORD.finditer(text))
    if not tokens:
        return Marked("", ())
    starts = [token.start() for token in tokens]
    hits = [bisect.bisect_right(starts, start) - 1 for start, _ in _hit_spans(text, query)]
    keys = {i: normalise(tokens[i][0]) for i in hits}
    first = _best_window(hits, keys, words) if hits else 0
    last = min(len(tokens), first + words) - 1
    start = 0 if first == 0 else tokens[first].start()
    end = len(text) if last == len(tokens) - 1 else tokens[last].end()
    lead = "" if start == 0 else "…"
    tail = "" if end == len(text) else "…"
    shown = " ".join(text[start:end].split())
    marked = mark(shown, query)
    shift = len(lead)
    return Marked(lead + shown + tail, tuple((a + shift, b + shift) for a, b in marked.spans))


def _hit_spans(text: str, query: SearchQuery) -> list[tuple[int, int]]:
    whole, prefixes = query.highlight_words()
    if text.isascii():
        # ASCII words fold by case alone: one regex finds them at C speed (a page of hits
        # is twenty bodies of a few hundred words each)
        return [
            match.span() for match in _ascii_pattern(tuple(whole), tuple(prefixes)).finditer(text)
        ]
    wanted = set(whole)
    return [
        word.span()
        for word in _WORD.finditer(text)
        if _wanted(normalise(word[0]), wanted, prefixes)
    ]


@functools.lru_cache(maxsize=64)
def _ascii_pattern(whole: tuple[str, ...], prefixes: tuple[str, ...]) -> re.Pattern[str]:
    words = [re.escape(w) for w in whole if w.isascii()]
    starts = [re.escape(p) for p in prefixes if p.isascii()]
    parts = [f"(?:{'|'.join(words)})\\b"] if words else []
    parts += [f"(?:{'|'.join(starts)})\\w*"] if starts else []
    if not parts:
        return re.compile(r"(?!)")  # nothing ASCII to find
    return re.compile(f"\\b(?:{'|'.join(parts)})", re.IGNORECASE | re.ASCII)


def _wanted(key: str, whole: set[str], prefixes: list[str]) -> bool:
    return key in whole or any(key.startswith(prefix) for prefix in prefixes)


def _best_window(hits: list[int], keys: dict[int, str], size: int) -> int:
    """The first token of the window holding the most distinct query words (then the most
    hits, then the earliest), starting a few words before its first hit."""
    best = (0, 0, 0)
    best_start = hits[0]
    right = 0
    for left, start in enumerate(hits):
        while right < len(hits) and hits[right] < start + size:
            right += 1
        inside = hits[left:right]
        score = (len({keys[i] for i in inside}), len(inside), -start)
        if score > best:
            best, best_start = score, start
    return max(0, best_start - 4)
