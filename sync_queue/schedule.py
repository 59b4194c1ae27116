"""The schedule: PlexSync's own table of every queued job, in queue.db.

Hooks and tasks add to it with the standard library only: importing persist-queue costs about
70 ms, more than a hook may spend, and its ``put`` commits (and syncs to disk) once per row.
One row per job: the scene and the Stash version it was queued for, its intent, its retry state
and due time, whether a worker has it (``taken``) and, once it has had to wait for another
attempt, the id persist-queue holds it under (``pq_id``, sync_queue/jobs.py).

One job per waiting version: a request for a version that already waits joins that job (its
intent OR'ed in). Partial indexes answer "is this version waiting?", "what is due?" and the
counts without reading the queue, so queueing costs the same however long the queue is; each
chunk of requests is one short write transaction.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from sync_queue.db import write_transaction
from sync_queue.job import Intent, Job

CREATE = (
    "CREATE TABLE IF NOT EXISTS schedule (id INTEGER PRIMARY KEY, scene_id INTEGER NOT NULL, "
    "updated_at TEXT, intent INTEGER NOT NULL, attempts INTEGER NOT NULL, "
    "next_attempt_at REAL NOT NULL, last_error TEXT, enqueued_at REAL NOT NULL, "
    "taken INTEGER NOT NULL, pq_id INTEGER, looks INTEGER NOT NULL DEFAULT 0)",
    # Partial indexes with literal conditions, so that SQLite uses them for the queries below.
    "CREATE INDEX IF NOT EXISTS schedule_waiting_version ON schedule (scene_id, updated_at) "
    "WHERE taken = 0",
    "CREATE INDEX IF NOT EXISTS schedule_waiting_due ON schedule (next_attempt_at) "
    "WHERE taken = 0",
    "CREATE INDEX IF NOT EXISTS schedule_taken ON schedule (id) WHERE taken = 1",
)
# Thousands of rows per write transaction keep a Sync All fast, yet a hook waiting behind it
# waits for one chunk (tens of milliseconds), not for the whole library.
CHUNK = 2000
# In Job's field order.
_COLUMNS = ("id, scene_id, updated_at, intent, attempts, next_attempt_at, last_error, "
            "enqueued_at, looks")
_FIND = ("SELECT id, intent FROM schedule WHERE taken = 0 AND scene_id = ? AND updated_at IS ? "
         "LIMIT 1")
_INSERT = ("INSERT INTO schedule (scene_id, updated_at, intent, attempts, next_attempt_at, "
           "enqueued_at, taken) VALUES (?, ?, ?, 0, ?, ?, 0)")
_COUNTS = (
    "SELECT (SELECT COUNT(*) FROM schedule WHERE taken = 0), "
    "(SELECT COUNT(*) FROM schedule WHERE taken = 0 AND next_attempt_at <= :now), "
    "(SELECT COUNT(*) FROM schedule WHERE taken = 0 AND next_attempt_at > :now "
    "AND (attempts > 0 OR looks > 0)), "
    "(SELECT COUNT(*) FROM schedule WHERE taken = 1)"
)


def _job(row: tuple[Any, ...]) -> Job:
    job_id, scene_id, updated_at, intent, attempts, due, last_error, enqueued_at, looks = row
    return Job(id=int(job_id), scene_id=int(scene_id), updated_at=updated_at,
               intent=Intent.from_bits(int(intent)), attempts=int(attempts),
               next_attempt_at=float(due), last_error=last_error, enqueued_at=float(enqueued_at),
               looks=int(looks))


# -- any process ---------------------------------------------------------------------------

def add(conn: sqlite3.Connection, items: list[tuple[int, str | None]], intent: Intent,
        now: float) -> int:
    """Queue a chunk of versions in one transaction; returns how many are new."""
    added = 0
    with write_transaction(conn):
        for scene_id, updated_at in items:
            key = (int(scene_id), updated_at)
            waiting = conn.execute(_FIND, key).fetchone()
            if waiting is None:
                conn.execute(_INSERT, (*key, intent.bits, now, now))
                added += 1
            elif waiting[1] | intent.bits != waiting[1]:
                conn.execute("UPDATE schedule SET intent = intent | ? WHERE id = ?",
                             (intent.bits, waiting[0]))
    return added


def counts(conn: sqlite3.Connection, now: float) -> dict[str, int]:
    """In one statement: one consistent snapshot."""
    row = conn.execute(_COUNTS, {"now": now}).fetchone()
    return dict(zip(("waiting", "due", "retrying", "taken"), map(int, row), strict=True))


def next_due_at(conn: sqlite3.Connection) -> float | None:
    value = conn.execute(
        "SELECT MIN(next_attempt_at) FROM schedule WHERE taken = 0").fetchone()[0]
    return None if value is None else float(value)


def waiting(conn: sqlite3.Connection, scene_id: int | None = None) -> list[Job]:
    """Every waiting job, or one scene's (through schedule_waiting_version), in queue order."""
    if scene_id is None:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM schedule WHERE taken = 0 ORDER BY id")
    else:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM schedule WHERE taken = 0 AND scene_id = ? "
                            "ORDER BY id", (int(scene_id),))
    return [_job(row) for row in rows]


