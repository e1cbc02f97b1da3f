"""Counts, sizes and durations in the words users read: one place, so no line says
`1 articles`, `article(s)`, `0.0 MB` for 19 KB or `0:00:00`.

Sizes and durations are humanize's (decimal units as `du -h --si` and browsers show them);
plurals are ours because humanize has none, and the few irregular ones are named by the
caller (`count(n, "entry", "entries")`) rather than guessed from English spelling.
"""

from __future__ import annotations

import datetime

import humanize


def count(n: int, singular: str, plural: str | None = None) -> str:
    """`1 article`, `0 articles`, `1,234 articles`: the number and its noun, agreeing."""
    return f"{n:,} {noun(n, singular, plural)}"


def noun(n: int, singular: str, plural: str | None = None) -> str:
    """The noun alone, agreeing with n (for `3 of 5 articles`)."""
    if n == 1:
        return singular
    return plural if plural is not None else singular + "s"


def size(n_bytes: int | float) -> str:
    """`512 Bytes`, `19.0 kB`, `3.5 MB`: never `0.0 MB` for a small file."""
    if n_bytes == 1:
        return "1 byte"
    text = humanize.naturalsize(n_bytes)
    return text.replace(" Bytes", " bytes")


def duration(seconds: float) -> str:
    """`30 days`, `1 minute and 15 seconds`, `less than a second`: never `0:00:00`."""
    if seconds < 1:
        return "less than a second"
    delta = datetime.timedelta(seconds=seconds)
    return humanize.precisedelta(delta, minimum_unit="seconds", format="%0.0f")


def article(word: str) -> str:
    """`a str`, `an int`: the indefinite article a type or noun takes in a message."""
    return ("an " if word[:1].lower() in "aeiou" else "a ") + word
