"""JobQueue: the persistent queue of scenes to sync, shared by every PlexSync process.

Rows live in persist-queue's acknowledging queue (``SQLiteAckQueue``, JSON serializer) in
``<data dir>/queue.db``. The drainer side (take, ack, retry, release, resume) goes through
persist-queue. The hook side does not: importing persist-queue costs about 70 ms (it pulls in
asyncio and logging), which alone would blow a hook's budget, and its ``put`` commits once per
row, which would make queueing 100,000 scenes take minutes. Hooks therefore insert rows in
persist-queue's own format with plain ``sqlite3``, one short write transaction per batch.

Expression indexes over the JSON rows answer "is this version already waiting?" and "what is
due?" without decoding a single row, so neither cost grows with the queue.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from stash.log import redact
from sync_queue import db, layout
from sync_queue.job import (
    CHANGED,
    Intent,
    Job,
    decode,
    encode,
    from_record,
    new_record,
    retried,
    to_record,
)

__all__ = ["Job", "JobQueue"]

_NAME = "jobs"  # persist-queue names its table ack_queue_<name>
_TABLE = f"`ack_queue_{_NAME}`"
# persist-queue's AckStatus: 0 inited and 1 ready are waiting, 2 unack is taken, 5 acked.
TAKEN = 2
ACKED = 5
_WAITING = "status < 2"  # a literal, so SQLite can use the partial indexes below

# Must stay identical to persist-queue's SQLiteAckQueue table (checked by a test), because
# whichever process touches a new data directory first creates it.
_CREATE_TABLE = (
    f"CREATE TABLE IF NOT EXISTS {_TABLE} (_id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "data BLOB, timestamp FLOAT, status INTEGER)"
)
_DOC = "CAST(data AS TEXT)"
_SCENE = f"json_extract({_DOC}, '$.scene_id')"
_VERSION = f"json_extract({_DOC}, '$.updated_at')"
_DUE = f"json_extract({_DOC}, '$.next_attempt_at')"
_ATTEMPTS = f"json_extract({_DOC}, '$.attempts')"
_CREATE_INDEXES = (
    f"CREATE INDEX IF NOT EXISTS jobs_waiting_version ON {_TABLE} ({_SCENE}, {_VERSION}) "
    f"WHERE {_WAITING}",
    f"CREATE INDEX IF NOT EXISTS jobs_waiting_due ON {_TABLE} ({_DUE}) WHERE {_WAITING}",
    f"CREATE INDEX IF NOT EXISTS jobs_status ON {_TABLE} (status)",
)
_FIND_WAITING = (
    f"SELECT _id, data FROM {_TABLE} WHERE {_WAITING} AND {_SCENE} = ? AND {_VERSION} IS ? "
    "LIMIT 1"
)
_INSERT = f"INSERT INTO {_TABLE} (data, timestamp, status) VALUES (?, ?, 0)"
_DUE_IDS = f"SELECT _id FROM {_TABLE} WHERE {_WAITING} AND {_DUE} <= ? ORDER BY _id LIMIT ?"
# Thousands of rows per write transaction keep a Sync All fast, yet a hook waiting behind it
# waits for one chunk (tens of milliseconds), not for the whole library.
_CHUNK = 2000


class JobQueue:
    """The queue in ``<data_dir>/queue.db``; one instance per thread.

    Any process may enqueue, count or drop. Only the drainer, while holding the drainer lock,
    may take, ack, retry, release and resume_abandoned.
    """

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self._dir = Path(data_dir)
        self._conn = db.connect(self._dir / layout.QUEUE_DB)
        self._conn.execute(_CREATE_TABLE)
        for statement in _CREATE_INDEXES:
            self._conn.execute(statement)
        self._ack_queue: Any = None

    def _acks(self) -> Any:
        """persist-queue's view of the same table, opened on first use by the drainer."""
        if self._ack_queue is None:
            from persistqueue import SQLiteAckQueue
            from persistqueue.serializers import json as json_serializer

            self._ack_queue = SQLiteAckQueue(
                str(self._dir),
                name=_NAME,
                db_file_name=layout.QUEUE_DB,
                # A hook or task opening the queue must never hand a running drainer's jobs
                # back out: only resume_abandoned does that, under the drainer lock.
                auto_resume=False,
                serializer=json_serializer,
                timeout=db.BUSY_TIMEOUT_S,
            )
            # As on every other connection (db.connect): persist-queue leaves synchronous at
            # FULL, so each take and each ack waited for an fsync, longer than a Plex write.
            for conn in {self._ack_queue._getter, self._ack_queue._putter}:
                conn.execute("PRAGMA synchronous = NORMAL")
        return self._ack_queue

    # -- any process ---------------------------------------------------------------------

    def enqueue(self, scene_id: int, updated_at: str | None, intent: Intent = CHANGED) -> bool:
        """Queue one scene version; False when the same version is already waiting."""
        return self.enqueue_many([(scene_id, updated_at)], intent) == 1

    def enqueue_many(
        self, items: Iterable[tuple[int, str | None]], intent: Intent = CHANGED
    ) -> int:
        """Queue many scene versions; returns how many new jobs were added.

        A version already waiting is not added again; the waiting job takes on what this
        request asks for as well (its intent). A job currently taken does not count: the edit
        gets its own job.
        """
        batch = list(items)
        added = 0
        for start in range(0, len(batch), _CHUNK):
            added += self._enqueue_chunk(batch[start : start + _CHUNK], intent)
        return added

    def _enqueue_chunk(self, items: list[tuple[int, str | None]], intent: Intent) -> int:
        now = time.time()
        seen: set[tuple[int, str | None]] = set()
        added = 0
        with db.write_transaction(self._conn) as conn:
            for scene_id, updated_at in items:
                key = (int(scene_id), updated_at)
                if key in seen:
                    continue
                seen.add(key)
                waiting = conn.execute(_FIND_WAITING, key).fetchone()
                if waiting is None:
                    record = new_record(key[0], updated_at, intent, now)
                    conn.execute(_INSERT, (encode(record), now))
                    added += 1
                else:
                    _join_waiting(conn, waiting[0], decode(waiting[1]), intent)
        return added

    def next_due_at(self) -> float | None:
        """When the earliest waiting job is due (possibly already past); None if none wait."""
        row = self._conn.execute(f"SELECT MIN({_DUE}) FROM {_TABLE} WHERE {_WAITING}").fetchone()
        return None if row[0] is None else float(row[0])

    def counts(self, now: float | None = None) -> dict[str, int]:
        """waiting (due or not), due, retrying (tried before and not due yet) and taken."""
        now = time.time() if now is None else now
        row = self._conn.execute(
            f"SELECT COALESCE(SUM({_WAITING}), 0), "
            f"COALESCE(SUM({_WAITING} AND {_DUE} <= :now), 0), "
            f"COALESCE(SUM({_WAITING} AND {_ATTEMPTS} > 0 AND {_DUE} > :now), 0), "
            f"COALESCE(SUM(status = {TAKEN}), 0) FROM {_TABLE}",
            {"now": now},
        ).fetchone()
        return dict(zip(("waiting", "due", "retrying", "taken"), map(int, row), strict=True))

    def waiting(self) -> list[Job]:
        """Every waiting job in queue order (decodes them all: for reports, not hot paths)."""
        rows = self._conn.execute(
            f"SELECT _id, data FROM {_TABLE} WHERE {_WAITING} ORDER BY _id"
        ).fetchall()
        return [from_record(job_id, decode(data)) for job_id, data in rows]

    def drop_scene(self, scene_id: int) -> int:
        """Remove every waiting job of a scene (it was deleted from Stash)."""
        cursor = self._conn.execute(
            f"DELETE FROM {_TABLE} WHERE {_WAITING} AND {_SCENE} = ?", (int(scene_id),)
        )
        return cursor.rowcount

    def clear(self) -> int:
        """Remove every job, waiting or taken; a drainer's later ack of a removed job is a no-op."""
        return self._conn.execute(f"DELETE FROM {_TABLE} WHERE status <= {TAKEN}").rowcount

    # -- the drainer, holding the drainer lock ---------------------------------------------

    def take(self, limit: int, now: float | None = None) -> list[Job]:
        """Up to ``limit`` due jobs in queue order, marked taken.

        Jobs not due yet are neither returned nor touched: they keep their place, and a
        drainer finding nothing due should sleep until next_due_at().
        """
        now = time.time() if now is None else now
        due = [row[0] for row in self._conn.execute(_DUE_IDS, (now, limit)).fetchall()]
        if not due:
            return []
        from persistqueue.exceptions import Empty

        acks = self._acks()
        taken: list[Job] = []
        for job_id in due:
            try:
                row = acks.get(block=False, id=job_id, raw=True)
            except Empty:
                continue  # dropped (scene deleted, queue cleared) since the query above
            taken.append(from_record(row["pqid"], row["data"]))
        return taken

    def ack(self, job: Job) -> None:
        """The job is done: it never comes back, and its row is deleted."""
        acks = self._acks()
        acks.ack(id=job.id)
        _delete_acked(acks)

    def retry(
        self, job: Job, *, error: str, next_attempt_at: float, count_attempt: bool = True
    ) -> Job:
        """Back to waiting in its place, due again at ``next_attempt_at``, with attempts + 1
        (unless ``count_attempt`` is False: a failure that is not this job's fault)."""
        updated = retried(
            job, error=redact(error), next_attempt_at=next_attempt_at, count_attempt=count_attempt
        )
        acks = self._acks()
        # Retry state first: killed between the two, the job is still taken and comes back
        # through resume_abandoned with its retry state already saved.
        acks.update(to_record(updated), id=job.id)
        acks.nack(id=job.id)
        return updated

    def release(self, job: Job) -> None:
        """Back to waiting unchanged (circuit open, or handing over to another drainer)."""
        self._acks().nack(id=job.id)

    def resume_abandoned(self) -> int:
        """Jobs left taken by a drainer that died go back to waiting; returns how many.

        Only the drainer lock holder may call this: it cannot tell a dead drainer's jobs from
        a live one's.
        """
        acks = self._acks()
        abandoned = int(acks.unack_count())
        acks.resume_unack_tasks()
        _delete_acked(acks)  # acked just before a kill, not yet deleted
        return abandoned

    def close(self) -> None:
        if self._ack_queue is not None:
            self._ack_queue.close()
            self._ack_queue = None
        self._conn.close()


def _join_waiting(
    conn: sqlite3.Connection, job_id: int, record: dict[str, Any], intent: Intent
) -> None:
    job = from_record(job_id, record)
    joined = Intent.from_bits(job.intent.bits | intent.bits)
    if joined != job.intent:
        data = encode(to_record(job._replace(intent=joined)))
        conn.execute(f"UPDATE {_TABLE} SET data = ? WHERE _id = ?", (data, job_id))


def _delete_acked(acks: Any) -> None:
    # persist-queue keeps acked rows until told; 0 means no limit on either side.
    acks.clear_acked_data(max_delete=0, keep_latest=0)
