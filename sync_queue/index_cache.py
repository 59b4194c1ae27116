"""The Plex path index, kept between runs so a freshly started drainer need not list Plex again.

It is trusted only while young (MAX_AGE) and while every section's last-scan time is unchanged
(each section's signature, plex/sections.py); a miss also forces a rebuild (at most once per
drain), so a newly scanned file is found. Tables of plexsync.db: the caller opens it
(sync_queue/db.py) and hands the connection in.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable

from sync.matching import IndexEntry
from sync_queue.db import write_transaction

MAX_AGE = 900.0


def _signature(sections: Iterable[str]) -> str:
    return ";".join(sorted(sections))


class IndexCache:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        with write_transaction(conn):
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS plex_index (rating_key TEXT NOT NULL, "
                "section_id INTEGER NOT NULL, file TEXT NOT NULL, size INTEGER)")
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS plex_index_meta (id INTEGER PRIMARY KEY CHECK (id = 1),"
                " built_at REAL NOT NULL, signature TEXT NOT NULL)")

    def load(self, sections: Iterable[str], now: float | None = None) -> list[IndexEntry] | None:
        row = self._conn.execute("SELECT built_at, signature FROM plex_index_meta").fetchone()
        if row is None:
            return None
        built_at, signature = row
        if signature != _signature(sections) or (now or time.time()) - built_at > MAX_AGE:
            return None
        rows = self._conn.execute("SELECT rating_key, section_id, file, size FROM plex_index")
        return [IndexEntry(*r) for r in rows]

    def store(self, sections: Iterable[str], entries: list[IndexEntry]) -> None:
        with write_transaction(self._conn):
            self._conn.execute("DELETE FROM plex_index")
            self._conn.executemany("INSERT INTO plex_index VALUES (?, ?, ?, ?)", entries)
            self._conn.execute(
                "INSERT INTO plex_index_meta (id, built_at, signature) VALUES (1, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET built_at = excluded.built_at, "
                "signature = excluded.signature",
                (time.time(), _signature(sections)))

    def clear(self) -> None:
        self._conn.execute("DELETE FROM plex_index_meta")
