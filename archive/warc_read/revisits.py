"""Revisit records lead back to the payload they stand for, possibly in another file."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from archive.warc_read.digests import normalize_digest
from archive.warc_read.random_access import _records_at
from archive.warc_read.record import ArchivedRecord

# The reader's public name, as before the split: logging configured for it still applies.
logger = logging.getLogger("archive.warc_reader")


_Location = tuple[Path, int, str | None]  # file, offset, record id (None: first there)
_ORIGINAL_TYPES = frozenset({"response", "resource"})
_MAX_REVISIT_CHAIN = 8


class RevisitResolver:
    """Finds the original payload a revisit refers to, across a set of files.

    Remembers only where records are (path, offset, id), never their payloads; the few
    originals read back are kept in a small LRU cache (revisits of one page cluster).
    """

    def __init__(
        self,
        lookup_digest: Callable[[str], tuple[Path, int] | None] | None = None,
        *,
        cache_size: int = 32,
    ) -> None:
        self._lookup_digest = lookup_digest
        self._by_id: dict[str, _Location] = {}
        self._by_uri_date: dict[tuple[str, str], _Location] = {}
        self._by_digest: dict[str, _Location] = {}
        self._cache: OrderedDict[tuple[Path, int], list[ArchivedRecord]] = OrderedDict()
        self._cache_size = cache_size

    def remember(self, record: ArchivedRecord) -> None:
        """Note where a record is; call for every record iterated (cheap for others)."""
        if record.type not in _ORIGINAL_TYPES and record.type != "revisit":
            return
        location: _Location = (record.path, record.offset, record.record_id)
        # Revisits are kept by id and URI/date only: a revisit may refer to a revisit.
        if record.record_id:
            self._by_id.setdefault(record.record_id, location)
        if record.target_uri and record.date:
            self._by_uri_date.setdefault((record.target_uri, record.date), location)
        if record.type in _ORIGINAL_TYPES and record.payload and record.payload_digest:
            self._by_digest.setdefault(normalize_digest(record.payload_digest), location)

    def resolve(self, revisit: ArchivedRecord) -> ArchivedRecord | None:
        """The response/resource record holding the revisit's payload, or None.

        Follows a revisit that refers to another revisit (up to 8 deep).
        """
        if revisit.type != "revisit":
            raise ValueError(f"{revisit.filename}@{revisit.offset} is a {revisit.type} record")
        record: ArchivedRecord | None = revisit
        seen: set[tuple[Path, int, str | None]] = set()
        for _ in range(_MAX_REVISIT_CHAIN):
            assert record is not None
            record = self._resolve_one(record)
            if record is None or record.type != "revisit":
                return record
            key = (record.path, record.offset, record.record_id)
            if key in seen:
                return None
            seen.add(key)
        return None

    def _resolve_one(self, revisit: ArchivedRecord) -> ArchivedRecord | None:
        digest = normalize_digest(revisit.payload_digest) if revisit.payload_digest else None
        # Only an identical-payload revisit promises the original's digest; a 304's record
        # may carry the digest of its own (empty) body.
        identical = "identical-payload-digest" in (revisit.revisit_profile or "")
        same = digest if identical else None
        if revisit.refers_to and revisit.refers_to in self._by_id:
            found = self._read(self._by_id[revisit.refers_to])
            if found is not None:
                return found
        if revisit.refers_to_target_uri and revisit.refers_to_date:
            location = self._by_uri_date.get((revisit.refers_to_target_uri, revisit.refers_to_date))
            if location is not None:
                found = self._read(location, same)
                if found is not None and _same_payload(found, same):
                    return found
        if digest is None or not identical:
            return None
        if digest in self._by_digest:
            found = self._read(self._by_digest[digest], digest)
            if found is not None and _same_payload(found, digest):
                return found
        if self._lookup_digest is not None:
            hit = self._lookup_digest(revisit.payload_digest or digest)
            if hit is not None:
                found = self._read((Path(hit[0]), hit[1], None), digest)
                if (
                    found is not None
                    and found.type in _ORIGINAL_TYPES
                    and _same_payload(found, digest)
                ):
                    return found
        return None

    def _read(self, location: _Location, digest: str | None = None) -> ArchivedRecord | None:
        path, offset, record_id = location
        records = self._records(path, offset)
        if not records:
            return None
        for record in records:
            if record_id is not None and record.record_id == record_id:
                return record
            if record_id is None and digest and _same_payload(record, digest):
                return record
        return records[0] if record_id is None else None

    def _records(self, path: Path, offset: int) -> list[ArchivedRecord]:
        key = (path, offset)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        try:
            records = list(_records_at(path, offset))
        except (OSError, ValueError) as exc:
            logger.warning("revisit original unreadable: %s", exc)
            records = []
        self._cache[key] = records
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return records


def _same_payload(record: ArchivedRecord, digest: str | None) -> bool:
    if record.type not in _ORIGINAL_TYPES and record.type != "revisit":
        return False
    if digest is None or record.payload_digest is None:
        return True
    return normalize_digest(record.payload_digest) == digest
