"""Reads WARC and ARC files (plain or gzip) record by record, surviving damage.

The base of replay, verify and offline crawls: everything a spider needs to rebuild a
response (target URI, status line, repeated headers, the payload as served and
:meth:`ArchivedRecord.body` decoded as Scrapy's HttpCompressionMiddleware would hand it over)
plus exact file offsets for random access.

Why not just ``warcio.ArchiveIterator``: it stops at the first broken gzip member, cannot
resynchronise, warns about a lying Content-Length only on stderr, silently falls back when a
chunked body does not de-chunk, and refuses whole-file gzip outright. So the *framing* is done
here: gzip members are inflated one by one (a bad one is skipped up to the next
member that inflates), plain files are cut by Content-Length and checked against the record
trailer (a bad record is skipped up to the next ``WARC/1.x`` or ARC header line).

Header blocks are parsed here too, with warcio's rules (tests compare the two on every sample
file): warcio's ``StatusAndHeadersParser`` cost a third of the read time of a 70 KB record.
HTTP heads are decoded as latin-1, not warcio's UTF-8-first, because the crawl sees the wire
bytes as latin-1 (lossless) and replay must see the same text. warcio still converts ARC dates
and decodes header lines that are not UTF-8.

The reading itself lives in :mod:`archive.warc_read`, one concern per module: ``record``
(ArchivedRecord, ReadProblem, the errors), ``sniff`` (archive or not), ``source`` (the file
window), ``heads`` (framing one record), ``http`` (HTTP heads, de-chunking), ``build`` (an
ArchivedRecord from a framed record), ``plain`` and ``gzip_members`` (iterating files),
``random_access`` (the record at an offset), ``content_coding``, ``digests`` and ``revisits``.
This module is their public face: import from here.

Scrapy-free on purpose (``archive`` never imports Scrapy: docs/architecture.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from archive.archive_paths import SkippedPath, find_archives
from archive.warc_read.content_coding import PayloadError, PayloadTooLarge
from archive.warc_read.digests import normalize_digest
from archive.warc_read.gzip_members import _gzip_records
from archive.warc_read.plain import _plain_records
from archive.warc_read.random_access import _records_at
from archive.warc_read.record import ArchivedRecord, NotAWarc, ProblemHandler, ReadProblem
from archive.warc_read.revisits import RevisitResolver
from archive.warc_read.sniff import _sniff
from archive.warc_read.source import _open_source

logger = logging.getLogger(__name__)

__all__ = [
    "ArchivedRecord",
    "NotAWarc",
    "PayloadError",
    "PayloadTooLarge",
    "ReadProblem",
    "RevisitResolver",
    "archive_files",
    "iter_records",
    "normalize_digest",
    "read_record_at",
]


def iter_records(
    path: Path, on_problem: Callable[[ReadProblem], None] | None = None
) -> Iterator[ArchivedRecord]:
    """Every readable record of a .warc, .warc.gz, .arc or .arc.gz file (compression detected
    from bytes, not the name). A bad record is reported through ``on_problem`` (default:
    ignored) and skipped; reading goes on with the next record (gzip: at the next gzip member
    that inflates; plain: at the next line starting ``WARC/1.`` or an ARC header line).

    Raises NotAWarc at once (before iteration) if the file is not an archive at all. A
    truncated last record is reported as a ReadProblem and iteration ends normally.
    """
    path = Path(path)
    kind = _sniff(path)
    return _iterate(path, kind, on_problem or _ignore)


def read_record_at(path: Path, offset: int) -> ArchivedRecord:
    """The record starting at ``offset`` (a gzip member start for .gz), without scanning.

    Raises ValueError with a clear message if no valid record starts there.
    """
    records = _records_at(Path(path), offset)
    try:
        return next(records)
    finally:
        records.close()


def archive_files(
    paths: Iterable[Path],
    include_open: bool = False,
    on_skip: Callable[[SkippedPath], None] | None = None,
) -> list[Path]:
    """The archives to read, sorted by path (``archive_paths.find_archives``); unfinished
    ``*.open`` files only with ``include_open``.  What is not a regular file to read (a
    FIFO, a device, a symlink loop) goes to ``on_skip``, else is logged as a warning."""
    paths = [Path(path) for path in paths]
    found = find_archives(paths)
    named = {path for path in paths if not path.is_dir()}
    files = list(found.closed)
    skipped = list(found.skipped)
    for path in found.unfinished:
        if include_open or path in named:
            files.append(path)
        else:
            skipped.append(SkippedPath(path, _UNFINISHED))
    for problem in skipped:
        if on_skip is not None:
            on_skip(problem)
        else:
            logger.warning("skipped %s", problem)
    return sorted(files)


_UNFINISHED = (
    "unfinished WARC (still being written, or its crawl was killed: the next crawl of the "
    "site repairs it); name it explicitly to read it as it is"
)


def _ignore(problem: ReadProblem) -> None:
    logger.debug("skipped: %s", problem)


def _iterate(path: Path, kind: str, report: ProblemHandler) -> Iterator[ArchivedRecord]:
    """Generator body of iter_records, opened lazily so an unstarted iterator holds no file."""
    with _open_source(path) as source:
        if source is None:  # emptied since it was sniffed
            return
        if kind == "gzip":
            yield from _gzip_records(path, source, 0, report, one_member=False)
        else:
            yield from _plain_records(path, source, 0, kind, report, single=False)
