"""What PlexSync relies on from persist-queue's SQLiteAckQueue, pinned against its releases.

sync_queue/jobs.py uses only these public methods (README "SQLiteAckQueue/UniqueAckQ": put, get
with id and raw, update, ack, nack, clear_acked_data, queue; and resume_unack_tasks/unack_count,
what auto_resume runs), with the JSON serializer, in a database file it shares with PlexSync's
own tables. A release that changes any of this fails here, not silently in a user's queue.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from persistqueue import SQLiteAckQueue
from persistqueue.exceptions import Empty
from persistqueue.serializers import json as json_serializer

FILE = "queue.db"


def open_queue(path: Path) -> SQLiteAckQueue:
    return SQLiteAckQueue(str(path), name="jobs", db_file_name=FILE, auto_resume=False,
                          serializer=json_serializer, timeout=30)


@pytest.fixture
def pq(tmp_path: Path) -> Iterator[SQLiteAckQueue]:
    queue = open_queue(tmp_path)
    yield queue
    queue.close()


def statuses(queue: SQLiteAckQueue) -> dict[int, int]:
    return {row["id"]: int(row["status"]) for row in queue.queue()}


def test_put_returns_increasing_ids_and_get_by_id_takes_that_row(pq: SQLiteAckQueue) -> None:
    first, second, third = (pq.put({"n": n}) for n in range(3))
    assert first < second < third
    taken = pq.get(block=False, id=second, raw=True)
    assert (taken["pqid"], taken["data"]) == (second, {"n": 1})  # JSON in, the same dict out
    assert pq.unack_count() == 1
    with pytest.raises(Empty):
        pq.get(block=False, id=third + 100)  # no such row


def test_nack_makes_a_taken_row_waiting_and_ack_marks_it_done(pq: SQLiteAckQueue) -> None:
    waiting, done = pq.put({"n": 0}), pq.put({"n": 1})
    for row_id in (waiting, done):
        pq.get(block=False, id=row_id)
    pq.nack(id=waiting)
    pq.ack(id=done)
    before = statuses(pq)
    assert before[waiting] < before[done] and pq.unack_count() == 0
    assert pq.get(block=False, id=waiting)["n"] == 0  # taken again by id


def test_get_by_id_hands_out_an_acknowledged_row_again(pq: SQLiteAckQueue) -> None:
    """Why PlexSync forgets a job in its schedule before acknowledging it: asked by id,
    persist-queue does not look at the row's status."""
    row_id = pq.put({"n": 0})
    pq.get(block=False, id=row_id)
    pq.ack(id=row_id)
    assert pq.get(block=False, id=row_id) == {"n": 0}
    assert pq.unack_count() == 1


def test_ack_and_nack_of_unknown_or_finished_rows_do_nothing(pq: SQLiteAckQueue) -> None:
    row_id = pq.put({"n": 0})
    pq.ack(id=row_id)
    pq.clear_acked_data(max_delete=0, keep_latest=0)
    pq.ack(id=row_id)
    pq.nack(id=row_id)
    assert pq.queue() == []


def test_update_replaces_the_data_and_keeps_the_status(pq: SQLiteAckQueue) -> None:
    row_id = pq.put({"n": 0, "old": True})
    pq.get(block=False, id=row_id)
    pq.update({"n": 0}, id=row_id)
    [row] = pq.queue()
    assert (row["id"], row["data"]) == (row_id, {"n": 0}) and pq.unack_count() == 1


def test_resume_makes_every_taken_row_waiting(pq: SQLiteAckQueue) -> None:
    ids = [pq.put({"n": n}) for n in range(3)]
    for row_id in ids[:2]:
        pq.get(block=False, id=row_id)
    pq.resume_unack_tasks()
    assert pq.unack_count() == 0 and set(statuses(pq)) == set(ids)
    assert [pq.get(block=False)["n"] for _ in ids] == [0, 1, 2]  # all waiting, in order


def test_clear_acked_data_with_no_limits_deletes_every_acked_row_and_only_those(
        pq: SQLiteAckQueue) -> None:
    ids = [pq.put({"n": n}) for n in range(2500)]  # more than the default limits of 1000
    for row_id in ids[:2400]:
        pq.get(block=False, id=row_id)
        pq.ack(id=row_id)
    pq.get(block=False, id=ids[2400])
    pq.clear_acked_data(max_delete=0, keep_latest=0)
    assert sorted(statuses(pq)) == ids[2400:]


def test_opening_with_auto_resume_off_leaves_taken_rows_taken(tmp_path: Path) -> None:
    """A second process (or a restart) sees the rows; only resume_unack_tasks hands taken ones
    back."""
    worker = open_queue(tmp_path)
    row_id = worker.put({"n": 0})
    worker.get(block=False, id=row_id)
    other = open_queue(tmp_path)
    assert other.unack_count() == 1 and [row["id"] for row in other.queue()] == [row_id]
    other.close()
    worker.close()


def test_it_shares_its_file_and_owns_only_its_table(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / FILE)
    conn.execute("CREATE TABLE schedule (id INTEGER PRIMARY KEY)")
    conn.execute("INSERT INTO schedule VALUES (7)")
    conn.commit()
    queue = open_queue(tmp_path)
    queue.put({"n": 0})
    queue.close()
    tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = "
                                               "'table' AND name NOT LIKE 'sqlite_%'")}
    assert tables == {"schedule", "ack_queue_jobs"}
    assert conn.execute("SELECT id FROM schedule").fetchall() == [(7,)]
    conn.close()
