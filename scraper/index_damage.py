"""Stopping a crawl whose index turns out damaged (``archive/index/sqlite_damage.py``).

Damage is met wherever a component asks the index (the spider's look-ups in a thread, the WARC
capture's payload look-ups, the record pipeline); each would log its own error and go on, so a
run would count every page as failed and end "ok" with nothing archived. Instead the index
tells the run once (``SqliteIndex.on_damaged``, set by ``ArchiveRun.start``) and the run
stops the way a full disk stops it (``scraper.run_stop``): the line that names the file and
the way out is kept as the run's ``stopped_by`` (printed once by the closing summary), the
spider is closed with reason ``index_damaged`` (status ``failed``, exit 1), and the record
pipeline writes nothing more.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from archive.index.sqlite_damage import INDEX_DAMAGED_REASON
from scraper.run_stop import stop_run

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


def stop_for_index_damage(crawler: Crawler, damage: BaseException) -> None:
    """Stop the crawl for ``damage`` (once). Safe from any thread: index look-ups run in
    worker threads, and the engine is only touched from the reactor's."""
    # Imported here: importing the module installs a reactor, which is Scrapy's to choose.
    from twisted.internet import reactor

    reactor.callFromThread(stop_run, crawler, str(damage), INDEX_DAMAGED_REASON)
