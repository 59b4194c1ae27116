"""A process killed between any two writes of a queue step loses no job and doubles none.

persist-queue's calls and PlexSync's own transactions cannot share a transaction
(sync_queue/jobs.py), so each step is interrupted here at each of persist-queue's calls: the
call raises as a SIGKILL would stop the process there (PlexSync's transaction before it is
committed, nothing after it runs). A fresh queue then does what the next worker does (resume)
and must hold exactly the jobs it should, and persist-queue exactly the rows of those jobs. The
real SIGKILLs are in test_queue_processes.py and test_e2e_crash.py.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sync_queue.jobs import JobQueue
from tests.harness import killed_at, persist_queue_rows


def next_worker(data_dir: Path) -> JobQueue:
    """What the next worker does first, under the drainer lock."""
    queue = JobQueue(data_dir)
    queue.resume_abandoned()
    return queue


def assert_whole(queue: JobQueue, data_dir: Path, attempts: dict[int, int],
                 held: set[int]) -> None:
    """The waiting jobs by scene (one each, with their attempts), none taken, and
    persist-queue holding a row for each job in ``held`` (by scene) and for nothing else."""
    waiting = queue.waiting()
    assert len(waiting) == len({job.scene_id for job in waiting}), waiting
    assert {job.scene_id: job.attempts for job in waiting} == attempts
    assert queue.counts()["taken"] == 0
    rows = persist_queue_rows(data_dir)
    assert sorted(row["data"]["scene_id"] for row in rows) == sorted(held)


def failed_once(data_dir: Path) -> JobQueue:
    """Scenes 1-3 queued; scene 1 failed once (so persist-queue holds it), all waiting."""
    queue = JobQueue(data_dir)
    queue.enqueue_many([(1, "v"), (2, "v"), (3, "v")])
    first, *rest = queue.take(10)
    queue.retry(first, error="Plex answered 500", next_attempt_at=0)
    for job in rest:
        queue.release(job)
    return queue


def crash(data_dir: Path, step: Callable[[JobQueue], object], method: str,
          call: int = 1, after: bool = False) -> JobQueue:
    dying = failed_once(data_dir)
    with killed_at(method, call, after):
        step(dying)
    return next_worker(data_dir)


@pytest.mark.parametrize("after", [False, True])
def test_killed_while_taking(tmp_path: Path, after: bool) -> None:
    queue = crash(tmp_path, lambda q: q.take(10), "get", after=after)
    assert_whole(queue, tmp_path, {1: 1, 2: 0, 3: 0}, held={1})
    assert [job.scene_id for job in queue.take(10)] == [1, 2, 3]


@pytest.mark.parametrize("after", [False, True])
def test_killed_while_taking_one_scene(tmp_path: Path, after: bool) -> None:
    queue = crash(tmp_path, lambda q: q.take_scene(1), "get", after=after)
    assert_whole(queue, tmp_path, {1: 1, 2: 0, 3: 0}, held={1})
    assert [job.scene_id for job in queue.take_scene(1)] == [1]


@pytest.mark.parametrize("call", [1, 2])
def test_killed_while_acknowledging_many(tmp_path: Path, call: int) -> None:
    """Scenes 1 and 2 each failed once (persist-queue holds both); acked together, killed at
    the first or the second of persist-queue's acks: both are done, never handed out again."""
    def finish_two(q: JobQueue) -> None:
        first, second, third = q.take(10)
        q.retry(second, error="Plex answered 500", next_attempt_at=0)
        q.release(first)
        q.release(third)
        one, two, _ = q.take(10)
        assert (one.scene_id, two.scene_id) == (1, 2)
        q.ack_many([one, two])

    queue = crash(tmp_path, finish_two, "ack", call=call)
    assert_whole(queue, tmp_path, {3: 0}, held=set())


def test_killed_while_acknowledging(tmp_path: Path) -> None:
    def finish_first(q: JobQueue) -> None:
        first, *_ = q.take(10)
        q.ack(first)

    queue = crash(tmp_path, finish_first, "ack")
    assert_whole(queue, tmp_path, {2: 0, 3: 0}, held=set())  # done: never handed out again


@pytest.mark.parametrize("after", [False, True])
def test_killed_at_a_first_failure(tmp_path: Path, after: bool) -> None:
    def fail_second(q: JobQueue) -> None:
        _, second, _ = q.take(10)
        q.retry(second, error="Plex answered 500", next_attempt_at=0)

    # Before the put nothing changed; after it, its row is an orphan the sweep deletes. Either
    # way the job was still taken: it waits again, this attempt not counted.
    queue = crash(tmp_path, fail_second, "put", after=after)
    assert_whole(queue, tmp_path, {1: 1, 2: 0, 3: 0}, held={1})


def test_killed_at_a_later_failure(tmp_path: Path) -> None:
    def fail_first_again(q: JobQueue) -> None:
        first, *_ = q.take(10)
        q.retry(first, error="still 500", next_attempt_at=0)

    queue = crash(tmp_path, fail_first_again, "nack")
    assert_whole(queue, tmp_path, {1: 2, 2: 0, 3: 0}, held={1})  # the retry state came first
    assert queue.waiting()[0].last_error == "still 500"


@pytest.mark.parametrize("method", ["resume_unack_tasks", "clear_acked_data", "queue"])
def test_killed_while_resuming(tmp_path: Path, method: str) -> None:
    def die_holding_two_then_resume(q: JobQueue) -> None:
        first, second, third = q.take(10)
        q.ack(second)
        q.retry(third, error="x", next_attempt_at=0)
        q.take(10)  # scene 1 and 3 taken, persist-queue holding both
        q.resume_abandoned()

    queue = crash(tmp_path, die_holding_two_then_resume, method)
    assert_whole(queue, tmp_path, {1: 1, 3: 1}, held={1, 3})


@pytest.mark.parametrize("method", ["clear_acked_data", "ack"])
def test_killed_while_clearing(tmp_path: Path, method: str) -> None:
    def take_then_clear(q: JobQueue) -> None:
        q.take(1)
        q.clear()

    queue = crash(tmp_path, take_then_clear, method)
    assert_whole(queue, tmp_path, {}, held=set())
