"""Incremental crawling: what the spider asks the persistent index and tells it back.

The functions taking an index run in a worker thread (``deferToThread``): the index waits out
a locked database with sleeps, which must never happen on the reactor thread. Each does a
whole page's worth of work, so a page costs one thread hop.

Layer 1 ("already known": skip, or re-check with a conditional request) happens before a
request is built; layers 3-5 (same text, changed text, same text under another id) after an
article is extracted, through the article keeper (``archive.article_keeper``). Layer 2 (same payload bytes → WARC
revisit) belongs to the WARC capture extension, which reads the run's index itself.
"""

from __future__ import annotations

from typing import Any

from archive.article_keeper import ArticleKeeper, Kept
from archive.index.model import ArticleIndex, ArticleInfo
from archive.records import ArticleRecord


def conditional_headers(info: ArticleInfo | None) -> dict[str, str]:
    """Validators from the last fetch, so an unchanged page can answer 304."""
    headers: dict[str, str] = {}
    if info is not None and info.etag:
        headers["If-None-Match"] = info.etag
    if info is not None and info.last_modified:
        headers["If-Modified-Since"] = info.last_modified
    return headers


def revisit_of(index: ArticleIndex, info: ArticleInfo | None, url: str) -> dict[str, Any] | None:
    """What a 304 to this refetch refers to: the latest version's WARC record. The index keeps
    no per-version fetched URL, so the target URI is this URL when the index has seen it for
    the article, else the first URL it knows (the record id is what resolves the revisit)."""
    if info is None:
        return None
    latest = index.latest_version(info.article_id)
    if latest is None or latest.warc is None or latest.fetched_at is None:
        return None
    target = url if url in info.urls or not info.urls else info.urls[0]
    return {
        "target_uri": target,
        "warc_date": latest.fetched_at,
        "record_id": latest.warc.record_id,
        "filename": latest.warc.filename,
        "offset": latest.warc.offset,
    }


def consult_index(
    index: ArticleIndex,
    sightings: list[tuple[str, str]],
    candidates: list[tuple[str, str]],
    refetch: bool,
) -> list[dict[str, Any] | None]:
    """Remember every (article id, URL) sighting; for each candidate article (first seen this
    run) None when it is known and not due for a re-check, else what its request needs:
    ``{}`` for a plain fetch, ``{"headers", "meta"}`` for a conditional re-check."""
    for article_id, url in sightings:
        index.add_sighting(article_id, url)
    decisions: list[dict[str, Any] | None] = []
    for article_id, url in candidates:
        if not index.knows(article_id):
            decisions.append({})
        elif not index.needs_refetch(article_id, force=refetch):
            decisions.append(None)
        else:
            info = index.article(article_id)
            # a 304 must reach the callback: it is an answer, not an error
            meta: dict[str, Any] = {"handle_httpstatus_list": [304]}
            revisit = revisit_of(index, info, url)
            if revisit is not None:
                meta["revisit_of"] = revisit
            decisions.append({"headers": conditional_headers(info) or None, "meta": meta})
    return decisions


def store_fetched(
    index: ArticleIndex | None,
    keeper: ArticleKeeper,
    article_id: str,
    record: ArticleRecord,
    simhash: int | None,
    urls: list[str],
    etag: str | None,
    last_modified: str | None,
) -> Kept:
    """A fetched and extracted article: its URLs and validators to the index, then the
    record to the keeper (versioned, written, confirmed; ``simhash``: of its text, from the
    extraction worker)."""
    if index is not None:
        for url in urls:
            index.add_sighting(article_id, url)
        index.record_check(article_id, etag=etag, last_modified=last_modified)
    return keeper.keep(record, simhash)


def store_not_modified(
    index: ArticleIndex,
    article_id: str,
    urls: list[str],
    etag: str | None,
    last_modified: str | None,
) -> None:
    for url in urls:
        index.add_sighting(article_id, url)
    index.record_check(article_id, etag=etag, last_modified=last_modified, not_modified=True)


def record_urls(response: Any) -> list[str]:
    """The URLs a response was fetched under: redirects followed, then the final one."""
    return [*response.meta.get("redirect_urls", ()), response.url]


def header(response: Any, name: str) -> str | None:
    value = response.headers.get(name)
    return value.decode("latin-1") if value else None
