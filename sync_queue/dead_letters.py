"""DeadLetters: jobs that failed for good, kept for a person to inspect and retry.

One row per scene: a scene that fails again replaces its earlier letter, so a long outage or a
retried batch that fails again cannot pile up thousands of rows for the same scenes. Stored in
``<data dir>/dead_letters.db``, next to the queue.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from stash.log import redact
from sync_queue import db, layout
from sync_queue.job import Job, cap_error
from sync_queue.jobs import JobQueue

RETRY_REASON = "retry"
_DAY_S = 86400.0

_CREATE = (
    "CREATE TABLE IF NOT EXISTS dead_letters ("
    "id INTEGER PRIMARY KEY AUTOINCREMENT, scene_id INTEGER NOT NULL UNIQUE, updated_at TEXT, "
    "reason TEXT NOT NULL, force INTEGER NOT NULL, error_class TEXT NOT NULL, "
    "message TEXT NOT NULL, attempts INTEGER NOT NULL, failed_at REAL NOT NULL)"
)
_CREATE_INDEX = "CREATE INDEX IF NOT EXISTS dead_letters_failed_at ON dead_letters (failed_at)"
_UPSERT = (
    "INSERT INTO dead_letters (scene_id, updated_at, reason, force, error_class, message, "
    "attempts, failed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scene_id) DO UPDATE SET "
    "updated_at = excluded.updated_at, reason = excluded.reason, force = excluded.force, "
    "error_class = excluded.error_class, message = excluded.message, "
    "attempts = excluded.attempts, failed_at = excluded.failed_at"
)
_COLUMNS = "id, scene_id, updated_at, error_class, message, attempts, failed_at, reason, force"


@dataclass(frozen=True)
class DeadLetter:
    id: int
    scene_id: int
    updated_at: str | None
    error_class: str
    message: str
    attempts: int
    failed_at: float
    reason: str = ""
    force: bool = False


def _letter(row: tuple) -> DeadLetter:
    letter_id, scene_id, updated_at, error_class, message, attempts, failed_at, reason, force = row
    return DeadLetter(
        id=letter_id,
        scene_id=scene_id,
        updated_at=updated_at,
        error_class=error_class,
        message=message,
        attempts=attempts,
        failed_at=failed_at,
        reason=reason,
        force=bool(force),
    )


class DeadLetters:
    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self._conn = db.connect(Path(data_dir) / layout.DEAD_LETTERS_DB)
        self._conn.execute(_CREATE)
        self._conn.execute(_CREATE_INDEX)

    def add(self, job: Job, *, error_class: str, message: str, now: float | None = None) -> int:
        """Record the job's final failure; returns the letter id (kept for a known scene)."""
        failed_at = time.time() if now is None else now
        values = (
            job.scene_id, job.updated_at, job.reason, int(job.force), error_class,
            cap_error(redact(message)), job.attempts, failed_at,
        )
        with db.write_transaction(self._conn) as conn:
            conn.execute(_UPSERT, values)
            row = conn.execute(
                "SELECT id FROM dead_letters WHERE scene_id = ?", (job.scene_id,)
            ).fetchone()
        return int(row[0])

    def list(self, limit: int = 100) -> list[DeadLetter]:
        """The most recent failures first."""
        rows = self._conn.execute(
            f"SELECT {_COLUMNS} FROM dead_letters ORDER BY failed_at DESC, id DESC LIMIT ?",
            (limit,),
        ).fetchall()
        return [_letter(row) for row in rows]

    def count(self) -> int:
        return int(self._conn.execute("SELECT COUNT(*) FROM dead_letters").fetchone()[0])

    def count_by_class(self) -> dict[str, int]:
        rows = self._conn.execute(
            "SELECT error_class, COUNT(*) FROM dead_letters GROUP BY error_class"
        ).fetchall()
        return {error_class: int(n) for error_class, n in rows}

    def retry(self, dead_letter_id: int, queue: JobQueue) -> bool:
        """Put one letter's scene back on the queue with no attempts; False if unknown."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM dead_letters WHERE id = ?", (dead_letter_id,)
        ).fetchone()
        if row is None:
            return False
        return self._requeue([_letter(row)], queue) == 1

    def retry_all(self, queue: JobQueue) -> int:
        """Put every letter's scene back on the queue with no attempts; returns how many."""
        rows = self._conn.execute(f"SELECT {_COLUMNS} FROM dead_letters ORDER BY id").fetchall()
        return self._requeue([_letter(row) for row in rows], queue)

    def _requeue(self, letters: list[DeadLetter], queue: JobQueue) -> int:
        # Queue first, then forget: killed in between, a letter survives next to its job
        # (harmless, the queue ignores a version already waiting) and nothing is lost.
        for force in (False, True):
            items = [(x.scene_id, x.updated_at) for x in letters if x.force == force]
            if items:
                queue.enqueue_many(items, reason=RETRY_REASON, force=force)
        removed = 0
        with db.write_transaction(self._conn) as conn:
            for letter in letters:
                # Matching failed_at leaves alone a letter that failed again meanwhile.
                removed += conn.execute(
                    "DELETE FROM dead_letters WHERE id = ? AND failed_at = ?",
                    (letter.id, letter.failed_at),
                ).rowcount
        return removed

    def discard(self, scene_id: int) -> bool:
        """Forget a scene's letter because it has since synced (or left Stash)."""
        cursor = self._conn.execute("DELETE FROM dead_letters WHERE scene_id = ?", (scene_id,))
        return cursor.rowcount > 0

    def purge(self, older_than_days: float, now: float | None = None) -> int:
        """Forget failures older than ``older_than_days``; returns how many."""
        cutoff = (time.time() if now is None else now) - older_than_days * _DAY_S
        cursor = self._conn.execute("DELETE FROM dead_letters WHERE failed_at < ?", (cutoff,))
        return cursor.rowcount

    def close(self) -> None:
        self._conn.close()
