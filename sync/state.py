"""SyncState: what PlexSync last did for each scene, in one SQLite table.

It answers "is this Stash version already in Plex?" (scene hash and updated_at), "what did PlexSync
write to each Plex item last time?" (so preserve_plex_edits can tell a person's edit from its own)
and "which scenes need a person's attention?" (review, not found, failed). Beside it, the Stash
objects each written scene showed (scene_objects: the destroy hooks read it, sync_queue/shown.py).

The caller opens the database (plexsync.db in the data folder: sync_queue/db.py) and hands the
connection in; it is in autocommit mode, so each write of several statements is one explicit
transaction.
"""

from __future__ import annotations

import functools
import json
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sync.ownership import Owned

_CREATE = (
    "CREATE TABLE IF NOT EXISTS sync_state ("
    "scene_id INTEGER PRIMARY KEY, last_synced_at REAL NOT NULL, "
    "last_sync_status TEXT NOT NULL, plex_item_key TEXT, updated_at REAL NOT NULL)"
)

_CREATE_OBJECTS = (
    "CREATE TABLE IF NOT EXISTS scene_objects (kind TEXT NOT NULL, object_id INTEGER NOT NULL, "
    "scene_id INTEGER NOT NULL, PRIMARY KEY (kind, object_id, scene_id)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS scene_objects_scene ON scene_objects (scene_id)",
)

# Columns added after the first schema; each migration keeps existing rows.
_MIGRATIONS = (
    ("last_success_at", "REAL"),
    ("stash_updated_at", "TEXT"),
    ("scene_hash", "TEXT"),
    ("written", "TEXT"),
    ("detail", "TEXT"),
)

SYNCED = "synced"
REVIEW = "review"
NOT_FOUND = "not_found"
FAILED = "failed"
PENDING = "pending"  # a first write is under way


class Recorded(NamedTuple):
    """What a scene's record says about the version in Plex (sync/freshness.py decides)."""

    status: str
    updated_at: str | None  # Stash's updated_at of the version last written
    stamp: str | None  # set by a complete write only (sync/freshness.py stamp)


@dataclass(frozen=True)
class SceneRecord:
    scene_id: int
    status: str
    last_synced_at: float
    last_success_at: float | None
    plex_item_keys: list[str]
    stash_updated_at: str | None
    scene_hash: str | None
    written: dict[str, Any] = field(default_factory=dict)  # rating key -> stored Owned
    detail: dict[str, Any] = field(default_factory=dict)

    @property
    def recorded(self) -> Recorded:
        return Recorded(self.status, self.stash_updated_at, self.scene_hash)

    def owned(self, rating_key: str) -> Owned:
        """What PlexSync wrote to that item last time."""
        return Owned.read(self.written.get(rating_key))


class Success(NamedTuple):
    """A complete or partial write of one scene, as SyncState.update_successes records it."""

    scene_id: int
    plex_item_key: str
    stash_updated_at: str | None = None
    scene_hash: str | None = None
    written: Mapping[str, Owned] | None = None
    refs: Iterable[tuple[str, int]] = ()  # the Stash objects it shows (sync_queue/shown.py)


