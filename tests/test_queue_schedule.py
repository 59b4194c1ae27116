"""The schedule (PlexSync's table of every job) and when a job reaches persist-queue.

Queueing must never read the whole queue: its lookups are checked against SQLite's query plans
with 20,000 jobs queued.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from sync_queue import db, layout, schedule
from sync_queue.job import CHANGED, NEW_SCENE, RECHECK, Intent
from sync_queue.jobs import JobQueue
from tests.harness import persist_queue_rows


def tables(data_dir: Path) -> set[str]:
    conn = sqlite3.connect(data_dir / layout.QUEUE_DB)
    names = {name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")}
    conn.close()
    return names


def test_queueing_writes_only_plexsyncs_own_table(tmp_path: Path, queue: JobQueue) -> None:
    assert queue.enqueue_many([(1, "a"), (2, None)], NEW_SCENE) == 2
    assert tables(tmp_path) == {"schedule"}  # persist-queue's comes with the worker
    assert queue.counts() == {"waiting": 2, "due": 2, "retrying": 0, "taken": 0}
    assert [(j.scene_id, j.intent, j.attempts) for j in queue.waiting()] == [
        (1, NEW_SCENE, 0), (2, NEW_SCENE, 0)]


def test_a_job_reaches_persist_queue_when_it_must_wait_for_another_attempt(
        tmp_path: Path, queue: JobQueue) -> None:
    queue.enqueue_many([(1, "v"), (2, "v")])
    first, second = queue.take(2)
    queue.ack(first)  # done at once: persist-queue never held it
    queue.release(second)  # not attempted: nothing to hold either
    assert queue.resume_abandoned() == 0 and persist_queue_rows(tmp_path) == []
    [second] = queue.take(1)
    queue.retry(second, error="Plex answered 500", next_attempt_at=0)
    [held] = persist_queue_rows(tmp_path)
    assert held["data"] == {"scene_id": 2, "updated_at": "v"}
    [again] = queue.take(1)  # taken from persist-queue too, then done
    assert (again.id, again.attempts) == (second.id, 1)
    queue.retry(again, error="still 500", next_attempt_at=0)
    [again] = queue.take(1)
    assert [row["id"] for row in persist_queue_rows(tmp_path)] == [held["id"]]  # the same row
    queue.ack(again)
    queue.take(1)  # deletes what persist-queue acknowledged
    assert persist_queue_rows(tmp_path) == [] and queue.waiting() == []


def test_a_request_joins_a_waiting_job_not_a_taken_one(queue: JobQueue) -> None:
    queue.enqueue_many([(1, "a"), (2, "a")])
    [taken] = queue.take(1)
    assert queue.enqueue_many([(1, "a"), (2, "a")], RECHECK) == 1  # scene 1 is taken
    assert queue.enqueue(2, "a", NEW_SCENE) is False
    assert taken.intent == CHANGED
    assert [(j.scene_id, j.intent) for j in queue.waiting()] == [
        (2, Intent(recheck=True, scan_if_missing=True, await_cover=True)), (1, RECHECK)]


def test_one_scenes_jobs_are_listed_and_taken_due_or_not(tmp_path: Path, queue: JobQueue) -> None:
    """Sync now in the web UI: the scene's waiting jobs, a retry not due for an hour included,
    taken at once; other scenes' jobs keep their place."""
    queue.enqueue_many([(1, "a"), (2, "a")])
    [first] = queue.take(1)
    queue.retry(first, error="Plex answered 500", next_attempt_at=time.time() + 3600)
    queue.enqueue(1, "b")  # edited again meanwhile
    assert [(j.updated_at, j.attempts) for j in queue.scene_jobs(1)] == [("a", 1), ("b", 0)]
    assert queue.scene_jobs(3) == [] and queue.take_scene(3) == []
    taken = queue.take_scene(1)
    assert [(j.id, j.updated_at) for j in taken] == [(first.id, "a"), (taken[1].id, "b")]
    assert queue.scene_jobs(1) == [] and [j.scene_id for j in queue.waiting()] == [2]
    assert queue.counts() == {"waiting": 1, "due": 1, "retrying": 0, "taken": 2}
    for job in taken:  # the one persist-queue held was got from it: it acknowledges
        queue.ack(job)
    assert [j.scene_id for j in queue.take(10)] == [2]
    assert persist_queue_rows(tmp_path) == []


def test_a_long_sync_all_is_queued_in_chunks(queue: JobQueue) -> None:
    items = [(n, "v") for n in range(schedule.CHUNK * 2 + 5)]
    assert queue.enqueue_many(items + items[:10]) == len(items)
    assert queue.counts()["waiting"] == len(items)


def _plans(conn: sqlite3.Connection, statements: list[str]) -> list[str]:
    details = []
    for sql in statements:
        if sql.split()[0].upper() in {"SELECT", "UPDATE", "DELETE", "INSERT"}:
            details += [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]
    return details


def test_queueing_and_counting_use_indexes_however_long_the_queue(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / layout.QUEUE_DB)
    for statement in schedule.CREATE:
        conn.execute(statement)
    schedule.add(conn, [(n, "v") for n in range(20_000)], CHANGED, 1.0)
    schedule.claim(conn, list(range(1, 10_001)))  # half of them taken
    conn.execute("ANALYZE")
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    for key in [(5, "v"), (15_005, "v"), (5, "new"), (99_999, None)]:
        schedule.add(conn, [key], RECHECK, 2.0)
    schedule.waiting(conn, 15_005)  # one scene's jobs (Sync now, the Plex tab)
    queueing = _plans(conn, statements)
    statements.clear()
    schedule.counts(conn, 2.0)
    schedule.next_due_at(conn)
    conn.set_trace_callback(None)
    reading = _plans(conn, statements)
    conn.close()
    assert queueing and not [p for p in queueing if p.startswith("SCAN")], queueing
    # Counting reads index entries (a scan of a partial index at most), never the table's rows.
    # (Taking due jobs walks the table in queue order and stops after a batch.)
    scans = [p for p in reading if p.startswith("SCAN") and p != "SCAN CONSTANT ROW"]
    assert reading and all("USING INDEX" in p for p in scans), reading
