"""Finding a site's dedup index for the commands that read it (state, export): by profile,
or by name when the index is in the output directory; on a Redis server for a shared
crawl; read-only beside a running crawl."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from archive.layout import OutputLayout
from scraper.exit_status import UsageError


def site_name(site: str, directory: Path | None = None) -> str:
    """The site's name: a built-in profile's, a profile file's, or a name whose index or
    mirror memory is in ``directory`` (a crawl made from a profile file nobody has at hand)."""
    from scraper.sites.profile import NAME_PATTERN, ProfileError, load_profile

    try:
        return load_profile(site).name
    except ProfileError:
        if directory is not None and NAME_PATTERN.fullmatch(site):
            layout = OutputLayout(directory)
            if layout.index_file(site).is_file() or layout.mirror_memory(site).is_file():
                return site
            # A name, not a path: the site of a profile file crawled into another --out,
            # as likely as a name no profile has. Say what was looked for, where, as for a
            # built-in's (open_site_index), not "unknown site".
            raise UsageError(
                f"no index for {site} at {layout.index_file(site)} (wrong SITE or --out?)"
            ) from None
        raise


def open_site_index(
    directory: Path, site: str, redis_url: str | None, read_only: bool = False
) -> Any:
    from archive.index.model import IndexSchemaError
    from archive.index.open import open_index
    from archive.index.sqlite_damage import IndexDamagedError

    name = site_name(site, None if redis_url else directory)
    if redis_url:
        return open_redis(redis_url, name)
    path = OutputLayout(directory).index_file(name)
    if not path.is_file():
        raise UsageError(f"no index for {name} at {path} (wrong SITE or --out?)")
    if not read_only:
        must_be_writable(path)
    try:
        # A reader beside a running crawl sees its last commit and takes no lock; a wait for
        # one is bounded (a checkpoint), and the crawl is never held up.
        options = {"read_only": True, "busy_timeout": 5.0} if read_only else {}
        return open_index(path, **options)
    except (IndexSchemaError, OSError) as exc:
        raise UsageError(f"{path}: {exc}") from None
    except IndexDamagedError:
        raise  # its own line and exit status (scraper/cli/main.py): not a usage error
    except Exception as exc:  # sqlite3.DatabaseError: not a database
        raise UsageError(f"{path}: cannot open index: {exc}") from None


def must_be_writable(path: Path) -> None:
    """A command about to change ``path`` (the index, the mirror memory) in an archive it
    cannot write: one line before anything is tried, not a traceback halfway (SQLite and the
    lock files need the directory too). Reading commands open it read-only and work."""
    for target in (path, path.parent) if path.exists() else (path.parent,):
        if not os.access(target, os.W_OK):  # a read-only mount answers EROFS, even to root
            raise UsageError(
                f"{target} is read-only here: this command changes {path.name}; "
                "reading commands (state, mirrors, export, verify) still work"
            )


def check_crawl_index(directory: Path, site: str, settings: Any) -> None:
    """Before a crawl: the site's SQLite index, if there is one, opens and passes SQLite's
    quick check (``NEWSARCHIVE_INDEX_CHECK_SECONDS``), so that damage is one line naming the
    file and the way out (exit 1), not a traceback from deep inside the crawl's start."""
    from archive.index.model import IndexSchemaError
    from archive.index.open import open_index

    if settings.get("REDIS_URL") or not settings.getbool("ARCHIVE_INDEX_ENABLED"):
        return
    path = OutputLayout(directory).index_file(site)
    if not path.is_file():
        return
    seconds = settings.getfloat("NEWSARCHIVE_INDEX_CHECK_SECONDS")
    try:
        open_index(path, read_only=True, busy_timeout=5.0, check_seconds=seconds).close()
    except IndexSchemaError as exc:
        raise UsageError(f"{path}: {exc}") from None
    # Checked: the crawl's own opening of the file need not read it all again.
    settings.set("NEWSARCHIVE_INDEX_CHECK_SECONDS", 0, priority="cmdline")


def open_redis(url: str, site: str) -> Any:
    """A shared crawl's index, where its workers keep it (``newsarchive:<site>:index:``)."""
    import redis

    from archive.index.open import is_redis_url
    from archive.index.redis_backend import RedisIndex, redacted

    if not is_redis_url(url):
        raise UsageError(
            f"--redis {redacted(url)}: expected redis://HOST[:PORT][/DB], rediss://… or unix://PATH"
        )
    try:  # from_url raises ValueError for a host or port that does not parse ("[::1")
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
    except ValueError as exc:
        raise UsageError(f"--redis {redacted(url)}: {exc}") from None
    try:
        client.ping()  # a quick one-line answer, not a traceback after redis-py's retries
    except (redis.RedisError, ValueError) as exc:
        raise UsageError(f"--redis {redacted(url)}: cannot use the server: {exc}") from None
    finally:
        client.close()
    return RedisIndex(url, site=site)