@contextmanager
def _writing(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction; the write lock is taken first, so a read inside it is current."""
    with conn:  # commits, or rolls back on an exception
        conn.execute("BEGIN IMMEDIATE")
        yield


class SyncState:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        with _writing(conn):
            conn.execute(_CREATE)
            self._migrate()
            for statement in _CREATE_OBJECTS:
                conn.execute(statement)

    def _migrate(self) -> None:
        have = {row[1] for row in self._conn.execute("PRAGMA table_info(sync_state)")}
        for name, sql_type in _MIGRATIONS:
            if name not in have:
                self._conn.execute(f"ALTER TABLE sync_state ADD COLUMN {name} {sql_type}")
        if "last_success_at" not in have:
            # Rows from the first schema recorded only successes as 'success'.
            self._conn.execute(
                "UPDATE sync_state SET last_success_at = last_synced_at "
                "WHERE last_sync_status IN ('success', ?)",
                (SYNCED,),
            )

    def update_success(
        self,
        scene_id: int,
        plex_item_key: str,
        *,
        stash_updated_at: str | None = None,
        scene_hash: str | None = None,
        written: Mapping[str, Owned] | None = None,
        refs: Iterable[tuple[str, int]] = (),
    ) -> None:
        """refs: the Stash objects the written version shows (sync_queue/shown.py)."""
        self.update_successes([Success(scene_id, plex_item_key, stash_updated_at, scene_hash,
                                       written, refs)])

    def update_successes(self, successes: list[Success]) -> None:
        """Several scenes' writes in one transaction: a commit costs more than the rows."""
        if not successes:
            return
        now = time.time()
        with _writing(self._conn):
            for success in successes:
                owned = {key: value.to_json() for key, value in (success.written or {}).items()}
                _outcome(self._conn, success.scene_id, SYNCED, now, {
                    "plex_item_key": success.plex_item_key, "last_success_at": now,
                    "stash_updated_at": success.stash_updated_at,
                    "scene_hash": success.scene_hash, "written": json.dumps(owned),
                    "detail": None})
            self._conn.executemany("DELETE FROM scene_objects WHERE scene_id = ?",
                                   [(success.scene_id,) for success in successes])
            self._conn.executemany(
                "INSERT OR IGNORE INTO scene_objects (kind, object_id, scene_id) VALUES (?, ?, ?)",
                [(kind, int(object_id), success.scene_id) for success in successes
                 for kind, object_id in success.refs])

    def update_status(self, scene_id: int, status: str, detail: dict[str, Any],
                      plex_item_key: str | None = None) -> None:
        """Record an outcome other than success; the last success and what it wrote stay.
        plex_item_key: the item the scene claims although it was not written (a shared one)."""
        with _writing(self._conn):
            _outcome(self._conn, scene_id, status, time.time(),
                     {"detail": json.dumps(detail), "plex_item_key": plex_item_key},
                     keep=("plex_item_key",))

    def claimants(self, rating_keys: list[str]) -> dict[str, set[int]]:
        """The scenes whose record names each Plex item (written to it, or held back from it).
        A full scan per item: asked only about items that hold files of several scenes."""
        found: dict[str, set[int]] = {}
        for key in rating_keys:
            rows = self._conn.execute(
                "SELECT scene_id FROM sync_state WHERE instr(',' || plex_item_key || ',', ?) > 0",
                (f",{key},",))
            found[key] = {row[0] for row in rows}
        return found

    def claim_many(self, claims: dict[int, dict[str, Owned]],
                   known: Mapping[int, SceneRecord | None] | None = None) -> None:
        """Before writing: widen what each scene's record says PlexSync may own (see
        Owned.claimed), leaving its status and last success as they are. known: the records
        as the caller just read them (get_many, under the drainer lock), so they are not read
        and parsed again; a scene not in it is read here."""
        if not claims:
            return
        now = time.time()
        with _writing(self._conn):
            for scene_id, written in claims.items():
                if known is not None and scene_id in known:
                    record = known[scene_id]
                    stored = record.written if record else {}
                else:
                    row = self._conn.execute("SELECT written FROM sync_state WHERE scene_id = ?",
                                             (scene_id,)).fetchone()
                    stored = json.loads(row[0]) if row and row[0] else {}
                merged = {**stored, **{key: owned.to_json() for key, owned in written.items()}}
                self._conn.execute(
                    "INSERT INTO sync_state (scene_id, last_synced_at, last_sync_status, "
                    "updated_at, written) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT(scene_id) DO UPDATE SET written = excluded.written",
                    (scene_id, now, PENDING, now, json.dumps(merged)))

    def get_many(self, scene_ids: list[int]) -> dict[int, SceneRecord]:
        found: dict[int, SceneRecord] = {}
        for start in range(0, len(scene_ids), 500):
            chunk = scene_ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            for row in self._conn.execute(
                f"SELECT {_COLUMNS} FROM sync_state WHERE scene_id IN ({marks})", chunk
            ):
                record = _record(row)
                found[record.scene_id] = record
        return found

    def stale_versions(self, pages: Iterable[list[tuple[int, str]]],
                       current: Callable[[Recorded | None, str], bool]
                       ) -> tuple[int, list[tuple[int, str]]]:
        """Of every (scene id, updated_at) listed, those whose record does not make them
        current, by id; and how many were listed. Compared inside SQLite (the list in a
        temporary table joined with sync_state), so 100,000 scenes need no dictionary; the rule
        stays `current` (sync/freshness.py), which SQLite calls for each row."""
        conn = self._conn
        conn.create_function(
            "plexsync_current", 4, lambda status, written, stamp, version: current(
                None if status is None else Recorded(status, written, stamp), version),
            deterministic=True)
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS listed_versions "
                     "(scene_id INTEGER PRIMARY KEY, updated_at TEXT NOT NULL)")
        conn.execute("DELETE FROM temp.listed_versions")
        listed = 0
        try:
            for page in pages:
                conn.execute("BEGIN")  # one transaction a page, on the temporary table only
                conn.executemany("INSERT OR REPLACE INTO temp.listed_versions VALUES (?, ?)",
                                 page)
                conn.execute("COMMIT")
                listed += len(page)
            stale = conn.execute(
                "SELECT v.scene_id, v.updated_at FROM temp.listed_versions v "
                "LEFT JOIN sync_state s ON s.scene_id = v.scene_id WHERE NOT plexsync_current("
                "s.last_sync_status, s.stash_updated_at, s.scene_hash, v.updated_at) "
                "ORDER BY v.scene_id").fetchall()
        finally:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            conn.execute("DELETE FROM temp.listed_versions")
        return listed, stale

    def with_status(self, status: str, limit: int = 1000) -> list[SceneRecord]:
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM sync_state WHERE last_sync_status = ? "
            "ORDER BY last_synced_at DESC LIMIT ?",
            (status, limit),
        )
        return [_record(row) for row in rows]

    def counts(self) -> dict[str, int]:
        rows = self._conn.execute(
            "SELECT last_sync_status, COUNT(*) FROM sync_state GROUP BY last_sync_status"
        )
        return dict(rows.fetchall())

    def last_success(self) -> float | None:
        row = self._conn.execute("SELECT MAX(last_success_at) FROM sync_state").fetchone()
        return row[0] if row else None



