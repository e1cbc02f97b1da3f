"""CDXJ lines from our reader's records, as ``cdxj-indexer --sort`` prints them.

The index is built by the reader replay and verify use, so the three agree on what a file
holds: a record the reader reads is indexed (with the quirks it repairs), one it cannot is
named with its offset while the rest of the file is indexed.  The lines are byte for byte
what cdxj_indexer (the library pywb and wacz use, with its command line's default fields)
writes for the same records: ``tests/test_cdxj.py`` holds the two against each other.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import surt
from warcio.timeutils import iso_date_to_timestamp

from archive.warc_reader import ArchivedRecord, ReadProblem, iter_records
from archive.warc_records import sha1_digest

# cdxj_indexer's default record types, less application/warc-fields resource and metadata
INDEXED_TYPES = frozenset({"response", "revisit", "resource", "metadata"})
_FIELDS_TYPE = "application/warc-fields"
_MIME_END = re.compile(r"[;\s]")


NON_CHUNKED_GZIP = (
    "non-chunked gzip: its records share one gzip member, so no offset leads to them "
    "(`warcio recompress` rewrites it one member per record)"
)


class NotAddressable(ValueError):
    """Records share a gzip member (whole-file gzip): no offset leads to most of them."""


def cdxj_lines(path: Path) -> tuple[list[str], list[ReadProblem]]:
    """The sorted lines of ``path`` (each ending in a newline), and the records that could
    not be read.  Raises NotAWarc for a file that is not an archive at all, NotAddressable
    for one compressed as a single gzip stream."""
    lines: list[str] = []
    problems: list[ReadProblem] = []
    for record in iter_records(path, problems.append):
        if record.shares_member:
            raise NotAddressable(NON_CHUNKED_GZIP)
        try:
            line = cdxj_line(record)
        except (ValueError, TypeError):  # a date no timestamp can be made of
            problems.append(
                ReadProblem(
                    path, record.offset, f"WARC-Date {record.date!r} unparsable: not indexed"
                )
            )
            continue
        if line is not None:
            lines.append(line)
    lines.sort()
    return lines, problems


def cdxj_line(record: ArchivedRecord) -> str | None:
    """The record's line; None for one an index by URL does not list (no WARC-Target-URI:
    cdxj_indexer would key it ``-``, a line replay tools can only trip over)."""
    if record.type not in INDEXED_TYPES or not record.target_uri or not record.date:
        return None
    if record.type in ("resource", "metadata") and record.content_type == _FIELDS_TYPE:
        return None
    url = record.target_uri
    fields: dict[str, str] = {"url": url}
    mime = _mime(record)
    if mime is not None:
        fields["mime"] = mime
    if record.type in ("response", "revisit") and record.http_status is not None:
        fields["status"] = str(record.http_status)
    fields["digest"] = record.payload_digest or sha1_digest(record.payload)
    fields["length"] = str(record.length - record.trailer_bytes)
    fields["offset"] = str(record.offset)
    fields["filename"] = record.filename
    return f"{_key(url)} {iso_date_to_timestamp(record.date)} {json.dumps(fields)}\n"


def _key(url: str) -> str:
    try:
        return str(surt.surt(url))
    except Exception:  # as cdxj_indexer: an unkeyable URL is its own key
        return url


def _mime(record: ArchivedRecord) -> str | None:
    if record.type == "revisit":
        return "warc/revisit"
    value = (
        record.http_header("Content-Type")
        if record.type in ("response", "request")
        else record.content_type
    )
    return _MIME_END.split(value, 1)[0].strip() if value else None
