"""The one way PlexSync opens a SQLite database of its data folder.

queue.db, dead_letters.db and plexsync.db are shared by many short-lived processes (hooks, tasks,
the background worker). Each process opens a database once and hands that connection to every
store that keeps a table in it (plexsync.db: SyncState, HealthStore, IndexCache).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sync_queue.datadir import private_file

# Fifty hook processes may queue at once behind a drainer's write; waiting is always better
# than failing, because a failed hook loses the edit.
BUSY_TIMEOUT_S = 30.0


def connect(path: Path) -> sqlite3.Connection:
    """An autocommit connection in WAL mode that waits for locks instead of failing; a write of
    several statements goes in write_transaction.

    synchronous=NORMAL: in WAL mode a commit still survives the process being killed (only a
    power cut can lose the last commits), and hooks then do not wait on an fsync each.
    check_same_thread=False: the drainer's writer threads run while the main thread uses the
    stores; every transaction is still issued from one thread.
    """
    conn = sqlite3.connect(private_file(path), timeout=BUSY_TIMEOUT_S, isolation_level=None,
                           check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    _use_wal(conn)
    conn.execute("PRAGMA synchronous = NORMAL")
    return conn


def _use_wal(conn: sqlite3.Connection) -> None:
    """Switch to WAL, waiting out other processes switching the same new database.

    The switch needs an exclusive lock, and SQLite reports "database is locked" for it at once
    instead of calling the busy handler, so processes racing to create the file would fail.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_S
    pause = 0.005
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


@contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE: take the write lock before reading, so check-then-write is atomic
    across processes (a deferred transaction upgrading to a writer can fail with SQLITE_BUSY
    without waiting)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
