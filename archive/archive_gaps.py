"""What a site's archive lacks after a run that did not finish, or after damage, and the index
made to agree with it. Looked for at the start of a crawl, after ``archive.recovery``.

Two kinds of gap; the crawl fetches both again:

* **an article the index counts as archived whose latest version is not**: no readable JSON
  record of it (a line cut in half, records written but lost in a power cut while the index
  had committed), or its record's WARC capture cannot be read (a WARC cut short, the tail of
  a killed writer's file, a file gone). The index forgets the article and takes back the
  versions that are archived (a readable record with a readable capture), in order, so the
  article is fetched again and its lost version recorded anew, numbered where it was;
* **a picture of a recorded article that no WARC holds**: a run killed (or stopped by a full
  disk, or Ctrl-C) after an article's record but before its pictures. Later runs skip the
  article (it is known), so its pictures would never be asked again.

Payloads whose first capture is in a part of a WARC that cannot be read are forgotten by the
index too (``ArticleIndex.forget_captures``): the same bytes fetched again are
stored in full, not as a revisit of a record nobody can read.

Looking costs a read of every record file and of every WARC's CDXJ (the WARC itself when
its index is not current), so it is done only when something may be missing: the state file
``state/<site>.archive-check.json`` holds the size and modification time of every record
file and WARC as the last run that finished cleanly left them, and a file not there, changed
or gone makes the next crawl look. An archive without that file (a first run, or one made
before it existed) is looked at once; its pictures are then checked only for runs without
a clean run report.

Scrapy-free: ``scraper/spiders/refill.py`` asks here and requests what is missing.
"""

from __future__ import annotations

import json
import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archive.cdxj import CDXJ_SUFFIX, cdxj_path, index_is_current
from archive.index.model import ArticleIndex
from archive.latest_records import parse_record_line
from archive.layout import OutputLayout
from archive.recovery import feed_record
from archive.warc_reader import NotAWarc, iter_records
from archive.warc_records import OPEN_SUFFIX
from archive.wording import count
from scraper.sites.profile import SiteProfile
from scraper.sites.url_syntax import split_url

logger = logging.getLogger(__name__)

STATE_FORMAT = "newsarchive/archive-check/1"
_FINISHED = "finished"


@dataclass
class Gaps:
    """What the archive lacks: article id -> the URL to fetch it from again; picture URL ->
    the id of an article that shows it. ``reasons`` counts why articles are missing."""

    articles: dict[str, str] = field(default_factory=dict)
    pictures: dict[str, str] = field(default_factory=dict)
    reasons: Counter[str] = field(default_factory=Counter)
    forgotten_payloads: int = 0

    def message(self) -> str:
        why = ", ".join(f"{n} {reason}" for reason, n in sorted(self.reasons.items()))
        return (
            f"archive check: {count(len(self.articles), 'article')} fetched again"
            + (f" ({why})" if why else "")
            + f", {count(len(self.pictures), 'picture')} of recorded articles never archived "
            "asked again"
        )


@dataclass
class _Captures:
    """The site's WARCs as they can be read now."""

    responses: dict[str, set[int]] = field(default_factory=dict)  # file -> response offsets
    urls: set[str] = field(default_factory=set)  # every URL captured (response or revisit)
    readable_end: dict[str, int] = field(default_factory=dict)  # file -> where reading stops


def state_path(out: Path, site: str) -> Path:
    return OutputLayout(out).state_dir / f"{site}.archive-check.json"


def _site_files(out: Path, site: str) -> list[Path]:
    layout = OutputLayout(out)
    return [*layout.records_files(site), *_warc_files(layout.warc_dir(site))]


def _warc_files(warc_dir: Path) -> list[Path]:
    """The closed WARC (and ARC) files of a site's directory, sorted."""
    return sorted(
        p
        for p in (warc_dir.iterdir() if warc_dir.is_dir() else ())
        if p.is_file() and not p.name.endswith((CDXJ_SUFFIX, OPEN_SUFFIX)) and ".warc" in p.name
    )