def _outcome(conn: sqlite3.Connection, scene_id: int, status: str, now: float,
             columns: dict[str, Any], keep: tuple[str, ...] = ()) -> None:
    """A scene's row with this outcome: its status and times, and ``columns``; the columns not
    named keep what they held. A column in ``keep`` also keeps its value when given NULL."""
    values = {"last_synced_at": now, "last_sync_status": status, "updated_at": now, **columns}
    conn.execute(_upsert(tuple(values), keep), (scene_id, *values.values()))


@functools.lru_cache(maxsize=8)
def _upsert(names: tuple[str, ...], keep: tuple[str, ...]) -> str:
    """The statement for these columns: built once, not once per scene."""
    sets = ", ".join(f"{name} = coalesce(excluded.{name}, {name})" if name in keep
                     else f"{name} = excluded.{name}" for name in names)
    return (f"INSERT INTO sync_state (scene_id, {', '.join(names)}) "
            f"VALUES (?{', ?' * len(names)}) ON CONFLICT(scene_id) DO UPDATE SET {sets}")


_COLUMNS = (
    "scene_id, last_sync_status, last_synced_at, last_success_at, plex_item_key, "
    "stash_updated_at, scene_hash, written, detail"
)


def _record(row: tuple[Any, ...]) -> SceneRecord:
    # In _COLUMNS order; the item keys are stored comma-joined, the dicts as JSON.
    keys, written, detail = row[4], row[7], row[8]
    return SceneRecord(*row[:4], [k for k in (keys or "").split(",") if k], *row[5:7],
                       json.loads(written) if written else {}, json.loads(detail) if detail else {})
