"""Write every HTTP exchange the downloader completes into rotating WARC files.

``response_downloaded`` fires with the response straight from the download handler, before
any downloader middleware: bodies are still Content-Encoded, and redirects, error statuses
and robots.txt fetches are all seen. Responses that never touch the network (HTTP cache
hits) do not fire it, so they are not archived twice.

With the run's persistent index (``ArchiveRun.of(crawler).index``)
bytes captured before (this run, another mirror, an earlier run) are written as a revisit
record referring to their first capture, and a 304 to a conditional request as a
server-not-modified revisit of the capture named in ``request.meta["revisit_of"]``.
"""

from __future__ import annotations

import logging
from collections.abc import Container
from datetime import datetime, timedelta, timezone
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from archive.capture_context import CONTENT_TYPE as CONTEXT_CONTENT_TYPE
from archive.capture_context import CaptureContext
from archive.cdxj import index_warc
from archive.disk_space import is_disk_full
from archive.warc_pointer import WarcCapture, WarcPointer
from archive.warc_reader import read_record_at
from archive.warc_records import (
    OPEN_SUFFIX,
    SERVER_NOT_MODIFIED,
    HttpExchange,
    Revisit,
    WrittenExchange,
    sha1_digest,
)
from archive.warc_writer import RotatingWarcWriter
from scraper import signals as newsarchive_signals
from scraper.disk_full import stop_for_disk_full
from scraper.run import ArchiveRun
from scraper.run_stop import stopped_by

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Headers, Request, Response
    from typing_extensions import Self

    from archive.index.model import ArticleIndex
    from scraper.sites.profile import SiteProfile

logger = logging.getLogger(__name__)

# Scrapy's own HTTP/2 handler reports "h2"; WARC readers expect an HTTP-version token.
_PROTOCOL_NAMES = {"h2": "HTTP/2"}
# Sent only to a proxy, and a credential: never belongs in a shareable archive.
_UNARCHIVED_REQUEST_HEADERS = {"proxy-authorization"}


def reason_phrase(status: int) -> str:
    # Twisted parses the status line but Scrapy keeps only the code.
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def header_pairs(headers: Headers, skip: Container[str] = frozenset()) -> list[tuple[str, str]]:
    """Every value of every header, repeated ones kept in order, bytes decoded losslessly."""
    pairs: list[tuple[str, str]] = []
    for name, values in headers.items():
        text_name = name.decode("latin-1")
        if text_name.lower() in skip:
            continue
        pairs.extend((text_name, value.decode("latin-1")) for value in values)
    return pairs


def exchange_from(request: Request, response: Response, received: datetime) -> HttpExchange:
    protocol = response.protocol or "HTTP/1.1"
    protocol = _PROTOCOL_NAMES.get(protocol, protocol)
    # HTTP/1.x clients always send HTTP/1.1, even when the server answers HTTP/1.0.
    request_protocol = "HTTP/1.1" if protocol.startswith("HTTP/1") else protocol
    request_headers = header_pairs(request.headers, _UNARCHIVED_REQUEST_HEADERS)
    if request.body and not any(n.lower() == "content-length" for n, _ in request_headers):
        # Added by the HTTP client on the wire, not present in request.headers.
        request_headers.append(("Content-Length", str(len(request.body))))
    latency = request.meta.get("download_latency")
    # WARC-Date is when capture began: the moment the request went out.
    started = received - timedelta(seconds=latency) if latency else received
    return HttpExchange(
        url=response.url,
        method=request.method,
        request_headers=request_headers,
        request_body=request.body,
        protocol=protocol,
        status=response.status,
        reason=reason_phrase(response.status),
        response_headers=header_pairs(response.headers),
        payload=response.body,
        ip_address=str(response.ip_address) if response.ip_address is not None else None,
        date=started,
        request_protocol=request_protocol,
    )


