"""Extraction health of one run: how many of its records have each field, and when a field
falls well below what the site's recent runs had, a ``template drift?`` alert.

Scheduled runs write thousands of records nobody reads one by one. A site that changes its
template keeps answering 200, and the records keep coming, only without their authors or
with a two-line body; per-field coverage against the site's own recent runs is what shows it
(Spidermon's field-coverage monitors are the model). A run with few records says little, so
both the run judged and the runs it is judged against need ``MIN_RECORDS`` of them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from statistics import median
from typing import Any

from archive.wording import count
from scraper.sites.article import noted_field

# The fields a news record should nearly always have, and what counts as having each.
COVERED_FIELDS = ("title", "published", "authors", "section", "body", "images")
MIN_BODY_CHARS = 500  # a body shorter than this is a teaser, a cut-off or a wreck
MIN_RECORDS = 5
# "Well below": at most half the usual share, and at least this much lower.
MIN_DROP = 0.25
EXAMPLES = 3


def has_field(record: Mapping[str, Any], name: str) -> bool:
    value = record.get(name)
    if name == "body":
        return len(value or "") >= MIN_BODY_CHARS
    return bool(value)


@dataclass
class FieldCoverage:
    records: int = 0
    present: Counter[str] = field(default_factory=Counter)
    missing_examples: dict[str, list[str]] = field(default_factory=dict)
    # records whose site page object took the field from the generic reading (``fallbacks``)
    fell_back: Counter[str] = field(default_factory=Counter)
    # A profile's [fields] selectors: records read with a selector for the field, and those
    # whose value the selector gave (present, and not taken from another reading)
    selector_pages: Counter[str] = field(default_factory=Counter)
    selector_taken: Counter[str] = field(default_factory=Counter)

    def add(self, record: Mapping[str, Any], selectors: Iterable[str] = ()) -> None:
        """One record written by the run (as its JSON object); ``selectors``: the fields its
        profile's ``[fields]`` gave a selector for."""
        self.records += 1
        # a note of which reading won is the generic page object's own business, not a
        # field a site's page object could not read
        fell_back = [
            e for e in record.get("fallbacks") or () if isinstance(e, str) and not noted_field(e)
        ]
        for name in selectors:
            self.selector_pages[name] += 1
            if record.get(name) and name not in fell_back:
                self.selector_taken[name] += 1
        for name in COVERED_FIELDS:
            if has_field(record, name):
                self.present[name] += 1
            else:
                examples = self.missing_examples.setdefault(name, [])
                if len(examples) < EXAMPLES:
                    examples.append(str(record.get("url") or record.get("id") or "?"))
        self.fell_back.update(fell_back)

    def shares(self) -> dict[str, float]:
        return {
            name: round(self.present[name] / self.records, 4) if self.records else 0.0
            for name in COVERED_FIELDS
        }

    def to_dict(self) -> dict[str, Any]:
        out = {
            "records": self.records,
            "fields": self.shares(),
            "missing_examples": {k: v for k, v in self.missing_examples.items() if v},
            "fell_back": dict(sorted(self.fell_back.items())),
        }
        if self.selector_pages:
            out["selectors"] = {
                name: {"pages": pages, "taken": self.selector_taken[name]}
                for name, pages in self.selector_pages.items()
            }
        return out

    def selector_notices(self) -> list[str]:
        """One line per ``[fields]`` selector that gave its field on none of the run's pages:
        a template that changed under it, or a selector that never fitted (its records took
        the field from the page object's own reading, and name it in ``fallbacks``)."""
        return [
            f"fields.{name} selector gave the {name} of 0 of {count(pages, 'page')} "
            "(it matched nothing, or nothing believable): the page object's own reading was "
            "taken; try `newsarchive sites check` on one of them"
            for name, pages in self.selector_pages.items()
            if pages and not self.selector_taken[name]
        ]


def drift_alerts(coverage: dict[str, Any], previous: list[dict[str, Any]]) -> list[str]:
    """One line per field whose share of this run's records is well below the median of the
    site's recent finished runs (``previous``: their reports, newest first), when this run
    and at least ``MIN_RECORDS`` of those runs have enough records to tell."""
    if coverage.get("records", 0) < MIN_RECORDS:
        return []
    history = [
        r["coverage"]["fields"]
        for r in previous
        if r.get("status") in ("ok", "failed")
        and isinstance(r.get("coverage"), dict)
        and r["coverage"].get("records", 0) >= MIN_RECORDS
    ]
    if len(history) < MIN_RECORDS:
        return []
    alerts = []
    for name in COVERED_FIELDS:
        usual = median(float(fields.get(name, 0.0)) for fields in history)
        now = float(coverage["fields"].get(name, 0.0))
        if usual - now >= MIN_DROP and now <= usual / 2:
            examples = ", ".join(coverage.get("missing_examples", {}).get(name, []))
            alerts.append(
                f"template drift? {name} in {now:.0%} of {count(coverage['records'], 'record')}, "
                f"against {usual:.0%} in the last {count(len(history), 'run')} (median)"
                + (f"; e.g. {examples}" if examples else "")
            )
    return alerts
