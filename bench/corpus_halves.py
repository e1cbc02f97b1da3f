"""Each development corpus split by publisher into a tuning half and a validation half.

A rule is tuned on the tuning half and kept only if the validation half, which it was not
tuned on, does not get worse (docs/benchmarks.md). The split is by publisher, never by
page, so that a publisher's template cannot teach a rule on one half and reward it on the
other; it is a hash of the publisher's name, so it is the same on every machine and run and
does not move when pages are added.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from typing import TypeVar
from urllib.parse import urlsplit

TUNING, VALIDATION = "tuning", "validation"
HALVES = (TUNING, VALIDATION)

# Second-level labels under which a country's publishers register (bbc.co.uk, abc.net.au).
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "ac", "gov", "edu", "or", "ne", "go"})

T = TypeVar("T")


def half_of(publisher: str) -> str:
    """The half a publisher's pages belong to."""
    digest = hashlib.sha256(publisher.strip().casefold().encode("utf-8")).digest()
    return TUNING if digest[0] % 2 == 0 else VALIDATION


def publisher_of_url(url: str) -> str:
    """The publisher a page's URL names: its registered domain (``edition.cnn.com`` and
    ``www.cnn.com`` are one publisher, ``bbc.co.uk`` keeps its country suffix)."""
    host = (urlsplit(url).hostname or url).lower().rstrip(".")
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def split(items: Iterable[T], publisher: Callable[[T], str]) -> dict[str, list[T]]:
    """``items`` by half, in their order."""
    halves: dict[str, list[T]] = {half: [] for half in HALVES}
    for item in items:
        halves[half_of(publisher(item))].append(item)
    return halves
