"""WACZ 1.1.1 packages of a crawl: its WARCs, one merged CDXJ index and a page per article.

A WACZ is what ReplayWeb.page and pywb open directly, and what ``wacz validate`` checks:

    archive/<warc files>        stored, not deflated, so a reader can seek into them
    indexes/index.cdx.gz        every WARC's CDXJ entries merged and SURT-sorted, in gzip
                                members of ``INDEX_BLOCK_LINES`` lines each (ZipNum, stored);
                                each entry's ``filename`` is the WARC's name in archive/
    indexes/index.idx           one line per member: its first entry's key and timestamp,
                                offset, length and sha256
    pages/pages.jsonl           a header line (``hasText``), then one page per archived
                                article: url, ts, title and its extracted text
    datapackage.json            every file above with its sha256 and size
    datapackage-digest.json     the sha256 of datapackage.json

This is py-wacz's layout. pywb 2.10 (``wb-manager add --unpack-wacz``) reads
``indexes/*.cdx`` or ``*.cdx.gz`` as one gzip stream (concatenated members are one), never
``.cdxj``; ReplayWeb.page reads ``.idx`` and fetches only the members a lookup needs, and
searches the pages' ``text`` when the header says ``hasText``.

The package is written to a temporary file beside the target and renamed into place, so
the target is either the old package or the complete new one; a device or FIFO is written
in place, a symbolic link through (``archive/user_paths.py``). Bodies are read back one at a
time when pages.jsonl is written, so memory does not grow with the archive's text.

Scrapy-free; ``newsarchive export SITE --wacz FILE`` is the command.
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import json
import re
import tempfile
import zipfile
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from archive.cdxj import CdxjError, cdxj_path, find_warcs, index_is_current, one_line, write_cdxj
from archive.latest_records import parse_record_line, record_lines, version_key
from archive.layout import OutputLayout
from archive.user_paths import output_file, writing
from archive.warc_records import SOFTWARE
from archive.wording import count

WACZ_VERSION = "1.1.1"
PAGES_FORMAT = "json-pages-1.0"
INDEX_DATA = "indexes/index.cdx.gz"
INDEX_IDX = "indexes/index.idx"
INDEX_FORMAT = "cdxj-gzip-1.0"
INDEX_BLOCK_LINES = 1024  # as py-wacz: ReplayWeb.page inflates a few such members per lookup
_COPY_CHUNK = 1 << 20
_OPEN_RECORD_FILES = 32  # record files kept open at once while pages are read back
# Frictionless (which ``wacz validate`` runs) accepts resource names of these characters only.
_NAME_UNSAFE = re.compile(r"[^-a-z0-9._]+")


@dataclass(frozen=True)
class Page:
    """One entry of pages.jsonl: an article's capture, opened by url + timestamp, with the
    text ReplayWeb.page's full-text search looks in."""

    id: str
    url: str
    ts: str
    title: str | None = None
    text: str | None = None

    def as_json(self) -> dict[str, Any]:
        page: dict[str, Any] = {"id": self.id, "url": self.url, "ts": self.ts}
        if self.title:
            page["title"] = self.title
        if self.text:
            page["text"] = self.text
        return page


@dataclass(frozen=True)
class PageSource:
    """Where an article's latest record is: its line is read again when the page is written,
    so no body stays in memory."""

    ts: str
    id: str
    file: Path
    offset: int


@dataclass
class PageSelection:
    """Pages chosen from JSON Lines article records, and what was left out and why."""

    sources: list[PageSource] = field(default_factory=list)  # sorted by (ts, id)
    records: int = 0
    bad_lines: list[str] = field(default_factory=list)  # "file:line: reason"
    without_capture: int = 0  # articles whose WARC pointer is missing or not in the package

    def pages(self) -> Iterator[Page]:
        """Each source's page, its record read back from where it was found. A line that is
        no longer that record (the file was replaced since) is named in ``bad_lines``."""
        handles: OrderedDict[Path, IO[bytes]] = OrderedDict()
        try:
            for source in self.sources:
                stream = handles.pop(source.file, None) or source.file.open("rb")
                handles[source.file] = stream  # most recently used last
                while len(handles) > _OPEN_RECORD_FILES:
                    handles.popitem(last=False)[1].close()
                stream.seek(source.offset)
                record, _ = parse_record_line(stream.readline().decode("utf-8", "replace"))
                if record is None or record["id"] != source.id:
                    self.bad_lines.append(
                        f"{source.file}: byte {source.offset}: changed while exporting"
                    )
                    continue
                yield _page(record)
        finally:
            for stream in handles.values():
                stream.close()


