"""DeadLetters: recording final failures, counting them, retrying and purging them."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from stash.log import register_secret
from sync_queue.dead_letters import DeadLetters
from sync_queue.job import CHANGED, NEW_SCENE, RECHECK, REWRITE, Intent, Job
from sync_queue.jobs import JobQueue
from sync_queue.layout import DEAD_LETTERS_DB

DAY = 86400.0
T0 = 1_700_000_000.0


@pytest.fixture
def letters(tmp_path: Path) -> Iterator[DeadLetters]:
    store = DeadLetters(tmp_path)
    yield store
    store.close()


def failed_job(queue: JobQueue, scene_id: int, updated_at: str | None = "v1",
               intent: Intent = CHANGED, *, attempts: int = 0) -> Job:
    """A real job taken from the queue, as the drainer would hold it when giving up."""
    queue.enqueue(scene_id, updated_at, intent)
    [job] = queue.take(1)
    for _ in range(attempts):
        job = queue.retry(job, error="still failing", next_attempt_at=0)
        [job] = queue.take(1)
    queue.ack(job)
    return job


def test_add_list_and_count(queue: JobQueue, letters: DeadLetters) -> None:
    a = failed_job(queue, 1, attempts=2)
    b = failed_job(queue, 2, None)
    c = failed_job(queue, 3)
    letters.add(a, error_class="PlexError", message="Plex answered 500", now=T0)
    letters.add(b, error_class="NotFound", message="no Plex item", now=T0 + 1)
    letters.add(c, error_class="PlexError", message="Plex answered 500", now=T0 + 2)

    assert letters.count() == 3
    assert letters.count_by_class() == {"PlexError": 2, "NotFound": 1}
    listed = letters.list()
    assert [x.scene_id for x in listed] == [3, 2, 1]  # newest first
    oldest = listed[-1]
    assert (oldest.updated_at, oldest.error_class, oldest.message, oldest.attempts,
            oldest.failed_at, oldest.intent) == ("v1", "PlexError", "Plex answered 500", 2, T0,
                                                 CHANGED)
    assert listed[1].updated_at is None
    assert [x.scene_id for x in letters.list(limit=1)] == [3]


def test_a_scene_failing_again_replaces_its_letter(queue: JobQueue, letters: DeadLetters) -> None:
    first = letters.add(failed_job(queue, 1, "v1"), error_class="A", message="one", now=T0)
    second = letters.add(failed_job(queue, 1, "v2"), error_class="B", message="two", now=T0 + 5)
    assert first == second
    [letter] = letters.list()
    assert (letter.updated_at, letter.error_class, letter.message, letter.failed_at) == (
        "v2", "B", "two", T0 + 5)


def test_messages_are_redacted_and_capped(queue: JobQueue, letters: DeadLetters) -> None:
    register_secret("dl-SECRET-token-77")
    letters.add(failed_job(queue, 1), error_class="E", message="token dl-SECRET-token-77 " * 500)
    [letter] = letters.list()
    assert "dl-SECRET-token-77" not in letter.message
    assert letter.message.startswith("token *** ")
    assert len(letter.message) <= 1000


def test_retry_puts_the_scene_back_with_no_attempts(queue: JobQueue, letters: DeadLetters) -> None:
    job = failed_job(queue, 4, "v9", REWRITE, attempts=3)
    keep = letters.add(failed_job(queue, 5), error_class="E", message="m")
    letter_id = letters.add(job, error_class="E", message="m")

    assert letters.retry(letter_id, queue) is True
    assert letters.retry(letter_id, queue) is False  # already moved
    assert letters.retry(10_000, queue) is False
    [requeued] = queue.waiting()
    assert (requeued.scene_id, requeued.updated_at, requeued.attempts, requeued.intent,
            requeued.last_error) == (4, "v9", 0, REWRITE, None)  # still a rewrite
    assert [x.id for x in letters.list()] == [keep]


def test_retry_of_a_scene_already_waiting_adds_no_duplicate(
    queue: JobQueue, letters: DeadLetters
) -> None:
    letter_id = letters.add(failed_job(queue, 4, "v1"), error_class="E", message="m")
    queue.enqueue(4, "v1")
    assert letters.retry(letter_id, queue) is True
    assert [(j.scene_id, j.updated_at) for j in queue.waiting()] == [(4, "v1")]
    assert letters.count() == 0


def test_retry_all_moves_every_letter(queue: JobQueue, letters: DeadLetters) -> None:
    for scene in range(1, 6):
        intent = {3: RECHECK, 4: NEW_SCENE}.get(scene, CHANGED)
        letters.add(failed_job(queue, scene, intent=intent), error_class="E", message="m")
    assert letters.retry_all(queue) == 5
    assert letters.count() == 0
    waiting = queue.waiting()
    assert sorted(j.scene_id for j in waiting) == [1, 2, 3, 4, 5]
    assert {j.scene_id: j.intent for j in waiting if j.intent != CHANGED} == {
        3: RECHECK, 4: NEW_SCENE}
    assert all(j.attempts == 0 for j in waiting)
    assert letters.retry_all(queue) == 0


def test_purge_forgets_only_old_letters(queue: JobQueue, letters: DeadLetters) -> None:
    letters.add(failed_job(queue, 1), error_class="E", message="m", now=T0 - 40 * DAY)
    letters.add(failed_job(queue, 2), error_class="E", message="m", now=T0 - 31 * DAY)
    letters.add(failed_job(queue, 3), error_class="E", message="m", now=T0 - 29 * DAY)
    assert letters.purge(30, now=T0) == 2
    assert [x.scene_id for x in letters.list()] == [3]
    assert letters.purge(30, now=T0) == 0


def test_discard_forgets_a_scene_that_synced_since(queue: JobQueue, letters: DeadLetters) -> None:
    letters.add(failed_job(queue, 1), error_class="E", message="m")
    assert letters.discard(1) is True
    assert letters.discard(1) is False
    assert letters.count() == 0


def test_letters_survive_reopening(tmp_path: Path, queue: JobQueue, letters: DeadLetters) -> None:
    letters.add(failed_job(queue, 1), error_class="E", message="m", now=T0)
    letters.close()
    reopened = DeadLetters(tmp_path)
    assert [(x.scene_id, x.failed_at) for x in reopened.list()] == [(1, T0)]
    reopened.close()


V01_TABLE = (  # dead_letters.db as v0.1 wrote it: the job's meaning in a reason and a force flag
    "CREATE TABLE dead_letters (id INTEGER PRIMARY KEY AUTOINCREMENT, scene_id INTEGER NOT NULL "
    "UNIQUE, updated_at TEXT, reason TEXT NOT NULL, force INTEGER NOT NULL, error_class TEXT NOT "
    "NULL, message TEXT NOT NULL, attempts INTEGER NOT NULL, failed_at REAL NOT NULL)"
)


def test_letters_from_v01_keep_their_meaning_and_it_survives_a_retry(
    tmp_path: Path, queue: JobQueue
) -> None:
    conn = sqlite3.connect(tmp_path / DEAD_LETTERS_DB)
    conn.execute(V01_TABLE)
    conn.executemany(
        "INSERT INTO dead_letters (scene_id, updated_at, reason, force, error_class, message, "
        "attempts, failed_at) VALUES (?, ?, ?, ?, 'E', 'm', 3, ?)",
        [(1, "v1", "sync_all_force", 1, T0), (2, "v2", "create", 0, T0 + 1),
         (3, None, "reconcile", 1, T0 + 2), (4, "v4", "update", 0, T0 + 3)])
    conn.commit()
    conn.close()
    letters = DeadLetters(tmp_path)  # rewritten once, on open
    intents = {x.scene_id: x.intent for x in letters.list()}
    assert intents == {1: REWRITE, 2: NEW_SCENE, 3: RECHECK, 4: CHANGED}
    assert [(x.scene_id, x.updated_at, x.attempts, x.failed_at) for x in letters.list()][-1] == (
        1, "v1", 3, T0)
    letters.close()
    reopened = DeadLetters(tmp_path)
    assert reopened.retry_all(queue) == 4
    assert {j.scene_id: j.intent for j in queue.waiting()} == intents
    reopened.close()