def _signature(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _key(out: Path, path: Path) -> str:
    return str(path.relative_to(out))


def _load_state(out: Path, site: str) -> dict[str, list[int]] | None:
    try:
        data = json.loads(state_path(out, site).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {}  # unreadable: every file looks unsigned, so everything is looked at
    files = data.get("files") if isinstance(data, dict) else None
    return files if isinstance(files, dict) else {}


def _changed_files(
    out: Path, site: str, current_run: str | None, signed: dict[str, list[int]] | None
) -> tuple[list[Path], list[str]] | None:
    """The site's record files and WARCs not as the last clean run left them (``signed``,
    its state; None: no clean run yet), and whether a file it signed is gone; None when
    nothing changed (nothing to look for). The current run's own record file (open, empty at
    its start) is not looked at."""
    files = [p for p in _site_files(out, site) if p.name != f"{current_run}.jsonl"]
    if signed is None:
        return (files, []) if files else None
    changed = [p for p in files if signed.get(_key(out, p)) != _signature(p)]
    present = {_key(out, p) for p in files}
    gone = [name for name in signed if name not in present]
    return (changed, gone) if changed or gone else None


def mark_checked(out: Path, site: str) -> None:
    """Sign the site's files as they are now: called when a run finished cleanly (it asked
    again what was missing at its start), so the next crawl looks only if something changes."""
    out = Path(out)
    files = {_key(out, p): _signature(p) for p in _site_files(out, site)}
    path = state_path(out, site)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"format": STATE_FORMAT, "files": files}) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def find_gaps(
    out: Path,
    site: str,
    index: ArticleIndex,
    *,
    current_run: str | None,
    pictures: bool,
    per_article: int,
    profile: SiteProfile | None = None,
) -> Gaps | None:
    """Look for gaps when a file changed since the last clean run (None when none did); the
    index forgets what is missing (see the module docstring). Runs in a thread: it reads
    every record file and every WARC's index. With ``profile``, a picture on one of the
    site's hosts counts as archived when any of its mirrors' copies is (assets go through
    failover: the mirror that served it is the one in the WARC)."""
    out = Path(out)
    signed = _load_state(out, site)
    first_look = signed is None
    found = _changed_files(out, site, current_run, signed)
    if found is None:
        return None
    changed, gone = found
    layout = OutputLayout(out)
    captures = _read_captures(layout.warc_dir(site))
    for name in gone:  # a WARC gone: none of its payloads can be referred to
        if not name.endswith(".jsonl"):
            captures.readable_end.setdefault(Path(name).name, 0)
    gaps = Gaps()
    gaps.forgotten_payloads = index.forget_captures(captures.readable_end)
    by_article = _records_by_article(layout.records_files(site))
    for entry in index.export_latest():
        article_id = str(entry["id"])
        records = by_article.get(article_id, [])
        latest = next((r for r in records if r.get("content_hash") == entry["content_hash"]), None)
        if latest is None:
            reason = "without a readable record"
        elif not _captured(latest.get("warc"), captures):
            reason = "without a readable capture"
        else:
            continue
        url = (latest or {}).get("url") or next(iter(entry.get("urls") or []), None)
        if not url:
            continue
        gaps.reasons[reason] += 1
        gaps.articles[article_id] = str(url)
        _take_back(index, article_id, records, captures)
    index.flush()
    if pictures:
        archived = {_picture_key(url, profile) for url in captures.urls}
        suspect = {p for p in changed if p.suffix == ".jsonl"}
        if first_look:
            suspect = {p for p in suspect if not _finished_cleanly(layout, p.stem)}
        elif gone or len(suspect) < len(changed):  # a WARC changed: pictures may be lost in it
            suspect = {p for p in layout.records_files(site) if p.stem != current_run}
        for record in _latest_of(suspect):
            if record["id"] in gaps.articles:
                continue  # fetched again: its pictures come after it
            images = [i.get("url") for i in record.get("images") or [] if isinstance(i, dict)]
            for url in [u for u in images if isinstance(u, str) and u][:per_article]:
                if _picture_key(url, profile) not in archived:
                    gaps.pictures.setdefault(url, record["id"])
    return gaps


