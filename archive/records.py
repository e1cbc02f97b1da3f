"""The article record (JSON, ``schema: 1``): one version of one article.

Crawl and replay both build records here, so the two can only agree.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import xxhash

from archive.index import ArticleIndex, VersionResult, WarcPointer
from archive.simhash import text_simhash
from scraper.sites.identity import choose_canonical
from scraper.sites.profile import SiteProfile

SCHEMA = 1


def content_hash(title: str | None, body: str) -> str:
    """Hash of the text a reader sees, so template or mirror-notice changes do not count."""
    normalised = " ".join(f"{title or ''}\n{body}".split()).casefold()
    return "xxh3-128:" + xxhash.xxh3_128_hexdigest(normalised.encode("utf-8"))


def build_record(
    *,
    article_id: str,
    site: str,
    canonical_url: str,
    url: str,
    mirror: str,
    urls: list[str],
    extracted: dict[str, Any],
    fetched_at: str | None,
    warc: dict[str, Any] | None,
    version: int = 1,
    previous_hash: str | None = None,
    minor_change: bool | None = None,
    duplicate_of: str | None = None,
) -> dict[str, Any]:
    """``extracted`` is a page object's ``ArticleData.to_dict()``.

    Versioning fields (from the index, see ``archive.index.VersionResult``): ``previous_hash``
    is the content hash of version - 1 and ``minor_change`` says whether the text is
    near-identical to it (both null for version 1); ``duplicate_of`` is an earlier article
    with the same text (a republication), never merged into this one."""
    body = extracted.get("body") or ""
    return {
        "schema": SCHEMA,
        "id": article_id,
        "site": site,
        "canonical_url": canonical_url,
        "url": url,
        "mirror": mirror,
        "urls": urls,
        "title": extracted.get("title"),
        "published": extracted.get("published"),
        "published_offset_assumed": bool(extracted.get("published_offset_assumed")),
        "modified": extracted.get("modified"),
        "section": extracted.get("section"),
        "authors": list(extracted.get("authors") or []),
        "description": extracted.get("description"),
        "body": body,
        "images": list(extracted.get("images") or []),
        "tags": list(extracted.get("tags") or []),
        "language": extracted.get("language"),
        "fetched_at": fetched_at,
        "version": version,
        "content_hash": content_hash(extracted.get("title"), body),
        "previous_hash": previous_hash,
        "minor_change": minor_change,
        "duplicate_of": duplicate_of,
        "warc": warc,
    }


def article_record(
    profile: SiteProfile | None,
    url: str,
    extracted: dict[str, Any],
    *,
    urls: list[str],
    fetched_at: str | None,
    warc: dict[str, Any] | None,
    version: int = 1,
) -> dict[str, Any]:
    """The record of an article fetched at ``url``: its id and canonical URL come from the
    site profile (the page's own rel=canonical only when it names the same article on the
    site); with no profile, the URL stands for both."""
    article = profile.match_article(url) if profile else None
    if profile is not None and article is not None:
        article_id = profile.article_id(article)
        canonical = choose_canonical(profile, url, extracted.get("canonical_url"))
    else:
        article_id = canonical = url
    return build_record(
        article_id=article_id,
        site=profile.name if profile else "",
        canonical_url=canonical,
        url=url,
        mirror=urlsplit(url).netloc,
        urls=urls,
        extracted=extracted,
        fetched_at=fetched_at,
        warc=warc,
        version=version,
    )


def version_record(index: ArticleIndex, record: dict[str, Any], simhash: int | None = None) -> VersionResult:
    """Store the record's text as a version and fill its versioning fields in place
    (``simhash``: the text's, when already computed)."""
    warc = record.get("warc")
    result = index.record_version(
        record["id"],
        content_hash=record["content_hash"],
        simhash=text_simhash(record.get("title"), record.get("body") or "") if simhash is None else simhash,
        fetched_at=record.get("fetched_at"),
        warc=WarcPointer(warc["filename"], warc["offset"], warc["record_id"]) if warc else None,
        published=record.get("published"),
    )
    record["version"] = result.version
    record["previous_hash"] = result.previous_hash
    record["minor_change"] = result.minor if result.status == "changed" else None
    record["duplicate_of"] = result.duplicate_of
    return result
