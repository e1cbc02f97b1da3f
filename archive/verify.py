"""Integrity checks of WARC files and of a crawl directory's pointers into them.

For every closed WARC, read by the reader replay and index use (so the three agree on what
a file holds): each record can be read, and its block and payload digests match (as
``warcio check`` checks them); a record that cannot be read is a problem at its offset and
the rest of the file is read on; a quirk the reader repaired is a warning. Every revisit's ``WARC-Refers-To`` should name a record among
the files checked (a warning when it does not: the original may simply be in a file that was
not named). An unfinished ``*.open`` file is itself a problem: a crawl was killed, or is
still running.

For a crawl directory (one with ``warc/``), also: every JSON record's ``warc`` pointer names
a file in ``warc/<site>/`` in which a response record with that ``WARC-Record-ID`` starts
at that offset, and every closed WARC has a current ``.cdxj`` index (a warning if not).

Never raises on a broken or foreign file: whatever cannot be read becomes a finding with
the file and the offset where reading stopped. Scrapy-free.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.cdxj import cdxj_path, find_warcs, index_is_current
from archive.cdxj_lines import NON_CHUNKED_GZIP
from archive.layout import OutputLayout
from archive.warc_reader import ArchivedRecord, NotAWarc, ReadProblem, iter_records, read_record_at
from archive.warc_records import OPEN_SUFFIX

_READ_CHUNK = 1 << 16
_ARC_ENDINGS = (".arc", ".arc.gz", ".arc" + OPEN_SUFFIX, ".arc.gz" + OPEN_SUFFIX)


@dataclass(frozen=True)
class Finding:
    """One problem (or, with ``warning``, something worth knowing that is not damage).

    ``where`` locates it in the file: "offset 1234", "line 7", or "" for the whole file.
    """

    where: str
    message: str
    warning: bool = False


@dataclass
class FileCheck:
    """What was checked in one file: ``kind`` is "warc", "unfinished", "skipped" (not a
    regular file to read) or "records"."""

    path: Path
    kind: str
    counts: Counter[str] = field(default_factory=Counter)
    findings: list[Finding] = field(default_factory=list)

    @property
    def problems(self) -> list[Finding]:
        return [f for f in self.findings if not f.warning]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.warning]

    def problem(self, where: str, message: str) -> None:
        self.findings.append(Finding(where, message))

    def warn(self, where: str, message: str) -> None:
        self.findings.append(Finding(where, message, warning=True))


@dataclass
class Verification:
    files: list[FileCheck] = field(default_factory=list)

    @property
    def problems(self) -> int:
        return sum(len(f.problems) for f in self.files)

    @property
    def warnings(self) -> int:
        return sum(len(f.warnings) for f in self.files)

    @property
    def clean(self) -> bool:
        return self.problems == 0

    def total(self, kind: str, count: str) -> int:
        return sum(f.counts[count] for f in self.files if f.kind == kind)


@dataclass
class _Scanned:
    """What one WARC's scan leaves for the cross-file checks."""

    records: dict[int, tuple[str | None, str]]  # offset -> (WARC-Record-ID, WARC-Type)
    unreadable_from: int | None  # offset where reading stopped, if it did


@dataclass
class _Catalog:
    """Every record seen, across all files checked."""

    files: dict[Path, _Scanned] = field(default_factory=dict)
    record_ids: set[str] = field(default_factory=set)
    # (check, offset, WARC-Refers-To) of every revisit, resolved once all files are read
    revisits: list[tuple[FileCheck, int, str]] = field(default_factory=list)


def verify_paths(paths: Sequence[Path]) -> Verification:
    """Check every WARC named or under the named directories, and every crawl directory's
    JSON pointers and indexes. Raises FileNotFoundError for a path that does not exist."""
    crawl_dirs = [p for p in paths if p.is_dir() and OutputLayout(p).is_crawl_dir()]
    warc_roots = [OutputLayout(p).warc_root if p in crawl_dirs else p for p in paths]
    files = find_warcs(warc_roots)
    result = Verification()
    catalog = _Catalog()
    for path in files.closed:
        result.files.append(_check_warc(path, catalog))
    for path in files.unfinished:
        check = FileCheck(path, "unfinished")
        check.problem("", "unfinished WARC (crawl killed?)")
        result.files.append(check)
    for skipped in files.skipped:
        check = FileCheck(skipped.path, "skipped")
        check.problem("", skipped.reason)
        result.files.append(check)
    for check, offset, refers_to in catalog.revisits:
        if refers_to not in catalog.record_ids:
            check.warn(
                f"offset {offset}", f"revisit refers to {refers_to}, not in the files checked"
            )
    for directory in crawl_dirs:
        _check_indexes(directory, result)
        layout = OutputLayout(directory)
        for records in layout.all_records_files():
            result.files.append(
                _check_pointers(records, layout.warc_dir(records.parent.name), catalog)
            )
    return result


