"""Versions waiting for their record (``ArticleIndex.hold_versions_until_written``): the
bookkeeping both backends share; what a backend does with a version taken back is its own
(SQLite deletes it before the batch commits, Redis at once).
"""

from __future__ import annotations

import logging
import threading

from archive.wording import count

__all__ = ["HeldVersions"]

Key = tuple[str, str]  # (article id, content hash)


class HeldVersions:
    """New versions recorded while holding, until their record is written or is not. Every
    method is cheap and takes no database lock (the pipeline calls them on the reactor
    thread); safe from any thread."""

    def __init__(self, logger: logging.Logger) -> None:
        self.hold = False
        self._logger = logger
        self._waiting: dict[Key, int] = {}  # -> version number
        self._not_written: list[Key] = []  # the caller's to take back
        self._lock = threading.Lock()

    def recorded(self, article_id: str, content_hash: str, number: int) -> None:
        """A new version is stored: when holding, it now waits for its record."""
        if self.hold:
            with self._lock:
                self._waiting[(article_id, content_hash)] = number

    def written(self, article_id: str, content_hash: str) -> None:
        with self._lock:
            self._waiting.pop((article_id, content_hash), None)

    def not_written(self, article_id: str, content_hash: str) -> None:
        """A version waiting is now to be taken back (see :meth:`settle`); others are ignored."""
        key = (article_id, content_hash)
        with self._lock:
            if self._waiting.pop(key, None) is not None:
                self._not_written.append(key)

    def settle(self) -> tuple[list[Key], bool]:
        """The versions to take back now, and whether others still wait for their record, in
        one look: a version cannot move from waiting to be taken back in between (SQLite
        would then commit it)."""
        with self._lock:
            taken, self._not_written = self._not_written, []
            return taken, bool(self._waiting)

    def never_written(self, where: str) -> list[Key]:
        """Every version to take back when the run is over: those not written, and those
        still waiting (their records never will be written; logged once, here)."""
        with self._lock:
            leftovers = list(self._waiting)
            self._waiting.clear()
            taken, self._not_written = self._not_written + leftovers, []
        if leftovers:
            self._logger.warning(
                "%s: %s recorded but never written out (e.g. %s): taken "
                "back, so the next run fetches %s again",
                where,
                count(len(leftovers), "article version"),
                leftovers[0][0],
                "it" if len(leftovers) == 1 else "them",
            )
        return taken
