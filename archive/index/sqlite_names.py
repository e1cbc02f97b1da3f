"""The SQLite index's small dictionaries: mirror origins and WARC file names.

A handful of distinct values is referred to by every URL, payload and version, so each is
stored once and referred to by a small integer id; both directions are cached in memory, as
nearly every write and read needs one.
"""

from __future__ import annotations

from archive.index.sqlite_batch import BatchedConnection


class NameTable:
    """One dictionary table (``id INTEGER PRIMARY KEY`` and a unique text column)."""

    def __init__(self, connection: BatchedConnection, table: str, column: str) -> None:
        self._connection = connection
        self._insert = f"INSERT OR IGNORE INTO {table} ({column}) VALUES (?)"
        self._select_id = f"SELECT id FROM {table} WHERE {column}=?"
        self._select_name = f"SELECT {column} FROM {table} WHERE id=?"
        self._ids: dict[str, int] = {}
        self._names: dict[int, str] = {}

    def id_of(self, name: str) -> int:
        """The name's id, added to the table if new."""
        found = self._ids.get(name)
        if found is None:
            db = self._connection.db
            db.execute(self._insert, (name,))
            found = db.execute(self._select_id, (name,)).fetchone()[0]
            self._ids[name] = found
            self._names[found] = name
        return found

    def name_of(self, name_id: int) -> str:
        found = self._names.get(name_id)
        if found is None:  # added by another process since we cached
            found = self._connection.db.execute(self._select_name, (name_id,)).fetchone()[0]
            self._names[name_id] = found
            self._ids[found] = name_id
        return found

    def forget(self) -> None:
        """Empty the cache (the table was emptied)."""
        self._ids.clear()
        self._names.clear()
