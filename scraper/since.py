"""Spans of time on the command line: ``--since`` (a date or a span back from now) and
durations such as ``state expire --older-than 30d``."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

_DURATION = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(text: str) -> timedelta:
    """``90m``, ``36h``, ``30d``, ``2w`` (also ``s``); raises ValueError."""
    match = _DURATION.match(text.lower())
    if not match:
        raise ValueError(f"{text!r} is not a duration like 30d, 12h, 2w, 90m")
    return timedelta(**{_UNITS[match[2]]: int(match[1])})


def parse_since(value: str, today: date | None = None) -> date:
    """``2026-03-01`` or ``7d`` / ``2w`` / ``36h``; raises ValueError with a usable message."""
    text = value.strip().lower()
    if _DURATION.match(text):
        now = (
            datetime.now(timezone.utc)
            if today is None
            else datetime.combine(today, datetime.min.time())
        )
        return (now - parse_duration(text)).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"--since {value!r}: give a date like 2026-03-01 or a span like 7d, 36h, 2w"
        ) from None
