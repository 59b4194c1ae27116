"""JobQueue in one process: idempotence, retry state, due times, acks and cleanup."""

from __future__ import annotations

import sqlite3
import statistics
import time
from pathlib import Path

from stash.log import register_secret
from sync_queue.job import CHANGED, NEW_SCENE, RECHECK, REWRITE, Intent
from sync_queue.jobs import JobQueue
from sync_queue.layout import DEAD_LETTERS_DB, QUEUE_DB
from tests.harness import persist_queue_rows

T0 = 1_700_000_000.0


def keys(q: JobQueue) -> list[tuple[int, str | None]]:
    return [(job.scene_id, job.updated_at) for job in q.waiting()]


def test_same_version_twice_is_one_job_and_a_newer_version_is_another(queue: JobQueue) -> None:
    assert queue.enqueue(1, "2024-01-01T00:00:00Z") is True
    assert queue.enqueue(1, "2024-01-01T00:00:00Z") is False
    assert queue.enqueue(1, "2024-01-02T00:00:00Z") is True
    assert queue.enqueue(2, None) is True
    assert queue.enqueue(2, None) is False
    assert keys(queue) == [
        (1, "2024-01-01T00:00:00Z"), (1, "2024-01-02T00:00:00Z"), (2, None),
    ]


def test_same_version_while_taken_gets_its_own_job(queue: JobQueue) -> None:
    queue.enqueue(7, "v1")
    [taken] = queue.take(10)
    assert queue.enqueue(7, "v1") is True  # the edit may have landed after the drainer read it
    assert keys(queue) == [(7, "v1")]
    assert queue.counts()["taken"] == 1
    queue.ack(taken)
    [again] = queue.take(10)
    assert again.id != taken.id and (again.scene_id, again.updated_at) == (7, "v1")


def test_enqueue_many_skips_duplicates_in_the_batch_and_already_waiting(queue: JobQueue) -> None:
    queue.enqueue(1, "a")
    added = queue.enqueue_many([(1, "a"), (2, "a"), (2, "a"), (3, None), (1, "b")])
    assert added == 3
    assert keys(queue) == [(1, "a"), (2, "a"), (3, None), (1, "b")]
    assert [job.intent for job in queue.waiting()] == [CHANGED] * 4


def test_a_request_joining_a_waiting_job_adds_what_it_asks_for(queue: JobQueue) -> None:
    queue.enqueue(1, "a", NEW_SCENE)
    assert queue.enqueue(1, "a", RECHECK) is False
    assert queue.enqueue(1, "a") is False
    [job] = queue.waiting()
    assert job.intent == Intent(recheck=True, scan_if_missing=True, await_cover=True)


def test_acked_job_never_comes_back(tmp_path: Path, queue: JobQueue) -> None:
    queue.enqueue(1, "a")
    [job] = queue.take(10)
    queue.ack(job)
    assert queue.take(10) == []
    assert queue.resume_abandoned() == 0
    queue.close()
    reopened = JobQueue(tmp_path)
    assert reopened.resume_abandoned() == 0
    assert reopened.take(10) == []
    assert reopened.counts(T0) == {"waiting": 0, "due": 0, "retrying": 0, "taken": 0}
    reopened.close()


def test_retry_state_survives_reopening(tmp_path: Path, queue: JobQueue) -> None:
    queue.enqueue(5, "v")
    [job] = queue.take(1)
    due = job.enqueued_at + 300
    after = queue.retry(job, error="Plex answered 503", next_attempt_at=due)
    assert (after.attempts, after.last_error) == (1, "Plex answered 503")
    assert after.next_attempt_at == due
    queue.close()

    reopened = JobQueue(tmp_path)
    assert reopened.take(10, now=due - 1) == []
    assert reopened.next_due_at() == due
    [back] = reopened.take(10, now=due)
    assert back == after  # same row, same retry state, nothing lost
    reopened.close()


