"""DeadLetters: jobs that failed for good, kept for a person to inspect and retry.

One row per scene: a scene that fails again replaces its earlier letter, so a long outage or a
retried batch that fails again cannot pile up thousands of rows for the same scenes. Stored in
``<data dir>/dead_letters.db``, next to the queue. A letter keeps its job's Intent, so a retried
letter asks for what the job asked for (a rewrite stays a rewrite).
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from stash.log import redact
from sync_queue import db, layout, legacy
from sync_queue.job import Intent, Job, cap_error
from sync_queue.storage import JobStorage

_DAY_S = 86400.0

_CREATE_TABLE = (
    "CREATE TABLE dead_letters ("
    "id INTEGER PRIMARY KEY AUTOINCREMENT, scene_id INTEGER NOT NULL UNIQUE, updated_at TEXT, "
    "intent INTEGER NOT NULL, error_class TEXT NOT NULL, "
    "message TEXT NOT NULL, attempts INTEGER NOT NULL, failed_at REAL NOT NULL)"
)
_CREATE_INDEX = "CREATE INDEX IF NOT EXISTS dead_letters_failed_at ON dead_letters (failed_at)"
_UPSERT = (
    "INSERT INTO dead_letters (scene_id, updated_at, intent, error_class, message, "
    "attempts, failed_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scene_id) DO UPDATE SET "
    "updated_at = excluded.updated_at, intent = excluded.intent, "
    "error_class = excluded.error_class, message = excluded.message, "
    "attempts = excluded.attempts, failed_at = excluded.failed_at"
)
_COLUMNS = "id, scene_id, updated_at, error_class, message, attempts, failed_at, intent"


@dataclass(frozen=True)
class DeadLetter:
    id: int
    scene_id: int
    updated_at: str | None
    error_class: str
    message: str
    attempts: int
    failed_at: float
    intent: Intent = Intent()


def _letter(row: tuple) -> DeadLetter:
    letter_id, scene_id, updated_at, error_class, message, attempts, failed_at, intent = row
    return DeadLetter(
        id=letter_id,
        scene_id=scene_id,
        updated_at=updated_at,
        error_class=error_class,
        message=message,
        attempts=attempts,
        failed_at=failed_at,
        intent=Intent.from_bits(intent),
    )


def _create(conn: sqlite3.Connection) -> None:
    """The table, made or brought up to date; v0.1's said a letter's intent with a free-text
    reason and a force flag (sync_queue/legacy.py), and is rewritten once."""
    with db.write_transaction(conn):
        columns = {row[1] for row in conn.execute("PRAGMA table_info(dead_letters)")}
        if not columns:
            conn.execute(_CREATE_TABLE)
        elif "reason" in columns:
            rows = conn.execute(
                "SELECT id, scene_id, updated_at, reason, force, error_class, message, "
                "attempts, failed_at FROM dead_letters").fetchall()
            conn.execute("DROP TABLE dead_letters")  # its index goes with it
            conn.execute(_CREATE_TABLE)
            conn.executemany(
                f"INSERT INTO dead_letters (id, scene_id, updated_at, intent, error_class, "
                f"message, attempts, failed_at) VALUES ({', '.join('?' * 8)})",
                [(*row[:3], legacy.intent(row[3], bool(row[4])).bits, *row[5:])
                 for row in rows])
        conn.execute(_CREATE_INDEX)


class DeadLetters:
    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self._conn = db.connect(Path(data_dir) / layout.DEAD_LETTERS_DB)
        _create(self._conn)

    def add(self, job: Job, *, error_class: str, message: str, now: float | None = None) -> int:
        """Record the job's final failure; returns the letter id (kept for a known scene)."""
        failed_at = time.time() if now is None else now
        values = (
            job.scene_id, job.updated_at, job.intent.bits, error_class,
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

    def retry(self, dead_letter_id: int, queue: JobStorage) -> bool:
        """Put one letter's scene back on the queue with no attempts; False if unknown."""
        row = self._conn.execute(
            f"SELECT {_COLUMNS} FROM dead_letters WHERE id = ?", (dead_letter_id,)
        ).fetchone()
        if row is None:
            return False
        return self._requeue([_letter(row)], queue) == 1

    def retry_all(self, queue: JobStorage) -> int:
        """Put every letter's scene back on the queue with no attempts; returns how many."""
        rows = self._conn.execute(f"SELECT {_COLUMNS} FROM dead_letters ORDER BY id").fetchall()
        return self._requeue([_letter(row) for row in rows], queue)

    def _requeue(self, letters: list[DeadLetter], queue: JobStorage) -> int:
        # Queue first, then forget: killed in between, a letter survives next to its job
        # (harmless, the queue ignores a version already waiting) and nothing is lost.
        for intent in sorted({letter.intent for letter in letters}):
            queue.enqueue_many([(x.scene_id, x.updated_at) for x in letters if x.intent == intent],
                               intent)
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
        return self.discard_many([scene_id]) > 0

    def discard_many(self, scene_ids: list[int]) -> int:
        """Forget the letters of these scenes, in one statement; returns how many there were."""
        removed = 0
        for start in range(0, len(scene_ids), 500):
            chunk = scene_ids[start:start + 500]
            removed += self._conn.execute(
                f"DELETE FROM dead_letters WHERE scene_id IN ({','.join('?' * len(chunk))})",
                chunk).rowcount
        return removed

    def purge(self, older_than_days: float, now: float | None = None) -> int:
        """Forget failures older than ``older_than_days``; returns how many."""
        cutoff = (time.time() if now is None else now) - older_than_days * _DAY_S
        cursor = self._conn.execute("DELETE FROM dead_letters WHERE failed_at < ?", (cutoff,))
        return cursor.rowcount

    def close(self) -> None:
        self._conn.close()
