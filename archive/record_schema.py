"""The JSON Schema of the records (``archive/record.schema.json``), made from ``ArticleRecord``.

The record's fields, their order and their JSON types come from the dataclass (and from the
dataclasses it nests: ``WarcPointer``, and ``Image`` for ``images``); only what a type cannot
say (descriptions, patterns, bounds) is written here. The checked-in file is what
``newsarchive schema`` prints and is tested equal to ``record_schema_text()``; after changing
the record, regenerate it with ``python -m archive.record_schema --write``.
"""

from __future__ import annotations

import argparse
import json
import sys
import types
from collections.abc import Mapping
from dataclasses import MISSING, fields, is_dataclass
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints

from archive.records import LATER, SCHEMA, ArticleRecord
from scraper.sites.article import Image, StatedTitle

SCHEMA_FILE = Path(__file__).with_name("record.schema.json")

HEADER: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": f"https://newsarchive.invalid/schema/record/{SCHEMA}",
    "title": f"newsarchive article record, schema {SCHEMA}",
    "description": "One line of json/<site>/<run-id>.jsonl: one version of one article, as "
    "crawl and replay write it (docs/output.md).",
}

# What the types do not say, merged into each field's schema (a nested mapping merges too).
DETAILS: dict[str, dict[str, Any]] = {
    "schema": {"const": SCHEMA, "description": "The record format's version."},
    "id": {
        "minLength": 1,
        "description": "Stable across mirrors: <site>:<id group>, else <site>:<canonical URL>.",
    },
    "site": {"pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"},
    "canonical_url": {"minLength": 1, "description": "The article's one URL on the primary."},
    "url": {"minLength": 1, "description": "The URL it was fetched from."},
    "mirror": {"description": "host[:port] that served it."},
    "urls": {"description": "Every URL the article was seen under this run."},
    "published": {"description": "ISO 8601 with offset, or a bare day (YYYY-MM-DD)."},
    "titles": {
        "description": "Every title the page states (og:title, json-ld headline, h1, title…), "
        "with the places that state it; title is the one chosen as the headline."
    },
    "body": {"description": "Plain text, paragraphs separated by one blank line."},
    "language": {"description": "BCP 47 tag."},
    "fallbacks": {
        "description": "Fields a site's own page object read generically (template drift)."
    },
    "version": {"minimum": 1},
    "content_hash": {"minLength": 1},
    # A pointer read from a foreign or older capture may lack the WARC-Record-ID.
    "warc": {"properties": {"offset": {"minimum": 0}, "record_id": {"type": ["string", "null"]}}},
}

# The dataclass a field's plain-JSON annotation stands for: ``images`` holds page objects'
# ``Image`` as dicts (only ``url`` required: records older than ``credit`` lack it).
ITEM_CLASSES: dict[str, type] = {"images": Image, "titles": StatedTitle}

_JSON_TYPES: dict[Any, str] = {str: "string", int: "integer", bool: "boolean", float: "number"}


def record_schema() -> dict[str, Any]:
    """The schema: every field required (a record carries every key) but those added after
    records were first written (older records lack them), no others allowed."""
    schema = _object_schema(ArticleRecord, required_all=True, item_classes=ITEM_CLASSES)
    later = {spec.name for spec in fields(ArticleRecord) if spec.metadata.get(LATER)}
    schema["required"] = [name for name in schema["required"] if name not in later]
    for name, details in DETAILS.items():
        if name not in schema["properties"]:
            raise ValueError(f"record_schema.DETAILS: {name!r} is not an ArticleRecord field")
        schema["properties"][name] = _merged(schema["properties"][name], details)
    return {**HEADER, **schema}


def record_schema_text() -> str:
    """The text of ``archive/record.schema.json``."""
    return json.dumps(record_schema(), indent=2, ensure_ascii=False) + "\n"


def _object_schema(
    cls: type, *, required_all: bool, item_classes: Mapping[str, type] | None = None
) -> dict[str, Any]:
    """A dataclass as a JSON object: its fields in order, required unless they have a
    default (or all, ``required_all``), and no other keys."""
    hints = get_type_hints(cls)
    specs = fields(cls)
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [
            spec.name
            for spec in specs
            if required_all or (spec.default is MISSING and spec.default_factory is MISSING)
        ],
        "properties": {
            spec.name: _value_schema(hints[spec.name], (item_classes or {}).get(spec.name))
            for spec in specs
        },
    }


def _value_schema(hint: Any, item_class: type | None = None) -> dict[str, Any]:
    """The JSON schema of a value of type ``hint``."""
    origin = get_origin(hint)
    if origin in (Union, types.UnionType):
        members = [arg for arg in get_args(hint) if arg is not type(None)]
        if len(members) != 1:
            raise TypeError(f"no JSON type for {hint!r}")
        schema = _value_schema(members[0], item_class)
        schema["type"] = [schema["type"], "null"]
        return schema
    if origin is list:
        (item,) = get_args(hint)
        return {"type": "array", "items": _value_schema(item, item_class)}
    if item_class is not None:
        return _object_schema(item_class, required_all=False)
    if is_dataclass(hint):
        return _object_schema(hint, required_all=True)  # type: ignore[arg-type]
    if hint in _JSON_TYPES:
        return {"type": _JSON_TYPES[hint]}
    raise TypeError(f"no JSON type for {hint!r}: add it to archive.record_schema")


def _merged(base: dict[str, Any], details: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in details.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), dict):
            merged[key] = _merged(merged[key], value)
        else:
            merged[key] = value
    return merged


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m archive.record_schema",
        description="Print the records' JSON Schema made from ArticleRecord.",
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", action="store_true", help=f"write it to {SCHEMA_FILE}")
    action.add_argument("--check", action="store_true", help=f"exit 1 if {SCHEMA_FILE} differs")
    args = parser.parse_args(argv)
    text = record_schema_text()
    if args.write:
        SCHEMA_FILE.write_text(text, encoding="utf-8")
    elif args.check:
        if SCHEMA_FILE.read_text(encoding="utf-8") != text:
            print(
                f"{SCHEMA_FILE} is stale: python -m archive.record_schema --write", file=sys.stderr
            )
            return 1
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