# -- the holder of the drainer lock ----------------------------------------------------------

def due(conn: sqlite3.Connection, now: float, limit: int) -> list[int]:
    rows = conn.execute("SELECT id FROM schedule WHERE taken = 0 AND next_attempt_at <= ? "
                        "ORDER BY id LIMIT ?", (now, limit))
    return [row[0] for row in rows]


def claim(conn: sqlite3.Connection, job_ids: list[int]) -> list[tuple[Job, int | None]]:
    """Mark the jobs taken, those still waiting; each with its persist-queue id, if any."""
    claimed = []
    with write_transaction(conn):
        for start in range(0, len(job_ids), 500):
            chunk = job_ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(f"SELECT {_COLUMNS}, pq_id FROM schedule WHERE taken = 0 "
                                f"AND id IN ({marks}) ORDER BY id", chunk).fetchall()
            conn.execute(f"UPDATE schedule SET taken = 1 WHERE id IN ({marks})", chunk)
            claimed += [(_job(row[:-1]), row[-1]) for row in rows]
    return claimed


def pq_id(conn: sqlite3.Connection, job_id: int) -> int | None:
    row = conn.execute("SELECT pq_id FROM schedule WHERE id = ?", (job_id,)).fetchone()
    return None if row is None else row[0]


def put_back(conn: sqlite3.Connection, job: Job, held_as: int | None) -> None:
    """Waiting again with the job's retry state (its intent stays as joined meanwhile)."""
    conn.execute("UPDATE schedule SET attempts = ?, looks = ?, next_attempt_at = ?, "
                 "last_error = ?, taken = 0, pq_id = ? WHERE id = ?",
                 (job.attempts, job.looks, job.next_attempt_at, job.last_error, held_as, job.id))


def forget_many(conn: sqlite3.Connection, job_ids: list[int]) -> list[int]:
    """Delete the jobs; returns the persist-queue ids of those it held."""
    held = []
    for start in range(0, len(job_ids), 500):
        chunk = job_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        held += [row[0] for row in conn.execute(
            f"SELECT pq_id FROM schedule WHERE id IN ({marks}) AND pq_id IS NOT NULL", chunk)]
        conn.execute(f"DELETE FROM schedule WHERE id IN ({marks})", chunk)
    return held


def put_back_all(conn: sqlite3.Connection) -> None:
    conn.execute("UPDATE schedule SET taken = 0 WHERE taken = 1")


def held(conn: sqlite3.Connection) -> set[int]:
    """The persist-queue ids of every job."""
    return {row[0] for row in conn.execute("SELECT pq_id FROM schedule WHERE pq_id IS NOT NULL")}


def adopt(conn: sqlite3.Connection, jobs: Iterable[Job]) -> None:
    """Waiting jobs persist-queue holds under their ids (``job.id``); each gets an id here."""
    conn.executemany(
        "INSERT INTO schedule (scene_id, updated_at, intent, attempts, next_attempt_at, "
        "last_error, enqueued_at, taken, pq_id) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?)",
        [(j.scene_id, j.updated_at, j.intent.bits, j.attempts, j.next_attempt_at, j.last_error,
          j.enqueued_at, j.id) for j in jobs])