def _picture_key(url: str, profile: SiteProfile | None) -> str:
    """A picture's URL, or its path and query when on the site: the same on every mirror."""
    if profile is None or not profile.owns(url):
        return url
    parts = split_url(url)
    return url if parts is None else f"site:{parts.path}?{parts.query}"


def _finished_cleanly(layout: OutputLayout, run_id: str) -> bool:
    try:
        report = json.loads(layout.run_report(run_id).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(report, dict) and report.get("finish_reason") == _FINISHED


def _records_by_article(files: Iterable[Path]) -> dict[str, list[dict[str, Any]]]:
    """Every readable record, by article, in the order written."""
    found: dict[str, list[dict[str, Any]]] = {}
    for record in _records(files):
        found.setdefault(record["id"], []).append(record)
    return found


def _records(files: Iterable[Path]) -> Iterator[dict[str, Any]]:
    for path in files:
        try:
            with path.open("r", encoding="utf-8", errors="replace") as lines:
                for line in lines:
                    record, _ = parse_record_line(line) if line.strip() else (None, "")
                    if record is not None and isinstance(record.get("content_hash"), str):
                        yield record
        except OSError as exc:
            logger.warning("archive check: cannot read %s: %s", path, exc.strerror or exc)


def _latest_of(files: Iterable[Path]) -> list[dict[str, Any]]:
    latest: dict[str, dict[str, Any]] = {}
    for record in _records(sorted(files)):
        latest[record["id"]] = record
    return list(latest.values())


def _captured(pointer: Any, captures: _Captures) -> bool:
    if not isinstance(pointer, dict):
        return True  # a record without a capture (extract, a replay of a foreign file)
    offsets = captures.responses.get(str(pointer.get("filename")))
    return offsets is not None and pointer.get("offset") in offsets


def _take_back(
    index: ArticleIndex, article_id: str, records: list[dict[str, Any]], captures: _Captures
) -> None:
    """The index forgets the article, then takes back its versions that are archived (a
    record with a readable capture), in the order written: the lost version, fetched again,
    is numbered where it was."""
    index.forget(article_id)
    for record in records:
        if _captured(record.get("warc"), captures):
            feed_record(index, record)


def _read_captures(warc_dir: Path) -> _Captures:
    captures = _Captures()
    for path in _warc_files(warc_dir):
        if index_is_current(path):
            _from_cdxj(path, captures)
        else:
            _from_warc(path, captures)
    return captures


def _from_cdxj(warc: Path, captures: _Captures) -> None:
    offsets = captures.responses.setdefault(warc.name, set())
    captures.readable_end[warc.name] = warc.stat().st_size
    with cdxj_path(warc).open("r", encoding="utf-8", errors="replace") as lines:
        for line in lines:
            try:
                fields = json.loads(line.split(" ", 2)[2])
                offset, url, mime = int(fields["offset"]), fields["url"], fields.get("mime")
            except (IndexError, ValueError, KeyError, TypeError):
                continue
            captures.urls.add(url)
            if mime != "warc/revisit":
                offsets.add(offset)


def _from_warc(warc: Path, captures: _Captures) -> None:
    offsets = captures.responses.setdefault(warc.name, set())
    stopped: list[int] = []
    end = 0
    try:
        for record in iter_records(warc, lambda problem: stopped.append(problem.offset)):
            if record.type in ("response", "revisit") and record.target_uri:
                captures.urls.add(record.target_uri)
                if record.type == "response":
                    offsets.add(record.offset)
            end = record.offset + 1
    except (NotAWarc, OSError) as exc:
        logger.warning("archive check: cannot read %s: %s", warc, exc)
        stopped.append(0)
    # payloads captured from the first unreadable record on are lost
    captures.readable_end[warc.name] = min(stopped) if stopped else max(end, warc.stat().st_size)
