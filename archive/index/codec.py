"""How the dedup index stores values: epoch seconds, lossless packing, URL keys.

Both backends keep times as whole POSIX seconds (:func:`to_epoch`, :func:`from_epoch`) and
read a stored ``published`` value the same way for the refetch policy
(:func:`published_datetime`). The SQLite backend also packs what it stores, because the
index must stay under ~400 bytes per article with two URLs for years of hourly runs:

* hashes, payload digests and record ids become raw bytes, and dates integers, but only when
  that is lossless: every packer returns the compact form only when unpacking gives back the
  exact input, otherwise the text itself, which the unpacker passes through. Nothing is ever
  normalised, so strings that go back into records or WARC headers come back byte for byte;
* a URL is looked up by xxh3_64 of its text (:func:`url_key`) and stored as an origin (few
  mirrors, many URLs) plus the rest (:func:`split_origin`), front-coded against the first
  URL path seen for the article (:func:`shared_prefix_length`);
* simhashes are unsigned 64-bit, SQLite integers signed (:func:`pack_simhash`).
"""

from __future__ import annotations

import base64
import re
import uuid
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime

import xxhash

from archive.index.model import Moment

_U64 = 1 << 64


# -- times -----------------------------------------------------------------------------------


def to_epoch(moment: Moment) -> int:
    """Whole POSIX seconds: the index's resolution for sighting and check times."""
    if moment is None:
        return int(datetime.now(timezone.utc).timestamp())
    if isinstance(moment, datetime):
        if moment.tzinfo is None:
            raise ValueError(f"naive datetime {moment!r}: pass an aware one (UTC is fine)")
        return int(moment.timestamp())
    return int(moment)


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)


def pack_warc_date(text: str) -> int | str:
    """WARC 1.1 ``%Y-%m-%dT%H:%M:%S.%fZ`` → integer microseconds."""
    if len(text) != 27 or text[-1] != "Z":
        return text
    try:
        when = datetime.fromisoformat(text[:-1])  # 5x faster than strptime
    except ValueError:
        return text
    micros = _epoch_micros(when.replace(tzinfo=timezone.utc))
    return micros if unpack_warc_date(micros) == text else text


def unpack_warc_date(value: int | str) -> str:
    if isinstance(value, str):
        return value
    when = datetime(1970, 1, 1, tzinfo=timezone.utc) + timedelta(microseconds=value)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _epoch_micros(when: datetime) -> int:
    delta = when - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


_OFFSET_BIAS = 2048  # UTC offsets are within ±1440 minutes


def pack_published(text: str) -> int | str:
    """ISO 8601 with a whole-minute offset and whole seconds (``isoformat()`` form) →
    seconds * 4096 + offset minutes + 2048: 6 bytes instead of 25."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        return text
    offset = when.utcoffset()
    if offset is None or when.microsecond or offset.total_seconds() % 60:
        return text
    packed = int(when.timestamp()) * 4096 + int(offset.total_seconds() // 60) + _OFFSET_BIAS
    return packed if unpack_published(packed) == text else text


def unpack_published(value: int | str) -> str:
    if isinstance(value, str):
        return value
    seconds, minutes = divmod(value, 4096)
    zone = timezone(timedelta(minutes=minutes - _OFFSET_BIAS))
    return datetime.fromtimestamp(seconds, zone).isoformat()


def published_datetime(value: int | str | None) -> datetime | None:
    """For the refetch policy: the publication time if it can be read, else None. Takes a
    packed value (SQLite) or the text as given (Redis)."""
    if value is None:
        return None
    if isinstance(value, int):
        return from_epoch(value // 4096)
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=timezone.utc)


def pack_http_date(text: str) -> int | str:
    """``Sun, 12 May 2024 10:31:00 GMT`` → POSIX seconds (echoed back byte for byte in
    If-Modified-Since)."""
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return text
    if when.tzinfo is None:
        return text
    seconds = int(when.timestamp())
    return seconds if unpack_http_date(seconds) == text else text


def unpack_http_date(value: int | str) -> str:
    return value if isinstance(value, str) else format_datetime(from_epoch(value), usegmt=True)


# -- hashes and record ids -------------------------------------------------------------------

_DIGEST_LABELS = ("sha1", "sha256", "sha512", "md5", "xxh3-64", "xxh3-128", "blake2b", "blake3")
_DIGEST_CODE = {label: i for i, label in enumerate(_DIGEST_LABELS)}
_B32 = re.compile(r"[A-Z2-7]+=*")
_HEX = re.compile(r"(?:[0-9a-f]{2})+")


def pack_digest(text: str) -> bytes | str:
    """``label:value`` → one byte (label, base32 or hex) + the raw digest."""
    label, sep, value = text.partition(":")
    code = _DIGEST_CODE.get(label)
    if not sep or code is None:
        return text
    if _B32.fullmatch(value) and len(value) % 8 == 0:
        raw = base64.b32decode(value)
        if base64.b32encode(raw).decode("ascii") == value:
            return bytes([code * 2]) + raw
    if _HEX.fullmatch(value):
        return bytes([code * 2 + 1]) + bytes.fromhex(value)
    return text


def unpack_digest(value: bytes | str) -> str:
    if isinstance(value, str):
        return value
    label, is_hex = _DIGEST_LABELS[value[0] // 2], value[0] % 2
    raw = value[1:]
    return f"{label}:{raw.hex() if is_hex else base64.b32encode(raw).decode('ascii')}"


def pack_record_id(text: str) -> bytes | str:
    """``<urn:uuid:…>`` → its 16 bytes (45 characters otherwise)."""
    if text.startswith("<urn:uuid:") and text.endswith(">"):
        try:
            parsed = uuid.UUID(text[10:-1])
        except ValueError:
            return text
        if f"<urn:uuid:{parsed}>" == text:
            return parsed.bytes
    return text


def unpack_record_id(value: bytes | str) -> str:
    return value if isinstance(value, str) else f"<urn:uuid:{uuid.UUID(bytes=value)}>"


def pack_simhash(value: int | None) -> int | None:
    """The signed view of an unsigned 64-bit simhash, so the top bit survives SQLite."""
    if value is None:
        return None
    if not 0 <= value < _U64:
        raise ValueError(f"simhash {value} is not an unsigned 64-bit integer")
    return value - _U64 if value >= 1 << 63 else value


def unpack_simhash(value: int | None) -> int | None:
    return None if value is None else value & (_U64 - 1)


# -- URLs ------------------------------------------------------------------------------------


def url_key(url: str) -> int:
    """xxh3_64 of the URL as a signed 64-bit SQLite integer (8 bytes, equality lookups).
    Not unique: a lookup rebuilds the URL and compares it, so a collision can never give a
    wrong answer."""
    key = xxhash.xxh3_64_intdigest(url.encode("utf-8", "surrogatepass"))
    return key - _U64 if key >= 1 << 63 else key


def split_origin(url: str) -> tuple[str, str]:
    """``scheme://host[:port]`` and the rest, such that origin + rest == url always."""
    start = url.find("://")
    if start < 0:
        return "", url
    slash = url.find("/", start + 3)
    return (url, "") if slash < 0 else (url[:slash], url[slash:])


def shared_prefix_length(base: str, rest: str) -> int:
    """Length of the common prefix (os.path.commonprefix costs 8 µs a call here)."""
    if rest.startswith(base):
        return len(base)
    limit = min(len(base), len(rest))
    i = 0
    while i < limit and base[i] == rest[i]:
        i += 1
    return i
