"""The dedup index: what the crawl already knows about articles, URLs and payloads.

``model`` holds the types and the ``ArticleIndex`` protocol; ``open`` picks a backend by
location; ``codec`` is the packing both backends share; ``sqlite_*`` and ``redis_*`` are the
two backends.
"""
