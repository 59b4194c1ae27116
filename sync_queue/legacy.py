"""What v0.1 left in the data folder, read by this version.

v0.1 wrote each job into persist-queue's table itself, in persist-queue's row format: a JSON
record of the whole job (scene_id, updated_at, reason, force and its retry state), indexed by
expressions of its own on that table; a dead letter kept the same reason and force. This version
leaves persist-queue's table to persist-queue: the worker adopts such rows into the schedule
(sync_queue/jobs.py, under the drainer lock, so no v0.1 worker is still taking them) and drops
those indexes; dead letters are rewritten on open (sync_queue/dead_letters.py).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sync_queue.job import Intent, Job

INDEXES = ("jobs_waiting_version", "jobs_waiting_due", "jobs_status")


def intent(reason: str, force: bool) -> Intent:
    """What a v0.1 job asked for: reason "create" (the hook of a new scene) and
    "sync_all_force" (rewrite every field); force (Reconcile, Sync All force, a retried forced
    letter) skipped the current-version check."""
    new = reason == "create"
    return Intent(recheck=bool(force), rewrite=reason == "sync_all_force",
                  scan_if_missing=new, await_cover=new)


def is_job(payload: Any) -> bool:
    """A v0.1 record (PlexSync's own rows in persist-queue hold only scene_id and updated_at)."""
    return isinstance(payload, dict) and "next_attempt_at" in payload


def job(job_id: int, record: dict[str, Any]) -> Job:
    return Job(
        id=int(job_id),
        scene_id=int(record["scene_id"]),
        updated_at=record.get("updated_at"),
        intent=intent(str(record.get("reason", "")), bool(record.get("force", False))),
        attempts=int(record.get("attempts", 0)),
        next_attempt_at=float(record.get("next_attempt_at", 0.0)),
        last_error=record.get("last_error"),
        enqueued_at=float(record.get("enqueued_at", 0.0)),
    )


def drop_indexes(conn: sqlite3.Connection) -> None:
    marks = ",".join("?" * len(INDEXES))
    found = conn.execute(
        f"SELECT name FROM sqlite_master WHERE type = 'index' AND name IN ({marks})", INDEXES)
    for (name,) in found.fetchall():
        conn.execute(f"DROP INDEX IF EXISTS {name}")