def _page(record: dict[str, Any]) -> Page:
    title, body = record.get("title"), record.get("body")
    return Page(
        record["id"],
        record["url"],
        record["fetched_at"],
        title if isinstance(title, str) else None,
        body if isinstance(body, str) else None,
    )


def pages_from_records(
    record_files: Iterable[Path], warc_names: Iterable[str] | None = None
) -> PageSelection:
    """One page per article id, from its latest version (highest ``version``, then latest
    ``fetched_at``; of equals, the last line): its fetched ``url``, ``fetched_at`` as ``ts``,
    its ``title`` and its ``body`` as the page's text.

    With ``warc_names``, an article whose record's ``warc.filename`` is not among them is
    left out (a page a replay could not find is worse than no page). Lines that are not a
    JSON object with ``id``, ``url`` and ``fetched_at`` are counted as bad and skipped. Only
    where each latest record is is kept, not the record.
    """
    allowed = set(warc_names) if warc_names is not None else None
    selection = PageSelection()
    # id -> ((version, fetched_at), file, offset, has a capture in the package)
    latest: dict[str, tuple[tuple[int, str], Path, int, bool]] = {}
    for record, path, start in record_lines(record_files, selection.bad_lines):
        selection.records += 1
        key = version_key(record)
        known = latest.get(record["id"])
        if known is None or key >= known[0]:
            pointer = record.get("warc")
            filename = pointer.get("filename") if isinstance(pointer, dict) else None
            captured = bool(filename) and (allowed is None or filename in allowed)
            latest[record["id"]] = (key, path, start, captured)
    for article, (key, path, start, captured) in latest.items():
        if captured:
            selection.sources.append(PageSource(key[1], article, path, start))
        else:
            selection.without_capture += 1
    selection.sources.sort(key=lambda source: (source.ts, source.id))
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
    pages: Iterable[Page],
    *,
    title: str,
    description: str | None = None,
    has_text: bool = False,
    index_block_lines: int = INDEX_BLOCK_LINES,
) -> WaczResult:
    """Package ``warcs`` (closed WARC files with distinct names) and ``pages`` as ``target``.
    ``has_text``: the pages carry their text (pages.jsonl's header says so, and ReplayWeb.page
    then searches it). ``pages`` is read once, as the package is written.

    Each WARC's index is its current ``.cdxj`` when there is one, built in a temporary
    directory otherwise (the crawl directory is only read). Raises CdxjError for a WARC that
    cannot be indexed, OSError for I/O failures (a regular file is then untouched) and
    UserPathError for a target that cannot be written as named.
    """
    names = [w.name for w in warcs]
    if len(set(names)) != len(names):
        raise ValueError("two WARC files with the same name cannot share archive/")
    if index_block_lines < 1:
        raise ValueError("an index block holds at least one line")
    out = output_file(Path(target))
    written = [0]

    def counted(pages: Iterable[Page]) -> Iterator[Page]:
        for page in pages:
            written[0] += 1
            yield page

    with writing(out) as stream, zipfile.ZipFile(stream, "w", allowZip64=True) as zf:
        package = _Package(zf)
        for warc in warcs:
            package.add_file(warc, f"archive/{warc.name}")
        entries = package.add_index(warcs, index_block_lines)
        package.add_stream(
            "pages/pages.jsonl", _pages_jsonl(counted(pages), title, has_text=has_text)
        )
        datapackage = _datapackage(package.resources, title=title, description=description)
        zf.writestr(_member("datapackage.json"), datapackage)
        digest = {
            "path": "datapackage.json",
            "hash": "sha256:" + hashlib.sha256(datapackage).hexdigest(),
        }
        zf.writestr(_member("datapackage-digest.json"), json.dumps(digest, indent=2).encode())
    size = None if out.in_place else out.real.stat().st_size
    return WaczResult(out.named, len(warcs), written[0], entries, size)


