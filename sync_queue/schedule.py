"""The schedule: PlexSync's table beside persist-queue's, one row per job persist-queue holds.

persist-queue keeps each job handed to it and whether it is waiting, taken or done; it cannot
say whether a version already waits, which jobs are due, or how many wait. This table can, from
indexes: the job's scene and version, its intent, its retry state and due time, and whether a
worker has it (``taken``, kept in step with persist-queue's own status by sync_queue/jobs.py).
The job's id is persist-queue's. A job still in the inbox (sync_queue/inbox.py) is due when it
was queued and never tried, so the counts here include the inbox's rows.

Standard library only: the hook joins its request to a waiting job here.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from sync_queue.job import Intent, Job

CREATE = (
    "CREATE TABLE IF NOT EXISTS schedule (job_id INTEGER PRIMARY KEY, scene_id INTEGER NOT NULL, "
    "updated_at TEXT, intent INTEGER NOT NULL, attempts INTEGER NOT NULL, "
    "next_attempt_at REAL NOT NULL, last_error TEXT, enqueued_at REAL NOT NULL, "
    "taken INTEGER NOT NULL)",
    # Partial indexes with a literal condition, so SQLite uses them for "taken = 0" queries.
    "CREATE INDEX IF NOT EXISTS schedule_waiting_version ON schedule (scene_id, updated_at) "
    "WHERE taken = 0",
    "CREATE INDEX IF NOT EXISTS schedule_waiting_due ON schedule (next_attempt_at) "
    "WHERE taken = 0",
)
# In Job's field order.
COLUMNS = "job_id, scene_id, updated_at, intent, attempts, next_attempt_at, last_error, enqueued_at"

_COUNTS = (
    "SELECT (SELECT COUNT(*) FROM inbox) + (SELECT COUNT(*) FROM schedule WHERE taken = 0), "
    "(SELECT COUNT(*) FROM inbox WHERE enqueued_at <= :now) "
    "+ (SELECT COUNT(*) FROM schedule WHERE taken = 0 AND next_attempt_at <= :now), "
    "(SELECT COUNT(*) FROM schedule WHERE taken = 0 AND attempts > 0 AND next_attempt_at > :now), "
    "(SELECT COUNT(*) FROM schedule WHERE taken = 1)"
)
_NEXT_DUE = (
    "SELECT MIN(due) FROM (SELECT MIN(next_attempt_at) AS due FROM schedule WHERE taken = 0 "
    "UNION ALL SELECT MIN(enqueued_at) FROM inbox)"
)


def from_row(row: tuple[Any, ...]) -> Job:
    job_id, scene_id, updated_at, intent, attempts, due, last_error, enqueued_at = row
    return Job(id=int(job_id), scene_id=int(scene_id), updated_at=updated_at,
               intent=Intent.from_bits(int(intent)), attempts=int(attempts),
               next_attempt_at=float(due), last_error=last_error, enqueued_at=float(enqueued_at))


def join_waiting(conn: sqlite3.Connection, key: tuple[int, str | None], bits: int) -> bool:
    """Whether the version waits here (not taken); if so it now asks for ``bits`` too."""
    row = conn.execute("SELECT job_id, intent FROM schedule WHERE taken = 0 AND scene_id = ? "
                       "AND updated_at IS ? LIMIT 1", key).fetchone()
    if row is None:
        return False
    if row[1] | bits != row[1]:
        conn.execute("UPDATE schedule SET intent = intent | ? WHERE job_id = ?", (bits, row[0]))
    return True


def due(conn: sqlite3.Connection, now: float, limit: int) -> list[int]:
    rows = conn.execute("SELECT job_id FROM schedule WHERE taken = 0 AND next_attempt_at <= ? "
                        "ORDER BY job_id LIMIT ?", (now, limit))
    return [row[0] for row in rows]


def claim(conn: sqlite3.Connection, job_ids: list[int]) -> list[Job]:
    """Mark the jobs taken, those still waiting; call inside a write transaction."""
    claimed = []
    for start in range(0, len(job_ids), 500):
        chunk = job_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(f"SELECT {COLUMNS} FROM schedule WHERE taken = 0 "
                            f"AND job_id IN ({marks})", chunk).fetchall()
        conn.execute(f"UPDATE schedule SET taken = 1 WHERE job_id IN ({marks})", chunk)
        claimed += [from_row(row) for row in rows]
    return sorted(claimed, key=lambda taken: taken.id)


def put_back(conn: sqlite3.Connection, job: Job) -> None:
    """Waiting again with the job's retry state (what it asks for stays as joined meanwhile)."""
    conn.execute("UPDATE schedule SET attempts = ?, next_attempt_at = ?, last_error = ?, "
                 "taken = 0 WHERE job_id = ?",
                 (job.attempts, job.next_attempt_at, job.last_error, job.id))


def forget(conn: sqlite3.Connection, job_id: int) -> None:
    conn.execute("DELETE FROM schedule WHERE job_id = ?", (job_id,))


def put_back_all(conn: sqlite3.Connection) -> int:
    return conn.execute("UPDATE schedule SET taken = 0 WHERE taken = 1").rowcount


def adopt(conn: sqlite3.Connection, jobs: Iterable[Job]) -> None:
    """Waiting jobs persist-queue holds under these ids; one already known is left as it is."""
    conn.executemany(
        f"INSERT OR IGNORE INTO schedule ({COLUMNS}, taken) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0)",
        [(j.id, j.scene_id, j.updated_at, j.intent.bits, j.attempts, j.next_attempt_at,
          j.last_error, j.enqueued_at) for j in jobs])


def ids(conn: sqlite3.Connection) -> set[int]:
    return {row[0] for row in conn.execute("SELECT job_id FROM schedule")}


def waiting(conn: sqlite3.Connection) -> list[Job]:
    rows = conn.execute(f"SELECT {COLUMNS} FROM schedule WHERE taken = 0 ORDER BY job_id")
    return [from_row(row) for row in rows]


def counts(conn: sqlite3.Connection, now: float) -> dict[str, int]:
    """Over the inbox and the schedule, in one statement (one consistent snapshot)."""
    row = conn.execute(_COUNTS, {"now": now}).fetchone()
    return dict(zip(("waiting", "due", "retrying", "taken"), map(int, row), strict=True))


def next_due_at(conn: sqlite3.Connection) -> float | None:
    value = conn.execute(_NEXT_DUE).fetchone()[0]
    return None if value is None else float(value)
