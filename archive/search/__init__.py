"""Reading the archive back: the full-text index of a site's records, and queries on it.

``OUT/state/<site>.search.sqlite`` indexes every record line of ``OUT/json/<site>/*.jsonl``
(SQLite FTS5): the crawl and replay add each record as it is written (``sink.py``); anything
the index has not seen (a killed run, an older archive) is read from the JSON Lines on the
next open (``catch_up``), so a record is searchable exactly when its line exists. The JSON
Lines stay the archive; the index is a cache of them that can be rebuilt at any time.
Scrapy-free.
"""
