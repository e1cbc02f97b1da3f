"""Where a record is in the WARC files: one pointer type from the writer to the JSON record.

The writer returns a :class:`WarcPointer`; the WARC capture (or, offline, the ``from_warc``
middleware) puts a :class:`WarcCapture` on the request as ``meta["warc"]``; the article record
holds the pointer to its payload and the index stores that same pointer.

Plain frozen dataclasses: a request carrying them is pickled to Redis in a shared crawl.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WarcPointer:
    """Where a record starts: ``filename`` is the final name (never ``*.open``)."""

    filename: str
    offset: int
    record_id: str

    def to_dict(self) -> dict[str, Any]:
        """As JSON records and compare mode's findings hold it."""
        return {"filename": self.filename, "offset": self.offset, "record_id": self.record_id}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> WarcPointer:
        return cls(data["filename"], data["offset"], data["record_id"])


@dataclass(frozen=True)
class WarcCapture:
    """What was archived for a response: ``request.meta["warc"]``."""

    pointer: WarcPointer  # the response or revisit record
    warc_date: str | None  # its WARC-Date: when the article was fetched
    record_type: str  # "response" or "revisit"
    # A revisit's original capture, where its payload is; None for a response, and for a
    # 304 whose ``revisit_of`` meta did not say where the capture it validated is.
    refers_to: WarcPointer | None = None

    def payload_pointer(self) -> WarcPointer:
        """Where the response's payload can be read: the record itself, or for a revisit (the
        same bytes captured before) the original capture."""
        if self.record_type == "revisit" and self.refers_to is not None:
            return self.refers_to
        return self.pointer
