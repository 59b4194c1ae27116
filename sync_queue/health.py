"""Plex's health as the drainer last saw it: the circuit breaker and the last outage error.

Persisted so a new drainer does not forget an ongoing outage, and so Queue Status can report it.
A table of plexsync.db: the caller opens it (sync_queue/db.py) and hands the connection in.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import asdict
from typing import Any

from sync.breaker import Breaker


class HealthStore:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        conn.execute(
            "CREATE TABLE IF NOT EXISTS health (key TEXT PRIMARY KEY, value TEXT NOT NULL)")

    def _get(self, key: str) -> Any:
        row = self._conn.execute("SELECT value FROM health WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    def _put(self, key: str, value: Any) -> None:
        self._conn.execute(
            "INSERT INTO health (key, value) VALUES (?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )

    def breaker(self) -> Breaker:
        saved = self._get("breaker")
        try:
            return Breaker(**saved) if saved else Breaker()
        except TypeError:
            return Breaker()

    def save(self, breaker: Breaker, error: str | None) -> None:
        self._put("breaker", asdict(breaker))
        if error is not None:
            self._put("last_error", {"message": error, "at": time.time()})

    def last_error(self) -> dict[str, Any] | None:
        return self._get("last_error")