class WarcCaptureExtension:
    """Settings: ARCHIVE_WARC_ENABLED, ARCHIVE_DIR, ARCHIVE_WARC_MAX_BYTES,
    ARCHIVE_WARC_GZIP_LEVEL, ARCHIVE_CDXJ_ENABLED (each closed WARC gets a ``<name>.cdxj``
    index beside it, written by the writer's finisher thread, so indexing never runs on the
    reactor thread); defaults in scraper/settings.py.

    Output: ``<ARCHIVE_DIR>/warc/<site>/``; each request gets ``meta["warc"]``, an
    ``archive.warc_pointer.WarcCapture`` of the record written for its response (a
    ``"response"`` or a ``"revisit"``). A revisit's payload is in another record, so a revisit
    also points at the capture it refers to (``refers_to``: None only for a 304 whose
    ``revisit_of`` meta did not say where that capture is).

    Deduplication needs the run's index (an ``ArticleIndex``; without one every exchange
    is a full response, as before):

    * a non-empty payload whose digest the index knows is written as an
      identical-payload-digest revisit of its first capture; otherwise as a response that
      becomes the first capture (``record_payload``). Empty payloads are never deduplicated:
      the revisit would be no smaller and would point at an unrelated record.
    * a 304 with ``request.meta["revisit_of"] = {"target_uri", "warc_date", "record_id"}``
      (optionally ``"filename"``, ``"offset"``) is written as a server-not-modified revisit
      of that capture, index or not; without that meta, as a plain response.

    Stats: ``archive/warc/revisits`` counts every revisit record, ``archive/warc/not_modified``
    the server-not-modified ones among them.
    """

    def __init__(self, crawler: Crawler) -> None:
        settings = crawler.settings
        if not settings.getbool("ARCHIVE_WARC_ENABLED"):
            raise NotConfigured("ARCHIVE_WARC_ENABLED is off")
        self.crawler = crawler
        self.max_bytes = settings.getint("ARCHIVE_WARC_MAX_BYTES")
        self.gzip_level = settings.getint("ARCHIVE_WARC_GZIP_LEVEL")
        self.cdxj_enabled = settings.getbool("ARCHIVE_CDXJ_ENABLED")
        if self.max_bytes <= 0 or not 0 <= self.gzip_level <= 9:
            raise ValueError(
                "ARCHIVE_WARC_MAX_BYTES must be > 0 and ARCHIVE_WARC_GZIP_LEVEL 0..9, got "
                f"{self.max_bytes} and {self.gzip_level}"
            )
        self.writer: RotatingWarcWriter | None = None
        self.run: ArchiveRun | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.response_downloaded, signal=signals.response_downloaded)
        crawler.signals.connect(self.capture_context, signal=newsarchive_signals.capture_context)
        crawler.signals.connect(self.profile_changed, signal=newsarchive_signals.profile_changed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def spider_opened(self) -> None:
        spider = self.crawler.spider
        run = self.run = ArchiveRun.of(self.crawler)
        settings = self.crawler.settings
        user_agent = getattr(spider, "user_agent", None) or settings.get("USER_AGENT", "")
        self.writer = RotatingWarcWriter(
            run.warc_dir,
            run.site,
            max_bytes=self.max_bytes,
            gzip_level=self.gzip_level,
            on_finished=index_warc if self.cdxj_enabled else None,
            profile_toml=run.profile.text if run.profile is not None else None,
            warcinfo={
                "isPartOf": run.site,
                "http-header-user-agent": user_agent,
                "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            },
        )

    def profile_changed(self, profile: SiteProfile) -> None:
        if self.writer is not None and profile.text:
            self.writer.set_profile(profile.text)

    def spider_closed(self) -> None:
        if self.writer is None:
            return
        writer, self.writer = self.writer, None
        try:
            writer.close()
        finally:
            self._count_files(writer)

    def response_downloaded(self, response: Response, request: Request) -> None:
        writer = self.writer
        if writer is None or not response.url.startswith(("http://", "https://")):
            # data:, file:, ftp:, s3: downloads are not HTTP exchanges.
            return
        stats = self.crawler.stats
        assert stats is not None
        if stopped_by(self.crawler):
            # Out of space: what room there is goes to closing cleanly. These responses'
            # records are not written either: their articles are fetched again next run.
            stats.inc_value("archive/warc/skipped/disk_full")
            return
        index = self.run.index if self.run is not None else None
        before = writer.bytes_written
        try:
            exchange = exchange_from(request, response, datetime.now(timezone.utc))
            digest = sha1_digest(exchange.payload)  # once: for the index lookup and the record
            revisit, refers_to = self._revisit_for(exchange, digest, request, index)
            written = writer.write_exchange(exchange, revisit, digest)
        except (OSError, ValueError) as exc:
            self._write_failed(writer, exc, f"WARC capture failed for {response.url}")
            return
        # the record's WARC-Date, so the article's fetched_at can be rebuilt from the WARC
        captured = WarcCapture(written.pointer, written.warc_date, written.record_type, refers_to)
        if revisit is not None:
            stats.inc_value("archive/warc/revisits")
            if revisit.profile == SERVER_NOT_MODIFIED:
                stats.inc_value("archive/warc/not_modified")
        elif index is not None and exchange.status != 304 and exchange.payload:
            self._remember_capture(index, written)
        request.meta["warc"] = captured
        stats.inc_value("archive/warc/exchanges")
        stats.inc_value("archive/warc/bytes", writer.bytes_written - before)
        self._count_files(writer)

    def capture_context(self, response: Response, context: CaptureContext) -> None:
        """A metadata record beside the capture of ``response`` (see archive.capture_context)."""
        writer, captured = self.writer, response.meta.get("warc")
        if writer is None or captured is None or stopped_by(self.crawler):
            return
        try:
            writer.write_metadata(
                captured.pointer.record_id,
                CONTEXT_CONTENT_TYPE,
                context.to_block(),
                datetime.now(timezone.utc),
            )
        except (OSError, ValueError) as exc:
            self._write_failed(writer, exc, f"WARC metadata record failed for {response.url}")
            return
        self._inc("archive/warc/metadata")

    def _write_failed(self, writer: RotatingWarcWriter, exc: BaseException, what: str) -> None:
        self._inc("archive/warc/errors")
        if is_disk_full(exc):
            # The writer cut the half record off; stop cleanly (one line, no traceback).
            target = writer.current_path or writer.directory
            stop_for_disk_full(self.crawler, target, exc)
            return
        # Keep crawling; the run report reads the error count and the log has the cause.
        logger.exception("%s", what)

    def _revisit_for(
        self, exchange: HttpExchange, digest: str, request: Request, index: ArticleIndex | None
    ) -> tuple[Revisit | None, WarcPointer | None]:
        """The revisit to write instead of a response, and the pointer it refers to."""
        if exchange.status == 304:
            original = request.meta.get("revisit_of")
            if not original:
                return None, None
            try:
                revisit = Revisit(
                    SERVER_NOT_MODIFIED,
                    target_uri=self._archived_target(original) or original["target_uri"],
                    warc_date=original["warc_date"],
                    record_id=original["record_id"],
                )
            except (KeyError, TypeError, ValueError):
                # A bad hint must not cost the capture: keep the 304 as a plain response.
                logger.warning("ignoring malformed revisit_of %r for %s", original, exchange.url)
                return None, None
            located = original.get("filename") and original.get("offset") is not None
            return revisit, WarcPointer.from_dict(original) if located else None
        if index is None or not exchange.payload:
            return None, None
        try:
            capture = index.first_capture(digest)
        except Exception:  # an unreadable index must not cost the capture: store it in full
            logger.exception("payload lookup failed for %s", exchange.url)
            self._inc("archive/warc/index_errors")
            return None, None
        if capture is None:
            return None, None
        return Revisit.of(capture), WarcPointer(capture.filename, capture.offset, capture.record_id)

    def _archived_target(self, original: dict[str, Any]) -> str | None:
        """The Target-URI of the record a 304 refers to, read from the WARC: the index knows
        the record but not which of the article's URLs it was fetched under, and WARC 1.1
        wants WARC-Refers-To-Target-URI to be that record's own."""
        if self.run is None or not original.get("filename") or original.get("offset") is None:
            return None
        path = self.run.warc_dir / original["filename"]
        for candidate in (path, path.with_name(path.name + OPEN_SUFFIX)):
            try:
                record = read_record_at(candidate, int(original["offset"]))
            except (OSError, ValueError):
                continue
            if record.record_id == original.get("record_id"):
                return record.target_uri
        return None

    def _remember_capture(self, index: ArticleIndex, written: WrittenExchange) -> None:
        assert written.payload_digest is not None
        try:
            index.record_payload(
                written.payload_digest,
                target_uri=written.target_uri,
                warc_date=written.warc_date,
                record_id=written.record_id,
                filename=written.filename,
                offset=written.offset,
            )
        except Exception:  # the record is written; only later deduplication is lost
            logger.exception("could not index payload of %s", written.target_uri)
            self._inc("archive/warc/index_errors")

    def _inc(self, key: str) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value(key)

    def _count_files(self, writer: RotatingWarcWriter) -> None:
        assert self.crawler.stats is not None
        self.crawler.stats.set_value("archive/warc/files", writer.files_opened)
