"""HTTP messages inside records, read as the crawl saw them on the wire (latin-1).

A chunked body that does not de-chunk is an error here, not a silent fallback to the raw bytes.
"""

from __future__ import annotations

import re

from archive.warc_read.digests import _digest_matches
from archive.warc_read.heads import _find_head_end

_RESPONSE_LINE = re.compile(r"(HTTP/\d+(?:\.\d+)?) +(\d{3})(?:[ \t].*)?", re.IGNORECASE | re.ASCII)
_REQUEST_LINE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*) +(\S+) +(HTTP/\d+(?:\.\d+)?)", re.ASCII)


_HttpParts = tuple[str, str, int | None, str | None, list[tuple[str, str]], int, list[str]]


def _parse_http(block: bytes, is_request: bool) -> _HttpParts | None:
    """(statusline, protocol, status, method, headers, payload start, warnings), or None when
    the block does not start with an HTTP status/request line."""
    warnings: list[str] = []
    head_end = _find_head_end(block, 0, len(block))
    if head_end < 0:
        # Revisits often store the head alone, some without its final blank line.
        head_end = len(block)
    text = block[:head_end].decode("latin-1")
    if "\r\r\n" in text:
        warnings.append("HTTP header lines end in CR CR LF")
    lines = text.split("\n")
    statusline = lines[0].rstrip("\r")
    status: int | None = None
    method: str | None = None
    if is_request:
        match = _REQUEST_LINE.fullmatch(statusline)
        if match is None:
            return None
        method, protocol = match.group(1), match.group(3)
    else:
        match = _RESPONSE_LINE.fullmatch(statusline)
        if match is None:
            return None
        protocol, status = match.group(1), int(match.group(2))
    headers: list[tuple[str, str]] = []
    for raw in lines[1:]:
        line = raw.rstrip("\r")
        if not line:
            break
        if line[0] in " \t" and headers:
            # obs-fold: a continuation of the previous header's value.
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}")
            continue
        name, sep, value = line.partition(":")
        if not sep:
            warnings.append(f"HTTP header line without a colon dropped: {line[:40]!r}")
            continue
        headers.append((name.rstrip(" \t"), value.strip(" \t")))
    return statusline, protocol, status, method, headers, head_end, warnings


def _remove_transfer_coding(
    payload: bytes,
    http_headers: list[tuple[str, str]],
    warc_fields: dict[str, str],
    warnings: list[str],
) -> bytes:
    codings = [
        token.strip().lower()
        for name, value in http_headers
        if name.lower() == "transfer-encoding"
        for token in value.split(",")
        if token.strip()
    ]
    if not codings or not payload:
        return payload
    if codings[-1] != "chunked":
        warnings.append(f"Transfer-Encoding {', '.join(codings)} left applied")
        return payload
    if len(codings) > 1:
        warnings.append(f"Transfer-Encoding {', '.join(codings[:-1])} left applied")
    try:
        body, chunk_warnings = _dechunk(payload)
    except _ChunkError as exc:
        # Browser captures store the de-chunked body but keep the header (the digest, when
        # there is one, confirms it); as warcio does, the bytes are then kept as stored.
        digest = warc_fields.get("warc-payload-digest")
        if digest and _digest_matches(digest, payload):
            warnings.append("Transfer-Encoding: chunked, but the body is stored de-chunked")
        else:
            warnings.append(f"Transfer-Encoding: chunked, but {exc}: the body is kept as stored")
        return payload
    warnings.extend(chunk_warnings)
    return body


class _ChunkError(ValueError):
    pass


_HEX = frozenset(b"0123456789abcdefABCDEF")


def _dechunk(data: bytes) -> tuple[bytes, list[str]]:
    """Strict de-chunking: any framing error raises _ChunkError (warcio would fall back to
    the raw bytes and hand chunk-size lines to the page parser)."""
    parts: list[bytes] = []
    pos, end = 0, len(data)
    while True:
        if pos >= end:
            return b"".join(parts), ["chunked body has no final zero-size chunk (truncated?)"]
        eol = data.find(b"\n", pos, pos + 1024)
        if eol < 0:
            raise _ChunkError(f"no chunk-size line at byte {pos}")
        size_text = data[pos:eol].split(b";", 1)[0].strip(b" \t\r")
        if not size_text or not _HEX.issuperset(size_text):
            line = data[pos:eol].rstrip(b"\r")[:20]
            raise _ChunkError(f"bad chunk size {line!r} at byte {pos}")
        size = int(size_text, 16)
        pos = eol + 1
        if size == 0:
            return b"".join(parts), []  # trailer fields, if any, carry nothing we keep
        if pos + size > end:
            raise _ChunkError(f"chunk of {size} bytes at byte {pos} runs past the end")
        parts.append(data[pos : pos + size])
        pos += size
        if data[pos : pos + 2] == b"\r\n":
            pos += 2
        elif data[pos : pos + 1] == b"\n":
            pos += 1
        elif pos < end:
            raise _ChunkError(f"chunk at byte {pos - size} is not followed by CRLF")
