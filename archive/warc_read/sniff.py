"""Telling an archive from other files at once, with a message naming what the file is."""

from __future__ import annotations

import zlib
from pathlib import Path

from archive.warc_read.content_coding import _GZIP_MAGIC
from archive.warc_read.heads import _starts_record
from archive.warc_read.record import NotAWarc

_SNIFF_BYTES = 1 << 16


def _sniff(path: Path) -> str:
    """The file kind: "gzip", "warc" or "arc"; NotAWarc when the bytes are something else."""
    with open(path, "rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    if head.startswith(_GZIP_MAGIC):
        inner = _gunzip_prefix(head)
        if inner is None or not inner.strip(b"\r\n") or _starts_record(inner, 0):
            # A damaged first member is a damaged archive, not "not an archive".
            return "gzip"
        raise NotAWarc(f"{path}: not a WARC/ARC file: gzip-compressed {_describe(inner)}")
    if _starts_record(head, 0):
        return "warc" if head.lstrip(b"\r\n").startswith(b"WARC/") else "arc"
    if not head:
        raise NotAWarc(f"{path}: not a WARC/ARC file: the file is empty")
    raise NotAWarc(f"{path}: not a WARC/ARC file: looks like {_describe(head)}")


def _gunzip_prefix(head: bytes) -> bytes | None:
    try:
        return zlib.decompressobj(31).decompress(head, 4096)
    except zlib.error:
        return None


_MAGIC_NAMES = (
    (b"PK\x03\x04", "a zip archive (a WACZ? its WARCs are inside, under archive/)"),
    (b"PK\x05\x06", "an empty zip archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"BZh", "bzip2-compressed data"),
    (b"\xfd7zXZ\x00", "xz-compressed data"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed data (.warc.zst is not supported)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"SQLite format 3\x00", "an SQLite database"),
)


def _describe(head: bytes) -> str:
    """A few words on what ``head`` looks like, for NotAWarc messages."""
    if not head:
        return "empty data"
    for magic, name in _MAGIC_NAMES:
        if head.startswith(magic):
            return name
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    lowered = text[:1024].lower()
    if lowered.startswith((b"<!doctype html", b"<html")) or b"<html" in lowered:
        return "HTML"
    if lowered.startswith(b"<?xml"):
        return "XML"
    if lowered.startswith(b"http/"):
        return "a raw HTTP message (not wrapped in WARC records)"
    if lowered.startswith((b"{", b"[")):
        return "JSON"
    sample = text[:200].decode("utf-8", "replace")
    lines = sample.splitlines()
    if lines and sample.count("\ufffd") <= 1 and lines[0].isprintable():
        return f"text ({lines[0][:60]!r})"
    return f"unknown bytes 0x{head[:8].hex()}"
