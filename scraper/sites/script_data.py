"""Article text that a page carries only in its script data.

Client-rendered pages ship the article as data for the script that will draw it: a
``<script type="application/json">`` blob (Next.js's ``__NEXT_DATA__``), or an inline script
that assigns or pushes a literal (``window.__INITIAL_STATE__ = {…};``, React-Query and Apollo
dehydrated state, ``self.__next_f.push([1, "…"])`` React server-component streams).  The
served HTML then has the headline but no body.

What this module finds is structural, not per site: JSON values embedded in scripts,
decoded with ``json.JSONDecoder.raw_decode``; every string in them long enough to be an
article, and every run of strings in a list of like objects (a CMS's body as blocks); each
turned into paragraphs (HTML through ``block_paragraphs``, plain text by its lines) and
scored by how much of it reads as prose.  A string that sits beside the page's title in one
object is the article's own record, not a teaser of another: any such string is preferred
to every other, and the caller takes none but such a one.

A page is untrusted input: the script text decoded, the number of decode attempts, the
values walked and the candidates parsed are all capped, and every walk is a loop (hostile
data nests deeper than the recursion limit).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from bs4 import Tag

from scraper.sites.body.chrome_lines import is_chrome_paragraph
from scraper.sites.html import block_paragraphs, clean_text, make_soup

# Caps: together they bound what a hostile page can cost (under 0.2 s on the worst inputs
# tried); real pages' data stays far below them.
_MAX_SCRIPT_CHARS = 4_000_000  # a script longer than this is a bundle, not page data
_MAX_DECODED_CHARS = 6_000_000  # script text that decode attempts may consume, per page
_MAX_ATTEMPTS = 400  # raw_decode calls, per page
_MAX_NODES = 100_000  # containers and strings walked, per page
_MAX_PARSED = 12  # candidates turned into paragraphs, longest first
_MAX_CANDIDATE = 200_000  # longer than any article's markup: a whole page's, or an attack
_MAX_PARSED_CHARS = 400_000  # candidate text parsed, per page
_MAX_NESTED_DEPTH = 2  # JSON in a string in JSON…: RSC rows, JSON.parse("…") arguments

# A string shorter than this is a label, a teaser or a headline, never a whole article.
_MIN_CANDIDATE = 200
# Prose a body must hold: less is not worth replacing an (empty) HTML reading with.
_MIN_SCRIPT_BODY = 200

# Property names that name the article text in many CMS schemas: a hint, never required.
_BODY_KEYS = frozenset(
    "articlebody body bodyhtml bodytext content contenthtml contents html text fulltext "
    "articlecontent storybody maintext".split()
)

_SCRIPT_OPEN = re.compile(r"<script\b", re.I)
_SCRIPT_CLOSE = re.compile(r"</script\s*>", re.I)
_ATTR = re.compile(r"""([a-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
# Where a literal starts in JavaScript: the value of an assignment or a call's argument
# (``x = {``, ``.push({``, ``.push([1,"``, ``JSON.parse("``).
_LITERAL_START = re.compile(r"(?:=|\()\s{0,100}([{\[\"])")
# Rows of a React server-component stream whose payload is text: ``<id>:T<hex length>,``.
_RSC_TEXT_ROW = re.compile(r"(?:^|\n)([0-9a-f]+):T([0-9a-f]+),")
_HTML_BLOCK = re.compile(r"<(?:p|br|div|h[1-6]|li|blockquote|section)\b[^>]*>", re.I)
# The end of a sentence, in the scripts news is written in.
_SENTENCE_END = re.compile(r"[.!?…。！？]['\"’”»)」』]*(?:\s|$)|[。！？]")
# "$$ARTICLEAD$$", "{{ad}}", "[[embed]]": a template's placeholder left in the text.
_PLACEHOLDER = re.compile(r"^(\W{1,3})[\w.:-]+\1$|^\{\{.*\}\}$|^\[\[.*\]\]$")
# Elements of an HTML body that are not its text.
_NOT_TEXT_TAGS = frozenset("figure figcaption aside nav footer header form button".split())
_CAPTION_HINT = re.compile(r"caption|credit|(?<![a-z])ad(?:s|vert\w*)?(?![a-z])|related", re.I)


@dataclass(frozen=True)
class ScriptText:
    """The article text found in script data and how sure the finding is."""

    paragraphs: list[str]
    prose: int  # characters of paragraphs that read as sentences
    beside_title: bool  # held in the same record as the page's title


def script_text(html: str, title: str | None = None) -> ScriptText | None:
    """The most plausible article text in ``html``'s script data, or None when no string
    there reads as a whole article."""
    scan = _Scan()
    records = _Records(title)
    candidates: dict[str, _Candidate] = {}
    for value in _script_values(html, scan):
        _collect(value, records, candidates, scan)
    best: ScriptText | None = None
    best_score = (False, 0.0)
    # Longest first: the article is among the longest strings; parsing is the costly step.
    ranked = sorted(
        (c for c in candidates.values() if len(c.text) <= _MAX_CANDIDATE),
        key=lambda c: len(c.text),
        reverse=True,
    )
    parse_budget = _MAX_PARSED_CHARS
    for candidate in ranked[:_MAX_PARSED]:
        parse_budget -= len(candidate.text)
        if parse_budget < 0:
            break
        paragraphs = _paragraphs(candidate.text)
        prose = _prose_length(paragraphs)
        if prose < _MIN_SCRIPT_BODY or prose < 0.5 * sum(map(len, paragraphs)):
            continue  # a menu, a list of headlines, code: not prose
        # The article's own record first: beside it, a longer text is a consent notice,
        # a newsletter's pitch or another story's.
        score = (candidate.beside_title, prose * candidate.weight())
        if score > best_score:
            best = ScriptText(paragraphs, prose, candidate.beside_title)
            best_score = score
    return best


# ------------------------------------------------------------------------------ decoding


@dataclass
class _Scan:
    """One page's search: what it may still spend, and the text rows of its component
    stream by id (the stream's data refers to them as "$<id>")."""

    chars: int = _MAX_DECODED_CHARS
    attempts: int = _MAX_ATTEMPTS
    nodes: int = _MAX_NODES
    text_rows: dict[str, str] = field(default_factory=dict)

    def spent(self) -> bool:
        return self.chars <= 0 or self.attempts <= 0 or self.nodes <= 0


def _script_values(html: str, scan: _Scan) -> Iterator[Any]:
    """The JSON values embedded in the page's inline scripts, in document order."""
    decoder = json.JSONDecoder()
    stream: list[str] = []  # the string chunks a script pushes: parts of one stream
    for attrs, text in _inline_scripts(html):
        if scan.spent():
            return
        kind = _script_kind(attrs)
        if kind == "json":
            start = len(text) - len(text.lstrip())
            yield from _decode_at(decoder, text, start, scan, depth=0)
        elif kind == "js":
            for value in _js_literals(decoder, text, scan):
                if _is_stream_chunk(value):
                    stream.append(value[1])
                yield value
    if stream and not scan.spent():
        # A streamed payload is cut anywhere, rows included: only whole it can be read.
        yield from _stream_values(decoder, "".join(stream), scan)


def _is_stream_chunk(value: Any) -> bool:
    """``[1, "…"]``: a chunk of a streamed payload (React server components push these)."""
    return (
        isinstance(value, list)
        and len(value) == 2
        and type(value[0]) is int
        and isinstance(value[1], str)
    )


def _inline_scripts(html: str) -> Iterator[tuple[str, str]]:
    """(attributes, text) of each ``<script>`` with a body.  A find, not a parse: the HTML
    tree has dropped scripts by the time this runs, and ``str.find``-like scans keep an
    unclosed ``<script`` from making this quadratic."""
    position = 0
    while True:
        opening = _SCRIPT_OPEN.search(html, position)
        if opening is None:
            return
        # Each search starts past the last one's end: no stretch of the page is scanned
        # twice, whatever "<script" soup it holds.
        tag_end = html.find(">", opening.end())
        if tag_end < 0:
            return
        closing = _SCRIPT_CLOSE.search(html, tag_end + 1)
        if closing is None:
            return
        attrs = html[opening.end() : tag_end]
        text = html[tag_end + 1 : closing.start()]
        position = closing.end()
        if len(attrs) <= _MAX_ATTRS and text.strip() and len(text) <= _MAX_SCRIPT_CHARS:
            yield attrs, text


_MAX_ATTRS = 2000


def _script_kind(attrs: str) -> str | None:
    values = {
        m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
        for m in _ATTR.finditer(attrs)
    }
    if "src" in values:
        return None
    kind = values.get("type", "").strip().lower()
    if "json" in kind:
        # JSON-LD is read as metadata (its articleBody included) by the metadata reader.
        return None if "ld+json" in kind else "json"
    if kind in (
        "",
        "text/javascript",
        "application/javascript",
        "module",
        "text/ecmascript",
        "application/ecmascript",
    ):
        return "js"
    return None  # templates, text/plain, speculation rules…


def _js_literals(decoder: json.JSONDecoder, text: str, scan: _Scan) -> Iterator[Any]:
    position = 0
    while not scan.spent():
        match = _LITERAL_START.search(text, position)
        if match is None:
            return
        start = match.start(1)
        # After a failure, look inside: "{a: {…}}" is no JSON, its inner object may be.
        position = start + 1
        for value, end in _decode_spans(decoder, text, start, scan, depth=0):
            yield value
            position = max(position, end)  # past a decoded literal: its inside is walked


def _decode_at(
    decoder: json.JSONDecoder, text: str, start: int, scan: _Scan, depth: int
) -> Iterator[Any]:
    for value, _ in _decode_spans(decoder, text, start, scan, depth):
        yield value


def _decode_spans(
    decoder: json.JSONDecoder, text: str, start: int, scan: _Scan, depth: int
) -> Iterator[tuple[Any, int]]:
    """The value at ``text[start]`` with the index past it, then any JSON it carries as
    text (a JSON.parse argument), charged to the budget."""
    scan.attempts -= 1
    try:
        value, end = decoder.raw_decode(text, start)
    except json.JSONDecodeError as error:
        scan.chars -= max(1, error.pos - start)
        return
    except (ValueError, RecursionError):  # 5000-digit numbers, nesting past the limit
        scan.chars -= len(text) - start
        return
    scan.chars -= end - start
    yield value, end
    if isinstance(value, str) and depth < _MAX_NESTED_DEPTH and value.lstrip()[:1] in ("{", "["):
        inner = len(value) - len(value.lstrip())
        for nested, _ in _decode_spans(decoder, value, inner, scan, depth + 1):
            yield nested, end


def _stream_values(decoder: json.JSONDecoder, payload: str, scan: _Scan) -> Iterator[Any]:
    """The values in a React server-component stream: rows ``<id>:<JSON>`` and text rows
    ``<id>:T<hex byte length>,<text>`` (the form long strings, article HTML among them,
    take)."""
    for match in _RSC_TEXT_ROW.finditer(payload):
        length = int(match.group(2)[:8], 16)
        # The length counts UTF-8 bytes; characters are at most that many.
        text = payload[match.end() : match.end() + length]
        data = text.encode("utf-8")[:length].decode("utf-8", "ignore")
        scan.chars -= len(data)
        if scan.spent():
            return
        scan.text_rows[match.group(1)] = data
        yield data
    position = 0
    while not scan.spent():
        row = _STREAM_ROW.search(payload, position)
        if row is None:
            return
        start = row.end()
        position = start + 1
        for value, end in _decode_spans(decoder, payload, start, scan, depth=1):
            yield value
            position = max(position, end)


_STREAM_ROW = re.compile(r"(?:^|\n)[0-9a-f]*:(?=[{\[\"])")


# ------------------------------------------------------------------------------- walking


@dataclass
class _Candidate:
    text: str
    key: str = ""
    beside_title: bool = False

    def weight(self) -> float:
        return 1.5 if self.key in _BODY_KEYS else 1.0


class _Records:
    """Which objects state the page's title, each object looked at once (a hostile object
    may hold a hundred thousand strings, each a candidate)."""

    def __init__(self, title: str | None) -> None:
        self.title_key = _key(title) if title else ""
        # Longer than this, a string cannot be the title plus punctuation: not worth a look.
        self._max_length = 2 * len(title or "") + 20
        self._seen: dict[int, bool] = {}

    def beside_title(self, owner: dict | None, outer: dict | None) -> bool:
        """Whether the object holding a string, or the one around it, states the title:
        the article's own record, not a teaser of another."""
        return bool(self.title_key) and (self._states(owner) or self._states(outer))

    def _states(self, record: dict | None) -> bool:
        if record is None:
            return False
        known = self._seen.get(id(record))
        if known is None:
            known = any(
                isinstance(value, str)
                and len(value) <= self._max_length
                and _key(value) == self.title_key
                for value in record.values()
            )
            self._seen[id(record)] = known
        return known


def _collect(root: Any, records: _Records, found: dict[str, _Candidate], scan: _Scan) -> None:
    """Add the body-sized strings under ``root`` to ``found`` (keyed by text, so the copy in
    the component stream and the one in the query cache count once)."""
    stack: list[tuple[Any, dict | None, dict | None, str]] = [(root, None, None, "")]
    while stack and scan.nodes > 0:
        value, owner, outer, key = stack.pop()
        scan.nodes -= 1
        if isinstance(value, str):
            if value[:1] == "$" and scan.text_rows:
                # A reference to a stream's text row: the text, in the record naming it.
                value = scan.text_rows.get(value[1:], value)
            if len(value) >= _MIN_CANDIDATE and _may_be_prose(value):
                _add(found, _Candidate(value, key.lower(), records.beside_title(owner, outer)))
        elif isinstance(value, dict):
            for child_key, child in value.items():
                if isinstance(child, (str, dict, list)):
                    stack.append((child, value, owner, str(child_key)))
        elif isinstance(value, list):
            _collect_run(value, records, owner, outer, key, found, scan)
            for child in value:
                if isinstance(child, (str, dict, list)):
                    stack.append((child, owner, outer, key))


def _collect_run(
    items: list,
    records: _Records,
    owner: dict | None,
    outer: dict | None,
    key: str,
    found: dict[str, _Candidate],
    scan: _Scan,
) -> None:
    """A body kept as blocks ({"type": "text", "content": "<p>…"} after another): the
    strings a list's objects hold under one property, joined in order."""
    if len(items) < _MIN_RUN:
        return
    runs: dict[str, list[str]] = {}
    scan.nodes -= min(len(items), _MAX_RUN)
    for item in items[:_MAX_RUN]:
        # Blocks are small objects; a list of big records is a list of other articles.
        if isinstance(item, dict) and len(item) <= _MAX_BLOCK_KEYS:
            for name, text in item.items():
                if isinstance(text, str) and len(text) >= 20:
                    runs.setdefault(str(name), []).append(text)
        elif isinstance(item, str) and len(item) >= 20:
            runs.setdefault("", []).append(item)
    for name, texts in runs.items():
        if len(texts) >= _MIN_RUN and sum(map(len, texts)) >= _MIN_CANDIDATE:
            _add(
                found,
                _Candidate(
                    "\n".join(texts), (name or key).lower(), records.beside_title(owner, outer)
                ),
            )


_MAX_BLOCK_KEYS = 8
# Fewer blocks are as likely a record's few related videos or photos, with captions.
_MIN_RUN = 4
_MAX_RUN = 2000


def _add(found: dict[str, _Candidate], candidate: _Candidate) -> None:
    known = found.get(candidate.text)
    if known is None or (candidate.beside_title, candidate.weight()) > (
        known.beside_title,
        known.weight(),
    ):
        found[candidate.text] = candidate


def _key(text: str) -> str:
    return "".join(c for c in text.casefold() if c.isalnum())


def _may_be_prose(text: str) -> bool:
    """A cheap first look before any parsing: spaces or ideographic full stops, and a
    sentence end."""
    return (text.count(" ") >= len(text) // 40 or "。" in text) and bool(_SENTENCE_END.search(text))


# ----------------------------------------------------------------------------- reading


def _paragraphs(text: str) -> list[str]:
    if _HTML_BLOCK.search(text):
        paragraphs = _html_paragraphs(text)
    else:
        paragraphs = [clean_text(line) for line in text.splitlines()]
    return [p for p in paragraphs if p and not is_chrome_paragraph(p) and not _PLACEHOLDER.match(p)]


def _html_paragraphs(fragment: str) -> list[str]:
    soup = make_soup(fragment)
    root = soup.body or soup
    if not isinstance(root, Tag):
        return []
    # What an article's HTML holds besides its text: photos with their captions, ad slots.
    doomed = []
    for tag in root.descendants:
        if not isinstance(tag, Tag):
            continue
        if tag.name in _NOT_TEXT_TAGS or _CAPTION_HINT.search(_class_text(tag)):
            doomed.append(tag)
    for tag in doomed:
        if not tag.__dict__.get("_decomposed"):
            tag.decompose()
    if sum(len(a.get_text()) for a in root.find_all("a")) > 0.5 * len(root.get_text()):
        return []  # a menu or a list of links, whatever its sentences
    return block_paragraphs(root)


def _class_text(tag: Tag) -> str:
    classes = tag.attrs.get("class")
    if isinstance(classes, list):
        return " ".join(c for c in classes if isinstance(c, str))
    return classes if isinstance(classes, str) else ""


def _prose_length(paragraphs: list[str]) -> int:
    """The length of the paragraphs that read as sentences: not labels or headlines (no
    sentence end), not code or serialized data (brackets, quoted keys, operators)."""
    return sum(
        len(p) for p in paragraphs if len(p) >= 40 and _SENTENCE_END.search(p) and not _is_code(p)
    )


def _is_code(paragraph: str) -> bool:
    marks = sum(map(paragraph.count, _CODE_MARKS)) + paragraph.count('","') + paragraph.count('":')
    return marks > 1 + 0.02 * len(paragraph)


_CODE_MARKS = "{}[]\\=;|<>$"
