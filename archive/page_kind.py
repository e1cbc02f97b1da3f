"""Whether a body served at an article URL can be a page at all.

Servers answer article URLs with pictures, downloads and garbage as often as with error
pages: bytes served as ``image/jpeg`` or ``application/octet-stream``, or random bytes as
``text/html``, once became records with megabytes of mojibake for a body.  Such a capture
is archived (the WARC holds whatever was served) but never given to a page object.
"""

from __future__ import annotations

_SNIFF = 4096
# Media types that are never a page, whatever the bytes (a page mislabelled as a download
# is recognised by its markup below).
_NOT_PAGES = ("image/", "audio/", "video/", "font/", "model/")
_DOWNLOADS = frozenset(
    "application/octet-stream application/pdf application/zip application/gzip "
    "application/x-gzip application/x-tar application/vnd.ms-excel".split()
)
_MARKUP = (b"<!doctype", b"<html", b"<head", b"<body", b"<?xml", b"<meta", b"<title")
# Control bytes no text has in numbers (tab, line ends, form feed and escape are text's).
_CONTROLS = bytes(b for b in range(32) if b not in b"\t\n\r\f\x1b")


def not_a_page(body: bytes, content_type: str | None) -> str | None:
    """Why ``body`` (served as ``content_type``) is no page to extract, or None."""
    media = (content_type or "").split(";", 1)[0].strip().lower()
    head = body[:_SNIFF]
    looks_like_markup = any(marker in head[:1024].lower() for marker in _MARKUP)
    if media.startswith(_NOT_PAGES) or (media in _DOWNLOADS and not looks_like_markup):
        return f"not a page: served as {media}"
    if _binary(head) and not looks_like_markup:
        return f"not a page: binary data served as {media or 'no content type'}"
    return None


def _binary(head: bytes) -> bool:
    """NUL bytes, or many control characters: no text encoding makes a page of these, but
    UTF-16 and UTF-32, whose NULs fall in step with the characters."""
    if not head:
        return False
    if head.startswith(_WIDE_BOMS):
        return False
    if b"\x00" in head:
        return not _wide_text(head)
    controls = len(head) - len(head.translate(None, _CONTROLS))  # counted in C, every page
    return controls > len(head) // 20


_WIDE_BOMS = (b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")


def _wide_text(head: bytes) -> bool:
    """UTF-16 without a byte-order mark: NULs in every other byte of one parity only."""
    even, odd = head[0::2], head[1::2]
    for zeros, others in ((even, odd), (odd, even)):
        if zeros.count(0) > 0.6 * len(zeros) and others.count(0) < 0.05 * max(len(others), 1):
            return True
    return False