def _check_warc(path: Path, catalog: _Catalog) -> FileCheck:
    """Every record of ``path`` as replay and index read it (the same reader): each
    unreadable record a problem at its offset, the rest of the file read on; each quirk the
    reader repaired a warning; each digest mismatch a problem."""
    check = FileCheck(path, "warc")
    scanned = _Scanned({}, None)
    catalog.files[path.resolve()] = scanned

    def unreadable(problem: ReadProblem) -> None:
        check.problem(f"offset {problem.offset}", problem.reason)

    shared = False
    try:
        for record in iter_records(path, unreadable):
            where = f"offset {record.offset}"
            _note_record(check, catalog, scanned, record)
            for message in record.check_digests():
                check.problem(where, message)
            shared = shared or record.shares_member
            for warning in record.warnings:
                if not _MEMBER_SHARING.search(warning):  # said once below, as a problem
                    check.warn(where, warning)
    except NotAWarc as exc:
        check.problem("", str(exc).removeprefix(f"{path}: "))
    except OSError as exc:
        check.problem("", f"cannot read: {exc.strerror or exc}")
    if shared:
        # Readable, but no pointer or index can lead to its records: replay tools need one
        # gzip member a record.
        check.problem("", NON_CHUNKED_GZIP)
    if not check.counts and not check.findings:
        check.problem("", "no WARC records in this file")
    return check


_MEMBER_SHARING = re.compile(r"holds more than one record|shares the gzip member")


def _note_record(
    check: FileCheck, catalog: _Catalog, scanned: _Scanned, record: ArchivedRecord
) -> None:
    check.counts[record.type or "unknown"] += 1
    scanned.records[record.offset] = (record.record_id, record.type)
    if record.record_id:
        catalog.record_ids.add(record.record_id)
    if record.type == "revisit" and record.refers_to:
        catalog.revisits.append((check, record.offset, record.refers_to))


def _check_indexes(directory: Path, result: Verification) -> None:
    by_path = {c.path: c for c in result.files if c.kind == "warc"}
    for warc in find_warcs([OutputLayout(directory).warc_root]).closed:
        check = by_path.get(warc)
        if check is None:
            continue
        if not cdxj_path(warc).exists():
            check.warn("", f"no CDXJ index beside it (newsarchive index {directory})")
        elif not index_is_current(warc):
            check.warn("", f"CDXJ index is older than the WARC (newsarchive index {directory})")


def _check_pointers(records_path: Path, warc_dir: Path, catalog: _Catalog) -> FileCheck:
    """Every record's ``warc`` pointer must name a response record in ``warc_dir``."""
    check = FileCheck(records_path, "records")
    try:
        lines = records_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as exc:
        check.problem("", f"cannot read: {exc.strerror or exc}")
        return check
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            record = json.loads(line)
        except ValueError:
            check.problem(where, "not a JSON record (cut short?)")
            continue
        if not isinstance(record, dict):
            check.problem(where, "not a JSON object")
            continue
        check.counts["records"] += 1
        pointer = record.get("warc")
        if pointer is None:
            check.counts["without pointer"] += 1
            continue
        label = f"{record.get('id', '?')}: warc pointer"
        error = _pointer_error(pointer, warc_dir, catalog)
        if error:
            check.problem(where, f"{label} {error}")
        else:
            check.counts["pointers resolved"] += 1
    return check


def _pointer_error(pointer: Any, warc_dir: Path, catalog: _Catalog) -> str | None:
    if not isinstance(pointer, dict):
        return "is not an object"
    filename, offset, record_id = (
        pointer.get("filename"),
        pointer.get("offset"),
        pointer.get("record_id"),
    )
    if not isinstance(filename, str) or not filename or "/" in filename or "\\" in filename:
        return f"has no usable filename ({filename!r})"
    if not isinstance(offset, int) or isinstance(offset, bool) or offset < 0:
        return f"has no usable offset ({offset!r})"
    path = warc_dir / filename
    if not path.is_file():
        if (warc_dir / (filename + OPEN_SUFFIX)).exists():
            return f"names {filename}, which is still unfinished (.open)"
        return f"names {filename}, which is not in {warc_dir}"
    scanned = catalog.files.get(path.resolve())
    found = scanned.records.get(offset) if scanned else _record_at(path, offset)
    where = f"{filename} offset {offset}"
    if found is None:
        if scanned and scanned.unreadable_from is not None and offset >= scanned.unreadable_from:
            return f"{where}: the file is unreadable from offset {scanned.unreadable_from}"
        return f"{where}: no WARC record starts there"
    found_id, found_type = found
    if found_id != record_id:
        return f"{where}: the record there is {found_id}, not {record_id}"
    if found_type != "response":
        return f"{where}: the record there is a {found_type}, not a response"
    return None


def _record_at(path: Path, offset: int) -> tuple[str | None, str] | None:
    """The (id, type) of a record starting at ``offset`` in a file that was not scanned."""
    try:
        record = read_record_at(path, offset)
    except (OSError, ValueError, NotAWarc):  # garbage at that offset: no record starts there
        return None
    return record.record_id, record.type or "unknown"


def describe_counts(counts: Counter[str], order: Sequence[str] = ()) -> str:
    """ "3 response, 1 revisit, 4 request": the given keys first, then the rest by name."""
    keys = [k for k in order if counts.get(k)] + sorted(k for k in counts if k not in order)
    return ", ".join(f"{counts[k]} {k}" for k in keys)
