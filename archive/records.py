"""The article record (JSON, ``schema: 1``): one version of one article.

Crawl and replay both build records here, so the two can only agree.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import MISSING, Field, dataclass, field, fields, replace
from typing import Any, get_args, get_origin, get_type_hints

import xxhash

from archive.index.model import ArticleIndex, VersionResult
from archive.simhash import text_simhash
from archive.warc_pointer import WarcPointer
from scraper.sites.identity import choose_canonical
from scraper.sites.profile import ArticleUrl, SiteProfile
from scraper.sites.url_syntax import url_netloc

SCHEMA = 1


# Field metadata for reading a record back (``ArticleRecord.from_dict``): a record without
# this field is not a record (KeyError) ...
_REQUIRED = {"required": True}
# ... or a converter from the JSON value (present, possibly null) to the field's value.
_READ = "read"
# A field added after records were first written: every record written since carries it,
# records written before lack it, so the schema does not require it.
LATER = "added_later"


def _text_or_empty(value: Any) -> str:
    return value or ""  # null read as "", as build_record makes it


def _warc_pointer(value: Any) -> WarcPointer | None:
    return WarcPointer.from_dict(value) if value else None


@dataclass(frozen=True, kw_only=True)
class ArticleRecord:
    """One record, its fields in the order of the JSON object (``docs/output.md``).

    The one statement of the record's shape: ``from_dict``, the JSON Schema
    (``archive.record_schema``), the docs' field table and the fixture tests follow these
    fields. A new field with a default needs nothing else here.

    Versioning fields (from the index, see ``archive.index.model.VersionResult``):
    ``previous_hash`` is the content hash of version - 1 and ``minor_change`` says whether the
    text is near-identical to it (both null for version 1); ``duplicate_of`` is an earlier
    article with the same text (a republication), never merged into this one."""

    schema: int = SCHEMA
    id: str = field(metadata=_REQUIRED)
    site: str
    canonical_url: str
    url: str
    mirror: str
    urls: list[str]
    title: str | None
    # every title the page states, with where: {"text", "sources"} (title is one of them)
    titles: list[dict[str, Any]] = field(default_factory=list, metadata={LATER: True})
    published: str | None
    published_offset_assumed: bool
    modified: str | None
    section: str | None
    authors: list[str]
    description: str | None
    body: str = field(metadata={_READ: _text_or_empty})
    images: list[dict[str, Any]]
    tags: list[str]
    language: str | None
    fallbacks: list[str]  # fields the site's page object took from the generic reading
    fetched_at: str | None
    version: int = 1
    content_hash: str = field(metadata=_REQUIRED)
    previous_hash: str | None
    minor_change: bool | None
    duplicate_of: str | None
    # the response record holding the page (a revisit's original)
    warc: WarcPointer | None = field(metadata={_READ: _warc_pointer})

    def to_dict(self) -> dict[str, Any]:
        """The JSON object, keys in field order."""
        record = {spec.name: getattr(self, spec.name) for spec in fields(self)}
        record["warc"] = self.warc.to_dict() if self.warc is not None else None
        return record

    def __str__(self) -> str:
        # Scrapy logs an item with %s (scraped, at DEBUG; dropped): the text it had as a dict.
        return str(self.to_dict())

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ArticleRecord:
        """A record read back from a JSON Lines file, values as they were written: keys it
        does not know are ignored, missing ones read as the field's default, else as empty
        (``""``, ``[]``, ``False``, null); only ``id`` and ``content_hash`` must be there
        (KeyError)."""
        values: dict[str, Any] = {}
        for reading in _READINGS:
            if reading.name in data:
                value = data[reading.name]
                values[reading.name] = reading.read(value) if reading.read else value
            elif reading.required:
                raise KeyError(reading.name)
            else:
                values[reading.name] = reading.missing()
        return cls(**values)


@dataclass(frozen=True)
class _FieldReading:
    """How ``from_dict`` reads one field: derived once from the dataclass field."""

    name: str
    required: bool
    read: Callable[[Any], Any] | None
    missing: Callable[[], Any]  # the value of an absent key (a fresh one each time)


def _missing_value(spec: Field[Any], hint: Any) -> Callable[[], Any]:
    """The field's default, else the empty value of its type."""
    if spec.default is not MISSING:
        default = spec.default
        return lambda: default
    if spec.default_factory is not MISSING:
        return spec.default_factory
    if type(None) in get_args(hint):
        return lambda: None
    origin = get_origin(hint) or hint
    if origin in (list, str, bool, int):
        return origin  # list() is [], str() is "", bool() is False, int() is 0
    raise TypeError(f"ArticleRecord.{spec.name}: give it a default, no empty {hint!r} to read")


