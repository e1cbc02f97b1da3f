"""The line a run ends with on what it archived: how many records, the span of their
publication dates, and the bytes of WARC written, read from the run's own records file."""

from __future__ import annotations

from pathlib import Path

from archive.latest_records import parse_record_line


def archived_line(records_file: Path, warc_bytes: int) -> str:
    records = 0
    days: list[str] = []
    if records_file.is_file():
        with records_file.open(encoding="utf-8", errors="replace") as lines:
            for line in lines:
                record, _ = parse_record_line(line)
                if record is None:
                    continue
                records += 1
                published = record.get("published")
                if isinstance(published, str) and len(published) >= 10:
                    days.append(published[:10])
    span = ""
    if days:
        first, last = min(days), max(days)
        span = f", published {first}" + (f" to {last}" if last != first else "")
    return f"archived: {records} records{span}; {warc_bytes / 1e6:,.1f} MB of WARC written"
