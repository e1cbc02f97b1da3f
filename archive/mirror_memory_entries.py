"""Reading the entries of a mirror memory file (``archive.mirror_memory``) without trusting
them: the file is ours, but anything may have written it (a hand edit, a tool, a disk fault,
someone who can write the output directory). An entry decides where the crawl sends requests
and whether a learnt mirror's pages become records, so each is checked field by field before
it is used: an origin is an ``http``/``https`` URL with a host and nothing after it (no
credentials, no path, no query), a status one this version knows, dates text, counts
non-negative integers. A bad entry is dropped, and the good ones kept; a bad run tally is
dropped from a good entry. What was dropped is said once, by the memory's loader.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

_SCHEMES = ("http", "https")
_MAX_ORIGIN = 2048
_TEXT = ("origin", "learnt", "status", "first_seen", "last_seen")
_OPTIONAL_TEXT = ("learnt_at", "verification", "last_failure", "last_failure_at", "trusted_at")
_COUNTS = ("requests", "successes", "failures")


def origin_problem(origin: object) -> str | None:
    """Why ``origin`` is not a mirror origin one may send requests to (None: it is one).
    ``.onion`` and other names a proxy resolves are hosts like any other."""
    if not isinstance(origin, str):
        return f"origin {origin!r} is not text"
    shown = repr(origin[:80])
    if len(origin) > _MAX_ORIGIN or any(c.isspace() or not c.isprintable() for c in origin):
        return f"origin {shown} is not a URL"
    try:
        parts = urlsplit(origin)
        parts.port  # noqa: B018 - raises ValueError on a port out of range or not a number
    except ValueError as exc:
        return f"origin {shown} is not a URL ({exc})"
    if parts.scheme.lower() not in _SCHEMES:
        return f"origin {shown} is not http or https"
    if not parts.hostname:
        return f"origin {shown} has no host"
    if "\\" in origin or parts.username is not None or parts.password is not None:
        return f"origin {shown} is not an origin (credentials or a backslash)"
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        return f"origin {shown} is not an origin (it has a path, query or fragment)"
    return None


def entry_problem(entry: object, statuses: frozenset[str]) -> str | None:
    """Why a mirror entry cannot be used (None: it can, its runs checked apart)."""
    if not isinstance(entry, Mapping):
        return f"an entry is {type(entry).__name__}, not an object"
    problem = origin_problem(entry.get("origin"))
    if problem:
        return problem
    where = repr(str(entry["origin"])[:80])
    for key in _TEXT:
        if not isinstance(entry.get(key), str):
            return f"{where}: {key} is not text"
    for key in _OPTIONAL_TEXT:
        if not isinstance(entry.get(key), (str, type(None))):
            return f"{where}: {key} is not text"
    if entry["status"] not in statuses:
        return f"{where}: unknown status {entry['status'][:40]!r}"
    if not _count(entry.get("checks_passed", 0)):
        return f"{where}: checks_passed is not a count"
    if not isinstance(entry.get("runs", []), list):
        return f"{where}: runs is not a list"
    return None


def run_problem(run: object) -> str | None:
    """Why a run tally of a mirror cannot be used (None: it can)."""
    if not isinstance(run, Mapping):
        return f"a run tally is {type(run).__name__}, not an object"
    if not isinstance(run.get("run_id"), str) or not isinstance(run.get("at"), str):
        return "a run tally without its run id or time"
    if not all(_count(run.get(key)) for key in _COUNTS):
        return "a run tally whose counts are not counts"
    if not isinstance(run.get("last_failure"), (str, type(None))):
        return "a run tally whose last failure is not text"
    if not _count(run.get("missing", 0)):
        return "a run tally whose counts are not counts"
    return None


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
