"""CDXJ indexes beside closed WARC files: ``<name>.warc.gz`` gets ``<name>.warc.gz.cdxj``.

The lines are what pywb, ReplayWeb.page and the ``wacz`` tool read: ``<SURT> <14-digit
timestamp> {json}``, sorted, one per response/revisit (and resource/metadata) record, with
``url``, ``mime``, ``status``, ``digest``, ``length``, ``offset`` and ``filename`` (the WARC's
bare name, as it is inside a WACZ's ``archive/``). They are produced by ``cdxj_indexer``,
the library pywb and wacz use, through its Python API, with its command line's default
fields, so ``cdxj-indexer --sort FILE`` prints the same lines, except for records without a
``WARC-Target-URI`` (our metadata records): an index by URL has nothing to say about them,
and cdxj_indexer would key them ``-``, a line replay tools can only trip over.

An index is derived data: it is rebuilt whenever it is missing or older than its WARC, and
written to a temporary file then renamed, so a reader never sees half of one.

Scrapy-free: the crawl's WARC writer calls :func:`index_warc` as each file is closed, and the
``newsarchive index`` / ``export --wacz`` / ``verify`` commands share the file finding here.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from cdxj_indexer import CDXJIndexer

from archive.archive_paths import ArchivePaths, find_archives, is_unfinished
from archive.warc_reader import NotAWarc, iter_records

CDXJ_SUFFIX = ".cdxj"


class CdxjError(Exception):
    """A WARC that could not be indexed; the message is one line and names the file."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


def cdxj_path(warc: Path) -> Path:
    return warc.with_name(warc.name + CDXJ_SUFFIX)


def index_is_current(warc: Path) -> bool:
    """The index exists and was written after the WARC's last change."""
    try:
        return cdxj_path(warc).stat().st_mtime_ns >= warc.stat().st_mtime_ns
    except OSError:
        return False


def one_line(exc: BaseException) -> str:
    """An exception as one short line: warcio's messages run over several lines of advice,
    whose first sentence says what is wrong."""
    text = " ".join(str(exc).split())
    text = text.removeprefix("ERROR: ")
    sentence, dot, _ = text.partition(". ")
    if dot and len(sentence) > 20:
        text = sentence + "."
    if len(text) > 240:
        text = text[:240] + "…"
    return text or type(exc).__name__


def find_warcs(paths: Iterable[Path]) -> ArchivePaths:
    """Every WARC file named or under a named directory (recursively), as
    ``archive_paths.find_archives`` finds them, except a ``.cdxj`` index named explicitly
    (our own sidecar, caught by a shell glob such as ``warc/site/*``)."""
    found = find_archives(paths)
    found.closed = [path for path in found.closed if not path.name.endswith(CDXJ_SUFFIX)]
    return found


class _UrlIndexer(CDXJIndexer):
    """cdxj_indexer's default selection, minus records that have no URL to be found by."""

    def filter_record(self, record: Any) -> bool:
        return bool(super().filter_record(record)) and bool(
            record.rec_headers.get_header("WARC-Target-URI")
        )


class _CountingWriter:
    """Text sink for cdxj_indexer that counts the lines going through it."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.lines = 0

    def write(self, text: str) -> int:
        self.lines += text.count("\n")
        return self.out.write(text)

    def flush(self) -> None:
        self.out.flush()


def write_cdxj(warc: Path, out: TextIO) -> int:
    """Write the sorted CDXJ lines of ``warc`` to ``out``; returns how many.

    Raises whatever reading the WARC raises (warcio's ArchiveLoadFailed, zlib.error,
    EOFError, OSError…): nothing is known to be wrong with the file before it is read.
    """
    sink = _CountingWriter(out)
    with warc.open("rb") as stream:
        # A file object and a forced filename: cdxj_indexer would otherwise open the path
        # itself (through fsspec when installed, which treats "::" and "://" in a name
        # specially) and name it by its basename anyway.
        indexer = _UrlIndexer(sink, stream, sort=True, filename=warc.name)
        indexer.process_all()
    return sink.lines


def _build(warc: Path, target: Path) -> int:
    """Index ``warc`` into ``target`` atomically; returns the number of lines."""
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        # utf-8 explicitly: a SURT key keeps non-ASCII characters of an IRI, and cdxj_indexer
        # would open its own output in the locale's encoding.
        with tmp.open("w", encoding="utf-8", newline="\n") as out:
            count = write_cdxj(warc, out)
            out.flush()
            # Derived data, but an empty file under the final name after a power cut would
            # look current (it is newer than the WARC) and hide every record.
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count


def index_warc(path: Path) -> Path:
    """Write ``<path>.cdxj`` beside a closed WARC (replacing any older one); returns its path.

    Raises CdxjError (one line, naming the file) when the WARC cannot be read or is
    unfinished.
    """
    path = Path(path)
    target, _ = _index(path)
    return target


def _index(path: Path) -> tuple[Path, int]:
    if is_unfinished(path):
        raise CdxjError(path, "unfinished WARC (still being written, or the crawl was killed)")
    target = cdxj_path(path)
    try:
        count = _build(path, target)
    except Exception as exc:  # any reader failure means this one file is not indexable
        raise CdxjError(path, one_line(exc)) from exc
    if count == 0:
        reason = _not_an_archive(path)
        if reason is not None:  # an empty index would say "nothing here", not "not a WARC"
            target.unlink(missing_ok=True)
            raise CdxjError(path, reason)
    return target, count


def _not_an_archive(path: Path) -> str | None:
    if path.stat().st_size == 0:
        return "empty file, not a WARC"
    try:
        next(iter(iter_records(path)), None)
    except NotAWarc as exc:
        return f"not a WARC or ARC file: {exc}"
    return None


@dataclass(frozen=True)
class IndexResult:
    """What happened to one WARC: ``status`` is "indexed", "current" or "failed"."""

    warc: Path
    status: str
    entries: int | None = None
    error: str | None = None


@dataclass
class IndexSummary:
    results: list[IndexResult] = field(default_factory=list)
    unfinished: list[Path] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> list[IndexResult]:
        return [r for r in self.results if r.status == "failed"]


def index_directory(
    paths: Iterable[Path],
    *,
    force: bool = False,
    progress: Callable[[IndexResult], None] | None = None,
) -> IndexSummary:
    """(Re)build the index of every closed WARC named or under the named directories.

    An index that is newer than its WARC is kept unless ``force``. Unfinished ``*.open``
    files are skipped (listed in the summary). A WARC that cannot be read is a failed
    result; the others still get indexed. ``progress`` is called once per WARC.
    Raises FileNotFoundError for a path that does not exist.
    """
    files = find_warcs(Path(p) for p in paths)
    summary = IndexSummary(unfinished=list(files.unfinished))
    for skipped in files.skipped:
        summary.results.append(IndexResult(skipped.path, "failed", error=skipped.reason))
        if progress is not None:
            progress(summary.results[-1])
    for warc in files.closed:
        if not force and index_is_current(warc):
            result = IndexResult(warc, "current")
        else:
            try:
                _, count = _index(warc)
            except CdxjError as exc:
                result = IndexResult(warc, "failed", error=exc.reason)
            else:
                result = IndexResult(warc, "indexed", entries=count)
        summary.results.append(result)
        if progress is not None:
            progress(result)
    return summary
