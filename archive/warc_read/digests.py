"""WARC digests in any tool's spelling, so records from different writers compare equal."""

from __future__ import annotations

import base64
import binascii
import hashlib

_DIGEST_SIZES = {"sha1": 20, "md5": 16, "sha256": 32, "sha512": 64}


def _digest_bytes(algorithm: str, text: str) -> bytes | None:
    """The raw digest from base32 (warcio, Heritrix), base16 (iana example) or base64."""
    size = _DIGEST_SIZES.get(algorithm)
    if size is None:
        return None
    text = text.strip()
    if len(text) == size * 2:
        try:
            return bytes.fromhex(text)
        except ValueError:
            pass
    for decode in (_b32, base64.b64decode, base64.urlsafe_b64decode):
        try:
            raw = decode(text)
        except (binascii.Error, ValueError):
            continue
        if len(raw) == size:
            return raw
    return None


def _b32(text: str) -> bytes:
    text = text.upper()
    return base64.b32decode(text + "=" * (-len(text) % 8))


def _split_digest(value: str) -> tuple[str, str]:
    algorithm, _, text = value.strip().partition(":")
    return algorithm.strip().lower().replace("-", ""), text


def normalize_digest(value: str) -> str:
    """``algorithm:BASE32`` for any spelling of the same digest (base16/32/64, sha-1 or sha1),
    so digests written by different tools compare equal. Unknown forms come back trimmed."""
    algorithm, text = _split_digest(value)
    raw = _digest_bytes(algorithm, text)
    if raw is None:
        return value.strip()
    return f"{algorithm}:{base64.b32encode(raw).decode('ascii')}"


def _digest_matches(value: str, data: bytes) -> bool | None:
    """Whether ``data`` has digest ``value``; None for an algorithm we do not know. A value
    that does not decode for a known algorithm is a mismatch (``warcio check`` agrees)."""
    algorithm, text = _split_digest(value)
    if algorithm not in _DIGEST_SIZES:
        return None
    expected = _digest_bytes(algorithm, text)
    return expected is not None and hashlib.new(algorithm, data).digest() == expected


class DigestCheck:
    """A digest checked over data fed in pieces (a record too large to hold)."""

    def __init__(self, value: str) -> None:
        self.value = value
        algorithm, text = _split_digest(value)
        self._expected = _digest_bytes(algorithm, text) if algorithm in _DIGEST_SIZES else None
        self._hash = hashlib.new(algorithm) if algorithm in _DIGEST_SIZES else None

    def update(self, data: bytes | memoryview) -> None:
        if self._hash is not None:
            self._hash.update(data)

    def matches(self) -> bool | None:
        """As ``_digest_matches``: None for an algorithm we do not know."""
        if self._hash is None:
            return None
        return self._expected is not None and self._hash.digest() == self._expected
