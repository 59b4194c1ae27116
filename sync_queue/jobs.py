"""JobQueue: the JobStorage (sync_queue/storage.py) of ``<data dir>/queue.db``.

Three tables in one file:
- the inbox (sync_queue/inbox.py), PlexSync's: what hooks and tasks queue, standard library only;
- persist-queue's SQLiteAckQueue, used only through its public methods (put, get by id, ack,
  nack, resume_unack_tasks, clear_acked_data, queue): the jobs a worker has taken at least
  once, and whether each is waiting, taken or done;
- the schedule (sync_queue/schedule.py), PlexSync's, one row per job persist-queue holds: what
  persist-queue cannot answer (is this version already waiting, what is due, how many).

A job exists while it has an inbox row or a schedule row, never both: the move from one to the
other is one transaction. persist-queue's rows follow the schedule; its calls and PlexSync's
transactions cannot share a transaction, so each step orders them such that a kill between the
two leaves nothing worse than a row persist-queue holds for no job (an orphan). The worker
takes only ids its schedule names, so an orphan is never worked on; the next worker deletes
it (``_sweep``). Step by step, killed between the two writes:
- take, a job from the inbox: persist-queue ``put``, then [schedule row + inbox row deleted]:
  the inbox row is still there; the put is an orphan.
- take: [schedule row taken], then persist-queue ``get(id)``: resume puts both back.
- ack: [schedule row deleted], then persist-queue ``ack``: the job is done; the row an orphan.
  (The other order would let a resumed job ask persist-queue for an acknowledged row, which
  ``get(id)`` hands out again: the job would run twice.)
- retry, release: [schedule row waiting, retry state saved], then ``nack``: resume fixes
  persist-queue's side.
- clear: [inbox and schedule emptied], then the sweep: orphans until the next sweep.
- resume: persist-queue's ``resume_unack_tasks``, [schedule rows waiting], sweep: each part
  may be done again.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from stash.log import redact
from sync_queue import db, inbox, layout, legacy, schedule
from sync_queue.job import CHANGED, Intent, Job, retried

_NAME = "jobs"  # persist-queue names its table ack_queue_<name>


class JobQueue:
    """One instance per thread. Any process may enqueue, count and list; only the holder of
    the drainer lock may take, ack, retry, release, resume_abandoned and clear."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self._dir = Path(data_dir)
        self._conn = db.connect(self._dir / layout.QUEUE_DB)
        for statement in (*inbox.CREATE, *schedule.CREATE):
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
        return sum(inbox.add(self._conn, batch[start:start + inbox.CHUNK], intent, now)
                   for start in range(0, len(batch), inbox.CHUNK))

    def counts(self, now: float | None = None) -> dict[str, int]:
        return schedule.counts(self._conn, time.time() if now is None else now)

    def next_due_at(self) -> float | None:
        return schedule.next_due_at(self._conn)

    def waiting(self) -> list[Job]:
        return schedule.waiting(self._conn) + inbox.jobs(self._conn)

    # -- the holder of the drainer lock ------------------------------------------------------

    def take(self, limit: int, now: float | None = None) -> list[Job]:
        now = time.time() if now is None else now
        if self._acked:  # once per batch, not once per ack: each is a write of its own
            self._pq().clear_acked_data(max_delete=0, keep_latest=0)
            self._acked = False
        due = schedule.due(self._conn, now, limit)
        # Jobs already scheduled were queued before anything still in the inbox.
        fresh = inbox.oldest(self._conn, now, limit - len(due)) if len(due) < limit else []
        if not due and not fresh:
            return []
        pq = self._pq()
        moved = [(inbox_id, pq.put(_payload(scene_id, updated_at)))
                 for inbox_id, scene_id, updated_at in fresh]
        with db.write_transaction(self._conn) as conn:
            for inbox_id, job_id in moved:
                inbox.move(conn, inbox_id, job_id)
            taken = schedule.claim(conn, due + [job_id for _, job_id in moved])
        for job in taken:
            pq.get(block=False, id=job.id)
        return taken

    def ack(self, job: Job) -> None:
        schedule.forget(self._conn, job.id)
        self._pq().ack(id=job.id)
        self._acked = True

    def retry(self, job: Job, *, error: str, next_attempt_at: float,
              count_attempt: bool = True) -> Job:
        updated = retried(job, error=redact(error), next_attempt_at=next_attempt_at,
                          count_attempt=count_attempt)
        self.release(updated)
        return updated

    def release(self, job: Job) -> None:
        schedule.put_back(self._conn, job)
        self._pq().nack(id=job.id)

    def resume_abandoned(self) -> int:
        pq = self._pq()
        abandoned = schedule.counts(self._conn, time.time())["taken"]
        pq.resume_unack_tasks()
        schedule.put_back_all(self._conn)
        self._sweep(pq)
        return abandoned

    def clear(self) -> int:
        with db.write_transaction(self._conn) as conn:
            cleared = conn.execute("DELETE FROM inbox").rowcount
            cleared += conn.execute("DELETE FROM schedule").rowcount
        self._sweep(self._pq(), adopt=False)
        return cleared

    def _sweep(self, pq: Any, adopt: bool = True) -> None:
        """Rows persist-queue holds for no job of the schedule: an orphan of a killed step is
        acknowledged (and deleted); a job v0.1 queued is adopted into the schedule, and its row
        rewritten as this version's, so that once it is done it is never adopted again (Clear
        Queue does not adopt: the jobs go too)."""
        legacy.drop_indexes(self._conn)
        pq.clear_acked_data(max_delete=0, keep_latest=0)
        known = schedule.ids(self._conn)
        rows = [(row["id"], row["data"]) for row in pq.queue()]
        v01 = [(job_id, data) for job_id, data in rows
               if legacy.is_job(data) and (adopt or job_id in known)]
        schedule.adopt(self._conn, [legacy.job(job_id, data) for job_id, data in v01])
        for job_id, data in v01:
            pq.update(_payload(data["scene_id"], data.get("updated_at")), id=job_id)
        known |= {job_id for job_id, _ in v01}
        for job_id, _ in rows:
            if job_id not in known:
                pq.ack(id=job_id)
        pq.clear_acked_data(max_delete=0, keep_latest=0)
        self._acked = False

    def close(self) -> None:
        if self._persist_queue is not None:
            self._persist_queue.close()
            self._persist_queue = None
        self._conn.close()


def _payload(scene_id: int, updated_at: str | None) -> dict[str, Any]:
    """What persist-queue holds of a job: which version it is (the rest is the schedule's)."""
    return {"scene_id": int(scene_id), "updated_at": updated_at}
