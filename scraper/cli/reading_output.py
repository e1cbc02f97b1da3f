"""How ``newsarchive search``, ``list``, ``show`` and ``history`` print: hits, records,
versions and diffs, for a terminal (colour where it is wanted) and as JSON."""

from __future__ import annotations

import json
import os
import sys
import textwrap
from typing import Any, TextIO

from archive.records import ArticleRecord
from archive.search.index_rows import VersionRow
from archive.search.reading import HitCount
from archive.word_diff import Piece


def wants_colour(stream: TextIO) -> bool:
    """Colour on a terminal, or where FORCE_COLOR asks for it (a pager given -R); never with
    NO_COLOR (no-color.org)."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def bold(text: str, color: bool) -> str:
    return f"\x1b[1m{text}\x1b[0m" if color else text


def print_json(value: Any) -> None:
    print(json.dumps(value, ensure_ascii=False))


def print_hits(hits: list[Any], counted: HitCount | None, text: str) -> None:
    color = wants_colour(sys.stdout)
    if counted is not None:
        matches = "matches" if counted.total == 1 else "match"
        noun = "article" if counted.total == 1 else "articles"
        ranked = (
            f" (the newest {counted.ranked_newest:,} ranked: --since/--until reach older ones)"
            if counted.ranked_newest
            else ""
        )
        print(f"{counted} {noun} {matches} {text!r}{ranked}; the best {len(hits)}:\n")
    for number, hit in enumerate(hits, 1):
        row = hit.latest
        print(f"{number}. {bold(row.title or '(no title)', color)}")
        where = [
            (row.published or row.fetched_at or "")[:10],
            row.section or "",
            ", ".join(row.authors),
            row.mirror,
        ]
        version = f"v{row.version}" + (
            f", matched in v{hit.matched.version}" if hit.matched.version != row.version else ""
        )
        print(f"   {row.article} ({version}) · {' · '.join(w for w in where if w)}")
        marked = (
            hit.snippet.render("\x1b[1;33m", "\x1b[0m") if color else hit.snippet.render("[", "]")
        )
        print(textwrap.indent(textwrap.fill(marked, 88), "   "))
        print(f"   {row.url}\n")


def print_record(record: ArticleRecord, versions: int, color: bool) -> None:
    print(bold(record.title or "(no title)", color))
    facts = [
        record.published or "(no publication date)",
        record.section or "",
        ", ".join(record.authors),
    ]
    print(" · ".join(f for f in facts if f))
    if record.description:
        print(f"\n{record.description}")
    for image in record.images:
        caption = image.get("caption") or image.get("alt") or ""
        credit = f" ({image['credit']})" if image.get("credit") else ""
        print(f"\n[picture] {image.get('url', '')}\n  {caption}{credit}".rstrip())
    print()
    for paragraph in record.body.split("\n"):
        if paragraph.strip():
            print(textwrap.fill(paragraph, 88) + "\n")
    print(
        f"{record.id} · version {record.version} of {versions} · captured "
        f"{record.fetched_at or '(unknown)'} from {record.mirror}\n{record.url}"
    )
    if record.warc is not None:
        print(f"WARC: {record.warc.filename} at offset {record.warc.offset}")
    others = [t for t in record.titles if isinstance(t, dict) and t.get("text") != record.title]
    if others:
        print("Also titled:")
        for stated in others:
            print(f"  {stated.get('text')}  ({', '.join(map(str, stated.get('sources') or []))})")


def render_diff(pieces: list[Piece], color: bool, *, elide: bool = True) -> str:
    out: list[str] = []
    for index, piece in enumerate(pieces):
        text = piece.text
        if piece.operation == "same":
            if elide:
                text = elided(text, first=index == 0, last=index == len(pieces) - 1)
            out.append(text)
        elif piece.operation == "deleted":
            out.append(f"\x1b[9;31m{text}\x1b[0m" if color else f"[-{text}-]")
        else:
            out.append(f"\x1b[4;32m{text}\x1b[0m" if color else f"{{+{text}+}}")
    return "".join(out)


def elided(text: str, *, first: bool, last: bool, context: int = 12) -> str:
    """Long unchanged text as its words next to the changes."""
    words = text.split(" ")
    keep_start = 0 if first else context
    keep_end = 0 if last else context
    if len(words) <= keep_start + keep_end + 3:
        return text
    head = " ".join(words[:keep_start])
    tail = " ".join(words[len(words) - keep_end :]) if keep_end else ""
    return f"{head}{' ' if head else ''}…{' ' if tail else ''}{tail}"


def version_json(row: VersionRow) -> dict[str, Any]:
    return {
        "id": row.article,
        "version": row.version,
        "title": row.title,
        "url": row.url,
        "mirror": row.mirror,
        "published": row.published,
        "section": row.section,
        "authors": row.authors,
        "fetched_at": row.fetched_at,
        "content_hash": row.content_hash,
        "previous_hash": row.previous_hash,
        "minor_change": row.minor_change,
        "duplicate_of": row.duplicate_of,
    }


def piece_json(piece: Piece) -> dict[str, str]:
    return {"op": piece.operation, "text": piece.text}