def test_a_retry_that_is_not_the_jobs_fault_keeps_its_attempts(queue: JobQueue) -> None:
    queue.enqueue(1, "a")
    [job] = queue.take(1)
    job = queue.retry(job, error="bad data", next_attempt_at=0)
    [job] = queue.take(1)
    after = queue.retry(job, error="Plex is down", next_attempt_at=5, count_attempt=False)
    assert (after.attempts, after.last_error, after.next_attempt_at) == (1, "Plex is down", 5)
    assert queue.waiting() == [after]


def test_jobs_not_due_are_skipped_and_keep_their_place(queue: JobQueue) -> None:
    queue.enqueue_many([(1, "a"), (2, "a"), (3, "a")])
    first, second, third = queue.take(10, now=T0 + 10**10)
    queue.retry(first, error="timeout", next_attempt_at=T0 + 10**10 + 60)
    queue.release(second)
    queue.release(third)
    now = T0 + 10**10
    assert [job.scene_id for job in queue.take(10, now=now)] == [2, 3]
    assert queue.counts(now) == {"waiting": 1, "due": 0, "retrying": 1, "taken": 2}
    for job in queue.waiting():
        assert job.scene_id == 1
    queue.resume_abandoned()
    assert [job.scene_id for job in queue.take(10, now=now + 61)] == [1, 2, 3]


def test_take_writes_nothing_while_nothing_is_due(tmp_path: Path, queue: JobQueue) -> None:
    queue.enqueue(1, "a")
    [job] = queue.take(1)
    queue.retry(job, error="later", next_attempt_at=job.enqueued_at + 3600)
    observer = sqlite3.connect(tmp_path / QUEUE_DB)
    before = observer.execute("PRAGMA data_version").fetchone()[0]
    for _ in range(100):
        assert queue.take(10, now=job.enqueued_at + 1) == []
    assert observer.execute("PRAGMA data_version").fetchone()[0] == before
    observer.close()


def test_take_respects_limit_and_queue_order(queue: JobQueue) -> None:
    queue.enqueue_many([(n, None) for n in range(10)])
    assert [job.scene_id for job in queue.take(4)] == [0, 1, 2, 3]
    assert [job.scene_id for job in queue.take(4)] == [4, 5, 6, 7]
    assert queue.counts()["taken"] == 8


def test_next_due_at_and_counts(queue: JobQueue) -> None:
    assert queue.next_due_at() is None
    queue.enqueue(1, "a")
    queue.enqueue(2, "a")
    first, second = queue.take(2)
    queue.retry(first, error="x", next_attempt_at=T0 + 10**10)
    assert queue.next_due_at() == T0 + 10**10
    assert queue.counts() == {"waiting": 1, "due": 0, "retrying": 1, "taken": 1}
    queue.release(second)
    assert queue.next_due_at() == second.next_attempt_at
    assert queue.counts() == {"waiting": 2, "due": 1, "retrying": 1, "taken": 0}


def test_clear_removes_waiting_and_taken_jobs(queue: JobQueue) -> None:
    queue.enqueue_many([(n, None) for n in range(5)])
    [taken] = queue.take(1)
    assert queue.clear() == 5
    queue.ack(taken)  # a drainer finishing a cleared job does no harm
    assert queue.counts() == {"waiting": 0, "due": 0, "retrying": 0, "taken": 0}
    assert queue.take(10) == []


def test_stored_rows_hold_only_job_fields_and_no_secret(tmp_path: Path, queue: JobQueue) -> None:
    queue.enqueue(9, "v", REWRITE)
    [job] = queue.take(1)
    register_secret("tok-SECRET-0123")
    queue.retry(job, error="GET /library?X-Plex-Token=tok-SECRET-0123 failed", next_attempt_at=1)
    conn = sqlite3.connect(tmp_path / QUEUE_DB)
    conn.row_factory = sqlite3.Row
    [row] = conn.execute("SELECT * FROM schedule").fetchall()
    conn.close()
    assert set(row.keys()) == {
        "id", "scene_id", "updated_at", "intent", "attempts", "next_attempt_at",
        "last_error", "enqueued_at", "taken", "pq_id", "looks"}
    assert row["last_error"] == "GET /library?X-Plex-Token=*** failed"
    [held] = persist_queue_rows(tmp_path)  # what persist-queue holds: which version, no more
    assert held["data"] == {"scene_id": 9, "updated_at": "v"}


