"""Where a profile's mirror lists come from (``mirror_lists = ["FILE or URL", …]``): a file
read as it is, a URL fetched at the start of each run and its copy kept under
``OUT/state/<site>.mirror-lists/`` (its age is the copy's modification time, shown by
``newsarchive mirrors SITE``).

A list that cannot be read or parsed is one warning line and the run goes on with what it
had: for a URL, the copy an earlier run fetched (its age said), else nothing. The lists are
the operator's choice, like the profile itself: they are fetched directly (environment
proxies apply), bounded in time and size, never with the crawl's cookies or headers.
"""

from __future__ import annotations

import hashlib
import os
import re
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.client import HTTPException
from pathlib import Path

from archive.mirror_lists import MAX_LIST_BYTES, MirrorList, MirrorListError, parse_mirror_list
from archive.wording import duration

FETCH_TIMEOUT = 30.0  # seconds for one list; the run waits for it before it starts
USER_AGENT = "newsarchive (mirror list)"


@dataclass(frozen=True)
class CachedList:
    """The copy of a list fetched by URL."""

    url: str
    path: Path
    fetched_at: float | None  # the copy's modification time; None: no copy yet

    def age(self, now: float | None = None) -> str | None:
        if self.fetched_at is None:
            return None
        return duration(max(0.0, (now or time.time()) - self.fetched_at))


def is_url(spec: str) -> bool:
    return spec.startswith(("http://", "https://"))


def cached_copy(cache_dir: Path, url: str) -> CachedList:
    """Where the copy of the list at ``url`` is kept: a readable name and a hash of the URL
    (two lists named ``mirrorSites.json`` are two files)."""
    tail = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or "list"
    slug = re.sub(r"[^A-Za-z0-9._-]+", "_", tail)[:60].lstrip(".") or "list"
    digest = hashlib.sha256(url.encode()).hexdigest()[:12]
    path = cache_dir / f"{slug}-{digest}.json"
    try:
        fetched_at: float | None = path.stat().st_mtime
    except OSError:
        fetched_at = None
    return CachedList(url, path, fetched_at)


def read_mirror_lists(
    specs: Iterable[str],
    cache_dir: Path,
    warn: Callable[[str], object],
    fetch: Callable[[str], bytes] | None = None,
) -> list[MirrorList]:
    """Every list of ``specs`` that could be read (a URL's copy kept); one ``warn`` line per
    list that could not."""
    lists = []
    for spec in specs:
        if is_url(spec):
            read = _read_url(spec, cache_dir, warn, fetch or fetch_list)
        else:
            read = _read_file(spec, warn)
        if read is not None:
            lists.append(read)
    return lists


def _read_file(spec: str, warn: Callable[[str], object]) -> MirrorList | None:
    try:
        with open(spec, "rb") as file:
            data = file.read(MAX_LIST_BYTES + 1)
        return parse_mirror_list(data, spec)
    except (OSError, MirrorListError) as exc:
        warn(f"mirror list {spec} not read: {_reason(exc)}; the run goes on without it")
        return None


def _read_url(
    url: str, cache_dir: Path, warn: Callable[[str], object], fetch: Callable[[str], bytes]
) -> MirrorList | None:
    copy = cached_copy(cache_dir, url)
    try:
        data = fetch(url)
        read = parse_mirror_list(data, url)
    except (OSError, ValueError, HTTPException, MirrorListError) as exc:  # URLError: OSError
        return _from_copy(copy, _reason(exc), warn)
    try:
        _keep(copy.path, data)
    except OSError as exc:  # the run still has the list it fetched
        warn(f"mirror list {url}: its copy not kept at {copy.path}: {_reason(exc)}")
    return read


def _from_copy(copy: CachedList, reason: str, warn: Callable[[str], object]) -> MirrorList | None:
    if copy.fetched_at is not None:
        try:
            read = parse_mirror_list(copy.path.read_bytes()[: MAX_LIST_BYTES + 1], copy.url)
        except (OSError, MirrorListError):
            pass
        else:
            warn(
                f"mirror list {copy.url} not fetched: {reason}; "
                f"using the copy fetched {copy.age()} ago"
            )
            return read
    warn(f"mirror list {copy.url} not read: {reason}; the run goes on without it")
    return None


def fetch_list(url: str) -> bytes:
    """The list at ``url``, at most :data:`MAX_LIST_BYTES` (more: ``MirrorListError``)."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT) as response:
        data: bytes = response.read(MAX_LIST_BYTES + 1)
    if len(data) > MAX_LIST_BYTES:
        raise MirrorListError(f"larger than {MAX_LIST_BYTES // (1024 * 1024)} MB")
    return data


def _keep(path: Path, data: bytes) -> None:
    """The copy written whole (temp file, rename): a killed run leaves the last good one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _reason(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None)  # URLError's own words, not "<urlopen error …>"
    text = str(reason if reason is not None and not isinstance(exc, MirrorListError) else exc)
    if isinstance(exc, OSError) and exc.strerror and getattr(exc, "filename", None):
        text = exc.strerror
    return " ".join(text.split())[:200] or type(exc).__name__
