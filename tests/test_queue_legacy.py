"""A data folder from v0.1: its queued jobs keep waiting, with their meaning, and run once.

v0.1 wrote its jobs into persist-queue's table itself (a JSON record of the whole job, its
meaning in a reason string and a force flag) and indexed that table with expressions. The
first worker of this version adopts those rows into the schedule (sync_queue/legacy.py).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from persistqueue import SQLiteAckQueue

from sync_queue import legacy
from sync_queue.job import CHANGED, NEW_SCENE, RECHECK, REWRITE
from sync_queue.jobs import JobQueue
from sync_queue.layout import QUEUE_DB
from tests.harness import killed_at, persist_queue_rows

DOC = "json_extract(CAST(data AS TEXT), '$.{}')"
V01_INDEXES = (  # as v0.1 created them on persist-queue's table
    f"CREATE INDEX jobs_waiting_version ON ack_queue_jobs ({DOC.format('scene_id')}, "
    f"{DOC.format('updated_at')}) WHERE status < 2",
    f"CREATE INDEX jobs_waiting_due ON ack_queue_jobs ({DOC.format('next_attempt_at')}) "
    "WHERE status < 2",
    "CREATE INDEX jobs_status ON ack_queue_jobs (status)",
)
T0 = 1_700_000_000.0


def v01_record(scene_id: int, reason: str, force: bool, attempts: int = 0) -> bytes:
    return json.dumps({
        "scene_id": scene_id, "updated_at": f"v{scene_id}", "reason": reason, "force": force,
        "attempts": attempts, "next_attempt_at": T0 + attempts, "enqueued_at": T0,
        "last_error": "Plex answered 500" if attempts else None}).encode()


def v01_folder(data_dir: Path) -> None:
    """queue.db as v0.1 left it: waiting (0, 1), taken by a worker that died (2), done (5)."""
    SQLiteAckQueue(str(data_dir), name="jobs", db_file_name=QUEUE_DB, auto_resume=False).close()
    conn = sqlite3.connect(data_dir / QUEUE_DB)
    for statement in V01_INDEXES:
        conn.execute(statement)
    conn.executemany("INSERT INTO ack_queue_jobs (data, timestamp, status) VALUES (?, ?, ?)", [
        (v01_record(1, "update", False), T0, 0),
        (v01_record(2, "create", False), T0, 1),
        (v01_record(3, "sync_all_force", True, attempts=2), T0, 2),
        (v01_record(4, "reconcile", True), T0, 5),
        (v01_record(5, "reconcile", True), T0, 1),
    ])
    conn.commit()
    conn.close()


def test_v01_jobs_are_adopted_by_the_first_worker_with_their_meaning(tmp_path: Path) -> None:
    v01_folder(tmp_path)
    hook = JobQueue(tmp_path)  # a hook before any worker ran: it only queues
    assert hook.enqueue(6, "v6") is True
    hook.close()
    worker = JobQueue(tmp_path)
    worker.resume_abandoned()
    jobs = {job.scene_id: job for job in worker.waiting()}
    assert {sid: job.intent for sid, job in jobs.items()} == {
        1: CHANGED, 2: NEW_SCENE, 3: REWRITE, 5: RECHECK, 6: CHANGED}  # 4 was done
    assert (jobs[3].attempts, jobs[3].next_attempt_at, jobs[3].last_error) == (
        2, T0 + 2, "Plex answered 500")
    assert worker.enqueue(5, "v5") is False  # an adopted job is waiting like any other
    conn = sqlite3.connect(tmp_path / QUEUE_DB)
    left = conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'jobs_%'").fetchall()
    conn.close()
    assert left == []  # v0.1's indexes on persist-queue's table are gone
    taken = worker.take(10, now=T0 + 10**10)
    assert [job.scene_id for job in taken] == [6, 1, 2, 3, 5]  # adopted after the hook's
    for job in taken:
        worker.ack(job)
    worker.close()

    again = JobQueue(tmp_path)
    again.resume_abandoned()  # done jobs are not adopted a second time
    assert again.waiting() == [] and persist_queue_rows(tmp_path) == []
    again.close()


def test_clear_queue_removes_v01_jobs_too(tmp_path: Path) -> None:
    v01_folder(tmp_path)
    queue = JobQueue(tmp_path)
    queue.clear()
    queue.resume_abandoned()
    assert queue.waiting() == [] and persist_queue_rows(tmp_path) == []
    queue.close()


def test_a_killed_adoption_adopts_each_job_once(tmp_path: Path) -> None:
    v01_folder(tmp_path)
    dying = JobQueue(tmp_path)
    with killed_at("update", call=2):  # adopted, one row rewritten as this version's
        dying.resume_abandoned()
    worker = JobQueue(tmp_path)
    worker.resume_abandoned()
    assert sorted(job.scene_id for job in worker.waiting()) == [1, 2, 3, 5]
    assert all(not legacy.is_job(row["data"]) for row in persist_queue_rows(tmp_path))
    worker.close()
