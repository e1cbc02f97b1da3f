"""``newsarchive schema``: the JSON Schema of the article records (``archive/record.schema.json``),
for consumers of the JSON Lines output to validate against."""

from __future__ import annotations

import argparse
import sys
from importlib import resources
from typing import Any

from scraper.exit_status import EXIT_OK


def add_command(commands: Any) -> None:
    schema = commands.add_parser(
        "schema",
        help="print the JSON Schema of the article records",
        description="Print the JSON Schema (draft 2020-12) every line of DIR/json/<site>/*.jsonl "
        "follows; docs/output.md describes the fields.",
        epilog="Examples:\n"
        "  newsarchive schema > record.schema.json\n"
        "  newsarchive schema | check-jsonschema --schemafile /dev/stdin data/json/presstv/*.jsonl",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    schema.set_defaults(run=run_schema)


def record_schema_text() -> str:
    return resources.files("archive").joinpath("record.schema.json").read_text(encoding="utf-8")


def run_schema(args: argparse.Namespace) -> int:
    sys.stdout.write(record_schema_text())
    return EXIT_OK
