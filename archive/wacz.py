"""WACZ 1.1.1 packages of a crawl: its WARCs, one merged CDXJ index and a page per article.

A WACZ is what ReplayWeb.page and pywb open directly, and what ``wacz validate`` checks:

    archive/<warc files>        stored, not deflated, so a reader can seek into them
    indexes/index.cdxj          every WARC's entries merged and SURT-sorted; each entry's
                                ``filename`` is the WARC's name in archive/
    pages/pages.jsonl           a header line, then one page per archived article
    datapackage.json            every file above with its sha256 and size
    datapackage-digest.json     the sha256 of datapackage.json

The package is written to a temporary file beside the target and renamed into place, so
the target is either the old package or the complete new one; a device or FIFO is written
in place, a symbolic link through (``archive/user_paths.py``).

Scrapy-free; ``newsarchive export SITE --wacz FILE`` is the command.
"""

from __future__ import annotations

import hashlib
import heapq
import json
import re
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from archive.cdxj import CdxjError, cdxj_path, find_warcs, index_is_current, one_line, write_cdxj
from archive.latest_records import latest_records
from archive.layout import OutputLayout
from archive.user_paths import output_file, writing
from archive.warc_records import SOFTWARE
from archive.wording import count

WACZ_VERSION = "1.1.1"
PAGES_FORMAT = "json-pages-1.0"
_COPY_CHUNK = 1 << 20
# Frictionless (which ``wacz validate`` runs) accepts resource names of these characters only.
_NAME_UNSAFE = re.compile(r"[^-a-z0-9._]+")


@dataclass(frozen=True)
class Page:
    """One entry of pages.jsonl: an article's capture, opened by url + timestamp."""

    id: str
    url: str
    ts: str
    title: str | None = None

    def as_json(self) -> dict[str, Any]:
        page: dict[str, Any] = {"id": self.id, "url": self.url, "ts": self.ts}
        if self.title:
            page["title"] = self.title
        return page


@dataclass
class PageSelection:
    """Pages chosen from JSON Lines article records, and what was left out and why."""

    pages: list[Page] = field(default_factory=list)
    records: int = 0
    bad_lines: list[str] = field(default_factory=list)  # "file:line: reason"
    without_capture: int = 0  # articles whose WARC pointer is missing or not in the package


def pages_from_records(
    record_files: Iterable[Path], warc_names: Iterable[str] | None = None
) -> PageSelection:
    """One page per article id, from its latest version (highest ``version``, then latest
    ``fetched_at``): its fetched ``url``, ``fetched_at`` as ``ts`` and its ``title``.

    With ``warc_names``, an article whose record's ``warc.filename`` is not among them is
    left out (a page a replay could not find is worse than no page). Lines that are not a
    JSON object with ``id``, ``url`` and ``fetched_at`` are counted as bad and skipped.
    """
    allowed = set(warc_names) if warc_names is not None else None
    latest = latest_records(record_files)
    selection = PageSelection(records=latest.read, bad_lines=latest.bad_lines)
    for record in latest.records.values():
        pointer = record.get("warc")
        filename = pointer.get("filename") if isinstance(pointer, dict) else None
        if not filename or (allowed is not None and filename not in allowed):
            selection.without_capture += 1
            continue
        title = record.get("title")
        selection.pages.append(
            Page(
                record["id"],
                record["url"],
                record["fetched_at"],
                title if isinstance(title, str) else None,
            )
        )
    selection.pages.sort(key=lambda page: (page.ts, page.id))
    return selection


@dataclass
class WaczResult:
    path: Path
    warcs: int
    pages: int
    index_entries: int
    bytes: int | None  # None: written to a device or FIFO, which has no size to read back


def write_wacz(
    target: Path,
    warcs: Sequence[Path],
    pages: Sequence[Page],
    *,
    title: str,
    description: str | None = None,
) -> WaczResult:
    """Package ``warcs`` (closed WARC files with distinct names) and ``pages`` as ``target``.

    Each WARC's index is its current ``.cdxj`` when there is one, built in a temporary
    directory otherwise (the crawl directory is only read). Raises CdxjError for a WARC that
    cannot be indexed, OSError for I/O failures (a regular file is then untouched) and
    UserPathError for a target that cannot be written as named.
    """
    names = [w.name for w in warcs]
    if len(set(names)) != len(names):
        raise ValueError("two WARC files with the same name cannot share archive/")
    out = output_file(Path(target))
    with writing(out) as stream, zipfile.ZipFile(stream, "w", allowZip64=True) as zf:
        package = _Package(zf)
        for warc in warcs:
            package.add_file(warc, f"archive/{warc.name}")
        entries = package.add_index(warcs)
        package.add_bytes("pages/pages.jsonl", _pages_jsonl(pages, title))
        datapackage = _datapackage(package.resources, title=title, description=description)
        zf.writestr(_member("datapackage.json"), datapackage)
        digest = {
            "path": "datapackage.json",
            "hash": "sha256:" + hashlib.sha256(datapackage).hexdigest(),
        }
        zf.writestr(_member("datapackage-digest.json"), json.dumps(digest, indent=2).encode())
    size = None if out.in_place else out.real.stat().st_size
    return WaczResult(out.named, len(warcs), len(pages), entries, size)


