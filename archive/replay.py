"""Replay: article records rebuilt from WARC files alone.

The WARC is the source of truth and the JSON a view of it: every archived response (and every
revisit, resolved to the payload it refers to) on an article URL of a known site goes through
the same page objects and the same deduplication as in a crawl, in capture order, and the
records come out in the crawl's JSON Lines layout. What only the crawl knew (the URLs an
article was linked under; which captures were mirror copies fetched for comparison) is read
from the metadata records the crawl wrote beside its captures (``archive.capture_context``).

Extraction runs in a process pool while this process reads the files; results are taken in
capture order, so versions and duplicates come out as the crawl numbered them.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

from archive.archive_paths import SkippedPath
from archive.article_keeper import ArticleKeeper, screen
from archive.capture_context import ARTICLE, MIRROR_COPY, CaptureContext, parse_context
from archive.disk_space import DISK_FULL_REASON, disk_full_line, is_disk_full
from archive.extraction import ArticleResult, ExtractionPool, extract_article
from archive.index.open import open_index
from archive.layout import OutputLayout
from archive.limits import MAX_EXTRACT_BYTES
from archive.outcomes import NO_ARTICLE, NOT_MODIFIED, UNCHANGED
from archive.records import article_record
from archive.recovery import recover_site
from archive.replay_profiles import ProfileChooser, is_profile_record
from archive.replay_progress import ReplayProgress
from archive.run_report import RunReport, new_run_id
from archive.search.sink import records_sink
from archive.site_lock import SiteLock
from archive.warc_pointer import WarcPointer
from archive.warc_reader import (
    ArchivedRecord,
    NotAWarc,
    PayloadError,
    PayloadTooLarge,
    ReadProblem,
    RevisitResolver,
    archive_files,
    iter_records,
    read_record_at,
)
from archive.warc_records import SERVER_NOT_MODIFIED
from scraper.sites.profile import ArticleUrl, SiteProfile

# A capture in a file newsarchive wrote waits this many records for its capture context (the
# crawl writes it once the page is parsed: normally within the next few dozen records).
CONTEXT_LOOKAHEAD = 5_000
# Pages handed to the extraction workers and not yet done: enough to keep every worker busy,
# few enough that payloads waiting in the queue stay a few MB.
IN_FLIGHT_PER_WORKER = 16


@dataclass
class Capture:
    """An archived page on an article URL, waiting for its extraction and its context."""

    seq: int  # records read before it: how long it has waited for its context
    profile: SiteProfile
    url: str
    fetched_at: str | None
    pointer: WarcPointer  # where its payload is: the response, or the one a revisit refers to
    record_id: str | None
    waits_for_context: bool
    result: Future[ArticleResult | None]  # None: the same payload as the article's previous capture
    context: CaptureContext | None = None
    article: ArticleUrl | None = None  # its URL's match, made once to choose its profile
    article_id: str = ""
    payload: tuple[str, str | None] | None = None  # (payload digest, Content-Type)
    source: Path | None = None  # the file its payload is in


_WARNING_EXAMPLES = 20


def _ignore_problem(problem: ReadProblem) -> None:
    """A first pass's problem: the replay proper reports it."""


@dataclass
class ReplayResult:
    report: RunReport
    records: int  # JSON records written
    report_path: Path


