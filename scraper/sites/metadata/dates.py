"""Dates as pages and feeds write them, as ISO 8601 strings.

A field takes the first date that parses; a time the page states without an offset gets
the site profile's zone, else the offset of the page's other date when that is near enough
to share it.  A bare date stays a bare date: nothing is invented.
"""

from __future__ import annotations

import re
import warnings
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import Any

from dateutil import parser as date_parser

from scraper.sites.html import clean_text


def parse_date(value: Any, default_tz: tzinfo | None = None) -> str | None:
    """An ISO 8601 string for a date as pages and feeds write it, or None for garbage.

    A datetime without offset is put in ``default_tz`` when given, else left naive.  A bare
    date stays a bare date: a time of day the page did not state would be invented.
    """
    if not isinstance(value, str):
        return None
    text = clean_text(value)
    if not 4 <= len(text) <= 80 or not any(c.isdigit() for c in text):
        return None
    stated = _stated(text)
    if stated is None:
        return None
    moment, with_time = stated
    if not with_time:
        return moment.date().isoformat()
    if moment.tzinfo is None and default_tz is not None:
        localize = getattr(default_tz, "localize", None)  # pytz zones need localize()
        moment = localize(moment) if localize else moment.replace(tzinfo=default_tz)
    try:
        return moment.isoformat()
    except (ValueError, OverflowError):
        return None


@lru_cache(maxsize=1024)
def _stated(text: str) -> tuple[datetime, bool] | None:
    """The moment ``text`` states and whether it states a time of day; None: no full date
    in it. Remembered: a page states its dates several times over (meta tags, JSON-LD, the
    byline), and dateutil takes ~40 µs a string, twice."""
    if _ISO_8601.fullmatch(text):
        stated = _read_iso(text)
        if stated is not None:
            return stated
    return _read_any(text)


def _read_iso(text: str) -> tuple[datetime, bool] | None:
    """What :func:`_read_any` reads in the ISO 8601 forms metadata and JSON-LD write, at a
    twentieth of the cost; None: not one of them after all (a 30 February)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return (moment, len(text) > 10) if 1800 <= moment.year <= 2200 else None


def _read_any(text: str) -> tuple[datetime, bool] | None:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # UnknownTimezoneWarning on odd abbreviations
            # Two defaults tell which parts the string really states.
            first = date_parser.parse(text, default=_DEFAULT_A, tzinfos=_TZ_ABBREVIATIONS)
            second = date_parser.parse(text, default=_DEFAULT_B, tzinfos=_TZ_ABBREVIATIONS)
    except (ValueError, OverflowError, TypeError, LookupError):
        return None
    if first.year != second.year or first.month != second.month or first.day != second.day:
        return None  # no full date in it (a bare time, a year alone)
    if not 1800 <= first.year <= 2200:
        return None
    return first, first.hour == second.hour


def first_date(*candidates: Any) -> str | None:
    """The first candidate that parses, as the page states it (naive when it has no offset)."""
    for value in candidates:
        parsed = parse_date(value)
        if parsed:
            return parsed
    return None


def with_offset(
    stated: str | None, default_tz: tzinfo | None, other: str | None
) -> tuple[str | None, bool]:
    """``stated`` with an offset, and whether that offset was assumed: a time the page gives
    without one is put in the profile's zone, else in the offset the page's other date
    (published/modified) states, when that one is near enough to share it."""
    if stated is None or len(stated) <= 10:
        return stated, False  # nothing, or a bare date
    moment = datetime.fromisoformat(stated)
    if moment.tzinfo is not None:
        return stated, False
    if default_tz is not None:
        return parse_date(stated, default_tz), True
    if other and len(other) > 10:
        reference = datetime.fromisoformat(other)
        offset = reference.utcoffset()
        if offset is not None and abs(reference.replace(tzinfo=None) - moment) <= timedelta(
            days=60
        ):
            return moment.replace(tzinfo=timezone(offset)).isoformat(), True
    return stated, False


# 2024-05-06, 2024-05-06T07:08, …:09, …:09.123456, each with Z or an offset: the forms
# metadata and JSON-LD write, read by datetime.fromisoformat alike
_ISO_8601 = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})?)?",
    re.ASCII,
)
_DEFAULT_A = datetime(1904, 1, 1, 0, 0, 0)
_DEFAULT_B = datetime(1905, 2, 2, 1, 1, 1)
_TZ_ABBREVIATIONS = {
    name: timezone(timedelta(hours=hours))
    for name, hours in {
        "EST": -5,
        "EDT": -4,
        "CST": -6,
        "CDT": -5,
        "MST": -7,
        "MDT": -6,
        "PST": -8,
        "PDT": -7,
        "BST": 1,
        "CET": 1,
        "CEST": 2,
        "EET": 2,
        "EEST": 3,
        "MSK": 3,
        "IRST": 3.5,
        "IRDT": 4.5,
        "JST": 9,
        "KST": 9,
        "AEST": 10,
        "AEDT": 11,
    }.items()
}
