"""Content codings undone as Scrapy's HttpCompressionMiddleware undoes them, without Scrapy.

Replay must hand a spider the body a live crawl would have handed it: as much of a truncated or
damaged body as Scrapy decodes, and an error where Scrapy gives up.
"""

from __future__ import annotations

import gzip
import io
import struct
import zlib
from typing import Any

_GZIP_MAGIC = b"\x1f\x8b"


class PayloadError(ValueError):
    """A payload whose Content-Encoding cannot be undone."""


class PayloadTooLarge(PayloadError):
    """A payload that decodes to more than the limit asked for: decoding stopped there, so a
    decompression bomb never inflates in memory."""


_CHUNK = 1 << 16


def _decode_coding(coding: str, data: bytes, warnings: list[str], limit: int = 0) -> bytes:
    """``data`` decoded; with ``limit``, PayloadTooLarge as soon as the output passes it."""
    if coding in ("identity", ""):
        return _within(data, limit)
    if coding in ("gzip", "x-gzip"):
        return _gunzip(data, warnings, limit)
    if coding == "deflate":
        return _inflate(data, limit)
    if coding == "br":
        return _unbrotli(data, limit)
    if coding == "zstd":
        return _unzstd(data, warnings, limit)
    raise PayloadError(f"unsupported Content-Encoding {coding!r}")


def gunzipped(data: bytes, limit: int) -> tuple[bytes, list[str]]:
    """``data`` itself, or when it is gzip its content, as much as decodes of a damaged one
    (with a warning saying so): PayloadTooLarge past ``limit`` bytes unpacked, PayloadError
    when nothing decodes."""
    warnings: list[str] = []
    if not data.startswith(_GZIP_MAGIC):
        return data, warnings
    return _gunzip(data, warnings, limit), warnings


def _within(data: bytes, limit: int) -> bytes:
    if limit and len(data) > limit:
        raise PayloadTooLarge(f"decodes to more than {limit:,} bytes")
    return data


def _gunzip(data: bytes, warnings: list[str], limit: int = 0) -> bytes:
    # Fast path: one well-formed member, the normal case.
    inflater = zlib.decompressobj(31)
    try:
        out = inflater.decompress(data, limit + 1 if limit else 0)
        if inflater.eof and not inflater.unused_data:
            return _within(out, limit)
        _within(out, limit)
    except zlib.error:
        pass
    return _gunzip_like_scrapy(data, warnings, limit)


def _gunzip_like_scrapy(data: bytes, warnings: list[str], limit: int = 0) -> bytes:
    """scrapy.utils.gz.gunzip: every member, and as much as decodes of a truncated or
    CRC-damaged body (an error only when nothing decodes)."""
    reader = gzip.GzipFile(fileobj=io.BytesIO(data))
    output = io.BytesIO()
    while True:
        if limit and output.tell() > limit:
            raise PayloadTooLarge(f"decodes to more than {limit:,} bytes")
        try:
            chunk = reader.read1(_CHUNK)
        except (OSError, EOFError, struct.error) as exc:
            if output.tell() > 0:
                warnings.append(f"gzip body damaged ({exc}); the part that decodes is used")
                break
            raise PayloadError(f"gzip body does not decode: {exc}") from exc
        except zlib.error as exc:
            raise PayloadError(f"gzip body does not decode: {exc}") from exc
        if not chunk:
            break
        output.write(chunk)
    return output.getvalue()


def _inflate(data: bytes, limit: int = 0) -> bytes:
    """scrapy.utils._compression._inflate: zlib-wrapped deflate, else raw deflate."""
    try:
        try:
            return _inflated(zlib.decompressobj(), data, limit)
        except zlib.error:
            # Raw deflate, as some Microsoft servers send it.
            return _inflated(zlib.decompressobj(-15), data, limit)
    except zlib.error as exc:
        raise PayloadError(f"deflate body does not decode: {exc}") from exc


def _inflated(inflater: Any, data: bytes, limit: int) -> bytes:
    if not limit:
        out: bytes = inflater.decompress(data) + inflater.flush()
        return out
    out = inflater.decompress(data, limit + 1)
    if inflater.unconsumed_tail or len(out) > limit:
        raise PayloadTooLarge(f"decodes to more than {limit:,} bytes")
    return _within(out + inflater.flush(), limit)


def _unbrotli(data: bytes, limit: int = 0) -> bytes:
    try:
        import brotli
    except ImportError:
        try:
            import brotlicffi as brotli
        except ImportError as exc:
            raise PayloadError("Content-Encoding br needs the 'brotli' package") from exc
    try:
        decompressor = brotli.Decompressor()
        if not limit:
            out: bytes = decompressor.process(data)
            return out
        out = decompressor.process(data, output_buffer_limit=limit + 1)
    except brotli.error as exc:
        raise PayloadError(f"br body does not decode: {exc}") from exc
    if len(out) > limit or not decompressor.can_accept_more_data():
        raise PayloadTooLarge(f"decodes to more than {limit:,} bytes")
    return out


def _unzstd(data: bytes, warnings: list[str], limit: int = 0) -> bytes:
    module = _zstd_module()
    if module is None:
        raise PayloadError("Content-Encoding zstd needs the 'zstandard' package")
    if hasattr(module, "ZstdFile"):  # compression.zstd (3.14) or backports.zstd, as Scrapy
        reader = module.ZstdFile(io.BytesIO(data))
    else:  # zstandard
        reader = module.ZstdDecompressor().stream_reader(io.BytesIO(data), read_across_frames=True)
    output = io.BytesIO()
    while True:
        if limit and output.tell() > limit:
            raise PayloadTooLarge(f"decodes to more than {limit:,} bytes")
        try:
            chunk = reader.read(_CHUNK)
        except EOFError:
            warnings.append("zstd body truncated; the part that decodes is used")
            break
        except Exception as exc:  # each zstd binding has its own error class
            raise PayloadError(f"zstd body does not decode: {exc}") from exc
        if not chunk:
            break
        output.write(chunk)
    return output.getvalue()


def _zstd_module() -> Any:
    for name in ("compression.zstd", "backports.zstd", "zstandard"):
        try:
            return __import__(name, fromlist=["_"])
        except ImportError:
            continue
    return None