def _member(name: str, *, stored: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=datetime.now(timezone.utc).timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    return info


def _pages_jsonl(pages: Sequence[Page], title: str) -> bytes:
    header = {"format": PAGES_FORMAT, "id": "pages", "title": title}
    lines = [json.dumps(header, ensure_ascii=False)]
    lines += [json.dumps(page.as_json(), ensure_ascii=False) for page in pages]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _datapackage(resources: list[dict[str, Any]], *, title: str, description: str | None) -> bytes:
    package: dict[str, Any] = {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": title,
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "software": SOFTWARE,
        "resources": resources,
    }
    if description:
        package["description"] = description
    return json.dumps(package, indent=2, ensure_ascii=False).encode("utf-8")


class _Package:
    """Adds members to the zip, hashing each as it goes in, for datapackage.json."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf = zf
        self.resources: list[dict[str, Any]] = []
        self._names: set[str] = set()

    def add_file(self, source: Path, arcname: str) -> None:
        # from_file knows the size up front, so a WARC over 2 GiB gets zip64 headers.
        info = zipfile.ZipInfo.from_file(source, arcname, strict_timestamps=False)
        info.compress_type = zipfile.ZIP_STORED
        with source.open("rb") as src, self.zf.open(info, "w") as dst:
            self._record(arcname, _copy_hashing(src, dst))

    def add_bytes(self, arcname: str, data: bytes) -> None:
        self.zf.writestr(_member(arcname), data)
        self._record(arcname, (len(data), hashlib.sha256(data).hexdigest()))

    def add_index(self, warcs: Sequence[Path]) -> int:
        """indexes/index.cdxj: the WARCs' sorted indexes merged into one sorted stream."""
        arcname = "indexes/index.cdxj"
        with ExitStack() as stack:
            scratch = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="wacz-cdxj-")))
            sources = []
            for number, warc in enumerate(warcs):
                if index_is_current(warc):
                    source = cdxj_path(warc)
                else:
                    source = scratch / f"{number}.cdxj"
                    try:
                        with source.open("w", encoding="utf-8", newline="\n") as out:
                            _, problems = write_cdxj(warc, out)
                    except Exception as exc:  # a damaged WARC: say which, in one line
                        raise CdxjError(warc, one_line(exc)) from exc
                    if problems:  # a package whose index misses records is not made
                        first = problems[0]
                        reason = f"record at offset {first.offset} unreadable: {first.reason}"
                        raise CdxjError(warc, reason)
                sources.append(
                    stack.enter_context(source.open("r", encoding="utf-8", newline="\n"))
                )
            hasher, size, lines = hashlib.sha256(), 0, 0
            with self.zf.open(_member(arcname), "w") as dst:
                for line in heapq.merge(*sources):
                    data = line.encode("utf-8")
                    dst.write(data)
                    hasher.update(data)
                    size += len(data)
                    lines += 1
        self._record(arcname, (size, hasher.hexdigest()))
        return lines

    def _record(self, path: str, size_and_hash: tuple[int, str]) -> None:
        size, digest = size_and_hash
        name = _NAME_UNSAFE.sub("-", Path(path).name.lower()) or "resource"
        while name in self._names:  # names must be unique; WARC names are, mapped ones may not be
            name = "x-" + name
        self._names.add(name)
        self.resources.append(
            {"name": name, "path": path, "hash": f"sha256:{digest}", "bytes": size}
        )


def _copy_hashing(src: IO[bytes], dst: IO[bytes]) -> tuple[int, str]:
    hasher = hashlib.sha256()
    size = 0
    while chunk := src.read(_COPY_CHUNK):
        dst.write(chunk)
        hasher.update(chunk)
        size += len(chunk)
    return size, hasher.hexdigest()


@dataclass
class SiteExport:
    """What ``export_site`` put in the package and what it left out."""

    result: WaczResult
    selection: PageSelection
    unfinished: list[Path]
    record_files: int


def site_warcs(directory: Path, site: str) -> tuple[list[Path], list[Path]]:
    """(closed, unfinished) WARC files of ``site`` in a crawl directory."""
    warc_dir = OutputLayout(directory).warc_dir(site)
    if not warc_dir.is_dir():
        return [], []
    files = find_warcs([warc_dir])
    return files.closed, files.unfinished


def export_site(
    directory: Path, site: str, target: Path, *, title: str | None = None
) -> SiteExport:
    """Package a crawl directory's closed WARCs of ``site`` and a page per archived article.

    Unfinished ``*.open`` WARCs are left out (listed in the result). Raises FileNotFoundError
    when the directory has no closed WARC for ``site``.
    """
    closed, unfinished = site_warcs(directory, site)
    if not closed:
        where = OutputLayout(directory).warc_dir(site)
        extra = f" ({count(len(unfinished), 'unfinished .open file')} only)" if unfinished else ""
        raise FileNotFoundError(f"no closed WARC files in {where}{extra}")
    record_files = OutputLayout(directory).records_files(site)
    selection = pages_from_records(record_files, [w.name for w in closed])
    result = write_wacz(
        target,
        closed,
        selection.pages,
        title=title or f"{site} news archive",
        description=f"newsarchive crawl of {site}: {count(len(closed), 'WARC file')}, "
        f"{count(len(selection.pages), 'article page')}",
    )
    return SiteExport(result, selection, unfinished, len(record_files))
