"""A profile's ``article_url``, matched on every link of every page under a time bound.

Python's ``re`` backtracks without limit: a pattern like ``^/(\\w+\\s?)*$`` once stalled a
crawl 40 s on three links.  The ``regex`` module (maintained, ``re``-compatible syntax)
avoids most such blow-ups by itself and takes a timeout for the rest: a link whose match
runs over ``TIMEOUT`` counts as no article, and the first one is logged with the pattern.
Compiling is bounded too: a pattern whose counted repeats would unroll to GBs is refused
before it is compiled (``pattern_size.py``).
"""

from __future__ import annotations

import functools
import logging

import regex

from scraper.sites.pattern_size import PatternTooLarge, check_pattern_size

logger = logging.getLogger(__name__)

# Seconds one URL path may take: a sane pattern takes microseconds.
TIMEOUT = 0.05
# Paths whose outcome is remembered (the latest used: a crawl's menus and related lists),
# and up to how long a path is: 2,048 matches hold about 1 MB.
_REMEMBERED = 2048
_REMEMBERED_PATH = 300


class ArticlePattern:
    def __init__(self, pattern: str) -> None:
        """Raises ``regex.error`` for a pattern that does not compile, ``PatternTooLarge``
        for one that would take too much memory to."""
        check_pattern_size(pattern)
        self.pattern = pattern
        try:
            self._compiled = regex.compile(pattern)
        except RecursionError:  # sets nested in sets (version 1 syntax), beyond the scan
            raise PatternTooLarge("nests too deeply to compile") from None
        self.timeouts = 0
        self._remembered = functools.lru_cache(maxsize=_REMEMBERED)(self._match)

    @property
    def groupindex(self) -> dict[str, int]:
        return dict(self._compiled.groupindex)

    def match(self, path: str) -> regex.Match[str] | None:
        # Pages repeat their menus' and related lists' links, so most paths of a crawl were
        # matched before: a lookup costs a tenth of a match under a timeout.
        if len(path) > _REMEMBERED_PATH:
            return self._match(path)
        return self._remembered(path)

    def _match(self, path: str) -> regex.Match[str] | None:
        try:
            # concurrent=False: by default ``regex`` lets go of the GIL for every match, and
            # taking it back waits out another thread's switch interval (up to 5 ms: the
            # process pool's feeder threads in a replay, the index's threads in a crawl),
            # which made a 5 µs match cost 0.7 ms.
            return self._compiled.match(path, timeout=TIMEOUT, concurrent=False)
        except TimeoutError:
            self.timeouts += 1
            if self.timeouts == 1:
                logger.warning(
                    "article_url %r took over %.0f ms on %r: counted as no article (a "
                    "pattern that backtracks this much should be simplified)",
                    self.pattern,
                    TIMEOUT * 1000,
                    path[:200],
                )
            return None

    def __getstate__(self) -> dict[str, object]:
        # A profile sent to an extraction worker carries the pattern, not what was matched.
        return {name: value for name, value in self.__dict__.items() if name != "_remembered"}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._remembered = functools.lru_cache(maxsize=_REMEMBERED)(self._match)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ArticlePattern) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"ArticlePattern({self.pattern!r})"
