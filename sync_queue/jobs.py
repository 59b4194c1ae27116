"""JobQueue: the JobStorage (sync_queue/storage.py) of ``<data dir>/queue.db``.

Two tables in one file:
- the schedule (sync_queue/schedule.py), PlexSync's: every job, written by hooks and tasks with
  the standard library; what persist-queue cannot answer (is this version already waiting, what
  is due, how many) comes from its indexes;
- persist-queue's SQLiteAckQueue, used only through its public methods (put, get by id, nack,
  ack, update, resume_unack_tasks, clear_acked_data, queue): the jobs that failed and wait for
  another attempt. A job is put there on its first failure; from then on the worker takes it
  with get, hands it back with nack, and ends it with ack.

Why not every job: persist-queue leaves SQLite's ``synchronous`` at FULL and offers no public way
to change it, so each put, get and ack waits for the disk. Three per job made a first Sync All
of 10,000 scenes 70% slower (55 s to 92 s here; far worse on a spinning disk), all to repeat what
the schedule already records. A job that succeeds at once now costs one local commit.

persist-queue's calls and the schedule's transactions cannot share a transaction, so each step
orders its two writes such that a kill between them leaves at worst a row persist-queue holds
for no job (an orphan). The worker only asks persist-queue for ids the schedule names, so an
orphan is never worked on; the next worker's sweep deletes it. Killed between the two writes:
- take, take_scene: [jobs taken], then ``get``: resume puts both back to waiting.
- ack, ack_many: [jobs deleted], then ``ack`` of each held row: the jobs are done; a row not
  acknowledged yet an orphan. (The other order would let a resumed job ask for an
  acknowledged row, which ``get(id)`` hands out again: the job would run twice.)
- retry, first failure: ``put``, then [retry state, waiting, pq id]: the put is an orphan; the
  job is still taken, and resumes without this attempt counted.
- retry, later failure; release: [retry state, waiting], then ``nack``: resume fixes the rest.
- clear: [schedule emptied], then the sweep: orphans until the next sweep.
- resume: ``resume_unack_tasks``, [all waiting], sweep: each part may run again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from stash.log import redact
from sync_queue import db, layout, legacy, schedule
from sync_queue.job import CHANGED, Intent, Job, retried

_NAME = "jobs"  # persist-queue names its table ack_queue_<name>


class JobQueue:
    """One instance per thread. Any process may enqueue, count and list; only the holder of
    the drainer lock may take, ack, retry, release, resume_abandoned and clear."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self._dir = Path(data_dir)
        self._conn = db.connect(self._dir / layout.QUEUE_DB)
        for statement in schedule.CREATE:
            self._conn.execute(statement)
        self._persist_queue: Any = None
        self._acked = False  # rows acknowledged since persist-queue last deleted them

    def _pq(self) -> Any:
        """persist-queue's queue in the same file, opened on first use by the worker (the
        import alone costs a hook's budget)."""
        if self._persist_queue is None:
            from persistqueue import SQLiteAckQueue
            from persistqueue.serializers import json as json_serializer

            self._persist_queue = SQLiteAckQueue(
                str(self._dir), name=_NAME, db_file_name=layout.QUEUE_DB,
                # Only resume_abandoned hands taken jobs back, under the drainer lock: a
                # process opening the queue cannot tell a dead worker's jobs from a live one's.
                auto_resume=False, serializer=json_serializer, timeout=db.BUSY_TIMEOUT_S)
        return self._persist_queue

    # -- any process ---------------------------------------------------------------------

    def enqueue(self, scene_id: int, updated_at: str | None, intent: Intent = CHANGED) -> bool:
        return self.enqueue_many([(scene_id, updated_at)], intent) == 1

    def enqueue_many(self, items: Iterable[tuple[int, str | None]],
                     intent: Intent = CHANGED) -> int:
        batch = list(items)
        now = time.time()
        return sum(schedule.add(self._conn, batch[start:start + schedule.CHUNK], intent, now)
                   for start in range(0, len(batch), schedule.CHUNK))

    def counts(self, now: float | None = None) -> dict[str, int]:
        return schedule.counts(self._conn, time.time() if now is None else now)

    def next_due_at(self) -> float | None:
        return schedule.next_due_at(self._conn)

    def waiting(self) -> list[Job]:
        return schedule.waiting(self._conn)

    def scene_jobs(self, scene_id: int) -> list[Job]:
        return schedule.waiting(self._conn, scene_id)

    # -- the holder of the drainer lock ------------------------------------------------------

    def take(self, limit: int, now: float | None = None) -> list[Job]:
        return self._take(schedule.due(self._conn, time.time() if now is None else now, limit))

    def take_scene(self, scene_id: int) -> list[Job]:
        return self._take([job.id for job in schedule.waiting(self._conn, scene_id)])

    def _take(self, job_ids: list[int]) -> list[Job]:
        """[claimed], then get: the order every take keeps (see the module's docstring)."""
        if self._acked:  # once per batch, not once per ack: each is a write of its own
            self._pq().clear_acked_data(max_delete=0, keep_latest=0)
            self._acked = False
        if not job_ids:
            return []
        claimed = schedule.claim(self._conn, job_ids)
        for _, held_as in claimed:
            if held_as is not None:
                self._pq().get(block=False, id=held_as)
        return [job for job, _ in claimed]

    def ack(self, job: Job) -> None:
        self.ack_many([job])

    def ack_many(self, jobs: list[Job]) -> None:
        """[jobs deleted] in one transaction, then ``ack`` of each row persist-queue holds."""
        with db.write_transaction(self._conn) as conn:
            held = schedule.forget_many(conn, [job.id for job in jobs])
        for held_as in held:
            self._pq().ack(id=held_as)
            self._acked = True

    def retry(self, job: Job, *, error: str, next_attempt_at: float,
              count_attempt: bool = True, look: bool = False) -> Job:
        updated = retried(job, error=redact(error), next_attempt_at=next_attempt_at,
                          count_attempt=count_attempt, look=look)
        held_as = schedule.pq_id(self._conn, job.id)
        if held_as is None:
            held_as = self._pq().put(_payload(job))
            schedule.put_back(self._conn, updated, held_as)
        else:
            self._put_back(updated, held_as)
        return updated

    def release(self, job: Job) -> None:
        self._put_back(job, schedule.pq_id(self._conn, job.id))

    def _put_back(self, job: Job, held_as: int | None) -> None:
        schedule.put_back(self._conn, job, held_as)
        if held_as is not None:
            self._pq().nack(id=held_as)

    def resume_abandoned(self) -> int:
        pq = self._pq()
        abandoned = schedule.counts(self._conn, time.time())["taken"]
        pq.resume_unack_tasks()
        schedule.put_back_all(self._conn)
        self._sweep(pq)
        return abandoned

    def clear(self) -> int:
        cleared = self._conn.execute("DELETE FROM schedule").rowcount
        self._sweep(self._pq(), adopt=False)
        return cleared

    def _sweep(self, pq: Any, adopt: bool = True) -> None:
        """Rows persist-queue holds for no job: an orphan of a killed step is acknowledged (and
        deleted); a job v0.1 queued is adopted into the schedule, and its row rewritten as this
        version's, so that once it is done it is never adopted again (Clear Queue does not
        adopt: those jobs go too)."""
        legacy.drop_indexes(self._conn)
        pq.clear_acked_data(max_delete=0, keep_latest=0)
        held = schedule.held(self._conn)
        rows = [(row["id"], row["data"]) for row in pq.queue()]
        v01 = [(pq_id, data) for pq_id, data in rows
               if legacy.is_job(data) and (adopt or pq_id in held)]
        schedule.adopt(self._conn, [legacy.job(pq_id, data) for pq_id, data in v01
                                    if pq_id not in held])
        for pq_id, data in v01:
            pq.update(_payload(legacy.job(pq_id, data)), id=pq_id)
        held |= {pq_id for pq_id, _ in v01}
        for pq_id, _ in rows:
            if pq_id not in held:
                pq.ack(id=pq_id)
        pq.clear_acked_data(max_delete=0, keep_latest=0)
        self._acked = False

    def close(self) -> None:
        if self._persist_queue is not None:
            self._persist_queue.close()
            self._persist_queue = None
        self._conn.close()


def _payload(job: Job) -> dict[str, Any]:
    """What persist-queue holds of a job: which version it is (the rest is the schedule's)."""
    return {"scene_id": job.scene_id, "updated_at": job.updated_at}
