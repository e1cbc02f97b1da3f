"""``--since``: a calendar date or a duration back from now."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

_DURATION = re.compile(r"^(\d+)\s*([dhw])$")


def parse_since(value: str, today: date | None = None) -> date:
    """``2026-03-01`` or ``7d`` / ``2w`` / ``36h``; raises ValueError with a usable message."""
    text = value.strip().lower()
    match = _DURATION.match(text)
    if match:
        amount, unit = int(match[1]), match[2]
        span = {"d": timedelta(days=amount), "w": timedelta(weeks=amount), "h": timedelta(hours=amount)}[unit]
        now = datetime.now(timezone.utc) if today is None else datetime.combine(today, datetime.min.time())
        return (now - span).date()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"--since {value!r}: give a date like 2026-03-01 or a span like 7d, 36h, 2w") from None
