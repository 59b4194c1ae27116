"""The Plex path index, kept in plexsync.db: every part of every item of the chosen sections, and
what PlexSync knows about each section (sync/index_refresh.py decides when to list it again).

Kept in SQLite rather than in dictionaries: 100,000 items cost no memory and no loading when a
process starts, and a refresh is a few row replacements. Matching asks it one file at a time
through its two lookups (sync/matching.py Lookups), each an indexed query. Tables of
plexsync.db: the caller opens it (sync_queue/db.py) and hands the connection in.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable

from sync.index_refresh import Held, ListedItem
from sync.matching import IndexEntry, key_name
from sync.paths import normalize
from sync_queue.db import write_transaction

_SCHEMA = (
    # The tables of the cache before issue 15 (all items in one blob of rows): gone.
    "DROP TABLE IF EXISTS plex_index",
    "DROP TABLE IF EXISTS plex_index_meta",
    # `seen`: when the listing that last saw a row began (stamp()); rows a full listing
    # did not see are gone. Not indexed: listing an unchanged section again rewrites no index.
    "CREATE TABLE IF NOT EXISTS plex_items (rating_key TEXT PRIMARY KEY, "
    "section_id INTEGER NOT NULL, added_at INTEGER, seen INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS plex_items_section ON plex_items (section_id)",
    "CREATE TABLE IF NOT EXISTS plex_parts (rating_key TEXT NOT NULL, file TEXT NOT NULL, "
    "section_id INTEGER NOT NULL, norm_path TEXT NOT NULL, name TEXT NOT NULL, size INTEGER, "
    "seen INTEGER NOT NULL, PRIMARY KEY (rating_key, file)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS plex_parts_path ON plex_parts (norm_path)",
    "CREATE INDEX IF NOT EXISTS plex_parts_name ON plex_parts (name, size)",
    "CREATE TABLE IF NOT EXISTS plex_sections (section_id INTEGER PRIMARY KEY, "
    "server_id TEXT NOT NULL, locations TEXT NOT NULL, scanned_at TEXT NOT NULL, "
    "cursor INTEGER, full_at REAL NOT NULL)",
)
_ENTRY = "SELECT rating_key, section_id, file, size FROM plex_parts"
_LOCATIONS = "\n"  # joins a section's folders in one column; no path holds a newline


class IndexCache:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        with write_transaction(conn):
            for statement in _SCHEMA:
                conn.execute(statement)

    # -- the lookups matching uses (sync/matching.py Lookups) -----------------------------
    def by_path(self, normalized: str) -> list[IndexEntry]:
        return self._entries(f"{_ENTRY} WHERE norm_path = ?", (normalized,))

    def by_name_size(self, basename_lower: str, size: int | None) -> list[IndexEntry]:
        if size is None:
            return []  # without a size, a shared name proves nothing
        return self._entries(f"{_ENTRY} WHERE name = ? AND size = ?", (basename_lower, size))

    def stack(self, rating_key: str) -> list[IndexEntry]:
        """Every part of an item that has several; empty for an item of one file."""
        parts = self._entries(f"{_ENTRY} WHERE rating_key = ?", (rating_key,))
        return parts if len(parts) > 1 else []

    def __len__(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM plex_parts").fetchone()[0])

    def _entries(self, sql: str, args: tuple[object, ...]) -> list[IndexEntry]:
        return [IndexEntry(*row) for row in self._conn.execute(sql, args)]

    # -- sections ------------------------------------------------------------------------
    def held(self, section_id: int) -> Held | None:
        row = self._conn.execute(
            "SELECT server_id, locations, scanned_at, cursor, full_at FROM plex_sections "
            "WHERE section_id = ?", (section_id,)).fetchone()
        if row is None:
            return None
        server_id, locations, scanned_at, cursor, full_at = row
        return Held(server_id, tuple(locations.split(_LOCATIONS)) if locations else (),
                    scanned_at, cursor, full_at)

    def items(self, section_id: int) -> int:
        """How many items the index holds for a section (Plex's count is compared to it)."""
        return int(self._conn.execute("SELECT COUNT(*) FROM plex_items WHERE section_id = ?",
                                      (section_id,)).fetchone()[0])

    def keep_only(self, section_ids: Iterable[int]) -> None:
        """Forget the sections PlexSync no longer syncs into (plex_library changed)."""
        keep = sorted(set(section_ids))
        marks = ",".join("?" * len(keep))  # NOT IN (): every row, as SQLite allows
        with write_transaction(self._conn):
            for table in ("plex_parts", "plex_items", "plex_sections"):
                self._conn.execute(f"DELETE FROM {table} WHERE section_id NOT IN ({marks})",
                                   keep)

    # -- refreshing ----------------------------------------------------------------------
    def stamp(self) -> int:
        """The `seen` of a listing about to begin: later than every row's, by this machine's
        clock, or just past the newest row when the clock was set back since (else the rows
        stamped before would outlive every listing that no longer sees them)."""
        newest = self._conn.execute("SELECT max(seen) FROM plex_items").fetchone()[0]
        return max(time.time_ns(), (newest or 0) + 1)

    def put(self, items: list[ListedItem], seen: int, *, whole: bool = False) -> None:
        """These items as Plex lists them now, stamped `seen`: a part they no longer have goes,
        except in a listing of the whole section (`whole`), which finish_full tidies at once."""
        parts = [(e.rating_key, e.file, e.section_id, key, key_name(key), e.size, seen)
                 for item in items for e in item.parts for key in (normalize(e.file),)]
        with write_transaction(self._conn):
            self._conn.executemany(
                "INSERT INTO plex_items VALUES (?, ?, ?, ?) ON CONFLICT (rating_key) DO UPDATE "
                "SET added_at = excluded.added_at, seen = excluded.seen",
                [(item.rating_key, item.section_id, item.added_at, seen) for item in items])
            self._conn.executemany(
                "INSERT INTO plex_parts VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (rating_key, "
                "file) DO UPDATE SET size = excluded.size, seen = excluded.seen", parts)
            if not whole:
                self._conn.executemany(
                    "DELETE FROM plex_parts WHERE rating_key = ? AND seen < ?",
                    [(item.rating_key, seen) for item in items])

    def finish_full(self, section_id: int, started: int, held: Held) -> None:
        """A full listing that began at `started` is complete: what it did not list is gone."""
        with write_transaction(self._conn):
            for table in ("plex_parts", "plex_items"):
                self._conn.execute(f"DELETE FROM {table} WHERE section_id = ? AND seen < ?",
                                   (section_id, started))
            self._note(section_id, held)

    def note(self, section_id: int, held: Held) -> None:
        """The section's rows are trusted as of this state."""
        with write_transaction(self._conn):
            self._note(section_id, held)

    def _note(self, section_id: int, held: Held) -> None:
        self._conn.execute(
            "INSERT OR REPLACE INTO plex_sections VALUES (?, ?, ?, ?, ?, ?)",
            (section_id, held.server_id, _LOCATIONS.join(held.locations), held.scanned_at,
             held.cursor, held.full_at))

    def forget(self, rating_keys: Iterable[str]) -> None:
        """Items Plex no longer has (it answered 404 for them)."""
        keys = [(key,) for key in rating_keys]
        with write_transaction(self._conn):
            self._conn.executemany("DELETE FROM plex_parts WHERE rating_key = ?", keys)
            self._conn.executemany("DELETE FROM plex_items WHERE rating_key = ?", keys)
