"""A process killed between any two writes of a queue step loses no job and doubles none.

persist-queue's calls and PlexSync's own transactions cannot share a transaction
(sync_queue/jobs.py), so each step is interrupted here at each of persist-queue's calls: the
call raises as a SIGKILL would stop the process there (PlexSync's transaction before it is
committed, nothing after it runs). A fresh queue then does what the next worker does (resume)
and must hold exactly the jobs it should, and persist-queue exactly one row per job. The real
SIGKILLs are in test_queue_processes.py and test_e2e_crash.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sync_queue.job import CHANGED, RECHECK
from sync_queue.jobs import JobQueue
from tests.harness import killed_at, persist_queue_rows


def next_worker(data_dir: Path) -> JobQueue:
    """What the next worker does first, under the drainer lock."""
    queue = JobQueue(data_dir)
    queue.resume_abandoned()
    return queue


def assert_whole(queue: JobQueue, data_dir: Path, expected: dict[int, Any]) -> None:
    """The waiting jobs by scene (one each), and persist-queue holding a row for each job it
    was handed and for nothing else."""
    waiting = queue.waiting()
    assert len(waiting) == len({job.scene_id for job in waiting}), waiting
    assert {job.scene_id: job.attempts for job in waiting} == expected
    assert queue.counts()["taken"] == 0
    assert sorted(row["id"] for row in persist_queue_rows(data_dir)) == sorted(
        job.id for job in waiting if job.id)


def crash(data_dir: Path, step: Callable[[JobQueue], object], method: str,
          call: int = 1) -> JobQueue:
    """Queue scenes 1-3, run ``step`` killed at ``method``, then start the next worker."""
    dying = JobQueue(data_dir)
    dying.enqueue_many([(1, "v"), (2, "v"), (3, "v")])
    with killed_at(method, call):
        step(dying)
    return next_worker(data_dir)


@pytest.mark.parametrize(("method", "call"), [("put", 1), ("put", 3), ("get", 1), ("get", 2)])
def test_killed_while_taking(tmp_path: Path, method: str, call: int) -> None:
    queue = crash(tmp_path, lambda q: q.take(10), method, call)
    assert_whole(queue, tmp_path, {1: 0, 2: 0, 3: 0})
    assert [job.scene_id for job in queue.take(10)] == [1, 2, 3]


def test_killed_while_acknowledging(tmp_path: Path) -> None:
    def finish_first(q: JobQueue) -> None:
        first, *_ = q.take(10)
        q.ack(first)

    queue = crash(tmp_path, finish_first, "ack")
    assert_whole(queue, tmp_path, {2: 0, 3: 0})  # done once: never handed out again


def test_killed_while_retrying(tmp_path: Path) -> None:
    def fail_first(q: JobQueue) -> None:
        first, *rest = q.take(10)
        for job in rest:
            q.release(job)
        q.retry(first, error="Plex answered 500", next_attempt_at=0)

    queue = crash(tmp_path, fail_first, "nack", call=3)
    assert_whole(queue, tmp_path, {1: 1, 2: 0, 3: 0})  # the retry state was saved first
    assert queue.waiting()[0].last_error == "Plex answered 500"


@pytest.mark.parametrize("method", ["resume_unack_tasks", "clear_acked_data", "queue", "ack"])
def test_killed_while_resuming(tmp_path: Path, method: str) -> None:
    def take_then_resume(q: JobQueue) -> None:
        first, second, _ = q.take(10)
        q.ack(first)
        q.resume_abandoned()  # as if a worker had died holding the other two

    queue = crash(tmp_path, take_then_resume, method)
    assert_whole(queue, tmp_path, {2: 0, 3: 0})


@pytest.mark.parametrize("method", ["clear_acked_data", "ack"])
def test_killed_while_clearing(tmp_path: Path, method: str) -> None:
    def take_one_then_clear(q: JobQueue) -> None:
        q.take(1)
        q.clear()

    queue = crash(tmp_path, take_one_then_clear, method)
    assert_whole(queue, tmp_path, {})


def test_joined_intent_survives_a_kill_while_taking(tmp_path: Path) -> None:
    dying = JobQueue(tmp_path)
    dying.enqueue(1, "v")
    dying.enqueue(1, "v", RECHECK)
    with killed_at("get"):
        dying.take(10)
    queue = next_worker(tmp_path)
    assert [job.intent for job in queue.take(10)] == [RECHECK]
    assert queue.enqueue(1, "v") is True and queue.waiting()[0].intent == CHANGED