def test_long_errors_are_capped(queue: JobQueue) -> None:
    queue.enqueue(1, "a")
    [job] = queue.take(1)
    after = queue.retry(job, error="x" * 50_000, next_attempt_at=0)
    assert len(after.last_error or "") <= 1000
    assert queue.waiting()[0].last_error == after.last_error


def test_acked_rows_are_deleted_and_the_file_stays_bounded(tmp_path: Path, queue: JobQueue) -> None:
    db_file = tmp_path / QUEUE_DB
    observer = sqlite3.connect(db_file)
    sizes = []
    for cycle in range(12):
        queue.enqueue_many([(n, f"v{cycle}") for n in range(100)])
        while jobs := queue.take(25):
            for job in jobs:
                queue.ack(job)
        # Fold the WAL back so the file size shows the pages the data really needs.
        observer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        sizes.append(db_file.stat().st_size)
    observer.close()
    assert persist_queue_rows(tmp_path) == [] and queue.waiting() == []
    assert sizes[-1] <= sizes[1]  # freed pages are reused: no growth with the number of cycles


def _median_enqueue_seconds(queue: JobQueue, first_scene: int) -> float:
    """Median CPU time of an enqueue: what it costs, not how busy the machine is."""
    times = []
    for n in range(first_scene, first_scene + 41):
        started = time.process_time()
        queue.enqueue(n, "v")
        queue.enqueue(n, "v")  # the duplicate check too
        times.append(time.process_time() - started)
    return statistics.median(times)


def test_enqueue_cost_does_not_grow_with_the_queue(tmp_path: Path) -> None:
    (tmp_path / "small").mkdir()
    (tmp_path / "big").mkdir()
    small = JobQueue(tmp_path / "small")
    big = JobQueue(tmp_path / "big")
    started = time.process_time()
    assert big.enqueue_many([(n, "v") for n in range(20_000)]) == 20_000
    bulk_seconds = time.process_time() - started
    print(f"enqueue_many of 20,000: {bulk_seconds:.2f} s of CPU")
    assert bulk_seconds < 20  # one transaction per few thousand rows, not one per row
    small_cost = _median_enqueue_seconds(small, 1_000_000)
    big_cost = _median_enqueue_seconds(big, 1_000_000)
    print(f"enqueue: {small_cost * 1e3:.2f} ms empty, {big_cost * 1e3:.2f} ms at 20,000 waiting")
    # Scanning 20,000 rows per enqueue would cost about a hundred times more.
    assert big_cost < 5 * small_cost + 0.002
    small.close()
    big.close()


def test_persist_queues_table_is_as_persist_queue_made_it(tmp_path: Path) -> None:
    """PlexSync keeps no column, index or trigger of its own on persist-queue's table."""
    from persistqueue import SQLiteAckQueue

    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    ours.mkdir()
    queue = JobQueue(ours)
    queue.enqueue_many([(1, "a"), (2, "a")])
    first, second = queue.take(2)
    queue.ack(first)
    queue.retry(second, error="x", next_attempt_at=0)
    queue.resume_abandoned()
    queue.close()
    SQLiteAckQueue(str(theirs), name="jobs", db_file_name=QUEUE_DB, auto_resume=False).close()
    assert _schema(ours / QUEUE_DB, "ack_queue_jobs") == _schema(theirs / QUEUE_DB,
                                                                 "ack_queue_jobs")


def _schema(db_file: Path, table: str) -> list[tuple]:
    conn = sqlite3.connect(db_file)
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? "
                        "ORDER BY name", (table,)).fetchall()
    conn.close()
    return rows


def test_both_databases_use_wal_so_readers_never_block_writers(tmp_path: Path) -> None:
    from sync_queue.dead_letters import DeadLetters

    JobQueue(tmp_path).close()
    DeadLetters(tmp_path).close()
    for name in (QUEUE_DB, DEAD_LETTERS_DB):
        conn = sqlite3.connect(tmp_path / name)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        conn.close()
