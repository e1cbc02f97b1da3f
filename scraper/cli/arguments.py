"""What a user typed, checked before anything runs: a mistake is one line and exit 2
(``UsageError``), never a traceback from deep inside the crawl.

* ``-s NAME=VALUE``: the value is converted to the type of the setting's default (a number
  for ``DOWNLOAD_DELAY``, a boolean for ``ROBOTSTXT_OBEY``…), so ``abc`` is refused here;
  a name no component knows gets a warning naming the closest known one (add-ons may read
  settings of their own, so it is not refused).
  A setting that takes one of a few words (``NEWSARCHIVE_ASSETS``…) must be one of them.
* ``--out DIR``: a directory that exists or can be made in one that exists, and can be
  written.
"""

from __future__ import annotations

import argparse
import difflib
import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archive import user_paths
from archive.layout import DEFAULT_OUT
from scraper.exit_status import UsageError
from scraper.sites.site_access import MAX_DOWNLOAD_DELAY

if TYPE_CHECKING:
    from scrapy.settings import Settings

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})
# Delays, in seconds, held to the bound a profile's [access] download_delay is held to.
_DELAYS = frozenset({"DOWNLOAD_DELAY", "AUTOTHROTTLE_START_DELAY", "AUTOTHROTTLE_MAX_DELAY"})
# Settings that take one of a few words, as the components that read them check them (at the
# crawl's start, where a bad one is a traceback): page_assets.MODES, MIRROR_STRATEGIES,
# progress.MODES (tests/test_option_values.py holds these against them).
CHOICES: dict[str, tuple[str, ...]] = {
    "NEWSARCHIVE_ASSETS": ("none", "images", "page"),
    "MIRROR_STRATEGY": ("primary-first", "spread"),
    "NEWSARCHIVE_PROGRESS": ("auto", "live", "lines", "off"),
}


def apply_settings(settings: Settings, assignments: list[str]) -> None:
    """Set each ``NAME=VALUE`` at command-line priority, typed by the setting's default."""
    known = set(settings.copy_to_dict())
    for assignment in assignments:
        name, sep, text = assignment.partition("=")
        name = name.strip()
        if not sep or not name:
            raise UsageError(f"-s {assignment!r}: expected NAME=VALUE")
        if name not in known:
            close = difflib.get_close_matches(name, sorted(known), n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            print(f"newsarchive: warning: -s {name}: no such setting{hint}", file=sys.stderr)
            settings.set(name, text, priority="cmdline")
            continue
        settings.set(name, typed_value(name, text, settings.get(name)), priority="cmdline")


def typed_value(name: str, text: str, default: Any) -> Any:
    """``text`` as the type of ``default``; UsageError when it is not one."""
    value = text.strip()
    if name in CHOICES:
        if value.lower() not in CHOICES[name]:
            raise UsageError(f"-s {name}={text}: expected one of {', '.join(CHOICES[name])}")
        return value.lower()
    if isinstance(default, bool):
        if value.lower() in _TRUE:
            return True
        if value.lower() in _FALSE:
            return False
        raise UsageError(f"-s {name}={text}: expected true or false")
    if isinstance(default, (int, float)):
        # An integer default may still take a fraction (DOWNLOAD_DELAY = 0).
        for kind in (int, float) if isinstance(default, int) else (float,):
            try:
                number = kind(value)
            except ValueError:
                continue
            return _bounded(name, text, number)
        raise UsageError(f"-s {name}={text}: expected a number (default {default})")
    if isinstance(default, (list, tuple, dict)):
        if value.startswith(("[", "{")):
            try:
                return json.loads(value)
            except ValueError as exc:
                raise UsageError(f"-s {name}={text}: not valid JSON: {exc}") from None
        if isinstance(default, dict):
            raise UsageError(f"-s {name}={text}: expected a JSON object")
        return [part.strip() for part in value.split(",") if part.strip()]
    return text


def _bounded(name: str, text: str, number: float) -> float:
    """``number``, when finite (and, for a delay, 0 to ``MAX_DOWNLOAD_DELAY`` seconds):
    ``DOWNLOAD_DELAY=inf`` or ``1e308`` held every request for ever."""
    if not math.isfinite(number):
        raise UsageError(f"-s {name}={text}: expected a finite number")
    if name in _DELAYS and not 0 <= number <= MAX_DOWNLOAD_DELAY:
        raise UsageError(
            f"-s {name}={text}: expected 0 to {MAX_DOWNLOAD_DELAY:.0f} seconds (an hour)"
        )
    return number


def output_directory(path: Path, option: str = "--out") -> Path:
    """``path`` as a directory to write in: made if missing (not its parent: see
    ``archive/user_paths.py``); UsageError saying why not."""
    try:
        return user_paths.output_directory(path)
    except user_paths.UserPathError as exc:
        raise UsageError(f"{option} {exc}") from None


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse ``type``: an integer of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}")
        return value

    return parse


def add_site_and_out(parser: argparse.ArgumentParser) -> None:
    """``SITE`` and ``--out DIR`` of the commands that read a crawl's output (state, mirrors)."""
    parser.add_argument(
        "site", metavar="SITE", help="built-in profile name or a profile .toml path"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(DEFAULT_OUT),
        metavar="DIR",
        help="the crawl's output directory (default: ./data)",
    )


def add_out_again(action: argparse.ArgumentParser) -> None:
    """``--out`` after an action's name too (``state SITE forget ID --out DIR``): given
    either place, it is the same option."""
    action.add_argument(
        "--out", type=Path, default=argparse.SUPPRESS, metavar="DIR", help="as above"
    )


def read_page_file(path: Path, limit: int, label: str, hint: str = "") -> bytes:
    """A saved page the user names (``read_user_file``), as ``saved_page`` reads it."""
    return saved_page(read_user_file(path, limit, label, hint), limit, label)


def saved_page(body: bytes, limit: int, label: str) -> bytes:
    """A saved page's bytes, refused past ``limit``; a gzipped one (``page.html.gz``, as
    corpora keep them) is read through, never inflated past ``limit`` either."""
    from archive.warc_read.content_coding import PayloadError, PayloadTooLarge, gunzipped

    if len(body) > limit:
        raise UsageError(
            f"{label}: too large to extract: over {limit:,} bytes, the limit a crawl holds pages to"
        )
    try:
        page, warnings = gunzipped(body, limit)
    except PayloadTooLarge:
        raise UsageError(
            f"{label}: too large to extract: a gzip file that unpacks to over {limit:,} bytes, "
            "the limit a crawl holds pages to"
        ) from None
    except PayloadError as exc:
        raise UsageError(f"{label}: {exc}") from None
    for warning in warnings:
        print(f"newsarchive: warning: {label}: {warning}", file=sys.stderr)
    return page


def read_user_file(path: Path, limit: int, label: str, hint: str = "") -> bytes:
    """A file the user names: a regular file (a FIFO no one writes would hang us, a device
    such as /dev/zero would fill memory), read to at most ``limit`` + 1 bytes (the caller
    tells too large); a mistake is one line naming ``label``, with ``hint`` when the path is
    no regular file."""
    from archive.archive_paths import not_a_file_to_read

    problem = not_a_file_to_read(path)
    if problem is not None:
        raise UsageError(f"{label}: {problem}{hint if 'regular' in problem else ''}")
    try:
        with path.open("rb") as file:
            return file.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"{label}: {exc.strerror or exc}") from None
