"""``ArticleRecord`` is the one statement of the record's shape (issue 23, item 3): reading a
record back, the JSON Schema and the docs' field table follow its fields, so a new field with
a default is the dataclass, the regenerated schema and a docs row."""

from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from archive.record_schema import SCHEMA_FILE, main, record_schema, record_schema_text
from archive.records import ArticleRecord, build_record
from archive.warc_pointer import WarcPointer

ROOT = Path(__file__).resolve().parents[1]
NAMES = [spec.name for spec in fields(ArticleRecord)]
POINTER = WarcPointer("news-1.warc.gz", 1234, "<urn:uuid:00000000-0000-4000-8000-000000000001>")


def a_record() -> ArticleRecord:
    extracted = {
        "title": "A title",
        "published": "2025-03-01T12:00:00+01:00",
        "body": "First paragraph.\n\nSecond paragraph.",
        "authors": ["A. Writer"],
        "images": [{"url": "https://news.example/a.jpg", "caption": "A", "credit": None}],
        "tags": ["News"],
        "fallbacks": ["section"],
    }
    return build_record(
        article_id="news:1",
        site="news",
        canonical_url="https://news.example/a/1",
        url="https://mirror.example/a/1",
        mirror="mirror.example",
        urls=["https://mirror.example/a/1"],
        extracted=extracted,
        fetched_at="2025-03-01T12:00:00.000000Z",
        warc=POINTER,
        version=2,
        previous_hash="xxh3-128:0",
        minor_change=True,
    )


# --- the JSON Schema -------------------------------------------------------------------------


def test_the_checked_in_schema_is_the_one_made_from_the_record() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == record_schema_text(), (
        "regenerate it: python -m archive.record_schema --write"
    )
    assert main(["--check"]) == 0


def test_the_schema_requires_every_field_in_order_and_allows_no_other() -> None:
    schema = record_schema()
    Draft202012Validator.check_schema(schema)
    assert list(schema["properties"]) == NAMES
    # a field added after records were first written is not required: older records lack it
    assert schema["required"] == [name for name in NAMES if name != "titles"]
    assert schema["additionalProperties"] is False
    assert schema["properties"]["warc"]["required"] == ["filename", "offset", "record_id"]
    assert schema["properties"]["images"]["items"]["required"] == ["url"]


def test_the_schema_types_are_the_fields_types() -> None:
    properties = record_schema()["properties"]
    assert properties["id"]["type"] == "string"
    assert properties["title"]["type"] == ["string", "null"]
    assert properties["published_offset_assumed"]["type"] == "boolean"
    assert properties["minor_change"]["type"] == ["boolean", "null"]
    assert properties["version"] == {"type": "integer", "minimum": 1}
    assert properties["urls"] == {
        "type": "array",
        "items": {"type": "string"},
        "description": "Every URL the article was seen under this run.",
    }
    assert properties["warc"]["type"] == ["object", "null"]
    assert properties["warc"]["properties"]["offset"] == {"type": "integer", "minimum": 0}


def test_a_record_and_an_empty_one_validate_and_a_wrong_type_does_not() -> None:
    validator = Draft202012Validator(record_schema())
    full = a_record().to_dict()
    empty = ArticleRecord.from_dict({"id": "s:1", "content_hash": "xxh3-128:0"}).to_dict()
    empty |= {"site": "s", "canonical_url": "https://s.example/1", "url": "https://s.example/1"}
    assert [e.message for e in validator.iter_errors(full)] == []
    assert [e.message for e in validator.iter_errors(empty)] == []
    assert not validator.is_valid({**full, "body": None})
    assert not validator.is_valid({**full, "added_later": 1})
    assert not validator.is_valid({k: v for k, v in full.items() if k != "tags"})
    # a record written before titles was added still validates
    assert validator.is_valid({k: v for k, v in full.items() if k != "titles"})
    assert not validator.is_valid({**full, "titles": [{"text": "A title"}]})


# --- reading a record back -------------------------------------------------------------------


def test_to_dict_is_the_json_object_in_field_order_and_from_dict_reads_it_back() -> None:
    record = a_record()
    data = record.to_dict()
    assert list(data) == NAMES
    assert data["warc"] == {
        "filename": POINTER.filename,
        "offset": 1234,
        "record_id": POINTER.record_id,
    }
    assert ArticleRecord.from_dict(json.loads(json.dumps(data))) == record


def test_missing_keys_read_as_the_fields_default_or_empty_value() -> None:
    record = ArticleRecord.from_dict({"id": "s:1", "content_hash": "xxh3-128:0", "added": 1})
    assert record.to_dict() == {
        **{name: None for name in NAMES},
        "schema": 1,
        "id": "s:1",
        **{name: "" for name in ("site", "canonical_url", "url", "mirror", "body")},
        **{name: [] for name in ("urls", "titles", "authors", "images", "tags", "fallbacks")},
        "published_offset_assumed": False,
        "version": 1,
        "content_hash": "xxh3-128:0",
    }
    again = ArticleRecord.from_dict({"id": "s:2", "content_hash": "x"})
    assert again.urls == [] and again.urls is not record.urls  # a fresh list each time


def test_values_are_read_as_written_but_a_null_body_and_the_warc_pointer() -> None:
    data: dict[str, Any] = {"id": "s:1", "content_hash": "x", "body": None, "title": None}
    data |= {"schema": 2, "version": 3, "site": None, "warc": POINTER.to_dict()}
    record = ArticleRecord.from_dict(data)
    assert (record.body, record.title, record.schema, record.version) == ("", None, 2, 3)
    assert record.site is None  # as written: only body's null is read as ""
    assert record.warc == POINTER
    assert ArticleRecord.from_dict({**data, "warc": None}).warc is None
    assert ArticleRecord.from_dict({**data, "warc": {}}).warc is None


@pytest.mark.parametrize("needed", ["id", "content_hash"])
def test_a_record_without_id_or_content_hash_is_not_one(needed: str) -> None:
    data = {"id": "s:1", "content_hash": "x"}
    del data[needed]
    with pytest.raises(KeyError, match=needed):
        ArticleRecord.from_dict(data)


# --- docs/output.md --------------------------------------------------------------------------


def documented_fields() -> list[tuple[str, str]]:
    """(field, type) of each row of docs/output.md's record field table."""
    text = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    table = text.split("| field | type | what |\n|---|---|---|\n", 1)[1].split("\n\n", 1)[0]
    rows = [re.fullmatch(r"\| `(\w+)` \| (.+?) \| .*\|", line) for line in table.splitlines()]
    assert all(rows), table
    return [(row[1], row[2]) for row in rows if row]


def docs_type(schema: dict[str, Any]) -> str:
    """How the table writes a schema's type: "string or null", "array of strings",
    "`{filename, offset, record_id}` or null"."""
    kinds = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    words = []
    for kind in kinds:
        if kind == "array":
            item = docs_type(schema["items"])
            words.append(f"array of {'strings' if item == 'string' else item}")
        elif kind == "object":
            words.append("`{" + ", ".join(schema["properties"]) + "}`")
        else:
            words.append(kind)
    return " or ".join(words)


def test_the_docs_table_names_every_field_in_order_with_its_type() -> None:
    rows = documented_fields()
    assert [name for name, _ in rows] == NAMES
    properties = record_schema()["properties"]
    assert {name: kind for name, kind in rows} == {
        name: docs_type(properties[name]) for name in NAMES
    }
