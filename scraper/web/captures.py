"""What was captured, found through the CDXJ sidecars beside each WARC file: the captures of
a URL (when, host, status, digest), a capture by its WARC-Record-ID, and its record read from
the WARC file at the offset the line gives.

Every CDXJ file is read once and kept until it changes (a crawl adds files, never lines to a
finished one). A WARC-Record-ID is not in CDXJ lines: the ids of the records read are kept,
and an id never seen is looked for by reading the site's captures once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from archive.layout import OutputLayout
from archive.warc_read.record import ArchivedRecord
from archive.warc_reader import read_record_at
from scraper.web.snapshot import inside

REVISIT_MIME = "warc/revisit"


@dataclass(frozen=True)
class Capture:
    """One CDXJ line: a response or revisit record of ``url``."""

    site: str
    warc: Path
    offset: int
    url: str
    timestamp: str  # 14 digits, UTC
    mime: str
    status: str
    digest: str

    @property
    def host(self) -> str:
        return urlsplit(self.url).netloc

    @property
    def when(self) -> str:
        t = self.timestamp.ljust(14, "0")
        return f"{t[0:4]}-{t[4:6]}-{t[6:8]} {t[8:10]}:{t[10:12]}:{t[12:14]} UTC"

    @property
    def is_revisit(self) -> bool:
        return self.mime == REVISIT_MIME


def record_id_text(record_id: str | None) -> str:
    """A WARC-Record-ID as URLs of the app carry it: without its angle brackets."""
    return (record_id or "").strip().removeprefix("<").removesuffix(">")


class Catalogue:
    """The captures of every site in the output directories."""

    def __init__(self, outs: Sequence[Path]) -> None:
        self.outs = list(outs)
        self._lock = threading.Lock()
        self._files: dict[Path, tuple[tuple[int, int], list[Capture]]] = {}
        self._ids: dict[str, Capture] = {}
        self._read: set[tuple[Path, int]] = set()

    # -- CDXJ lines ------------------------------------------------------------------------

    def captures(self, site: str) -> list[Capture]:
        found: list[Capture] = []
        for out in self.outs:
            warc_dir = OutputLayout(out).warc_dir(site)
            if warc_dir.is_dir():
                for path in sorted(warc_dir.glob("*.cdxj")):
                    found += self._file(site, warc_dir, path)
        return found

    def _file(self, site: str, warc_dir: Path, path: Path) -> list[Capture]:
        try:
            stat = path.stat()
        except OSError:
            return []
        key = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            known = self._files.get(path)
            if known is not None and known[0] == key:
                return known[1]
        lines = _read_cdxj(site, warc_dir, path)
        with self._lock:
            self._files[path] = (key, lines)
        return lines

    def of_url(self, site: str, url: str) -> list[Capture]:
        """The captures of ``url`` (also with or without a trailing slash), oldest first."""
        wanted = {url, url.rstrip("/"), url.rstrip("/") + "/"}
        found = [c for c in self.captures(site) if c.url in wanted]
        return sorted(found, key=lambda c: c.timestamp)

    def urls(self, site: str) -> set[str]:
        return {c.url for c in self.captures(site)}

    def payload_of(self, site: str, url: str) -> Capture | None:
        """The newest capture of ``url`` whose record holds a payload (a 2xx response)."""
        for capture in reversed(self.of_url(site, url)):
            if not capture.is_revisit and capture.status.startswith("2"):
                return capture
        return None

    # -- records ---------------------------------------------------------------------------

    def record(self, capture: Capture) -> ArchivedRecord:
        record = read_record_at(capture.warc, capture.offset)
        if record.record_id:
            with self._lock:
                self._ids[record_id_text(record.record_id)] = capture
                self._read.add((capture.warc, capture.offset))
        return record

    def by_id(self, sites: Sequence[str], record_id: str) -> Capture | None:
        """The capture whose WARC-Record-ID is ``record_id`` (brackets or not)."""
        wanted = record_id_text(record_id)
        with self._lock:
            known = self._ids.get(wanted)
        if known is not None:
            return known
        for site in sites:
            for capture in self.captures(site):
                with self._lock:
                    if (capture.warc, capture.offset) in self._read:
                        continue
                try:
                    record = self.record(capture)
                except (OSError, ValueError):
                    with self._lock:
                        self._read.add((capture.warc, capture.offset))
                    continue
                if record_id_text(record.record_id) == wanted:
                    return capture
        return None

    def original(self, capture: Capture, record: ArchivedRecord) -> Capture | None:
        """Where a revisit's payload is: the record it refers to, else the newest response
        of its URL with the same digest."""
        if record.refers_to:
            found = self.by_id([capture.site], record.refers_to)
            if found is not None and not found.is_revisit:
                return found
        for other in reversed(self.of_url(capture.site, capture.url)):
            if not other.is_revisit and other.digest == capture.digest:
                return other
        return None


def _read_cdxj(site: str, warc_dir: Path, path: Path) -> list[Capture]:
    found: list[Capture] = []
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return found
    for line in text.splitlines():
        parts = line.split(" ", 2)
        if len(parts) != 3:
            continue
        try:
            fields = json.loads(parts[2])
            warc = inside(warc_dir, str(fields["filename"]))
            offset = int(fields["offset"])
        except (ValueError, KeyError, TypeError):
            continue
        if warc is None or offset < 0:
            continue
        found.append(
            Capture(
                site=site,
                warc=warc,
                offset=offset,
                url=str(fields.get("url", "")),
                timestamp=parts[1],
                mime=str(fields.get("mime", "")),
                status=str(fields.get("status", "")),
                digest=str(fields.get("digest", "")),
            )
        )
    return found
