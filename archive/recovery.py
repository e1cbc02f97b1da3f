"""What the next crawl of a site does about an earlier one that was killed (or stopped by a full
disk) before it could close cleanly. Run once at the start of every crawl, before anything is
written or asked of the index:

1. **WARC**: every leftover ``*.open`` file whose writer is gone is cut back to its last
   complete record, closed, renamed and indexed (``archive.warc_repair``).
2. **JSON Lines**: a record file whose writer is gone and that ends in half a line (killed in
   the middle of a write) is cut back to its last whole line.
3. **Index**: the index commits in batches, and a batch lost with the process may hold
   versions whose records are already in the JSON Lines file: the next run would fetch and
   record those articles again (a duplicate). So the records of every run that did not close
   cleanly (no run report, or one saying ``index_consistent: false``) are fed back into the
   index when it lacks their version: the index catches up with what was written. Each file
   is looked at once (``state/<site>.recovered.jsonl`` lists those done).

The other way round cannot happen: the crawl never commits a version to the index before its
record is written (``ArticleIndex.hold_versions_until_written``), so an article the index
knows always has its record; one whose record was never written is not in the index and is
fetched again. Together: killed at any moment, the next run loses no article and duplicates
none. (Redis stores every write at once: a version whose record could not be written is
taken back there too, but one made just before a kill stays without its record.)

Everything here skips files a live process holds (``archive.file_lock``): scaled-out
workers share these directories, and one starting up must not "repair" another's open files.

Scrapy-free: the crawl calls :func:`recover_site` from an extension.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from archive.article_keeper import adopt
from archive.file_lock import lock_exclusively
from archive.index.model import ArticleIndex, VersionResult
from archive.layout import OutputLayout
from archive.records import ArticleRecord
from archive.warc_repair import repair_open_warcs
from archive.wording import count

logger = logging.getLogger(__name__)

__all__ = [
    "JsonlRepair",
    "Reconciled",
    "feed_record",
    "reconcile_index",
    "recover_site",
    "repair_jsonl_tail",
]


@dataclass(frozen=True)
class JsonlRepair:
    path: str
    cut_bytes: int

    def message(self) -> str:
        return f"repaired {self.path}: cut a half-written last line ({self.cut_bytes:,} bytes)"

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "jsonl",
            "path": self.path,
            "action": "repaired",
            "cut_bytes": self.cut_bytes,
            "message": self.message(),
        }


@dataclass(frozen=True)
class Reconciled:
    """One unfinished run's records checked against the index."""

    path: str
    run_id: str
    records: int  # whole, readable lines
    fed: int  # versions the index lacked, now recorded
    unreadable: int = 0  # lines that are not JSON records (reported, skipped)

    def message(self) -> str:
        extra = f", {count(self.unreadable, 'unreadable line')} skipped" if self.unreadable else ""
        return (
            f"recovered run {self.run_id} (it did not finish cleanly): "
            f"{count(self.records, 'record')} in "
            f"{self.path}, {self.fed:,} fed back into the index{extra}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": "index",
            "path": self.path,
            "run_id": self.run_id,
            "action": "reconciled",
            "records": self.records,
            "fed": self.fed,
            "unreadable": self.unreadable,
            "message": self.message(),
        }


def recover_site(
    out: Path,
    site: str,
    index: ArticleIndex | None,
    *,
    current_run: str | None = None,
    index_warc: Callable[[Path], object] | None = None,
) -> list[dict[str, Any]]:
    """Repair what crashed runs left in ``out`` for ``site`` (see the module docstring).

    Returns one dict per thing done (``kind``: warc, jsonl, index; ``message``: the log
    line), for the run report. ``index`` None (index disabled) skips step 3."""
    out = Path(out)
    done: list[dict[str, Any]] = []
    for repair in repair_open_warcs(OutputLayout(out).warc_dir(site), index=index_warc):
        done.append(repair.to_dict())
    json_dir = OutputLayout(out).records_dir(site)
    for path in sorted(json_dir.glob("*.jsonl")) if json_dir.is_dir() else []:
        if path.stem == current_run:
            continue
        try:
            fixed = repair_jsonl_tail(path)
        except OSError as exc:
            logger.warning("could not check %s for a half-written line: %s", path, exc)
            continue
        if fixed is not None:
            logger.warning("%s", fixed.message())
            done.append(fixed.to_dict())
    if index is not None:
        for result in reconcile_index(out, site, index, current_run=current_run):
            (logger.warning if result.fed else logger.info)("%s", result.message())
            done.append(result.to_dict())
    return done