def _member(name: str, *, stored: bool = False) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=datetime.now(timezone.utc).timetuple()[:6])
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    return info


def _pages_jsonl(pages: Iterable[Page], title: str, *, has_text: bool) -> Iterator[bytes]:
    header: dict[str, Any] = {"format": PAGES_FORMAT, "id": "pages", "title": title}
    if has_text:
        header["hasText"] = True
    yield (json.dumps(header, ensure_ascii=False) + "\n").encode("utf-8")
    for page in pages:
        yield (json.dumps(page.as_json(), ensure_ascii=False) + "\n").encode("utf-8")


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

    def add_stream(self, arcname: str, chunks: Iterable[bytes], *, stored: bool = False) -> None:
        hasher, size = hashlib.sha256(), 0
        with self.zf.open(_member(arcname, stored=stored), "w") as dst:
            for chunk in chunks:
                dst.write(chunk)
                hasher.update(chunk)
                size += len(chunk)
        self._record(arcname, (size, hasher.hexdigest()))

    def add_index(self, warcs: Sequence[Path], block_lines: int) -> int:
        """indexes/index.cdx.gz and index.idx: the WARCs' sorted indexes merged into one
        sorted stream, in gzip members of ``block_lines`` lines. Returns the entries."""
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
            blocks = _ZipNumBlocks()
            self.add_stream(
                INDEX_DATA, blocks.compress(heapq.merge(*sources), block_lines), stored=True
            )
        self.add_bytes(INDEX_IDX, "".join(blocks.idx_lines).encode("utf-8"))
        return blocks.entries

    def _record(self, path: str, size_and_hash: tuple[int, str]) -> None:
        size, digest = size_and_hash
        name = _NAME_UNSAFE.sub("-", Path(path).name.lower()) or "resource"
        while name in self._names:  # names must be unique; WARC names are, mapped ones may not be
            name = "x-" + name
        self._names.add(name)
        self.resources.append(
            {"name": name, "path": path, "hash": f"sha256:{digest}", "bytes": size}
        )


class _ZipNumBlocks:
    """CDXJ lines as gzip members, and the .idx line of each (its first line's key and
    timestamp, then where the member is), as py-wacz writes them."""

    def __init__(self) -> None:
        meta = json.dumps({"format": INDEX_FORMAT, "filename": Path(INDEX_DATA).name})
        self.idx_lines = [f"!meta 0 {meta}\n"]
        self.entries = 0
        self._offset = 0

    def compress(self, lines: Iterable[str], block_lines: int) -> Iterator[bytes]:
        block: list[str] = []
        for line in lines:
            if not line.strip():
                continue
            block.append(line if line.endswith("\n") else line + "\n")
            if len(block) == block_lines:
                yield self._member(block)
                block = []
        if block:
            yield self._member(block)

    def _member(self, block: list[str]) -> bytes:
        data = gzip.compress("".join(block).encode("utf-8"), mtime=0)
        key, timestamp = block[0].split(" ", 2)[:2]
        where = {
            "offset": self._offset,
            "length": len(data),
            "digest": "sha256:" + hashlib.sha256(data).hexdigest(),
        }
        self.idx_lines.append(f"{key} {timestamp} {json.dumps(where)}\n")
        self._offset += len(data)
        self.entries += len(block)
        return data


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
        selection.pages(),
        title=title or f"{site} news archive",
        description=f"newsarchive crawl of {site}: {count(len(closed), 'WARC file')}, "
        f"{count(len(selection.sources), 'article page')}",
        has_text=True,
    )
    return SiteExport(result, selection, unfinished, len(record_files))
