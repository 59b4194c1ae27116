"""The hand-over protocol: a foreground task takes the queue from the background worker.

One process at a time drains the queue: the one holding ``drainer.lock`` (sync_queue/lock.py;
the operating system drops the lock when its holder dies, however it dies). A task that wants to
drain writes its pid to the ``handover`` file and waits for the lock; the background worker
looks for that file between jobs, finishes its batch, releases the lock and exits, so two
processes never write at once. A request from a task that died while it waited is ignored.
"""

from __future__ import annotations

import os
from pathlib import Path

from stash import log
from sync_queue import layout
from sync_queue.liveness import alive
from sync_queue.lock import FileLock


def handover_requested(data_dir: Path) -> bool:
    try:
        pid = int((data_dir / layout.HANDOVER).read_text() or 0)
    except (FileNotFoundError, ValueError):
        return False
    return alive(pid)  # a task killed while it waited asks no longer


def take_over(data_dir: Path, timeout: float) -> FileLock | None:
    """For a foreground task: get the drainer lock, asking a detached drainer to hand over."""
    lock = FileLock(str(data_dir / layout.DRAINER_LOCK))
    if lock.acquire(0):
        return lock
    (data_dir / layout.HANDOVER).write_text(str(os.getpid()))
    try:
        log.info("waiting for the background PlexSync worker to hand over")
        return lock if lock.acquire(timeout) else None
    finally:
        (data_dir / layout.HANDOVER).unlink(missing_ok=True)