def _readings() -> tuple[_FieldReading, ...]:
    hints = get_type_hints(ArticleRecord)
    return tuple(
        _FieldReading(
            name=spec.name,
            required=bool(spec.metadata.get("required")),
            read=spec.metadata.get(_READ),
            missing=_missing_value(spec, hints[spec.name]),
        )
        for spec in fields(ArticleRecord)
    )


_READINGS = _readings()


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
    warc: WarcPointer | None,
    version: int = 1,
    previous_hash: str | None = None,
    minor_change: bool | None = None,
    duplicate_of: str | None = None,
) -> ArticleRecord:
    """``extracted`` is a page object's ``ArticleData.to_dict()``."""
    body = extracted.get("body") or ""
    return ArticleRecord(
        id=article_id,
        site=site,
        canonical_url=canonical_url,
        url=url,
        mirror=mirror,
        urls=urls,
        title=extracted.get("title"),
        titles=list(extracted.get("titles") or []),
        published=extracted.get("published"),
        published_offset_assumed=bool(extracted.get("published_offset_assumed")),
        modified=extracted.get("modified"),
        section=extracted.get("section"),
        authors=list(extracted.get("authors") or []),
        description=extracted.get("description"),
        body=body,
        images=list(extracted.get("images") or []),
        tags=list(extracted.get("tags") or []),
        language=extracted.get("language"),
        fallbacks=list(extracted.get("fallbacks") or []),
        fetched_at=fetched_at,
        version=version,
        content_hash=content_hash(extracted.get("title"), body),
        previous_hash=previous_hash,
        minor_change=minor_change,
        duplicate_of=duplicate_of,
        warc=warc,
    )


def article_record(
    profile: SiteProfile | None,
    url: str,
    extracted: dict[str, Any],
    *,
    urls: list[str],
    fetched_at: str | None,
    warc: WarcPointer | None,
    version: int = 1,
    article: ArticleUrl | None = None,
) -> ArticleRecord:
    """The record of an article fetched at ``url``: its id and canonical URL come from the
    site profile (the page's own rel=canonical only when it names the same article on the
    site); with no profile, the URL stands for both. ``article``: ``url``'s match, when the
    caller has it already (replay matched every capture's URL to choose its profile)."""
    if article is None and profile is not None:
        article = profile.match_article(url)
    if profile is not None and article is not None:
        article_id = profile.article_id(article)
        canonical = choose_canonical(profile, url, extracted.get("canonical_url"), article)
    else:
        article_id = canonical = url
    return build_record(
        article_id=article_id,
        site=profile.name if profile else "",
        canonical_url=canonical,
        url=url,
        mirror=url_netloc(url),
        urls=urls,
        extracted=extracted,
        fetched_at=fetched_at,
        warc=warc,
        version=version,
    )


def version_record(
    index: ArticleIndex, record: ArticleRecord, simhash: int | None = None
) -> tuple[ArticleRecord, VersionResult]:
    """Store the record's text as a version: the record with its versioning fields filled
    in, and the index's verdict (``simhash``: the text's, when already computed)."""
    result = index.record_version(
        record.id,
        content_hash=record.content_hash,
        simhash=text_simhash(record.title, record.body) if simhash is None else simhash,
        fetched_at=record.fetched_at,
        warc=record.warc,
        published=record.published,
    )
    versioned = replace(
        record,
        version=result.version,
        previous_hash=result.previous_hash,
        minor_change=result.minor if result.status == "changed" else None,
        duplicate_of=result.duplicate_of,
    )
    return versioned, result
