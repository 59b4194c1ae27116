"""The inbox: scene versions queued and not yet handed to persist-queue, in queue.db.

Hooks and tasks queue here with the standard library only: importing persist-queue costs about
70 ms, more than a hook may spend, and its ``put`` commits once per row, which would make a
Sync All of 100,000 scenes take minutes. The worker hands the oldest rows to persist-queue as it
takes them (sync_queue/jobs.py).

One row per waiting version: a request for a version that already waits, here or in the
schedule (sync_queue/schedule.py), joins that job instead (its intent OR'ed in). Both lookups
use an index, so queueing costs the same however long the queue is; each chunk of requests is
one short write transaction.
"""

from __future__ import annotations

import sqlite3

from sync_queue import schedule
from sync_queue.db import write_transaction
from sync_queue.job import Intent, Job

CREATE = (
    "CREATE TABLE IF NOT EXISTS inbox (id INTEGER PRIMARY KEY, scene_id INTEGER NOT NULL, "
    "updated_at TEXT, intent INTEGER NOT NULL, enqueued_at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS inbox_version ON inbox (scene_id, updated_at)",
)
# Thousands of rows per write transaction keep a Sync All fast, yet a hook waiting behind it
# waits for one chunk (tens of milliseconds), not for the whole library.
CHUNK = 2000

_FIND = "SELECT id, intent FROM inbox WHERE scene_id = ? AND updated_at IS ? LIMIT 1"
_INSERT = "INSERT INTO inbox (scene_id, updated_at, intent, enqueued_at) VALUES (?, ?, ?, ?)"
_JOIN = "UPDATE inbox SET intent = intent | ? WHERE id = ?"
_MOVE = (
    f"INSERT INTO schedule ({schedule.COLUMNS}, taken) SELECT ?, scene_id, updated_at, intent, "
    "0, enqueued_at, NULL, enqueued_at, 0 FROM inbox WHERE id = ?"
)


def add(conn: sqlite3.Connection, items: list[tuple[int, str | None]], intent: Intent,
        now: float) -> int:
    """Queue a chunk of versions in one transaction; returns how many are new."""
    added = 0
    with write_transaction(conn):
        for scene_id, updated_at in items:
            key = (int(scene_id), updated_at)
            if not _join(conn, key, intent.bits):
                conn.execute(_INSERT, (*key, intent.bits, now))
                added += 1
    return added


def _join(conn: sqlite3.Connection, key: tuple[int, str | None], bits: int) -> bool:
    """Whether the version already waits; if so it now asks for ``bits`` too."""
    row = conn.execute(_FIND, key).fetchone()
    if row is not None:
        if row[1] | bits != row[1]:
            conn.execute(_JOIN, (bits, row[0]))
        return True
    return schedule.join_waiting(conn, key, bits)


def oldest(conn: sqlite3.Connection, now: float, limit: int) -> list[tuple[int, int, str | None]]:
    """(inbox id, scene id, updated_at) of the first ``limit`` rows queued by ``now``."""
    return conn.execute(
        "SELECT id, scene_id, updated_at FROM inbox WHERE enqueued_at <= ? ORDER BY id LIMIT ?",
        (now, limit)).fetchall()


def move(conn: sqlite3.Connection, inbox_id: int, job_id: int) -> None:
    """The row becomes the schedule's job ``job_id`` (persist-queue's id for it); call inside
    a write transaction. A row removed meanwhile (Clear Queue) leaves nothing to move."""
    conn.execute(_MOVE, (job_id, inbox_id))
    conn.execute("DELETE FROM inbox WHERE id = ?", (inbox_id,))


def jobs(conn: sqlite3.Connection) -> list[Job]:
    """Every row as a job, in queue order; id 0: persist-queue has not given it one yet."""
    rows = conn.execute(
        "SELECT 0, scene_id, updated_at, intent, 0, enqueued_at, NULL, enqueued_at FROM inbox "
        "ORDER BY id").fetchall()
    return [schedule.from_row(row) for row in rows]
