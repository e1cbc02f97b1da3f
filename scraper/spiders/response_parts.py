"""What the spider reads off a response beyond its body: its Content-Type, and where the WARC
capture put its payload."""

from __future__ import annotations

from scrapy.http import Response

from archive.warc_pointer import WarcCapture, WarcPointer


def payload_pointer(response: Response) -> WarcPointer | None:
    captured: WarcCapture | None = response.meta.get("warc")
    return captured.payload_pointer() if captured is not None else None


def content_type_of(response: Response) -> str | None:
    value = response.headers.get(b"Content-Type")
    return value.decode("latin-1") if value else None
