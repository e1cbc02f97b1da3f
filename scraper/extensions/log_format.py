"""``NEWSARCHIVE_LOG_FORMAT = "json"`` (``--log-format json``): one JSON object per log line.

For log shippers: ``time``, ``level``, ``logger``, ``message``, plus whatever structured fields a
record carries (progress lines carry their figures under ``progress``). Formatting is
python-json-logger's; this only puts its formatter on the handler Scrapy installed.
"""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from scraper.log_handlers import console_handler, json_formatter

FORMATS = ("text", "json")


class JsonLogFormatExtension:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JsonLogFormatExtension:
        log_format = crawler.settings.get("NEWSARCHIVE_LOG_FORMAT")
        if log_format not in FORMATS:
            raise ValueError(
                f"NEWSARCHIVE_LOG_FORMAT must be one of {', '.join(FORMATS)}, got {log_format!r}"
            )
        handler = console_handler()
        if log_format != "json" or handler is None:
            raise NotConfigured
        handler.setFormatter(json_formatter())
        return cls()
