"""Turning a framed record into an ArchivedRecord, ARC records presented as WARC ones."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

from archive.warc_read.heads import _BadRecord, _first, _Parsed
from archive.warc_read.http import _parse_http, _remove_transfer_coding
from archive.warc_read.oversize import PREFIX, Oversize, oversize_in_place
from archive.warc_read.record import ArchivedRecord
from archive.warc_read.source import Buffer

_HTTP_RECORD_TYPES = frozenset({"response", "request", "revisit"})
# WARC 1.0/1.1 dates: to the second or to the fraction of one, in UTC
_WARC_DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z", re.ASCII)
_HTTP_CONTENT_TYPES = ("application/http", "message/http")


def _make_record(
    path: Path,
    offset: int,
    length: int,
    parsed: _Parsed,
    data: Buffer,
    oversize: Oversize | None = None,
) -> ArchivedRecord:
    """An ArchivedRecord from a framed record; _BadRecord if its HTTP body is broken.
    ``oversize``: the record was too large to hold (``data`` has its first bytes only);
    an uncompressed one too large is found here."""
    warnings = parsed.warnings
    headers = parsed.headers
    if oversize is None:
        oversize = oversize_in_place(data, parsed, (_first(headers, "WARC-Type") or "").lower())
    if oversize is not None:
        # Only its start: enough for the HTTP head; the payload is not kept.
        block = bytes(data[parsed.block_start : min(parsed.block_end, parsed.block_start + PREFIX)])
        warnings.append(f"record of {oversize.block_bytes:,} bytes read through, not held")
    else:
        block = bytes(data[parsed.block_start : parsed.block_end])
        if len(block) != parsed.block_end - parsed.block_start:
            raise _BadRecord("truncated record (the file was cut short while being read)")
    first: dict[str, str] = {}
    concurrent: list[str] = []
    for name, value in headers:
        lowered = name.lower()
        first.setdefault(lowered, value)
        if lowered == "warc-concurrent-to":
            concurrent.append(value)

    rec_type = first.get("warc-type", "")
    date = first.get("warc-date")
    if date is not None and not _WARC_DATE.fullmatch(date.strip()):
        warnings.append(f"WARC-Date {date[:40]!r} is not a date")
    target_uri = _clean_uri(first.get("warc-target-uri"), "WARC-Target-URI", warnings)
    content_type = first.get("content-type")

    http = None
    if block and rec_type in _HTTP_RECORD_TYPES and _may_be_http(parsed, content_type, target_uri):
        http = _parse_http(block, is_request=rec_type == "request")
        if http is None:
            first_line = block.split(b"\n", 1)[0][:60]
            warnings.append(f"block is not an HTTP message (first line {first_line!r})")
    if parsed.format == "arc" and http is not None:
        content_type = "application/http; msgtype=response"

    payload = block
    statusline = protocol = method = None
    status: int | None = None
    http_headers: list[tuple[str, str]] = []
    if http is not None:
        statusline, protocol, status, method, http_headers, payload_start, http_warnings = http
        warnings.extend(http_warnings)
        payload = block[payload_start:] if payload_start else block
        if oversize is None:
            payload = _remove_transfer_coding(payload, http_headers, first, warnings)
    if oversize is not None:
        payload = block = b""

    return ArchivedRecord(
        path=path,
        filename=path.name,
        offset=offset,
        length=length,
        type=rec_type,
        record_id=first.get("warc-record-id")
        if parsed.format == "warc"
        else arc_record_id(path.name, offset),
        target_uri=target_uri,
        date=first.get("warc-date"),
        warc_headers=headers,
        content_type=content_type,
        http_status=status,
        http_headers=http_headers,
        payload=payload,
        payload_digest=first.get("warc-payload-digest"),
        block_digest=first.get("warc-block-digest"),
        refers_to=first.get("warc-refers-to"),
        refers_to_target_uri=_clean_uri(
            first.get("warc-refers-to-target-uri"), "WARC-Refers-To-Target-URI", warnings
        ),
        refers_to_date=first.get("warc-refers-to-date"),
        revisit_profile=first.get("warc-profile"),
        concurrent_to=concurrent,
        warnings=warnings,
        format=parsed.format,
        http_statusline=statusline,
        http_protocol=protocol,
        http_method=method,
        block=block,
        oversize=oversize.block_bytes if oversize is not None else 0,
        digest_problems=oversize.digest_problems if oversize is not None else None,
    )


def arc_record_id(filename: str, offset: int) -> str:
    """The id of an ARC record, which has none: its file and offset, stable for as long as
    the file keeps its name (what every pointer to the record holds anyway)."""
    return f"<urn:x-arc-record:{quote(filename, safe='')}@{offset}>"


def _clean_uri(uri: str | None, name: str, warnings: list[str]) -> str | None:
    if uri is None:
        return None
    if uri.startswith("<") and uri.endswith(">"):
        # wget 1.19 wrote <...> (the WARC 1.0 grammar's form); readers expect the bare URI.
        uri = uri[1:-1]
        warnings.append(f"{name} was in angle brackets")
    if " " in uri:
        # Same repair as warcio, so URIs stay comparable with warcio-built indexes (CDXJ).
        uri = uri.replace(" ", "%20")
        warnings.append(f"spaces in {name} percent-encoded")
    return uri


def _may_be_http(parsed: _Parsed, content_type: str | None, uri: str | None) -> bool:
    http_uri = uri is not None and uri.lower().startswith(("http:", "https:"))
    if parsed.format == "arc":
        return http_uri
    if content_type:
        return content_type.strip().lower().startswith(_HTTP_CONTENT_TYPES)
    return http_uri