def repair_jsonl_tail(path: Path) -> JsonlRepair | None:
    """Cut a half-written last line off ``path``; None when there is none, or when a live
    writer holds the file."""
    fd = os.open(path, os.O_RDWR)
    try:
        if not lock_exclusively(fd):
            return None
        size = os.fstat(fd).st_size
        if size == 0:
            return None
        if os.pread(fd, 1, size - 1) == b"\n":
            return None
        # Find the last newline, reading backwards in blocks (records can be long).
        end, keep = size, 0
        while end > 0:
            start = max(0, end - 65536)
            block = os.pread(fd, end - start, start)
            found = block.rfind(b"\n")
            if found >= 0:
                keep = start + found + 1
                break
            end = start
        os.ftruncate(fd, keep)
        os.fsync(fd)
        return JsonlRepair(str(path), size - keep)
    finally:
        os.close(fd)


def unfinished_runs(out: Path, site: str, *, current_run: str | None = None) -> list[Path]:
    """The site's JSON Lines files whose run did not close cleanly and were not recovered yet:
    no run report, or a report with ``index_consistent: false``."""
    json_dir = OutputLayout.at(out).records_dir(site)
    if not json_dir.is_dir():
        return []
    recovered = _recovered(Path(out), site)
    found = []
    for path in sorted(json_dir.glob("*.jsonl")):
        run_id = path.stem
        if run_id == current_run or path.name in recovered:
            continue
        report = OutputLayout.at(out).run_report(run_id)
        try:
            data = json.loads(report.read_text(encoding="utf-8"))
        except FileNotFoundError:
            found.append(path)
            continue
        except (OSError, ValueError):
            found.append(path)  # a report cut short: the run did not end well either
            continue
        if isinstance(data, dict) and data.get("index_consistent") is False:
            found.append(path)
    return found


def reconcile_index(
    out: Path, site: str, index: ArticleIndex, *, current_run: str | None = None
) -> list[Reconciled]:
    """Feed the records of unfinished runs that the index lacks back into it (in file order,
    so versions come in the order they were written), then mark each file done."""
    results = []
    for path in unfinished_runs(out, site, current_run=current_run):
        result = _reconcile_file(path, index)
        if result is None:
            continue  # its writer is alive (another worker's run): not ours to touch
        index.flush()  # durable before the file is marked done
        _mark_recovered(Path(out), site, result, current_run)
        results.append(result)
    return results


def _reconcile_file(path: Path, index: ArticleIndex) -> Reconciled | None:
    fd = os.open(path, os.O_RDONLY)
    try:
        if not lock_exclusively(fd):
            return None
        with os.fdopen(os.dup(fd), "rb") as handle:
            lines = handle.read().split(b"\n")
    finally:
        os.close(fd)
    records = fed = unreadable = 0
    for line in lines[:-1]:  # the part after the last newline is not a whole line
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            article_id, content_hash = record["id"], record["content_hash"]
        except (ValueError, KeyError, TypeError):
            unreadable += 1
            continue
        records += 1
        if index.has_version(article_id, content_hash):
            continue
        result = feed_record(index, record)
        if result.status != "unchanged":
            fed += 1
            if record.get("version") not in (None, result.version):
                logger.warning(
                    "%s: %s fed back as version %d, written as version %s",
                    path,
                    article_id,
                    result.version,
                    record.get("version"),
                )
    if unreadable:
        logger.warning(
            "%s: %s not JSON records: skipped",
            path,
            f"{count(unreadable, 'line')} {'is' if unreadable == 1 else 'are'}",
        )
    return Reconciled(str(path), path.stem, records, fed, unreadable)


def feed_record(index: ArticleIndex, record: dict[str, Any]) -> VersionResult:
    """Tell the index about a record that is written: its URLs, and its version as the crawl
    would have, confirmed at once (it is on disk already)."""
    article_id = record["id"]
    for url in record.get("urls") or [record.get("url")]:
        if url:
            index.add_sighting(article_id, url)
    # the record is written (it is right here): never hold its batch back
    return adopt(index, ArticleRecord.from_dict(record))


def _recovered_path(out: Path, site: str) -> Path:
    return OutputLayout(out).recovered_marker(site)


def _recovered(out: Path, site: str) -> set[str]:
    names: set[str] = set()
    try:
        text = _recovered_path(out, site).read_text(encoding="utf-8")
    except FileNotFoundError:
        return names
    for line in text.splitlines():
        try:
            names.add(json.loads(line)["jsonl"])
        except (ValueError, KeyError, TypeError):
            continue
    return names


def _mark_recovered(out: Path, site: str, result: Reconciled, by_run: str | None) -> None:
    path = _recovered_path(out, site)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(
        {
            "jsonl": Path(result.path).name,
            "records": result.records,
            "fed": result.fed,
            "by_run": by_run,
            "at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
    )
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, (line + "\n").encode("utf-8"))
    finally:
        os.close(fd)
