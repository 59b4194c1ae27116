"""The inbox: what hooks and tasks queue, with the standard library, until the worker takes it.

The hook's insert must never scan the queue: its lookups are checked against SQLite's query
plans, with 10,000 jobs waiting in the inbox and 10,000 in the schedule.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync_queue import db, inbox, layout, schedule
from sync_queue.job import CHANGED, NEW_SCENE, RECHECK, Intent
from sync_queue.jobs import JobQueue


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[JobQueue]:
    q = JobQueue(tmp_path)
    yield q
    q.close()


def tables(data_dir: Path) -> set[str]:
    conn = sqlite3.connect(data_dir / layout.QUEUE_DB)
    names = {name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    conn.close()
    return names


def test_queueing_writes_only_plexsyncs_own_tables(tmp_path: Path, queue: JobQueue) -> None:
    assert queue.enqueue_many([(1, "a"), (2, None)], NEW_SCENE) == 2
    assert tables(tmp_path) == {"inbox", "schedule"}  # persist-queue's comes with the worker
    assert queue.counts() == {"waiting": 2, "due": 2, "retrying": 0, "taken": 0}
    assert [(j.id, j.scene_id, j.intent, j.attempts) for j in queue.waiting()] == [
        (0, 1, NEW_SCENE, 0), (0, 2, NEW_SCENE, 0)]


def test_taking_moves_the_oldest_rows_to_persist_queue_in_queue_order(
        tmp_path: Path, queue: JobQueue) -> None:
    queue.enqueue_many([(n, "v") for n in range(5)])
    first = queue.take(2)
    assert [job.scene_id for job in first] == [0, 1] and all(job.id > 0 for job in first)
    assert "ack_queue_jobs" in tables(tmp_path)
    assert [(j.scene_id, j.id) for j in queue.waiting()] == [(n, 0) for n in (2, 3, 4)]
    queue.release(first[1])
    # A job the schedule holds was queued before any still in the inbox: it keeps its place.
    assert [job.scene_id for job in queue.take(3)] == [1, 2, 3]


def test_a_request_joins_a_waiting_job_in_the_inbox_or_the_schedule(queue: JobQueue) -> None:
    queue.enqueue_many([(1, "a"), (2, "a")])
    [scheduled] = queue.take(1)
    queue.release(scheduled)  # scene 1 now waits in the schedule, scene 2 in the inbox
    assert queue.enqueue_many([(1, "a"), (2, "a")], RECHECK) == 0
    assert queue.enqueue(2, "a", NEW_SCENE) is False
    joined = {job.scene_id: job.intent for job in queue.waiting()}
    assert joined == {1: RECHECK, 2: Intent(recheck=True, scan_if_missing=True,
                                            await_cover=True)}
    assert [job.intent for job in queue.take(2)] == [joined[1], joined[2]]


def test_a_request_never_joins_a_taken_job(queue: JobQueue) -> None:
    queue.enqueue(1, "a")
    [taken] = queue.take(1)
    assert queue.enqueue(1, "a", RECHECK) is True
    assert taken.intent == CHANGED
    assert [(j.id, j.intent) for j in queue.waiting()] == [(0, RECHECK)]


def test_a_long_sync_all_is_queued_in_chunks(queue: JobQueue) -> None:
    items = [(n, "v") for n in range(inbox.CHUNK * 2 + 5)]
    assert queue.enqueue_many(items + items[:10]) == len(items)
    assert queue.counts()["waiting"] == len(items)


def _plans(conn: sqlite3.Connection, statements: list[str]) -> list[str]:
    details = []
    for sql in statements:
        if sql.split()[0].upper() in {"SELECT", "UPDATE", "DELETE", "INSERT"}:
            details += [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
    return details


def test_queueing_a_version_uses_indexes_however_long_the_queue(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / layout.QUEUE_DB)
    for statement in (*inbox.CREATE, *schedule.CREATE):
        conn.execute(statement)
    inbox.add(conn, [(n, "v") for n in range(10_000)], CHANGED, 1.0)
    schedule.adopt(conn, [job._replace(id=n + 1, scene_id=n + 20_000)
                          for n, job in enumerate(inbox.jobs(conn))])
    conn.execute("ANALYZE")
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    for key in [(5, "v"), (20_005, "v"), (5, "new"), (99_999, None)]:
        inbox.add(conn, [key], RECHECK, 2.0)
    conn.set_trace_callback(None)
    plans = _plans(conn, statements)
    assert plans and not [p for p in plans if p.startswith("SCAN")], plans
    conn.close()
