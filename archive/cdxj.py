"""CDXJ indexes beside closed WARC files: ``<name>.warc.gz`` gets ``<name>.warc.gz.cdxj``.

The lines are what pywb, ReplayWeb.page and the ``wacz`` tool read: ``<SURT> <14-digit
timestamp> {json}``, sorted, one per response/revisit (and resource/metadata) record, with
``url``, ``mime``, ``status``, ``digest``, ``length``, ``offset`` and ``filename`` (the WARC's
bare name, as it is inside a WACZ's ``archive/``). They are built from our own reader's
records (``cdxj_lines``), the reader replay and verify use, and are the lines
``cdxj-indexer --sort FILE`` prints for the same records, except for records without a
``WARC-Target-URI`` (our metadata records): an index by URL has nothing to say about them,
and cdxj_indexer would key them ``-``, a line replay tools can only trip over.  Where the
reader cannot read a record, the rest of the file is indexed and the record named by offset.

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
from typing import TextIO

from archive.archive_paths import ArchivePaths, find_archives, is_unfinished
from archive.cdxj_lines import NotAddressable, cdxj_lines
from archive.warc_reader import NotAWarc, ReadProblem

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


def write_cdxj(warc: Path, out: TextIO) -> tuple[int, list[ReadProblem]]:
    """Write the sorted CDXJ lines of ``warc`` to ``out``: how many, and the records that
    could not be read (named by offset; the rest of the file is indexed). Raises NotAWarc
    for a file that is not an archive."""
    lines, problems = cdxj_lines(warc)
    out.writelines(lines)
    return len(lines), problems


def _build(warc: Path, target: Path) -> tuple[int, list[ReadProblem]]:
    """Index ``warc`` into ``target`` atomically; the number of lines and the records that
    could not be read."""
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        # utf-8 explicitly: a SURT key keeps non-ASCII characters of an IRI, and cdxj_indexer
        # would open its own output in the locale's encoding.
        with tmp.open("w", encoding="utf-8", newline="\n") as out:
            count, problems = write_cdxj(warc, out)
            out.flush()
            # Derived data, but an empty file under the final name after a power cut would
            # look current (it is newer than the WARC) and hide every record.
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count, problems


def index_warc(path: Path) -> Path:
    """Write ``<path>.cdxj`` beside a closed WARC (replacing any older one); returns its path.

    Raises CdxjError (one line, naming the file) when the WARC cannot be read or is
    unfinished.
    """
    path = Path(path)
    target, _, _ = _index(path)
    return target


def _index(path: Path) -> tuple[Path, int, list[ReadProblem]]:
    if is_unfinished(path):
        raise CdxjError(path, "unfinished WARC (still being written, or the crawl was killed)")
    target = cdxj_path(path)
    if path.stat().st_size == 0:
        raise CdxjError(path, "empty file, not a WARC")
    try:
        count, problems = _build(path, target)
    except NotAWarc as exc:
        raise CdxjError(path, f"not a WARC or ARC file: {exc}") from exc
    except NotAddressable as exc:
        raise CdxjError(path, str(exc)) from exc
    except OSError as exc:
        raise CdxjError(path, one_line(exc)) from exc
    if count == 0 and problems:
        target.unlink(missing_ok=True)  # nothing readable: not an index of the file
        raise CdxjError(
            path, f"no record readable (at offset {problems[0].offset}: {problems[0].reason})"
        )
    return target, count, problems


@dataclass(frozen=True)
class IndexResult:
    """What happened to one WARC: ``status`` is "indexed", "current" or "failed";
    ``unreadable``: records an indexed file holds that could not be read (offset, why)."""

    warc: Path
    status: str
    entries: int | None = None
    error: str | None = None
    unreadable: tuple[tuple[int, str], ...] = ()


@dataclass
class IndexSummary:
    results: list[IndexResult] = field(default_factory=list)
    unfinished: list[Path] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def failed(self) -> list[IndexResult]:
        return [r for r in self.results if r.status == "failed"]

    @property
    def partial(self) -> list[IndexResult]:
        return [r for r in self.results if r.unreadable]


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
                _, count, problems = _index(warc)
            except CdxjError as exc:
                result = IndexResult(warc, "failed", error=exc.reason)
            else:
                unreadable = tuple((p.offset, p.reason) for p in problems)
                result = IndexResult(warc, "indexed", entries=count, unreadable=unreadable)
        summary.results.append(result)
        if progress is not None:
            progress(result)
    return summary
