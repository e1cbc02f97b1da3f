"""The archives as the web app reads them: each site's search index opened read-only for one
request, writing nothing into the output directory.

``TextIndex(read_only=True)`` makes no file beside the index: ``immutable=1`` when the index
file is all there is, the crawl's last commit (``mode=ro``) beside a running crawl.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from archive.search.reading import SiteArchive, open_archives, sites_in

# Site names and article ids as the app accepts them in a URL: anything else is a 404.
SITE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
ARTICLE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,199}$")


@dataclass
class Snapshot:
    """The archives of the sites asked for, and what the user should know about the rest."""

    archives: list[SiteArchive]
    notes: list[str]

    def of_site(self, site: str) -> list[SiteArchive]:
        return [archive for archive in self.archives if archive.site == site]


def all_sites(outs: Sequence[Path]) -> list[str]:
    """Every site with records in any of the output directories, by name."""
    return sorted({site for out in outs for site in sites_in(out) if SITE_NAME.match(site)})


@contextmanager
def snapshot(outs: Sequence[Path], sites: Sequence[str]) -> Iterator[Snapshot]:
    """The sites' indexes in every output directory, open for the ``with`` block."""
    opened = Snapshot([], [])
    each = []
    try:
        for site in sites:
            found = open_archives(outs, site, read_only=True)
            each.append(found)
            opened.archives += found.archives
            opened.notes += found.notes
        yield opened
    finally:
        for found in each:
            found.close()


def inside(root: Path, name: str) -> Path | None:
    """``root / name`` when ``name`` is one plain file name in ``root``, else None: names read
    from an archive (a CDXJ line's ``filename``) never lead out of it."""
    if not name or "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
        return None
    path = root / name
    try:
        if path.resolve().parent != root.resolve():
            return None
    except OSError:
        return None
    return path if path.is_file() else None
