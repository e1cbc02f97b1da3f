"""Dates as pages state them: the ISO 8601 forms read without dateutil read as dateutil
reads them; a string a page repeats is read once."""

from __future__ import annotations

import random
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from scraper.sites.metadata import dates
from scraper.sites.metadata.dates import _ISO_8601, _read_any, _read_iso, parse_date


def iso_strings(count: int) -> list[str]:
    rng = random.Random(8)
    found = []
    for _ in range(count):
        text = f"{rng.randint(1750, 2250):04d}-{rng.randint(1, 13):02d}-{rng.randint(1, 31):02d}"
        if rng.random() < 0.8:
            text += rng.choice("T ") + f"{rng.randint(0, 24):02d}:{rng.randint(0, 59):02d}"
            if rng.random() < 0.7:
                text += f":{rng.randint(0, 59):02d}"
                if rng.random() < 0.4:
                    text += "." + "".join(
                        rng.choice("0123456789") for _ in range(rng.randint(1, 6))
                    )
            zone = rng.choice(["", "Z", "+03:30", "-05:00", "+00:00", "+14:00"])
            text += zone
        found.append(text)
    return found


def described(stated: tuple[datetime, bool] | None) -> tuple[str, object, bool] | None:
    # the offset's class differs (dateutil's tzoffset, datetime's timezone); what it says must not
    if stated is None:
        return None
    moment, with_time = stated
    return moment.isoformat(), moment.utcoffset(), with_time


def test_the_iso_forms_read_as_dateutil_reads_them() -> None:
    texts = iso_strings(600) + ["2024-02-29T23:59:59.5+14:00", "2024-02-30", "1799-12-31"]
    read = [text for text in texts if _ISO_8601.fullmatch(text) and _read_iso(text)]
    assert len(read) > 300  # out of range, 30 February: dateutil's turn
    differing = [t for t in read if described(_read_iso(t)) != described(_read_any(t))]
    assert differing == []


def test_iso_dates_need_no_dateutil_and_a_repeated_string_is_read_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[str] = []
    real = dates.date_parser.parse

    def counted(text: str, **options: object) -> datetime:
        calls.append(text)
        return real(text, **options)

    monkeypatch.setattr(dates.date_parser, "parse", counted)
    dates._stated.cache_clear()
    tehran = ZoneInfo("Asia/Tehran")
    assert parse_date("2023-01-13T01:14:00", tehran) == "2023-01-13T01:14:00+03:30"
    assert parse_date("2023-01-13T01:14:00Z") == "2023-01-13T01:14:00+00:00"
    assert parse_date("2023-01-13") == "2023-01-13"
    assert calls == []
    for _ in range(3):
        assert parse_date("1/13/2023 1:14:00 AM", tehran) == "2023-01-13T01:14:00+03:30"
    assert parse_date("1/13/2023 1:14:00 AM") == "2023-01-13T01:14:00"  # the zone is not remembered
    assert calls == ["1/13/2023 1:14:00 AM"] * 2  # two defaults, one reading
