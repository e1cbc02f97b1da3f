"""Each article's latest version, from a site's JSON Lines records (``json/<site>/*.jsonl``,
the append-only log every crawl and replay writes): what ``export --jsonl`` writes and what
a WACZ package's pages are made of.  Needs no index: the records are enough."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class LatestRecords:
    """Article id -> its latest record (highest ``version``, then latest ``fetched_at``), the
    number of records read, and the lines that were not records ("file:line: reason")."""

    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    read: int = 0
    bad_lines: list[str] = field(default_factory=list)


def latest_records(record_files: Iterable[Path]) -> LatestRecords:
    found = LatestRecords()
    keys: dict[str, tuple[int, str]] = {}
    for record, _, _ in record_lines(record_files, found.bad_lines):
        found.read += 1
        key = version_key(record)
        known = keys.get(record["id"])
        if known is None or key >= known:
            keys[record["id"]] = key
            found.records[record["id"]] = record
    return found


def record_lines(
    record_files: Iterable[Path], bad_lines: list[str]
) -> Iterator[tuple[dict[str, Any], Path, int]]:
    """Each record of the files with its file and byte offset; a line that is not a record is
    added to ``bad_lines`` ("file:line: reason") and skipped."""
    for path in record_files:
        with path.open("rb") as lines:
            offset = 0
            for number, raw in enumerate(lines, 1):
                start, offset = offset, offset + len(raw)
                line = raw.decode("utf-8", "replace")
                if not line.strip():
                    continue
                record, reason = parse_record_line(line)
                if record is None:
                    bad_lines.append(f"{path}:{number}: {reason}")
                    continue
                yield record, path, start


def version_key(record: dict[str, Any]) -> tuple[int, str]:
    """Which of an article's records is the latest: highest ``version``, then latest
    ``fetched_at`` (of equals, the later line)."""
    version = record.get("version")
    return (version if isinstance(version, int) else 0, str(record["fetched_at"]))


def parse_record_line(line: str) -> tuple[dict[str, Any] | None, str]:
    """A record, or None and why the line is not one (it needs ``id``, ``url``, ``fetched_at``)."""
    try:
        record = json.loads(line)
    except ValueError:
        return None, "not JSON"
    if not isinstance(record, dict):
        return None, "not a JSON object"
    missing = [k for k in ("id", "url", "fetched_at") if not isinstance(record.get(k), str)]
    if missing:
        return None, f"no {', '.join(missing)}"
    return record, ""