class Replay:
    """``Replay(out, profiles).run(paths)``; ``profiles`` are tried by host in order, or
    ``forced`` takes every article URL it matches whatever the host."""

    def __init__(
        self,
        out: Path,
        profiles: Iterable[SiteProfile],
        *,
        forced: SiteProfile | None = None,
        embedded: bool = False,
        workers: int = 0,
        max_extract_bytes: int = MAX_EXTRACT_BYTES,
        progress: Callable[[ReplayProgress], None] | None = None,
        lookup_digest: Callable[[str], tuple[Path, int] | None] | None = None,
    ) -> None:
        """``lookup_digest``: where the first capture of a payload digest is (a crawl's dedup
        index), for revisits whose original is in none of the files replayed."""
        self.out = out
        self.chooser = ProfileChooser(list(profiles), forced=forced, embedded=embedded)
        self.pool = ExtractionPool(workers)
        self.max_extract_bytes = max_extract_bytes
        self.in_flight_limit = max(1, workers) * IN_FLIGHT_PER_WORKER
        self.run_id = new_run_id("replay")
        # The sites chosen (--site); without a choice, those read, known at the end: a site
        # merely tried (every built-in) is not named on an archive that holds none of it.
        self.embedded = embedded
        sites = "" if embedded else ",".join(p.name for p in self.chooser.profiles)
        self.report = RunReport(
            run_id=self.run_id,
            site=sites,
            started_at=datetime.now(timezone.utc).isoformat(),
            options={"out": str(out)},
        )
        self.resolver = RevisitResolver(lookup_digest)
        self.pending: deque[Capture] = deque()
        self.waiting: dict[str, Capture] = {}  # capture record id -> capture awaiting its context
        self.keepers: dict[str, ArticleKeeper] = {}  # site -> its index and records file
        self.locks: list[SiteLock] = []  # the site lock of each index written
        # article id -> (payload digest, Content-Type) of its latest capture read, and of the
        # latest whose text is the article's latest version: the same bytes again need no parsing
        self.last_payload: dict[str, tuple[str, str | None]] = {}
        self.versioned_payload: dict[str, tuple[str, str | None]] = {}
        self.seq = 0
        self.progress = ReplayProgress(progress)
        self._ours: bool = False  # the file being read was written by newsarchive
        self.warning_examples: list[str] = []
        # the files after the one being read, scanned for originals once a revisit needs it
        self._files_ahead: list[Path] = []
        self._scanned_ahead = False

    # -- driving --------------------------------------------------------------------------

    def run(self, paths: Iterable[Path]) -> ReplayResult:
        files = archive_files(paths, on_skip=self._skipped_file)
        self.progress.start(files)
        self.report.finish_reason = "finished"
        try:
            for number, path in enumerate(files):
                if not self._scanned_ahead:
                    self._files_ahead = files[number + 1 :]
                self._read_file(path)
            while self.pending:
                self._finish(self.pending.popleft())
        except (OSError, sqlite3.Error) as exc:
            if not is_disk_full(exc):
                raise
            self._stop_for_disk_full(exc)
        finally:
            self.pool.close()
            self._close_outputs()
        self.progress.done()
        self.report.finished_at = datetime.now(timezone.utc).isoformat()
        self.report.stats = {
            "files": len(files),
            "records": self.seq,
            "bytes": self.progress.total_bytes,
            "read_warning_examples": self.warning_examples,
            "hosts_read_as_site": self.chooser.adopted_hosts,
            "embedded_profiles_not_used": self.chooser.not_held,
        }
        self.report.notices.extend(self.chooser.notices())
        self.report.notices.extend(self.report.coverage.selector_notices())
        written = sum(keeper.written for keeper in self.keepers.values())
        if self.embedded:  # the sites that have records
            self.report.site = ",".join(
                sorted(name for name, keeper in self.keepers.items() if keeper.written)
            )
        if self.chooser.captures and not self.report.outcomes["replay/article_captures"]:
            # Not one article among the captures: the wrong profile, not an unchanged archive.
            self.report.alerts.append(f"no article read: {self.chooser.nothing_written()}")
        report_path = self.report.write(OutputLayout(self.out).runs_dir)
        return ReplayResult(self.report, written, report_path)

    def _stop_for_disk_full(self, exc: BaseException) -> None:
        """Stop reading; what was written stays whole (the JSON Lines writer cuts a failed
        line back), and the report says where the disk filled."""
        where = getattr(exc, "filename", None) or self.out
        self.report.finish_reason = DISK_FULL_REASON
        self.report.stopped_by = disk_full_line(where, exc)

    def _close_outputs(self) -> None:
        """Close every writer and index; on a full disk a close may fail too (the index's
        last commit): the first such failure stops the replay, the other closes still run."""
        closes = [k.close for k in self.keepers.values()]
        closes += [k.index.close for k in self.keepers.values() if k.index is not None]
        closes += [lock.release for lock in self.locks]
        for close in closes:
            try:
                close()
            except (OSError, sqlite3.Error) as exc:
                if not is_disk_full(exc):
                    raise
                if self.report.stopped_by is None:
                    self._stop_for_disk_full(exc)

    def _original_of(self, revisit: ArchivedRecord) -> ArchivedRecord | None:
        """The revisit's original among the files read so far; else, once per replay, the
        files still ahead are scanned for where their captures are (only locations are kept;
        what cannot be read is reported when the replay reaches it): an original in a file
        that sorts after its revisit is found, and archives in order are read only once."""
        original = self.resolver.resolve(revisit)
        if original is None and not self._scanned_ahead:
            self._scanned_ahead = True
            for path in self._files_ahead:
                try:
                    for record in iter_records(path, _ignore_problem):
                        self.resolver.remember(record)
                except (NotAWarc, OSError):
                    continue
            original = self.resolver.resolve(revisit)
        return original

    def _read_file(self, path: Path) -> None:
        self._ours = False
        self.chooser.start_file()
        try:
            for record in iter_records(path, self._problem):
                self.seq += 1
                self._read(record)
                self.progress.advance(record.offset + record.length)
                self._take_ready()
        except NotAWarc as exc:
            self._fail(str(path), 0, f"not a WARC or ARC file: {exc}")
        except OSError as exc:
            if is_disk_full(exc):  # writing what was read: not this file's fault
                raise
            self._fail(str(path), 0, f"unreadable: {exc.strerror or exc}")
        self.progress.file_done(path)

    def _skipped_file(self, skipped: SkippedPath) -> None:
        self.report.fail(str(skipped.path), f"{skipped.path}: {skipped.reason}", "warc_file")
        self.progress.problems += 1

    def _problem(self, problem: ReadProblem) -> None:
        self._fail(str(problem.path), problem.offset, problem.reason)

    def _fail(self, where: str, offset: int, reason: str, url: str | None = None) -> None:
        self.report.fail(url or where, f"{where} at offset {offset}: {reason}", "warc_record")
        self.progress.problems += 1

    # -- reading --------------------------------------------------------------------------

    def _read(self, record: ArchivedRecord) -> None:
        self.resolver.remember(record)
        kind = record.type
        if kind == "warcinfo":
            software = _warcinfo_field(record.payload, b"software")
            self._ours = software.startswith("newsarchive/")
        elif is_profile_record(record):
            unusable = self.chooser.read_embedded(record)
            if unusable is not None:
                self.report.fail(str(record.path), unusable, "warc_record")
        elif kind == "metadata":
            self._context(record)
        elif kind in ("response", "revisit") and record.target_uri:
            self._capture(record)

    def _too_large(self, record: ArchivedRecord) -> str:
        """Archived, and left so: a page object would need 30-50 times the page's size."""
        return f"{record.target_uri}: too large to extract (over {self.max_extract_bytes:,} bytes)"

    def _note_warnings(self, record: ArchivedRecord) -> None:
        """A quirk the reader repaired (a lying header, a spoilt ARC line): read, not skipped,
        but counted and shown, so nobody mistakes the archive for a clean one."""
        if not record.warnings:
            return
        self.report.count("replay/read_with_warnings")
        if len(self.warning_examples) < _WARNING_EXAMPLES:
            where = f"{record.filename} at offset {record.offset}"
            self.warning_examples.append(f"{where}: {'; '.join(record.warnings)}")

    def _context(self, record: ArchivedRecord) -> None:
        context = parse_context(record.content_type, record.payload)
        if context is None or record.refers_to is None:
            return
        # The crawl writes a context after its capture, so the capture is waiting for it; one
        # whose capture was not a candidate (blocked, an error status) is of no use.
        capture = self.waiting.pop(record.refers_to, None)
        if capture is not None:
            capture.context = context

    def _capture(self, record: ArchivedRecord) -> None:
        assert record.target_uri is not None
        claimed = self.chooser.article(record.target_uri)
        if claimed is None:
            return
        profile, article = claimed
        self.report.count("replay/article_captures")
        if record.type == "revisit" and (
            record.revisit_profile == SERVER_NOT_MODIFIED or record.http_status == 304
        ):
            self.report.count(NOT_MODIFIED)  # the crawl recorded nothing for a 304
            return
        if record.http_status != 200:
            self.report.count(f"replay/skipped_status/{record.http_status}")
            return
        source = record
        if record.type == "revisit":
            original = self._original_of(record)
            if original is None:
                self._fail(
                    str(record.path),
                    record.offset,
                    f"revisit of {record.refers_to or record.payload_digest} not found in the "
                    "files replayed",
                    record.target_uri,
                )
                return
            source = original
        try:
            body = source.body(limit=self.max_extract_bytes)
        except PayloadTooLarge:
            self._fail(str(source.path), source.offset, self._too_large(source), record.target_uri)
            return
        except PayloadError as exc:
            self._fail(str(source.path), source.offset, str(exc), record.target_uri)
            return
        self._note_warnings(source)
        content_type = record.http_header("Content-Type")
        refusal = screen(profile, body, content_type)
        if refusal is not None:
            # As the crawl: never a record; and a block page is counted, not failed: the
            # crawl went on to the next mirror for it.
            self.report.count(f"replay/{refusal.reason}")
            return
        article_id = profile.article_id(article)
        payload = (record.payload_digest, content_type) if record.payload_digest else None
        if payload is not None and self.last_payload.get(article_id) == payload:
            # The bytes of this article's previous capture again (a re-check, another mirror):
            # the same text for certain, so the outcome is known without parsing the page.
            future: Future[ArticleResult | None] = Future()
            future.set_result(None)
        else:
            future = self.pool.submit(
                partial(extract_article, links=False, simhash=True, fields=profile.fields),
                profile.extractor,
                record.target_uri,
                body,
                content_type,
                profile.timezone,
            )
        if payload is not None:
            self.last_payload[article_id] = payload
        pointer = source.pointer()
        capture = Capture(
            self.seq,
            profile,
            record.target_uri,
            record.date,
            pointer,
            record.record_id,
            self._ours,
            future,
            article=article,
            article_id=article_id,
            payload=payload,
            source=source.path,
        )
        if record.record_id is not None and self._ours:
            self.waiting[record.record_id] = capture
        self.pending.append(capture)

    # -- finishing, in capture order --------------------------------------------------------

    def _take_ready(self) -> None:
        """Finish the oldest captures that are ready; wait for extraction only when too many
        pages are in flight (that bounds memory), never for a context past the lookahead."""
        while self.pending:
            head = self.pending[0]
            if self._needs_context(head):
                break
            if not head.result.done() and len(self.pending) <= self.in_flight_limit:
                break
            self._finish(self.pending.popleft())
        # Too many pages handed out (a head waiting for its context lets them pile up): wait
        # for the oldest still being parsed, so the workers keep a queue while this reads on.
        while len(self.pending) > self.in_flight_limit:
            busy = next((c for c in self.pending if not c.result.done()), None)
            if busy is None:
                break
            busy.result.exception()

    def _needs_context(self, capture: Capture) -> bool:
        if capture.context is not None or not capture.waits_for_context:
            return False
        if self.seq - capture.seq > CONTEXT_LOOKAHEAD:
            self.waiting.pop(capture.record_id or "", None)
            return False
        return True

    def _finish(self, capture: Capture) -> None:
        if capture.record_id is not None:
            self.waiting.pop(capture.record_id, None)
        try:
            result = capture.result.result()
        except Exception as exc:  # a page object bug on one page must not stop the replay
            self._fail(
                capture.pointer.filename,
                capture.pointer.offset,
                f"extraction error: {type(exc).__name__}: {exc}",
                capture.url,
            )
            return
        context = capture.context
        if context is not None and context.page_type == MIRROR_COPY:
            self.report.count("replay/mirror_copy")  # compare mode's evidence, never a record
            return
        if result is None:
            if self.versioned_payload.get(capture.article_id) == capture.payload:
                self.report.count(UNCHANGED)
                self.report.count("replay/same_payload")
                return
            # the earlier capture with these bytes did not set the article's text (a mirror
            # copy, say): parse this one after all
            result = self._extract_now(capture)
            if result is None:
                return
        if result.article is None:
            self.report.count(f"replay/{NO_ARTICLE}")
            return
        urls = (
            context.urls if context is not None and context.page_type == ARTICLE else [capture.url]
        )
        record = article_record(
            capture.profile,
            capture.url,
            result.article,
            urls=list(urls),
            fetched_at=capture.fetched_at,
            warc=capture.pointer,
            article=capture.article,
        )
        keeper = self._keeper(capture.profile)
        assert keeper.index is not None
        latest = keeper.index.latest_version(record.id)
        if latest is not None and _not_after(capture.fetched_at, latest.fetched_at):
            # Replayed before (a directory with state): history is not re-versioned.
            self.report.count("replay/already_versioned")
            self.versioned_payload.pop(capture.article_id, None)
            return
        kept = keeper.keep(record, result.simhash)
        if capture.payload is not None:
            # recorded or not, the article's latest version now has this page's text
            self.versioned_payload[capture.article_id] = capture.payload
        for outcome in kept.outcomes:
            self.report.count(outcome)
        if kept.written:
            # the record's fields as they are: the sink made its JSON object already, and
            # coverage reads none of the fields that making it changes (``warc``)
            self.report.coverage.add(vars(kept.record), capture.profile.fields.names)
            self.progress.articles += 1

    def _extract_now(self, capture: Capture) -> ArticleResult | None:
        assert capture.source is not None
        try:
            source = read_record_at(capture.source, capture.pointer.offset)
            return extract_article(
                capture.profile.extractor,
                capture.url,
                source.body(limit=self.max_extract_bytes),
                source.http_header("Content-Type"),
                capture.profile.timezone,
                links=False,
                simhash=True,
                fields=capture.profile.fields,
            )
        except Exception as exc:  # as for any page: reported, and the replay goes on
            self._fail(
                capture.pointer.filename,
                capture.pointer.offset,
                f"extraction error: {type(exc).__name__}: {exc}",
                capture.url,
            )
            return None

    def _keeper(self, profile: SiteProfile) -> ArticleKeeper:
        keeper = self.keepers.get(profile.name)
        if keeper is None:
            layout = OutputLayout(self.out)
            # One run per site and directory, as for crawls: a crawl writing this index now
            # would version articles twice (raises LockHeld, held until the replay ends).
            self.locks.append(SiteLock(layout.site_lock(profile.name)).acquire(job="replay"))
            path = layout.index_file(profile.name)
            path.parent.mkdir(parents=True, exist_ok=True)
            index = open_index(path)
            # As in a crawl: no version reaches the index before its record is written (the
            # keeper holds them), and what a killed run (crawl or replay) wrote but the index
            # lost is fed back first, so a replay killed at any moment and run again neither
            # loses nor repeats one.
            keeper = self.keepers[profile.name] = ArticleKeeper(
                index, records_sink(layout, profile.name, self.run_id)
            )
            self.report.repairs += recover_site(
                self.out, profile.name, index, current_run=self.run_id
            )
        return keeper


def _not_after(fetched_at: str | None, latest: str | None) -> bool:
    # WARC dates are UTC ISO 8601 (ours always with microseconds): comparable as text.
    return bool(fetched_at and latest) and fetched_at <= latest  # type: ignore[operator]


def _warcinfo_field(block: bytes, name: bytes) -> str:
    for line in block.splitlines():
        key, sep, value = line.partition(b":")
        if sep and key.strip().lower() == name:
            return value.strip().decode("utf-8", "replace")
    return ""
