"""The data folder read and written raw, beside the plugin's own runs: the queue's rows, scenes
queued as a hook queues them but with no worker to drain them, the drainer lock held as a
running worker holds it, and the circuit breaker as the last worker saved it."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from sync_queue import layout
from sync_queue.jobs import JobQueue
from sync_queue.lock import FileLock
from tests.doubles.stash import StashDouble
from tests.harness import Harness


def queue_rows(harness: Harness) -> list[tuple[int, dict[str, Any]]]:
    """(1 if taken else 0, job) of every job in queue.db, waiting or taken, read raw from the
    schedule (sync_queue/schedule.py)."""
    path = harness.data_dir / layout.QUEUE_DB
    if not path.exists():
        return []
    conn = sqlite3.connect(path, timeout=10)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute("SELECT taken, scene_id, updated_at, intent, attempts, looks, "
                            "last_error FROM schedule").fetchall()
    except sqlite3.OperationalError as exc:  # the first process to open it creates the tables
        if "no such table" not in str(exc):
            raise
        rows = []
    finally:
        conn.close()
    return [(int(row["taken"]), dict(row)) for row in rows]


def queue_scenes(h: Harness, scene_ids: list[int]) -> None:
    """Queue scene versions as a hook does, but with no drainer (it would drain them itself)."""
    h.data_dir.mkdir(exist_ok=True)
    queue = JobQueue(h.data_dir)
    try:
        queue.enqueue_many([(sid, h.stash.scene(sid)["updated_at"]) for sid in scene_ids])
    finally:
        queue.close()


def hold_drainer_lock(harness: Harness) -> FileLock:
    """As if a drainer were running: hooks then only queue, and start nothing."""
    harness.data_dir.mkdir(exist_ok=True)
    lock = FileLock(harness.data_dir / layout.DRAINER_LOCK)
    assert lock.acquire(0)
    return lock


def queue_every_scene(harness: Harness, stash: StashDouble, scene_ids: list[int]) -> None:
    """What a Sync All queues, without starting a drainer."""
    lock = hold_drainer_lock(harness)
    queue = JobQueue(harness.data_dir)
    queue.enqueue_many([(sid, stash.scene(sid)["updated_at"]) for sid in scene_ids])
    queue.close()
    lock.release()


def breaker_state(harness: Harness) -> str:
    """The circuit breaker as the draining process last saved it."""
    path = harness.data_dir / layout.STATE_DB
    if not path.exists():
        return "closed"
    conn = sqlite3.connect(path, timeout=10)
    try:
        row = conn.execute("SELECT value FROM health WHERE key = 'breaker'").fetchone()
    except sqlite3.OperationalError:  # not created yet
        row = None
    finally:
        conn.close()
    return json.loads(row[0])["state"] if row else "closed"
