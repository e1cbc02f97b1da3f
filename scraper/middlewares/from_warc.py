"""Offline crawl: responses served from WARC files instead of the network.

``newsarchive crawl SITE --from-warc DIR`` (setting ``ARCHIVE_FROM_WARC``) runs the spider as
usual, but every request is answered from the archive: the latest capture of its URL, revisits
resolved to the payload they refer to, stored headers and status as the server sent them
(Content-Encoding included, so Scrapy's decompression, redirect and failover middlewares see
what they saw online). A changed spider or profile can be tried on an old crawl this way.

A URL that is not in the archive is a miss: ``NotInArchive`` (``scraper.crawl_failures``) is
raised like a download error, so mirror failover asks the next mirror's copy of the same path
(the archive may hold the page from whichever mirror answered), and a page no mirror has is
a failure in the run report.
Stats: ``archive/from_warc/hit``, ``archive/from_warc/miss``, ``archive/from_warc/records``.

Sits last before the download handler (process_request), so robots.txt, failover routing and
Accept-Encoding all happen first, exactly as for a real download.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Request, Response
from scrapy.responsetypes import responsetypes

from archive.archive_paths import SkippedPath
from archive.warc_pointer import WarcCapture
from archive.warc_reader import (
    ArchivedRecord,
    NotAWarc,
    ReadProblem,
    RevisitResolver,
    archive_files,
    iter_records,
    read_record_at,
)
from scraper.crawl_failures import NotInArchive

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from typing_extensions import Self

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ArchivedCapture:
    path: Path
    offset: int
    status: int | None


def _answered(status: int | None) -> bool:
    # A later 503 or seizure does not hide the page an earlier run archived.
    return status is not None and 200 <= status < 400 or status == 404


class ArchiveResponseMiddleware:
    def __init__(self, crawler: Crawler, source: list[Path]) -> None:
        self.crawler = crawler
        self.source = source
        self.captures: dict[str, ArchivedCapture] = {}
        self.resolver = RevisitResolver()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        source = crawler.settings.getlist("ARCHIVE_FROM_WARC")
        if not source:
            raise NotConfigured  # no message: an offline crawl is the exception, not worth a warning
        missing = [path for path in source if not Path(path).exists()]
        if missing:
            raise ValueError(f"ARCHIVE_FROM_WARC: no such file or directory: {', '.join(missing)}")
        return cls(crawler, [Path(path) for path in source])

    def spider_opened(self) -> None:
        """Index every capture by URL once: the latest answer wins, as a replay tool shows
        the most recent capture."""
        stats = self.crawler.stats
        assert stats is not None
        files = archive_files(self.source, on_skip=self._skipped_file)
        for path in files:
            try:
                for record in iter_records(path, self._problem):
                    self.resolver.remember(record)
                    if record.type in ("response", "revisit") and record.target_uri:
                        self._remember(record)
                        stats.inc_value("archive/from_warc/records")
            except (NotAWarc, OSError) as exc:
                logger.warning("offline crawl: skipping %s: %s", path, exc)
                stats.inc_value("archive/from_warc/unreadable_files")
        logger.info("offline crawl: %d URLs in %d WARC files", len(self.captures), len(files))

    def _skipped_file(self, skipped: SkippedPath) -> None:
        logger.warning("offline crawl: skipping %s", skipped)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("archive/from_warc/unreadable_files")

    def _problem(self, problem: ReadProblem) -> None:
        logger.warning(
            "offline crawl: %s at offset %d: %s", problem.path, problem.offset, problem.reason
        )
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("archive/from_warc/bad_records")

    def _remember(self, record: ArchivedRecord) -> None:
        assert record.target_uri is not None
        url = record.target_uri.partition("#")[0]
        known = self.captures.get(url)
        if known is None or _answered(record.http_status) or not _answered(known.status):
            self.captures[url] = ArchivedCapture(record.path, record.offset, record.http_status)

    def process_request(self, request: Request) -> Response:
        assert self.crawler.stats is not None
        capture = self.captures.get(request.url.partition("#")[0])
        if capture is None:
            self.crawler.stats.inc_value("archive/from_warc/miss")
            raise NotInArchive(f"not in the archive: {request.url}")
        record = read_record_at(capture.path, capture.offset)
        source = record
        if record.type == "revisit":
            original = self.resolver.resolve(record)
            if original is None:
                self.crawler.stats.inc_value("archive/from_warc/miss")
                raise NotInArchive(f"revisit without its original in the archive: {request.url}")
            source = original
        self.crawler.stats.inc_value("archive/from_warc/hit")
        # The archive stands in for the download: the request reached "the downloader" (the
        # mirror report counts it, so its requests and answers add up).
        self.crawler.signals.send_catch_log(signals.request_reached_downloader, request=request)
        request.meta["warc"] = WarcCapture(
            record.pointer(),
            record.date,
            record.type,
            source.pointer() if source is not record else None,
        )
        status = record.http_status or 200
        if record.type == "revisit" and status == 304:
            status = source.http_status or 200  # the page as it was when it last changed
        headers = Headers()
        for name, value in (source if status != record.http_status else record).http_headers:
            headers.appendlist(name, value)
        body = source.payload
        if source.oversize:
            # Read through, not held (archive.warc_read.oversize): the spider reports the
            # page too large to extract, as it would a live one.
            request.meta["archived_payload_bytes"] = source.oversize
        response_class = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return response_class(
            url=request.url,
            status=status,
            headers=headers,
            body=body,
            request=request,
            protocol="HTTP/1.1",
        )
