"""The ``newsarchive`` command: its parser, and the one place errors become exit status 2.

Each command lives in its own module of this package and adds its own subparser.
"""

from __future__ import annotations

import argparse
import errno
import os
import sqlite3
import sys
from importlib import metadata
from typing import NoReturn

from archive.disk_space import disk_full_line, is_disk_full
from archive.index.sqlite_damage import IndexDamagedError
from scraper.cli import (
    crawl,
    demo,
    export,
    extract,
    index_verify,
    mirrors,
    reading,
    replay,
    schedule,
    schema,
    serve,
    sites,
    state,
)
from scraper.exit_status import EXIT_FAILURES, EXIT_OK, EXIT_USAGE, UsageError
from scraper.sites.profile import ProfileError


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra:
        if not getattr(args, "takes_extra_words", False):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
        # search's words after its options, or after -- ("-opinion" is no option there)
        args.query += [word for word in extra if word != "--"]
    try:
        return int(args.run(args))
    except (UsageError, ProfileError) as exc:
        print(f"newsarchive: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except IndexDamagedError as exc:  # not a usage error: the archive needs repair
        print(f"newsarchive: {exc}", file=sys.stderr)
        return EXIT_FAILURES
    except (OSError, sqlite3.Error) as exc:
        if isinstance(exc, BrokenPipeError):
            return _reader_gone()
        # a write outside the crawl's and replay's own clean stop (the site lock, an export…)
        where = getattr(exc, "filename", None) or getattr(args, "out", None) or "the output"
        if is_disk_full(exc):
            print(f"newsarchive: {disk_full_line(where, exc)}", file=sys.stderr)
            return EXIT_FAILURES
        refused = _refused_line(exc)
        if refused is None:
            raise
        # what the commands' own checks did not foresee: still one line, not a traceback
        print(f"newsarchive: error: {where}: {refused}", file=sys.stderr)
        return EXIT_USAGE


def _refused_line(exc: OSError | sqlite3.Error) -> str | None:
    """The archive cannot be written here, or another run holds it: what to say, or None."""
    if isinstance(exc, OSError):
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return exc.strerror or str(exc)  # with the file it names: "Read-only file system"
        return None
    message = str(exc)
    if "readonly database" in message:
        return "the index cannot be written here (read-only); reading commands still work"
    if "database is locked" in message:
        return "another run is going on (its index is locked): wait for it to end"
    return None


def _reader_gone() -> int:
    # The reader went away (`newsarchive export … | head`): what it wanted, it has.
    # Further output goes nowhere, so the interpreter's exit flush cannot fail again.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    return EXIT_OK


class _OneLineParser(argparse.ArgumentParser):
    """argparse's mistakes in the same one line as every other usage error (the usage text
    is a ``--help`` away); subcommands' parsers are made of the same class."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _OneLineParser(
        prog="newsarchive",
        description="Archive news sites that live on several domains: WARC files plus JSON records.",
        epilog=(
            "Exit status: 0 all good, 1 finished with failures or an alert (see the run report), "
            "2 usage error."
        ),
    )
    parser.add_argument("--version", action="version", version=f"newsarchive {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    crawl.add_command(commands)
    extract.add_command(commands)
    state.add_commands(commands)
    mirrors.add_command(commands)
    export.add_command(commands)
    reading.add_commands(commands)
    serve.add_command(commands)
    replay.add_command(commands)
    index_verify.add_commands(commands)
    schedule.add_command(commands)
    schema.add_command(commands)
    sites.add_command(commands)
    demo.add_command(commands)
    return parser


def _version() -> str:
    try:
        return metadata.version("newsarchive")
    except metadata.PackageNotFoundError:  # run from a checkout that was never installed
        return "unknown (not installed)"
