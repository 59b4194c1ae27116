"""The detached drainer (``plexsync.py --drain``) and the foreground hand-over protocol.

One drainer at a time holds ``drainer.lock``; the operating system drops the lock when its
holder dies, however it dies. A foreground task that wants to drain asks the detached drainer to
hand over (a ``handover`` file naming the task's pid); the drainer finishes its batch, releases
the lock and exits, so two processes never write at once.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from stash import log
from stash.protocol import UserError, parse_connection
from sync_queue.jobs import JobQueue
from sync_queue.lock import FileLock
from worker import notices
from worker.batch import StopDrain
from worker.context import Context, open_context
from worker.drain import drain
from worker.spawn import LOCK_NAME

HANDOVER = "handover"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def handover_requested(data_dir: Path) -> bool:
    try:
        pid = int((data_dir / HANDOVER).read_text() or 0)
    except (FileNotFoundError, ValueError):
        return False
    return pid > 0 and _alive(pid)


def take_over(data_dir: Path, timeout: float) -> FileLock | None:
    """For a foreground task: get the drainer lock, asking a detached drainer to hand over."""
    lock = FileLock(str(data_dir / LOCK_NAME))
    if lock.acquire(0):
        return lock
    (data_dir / HANDOVER).write_text(str(os.getpid()))
    try:
        log.info("waiting for the background PlexSync worker to hand over")
        return lock if lock.acquire(timeout) else None
    finally:
        (data_dir / HANDOVER).unlink(missing_ok=True)


def _drain_detached(ctx: Context, lock: FileLock) -> None:
    while True:
        tally = drain(ctx, until_empty=False, should_stop=lambda: handover_requested(ctx.data_dir))
        if tally.synced or tally.dead:
            log.info(f"drained: {tally.synced} synced, {tally.skipped} already current, "
                     f"{tally.dead} dead-lettered, {tally.retrying} retrying")
        lock.release()
        if handover_requested(ctx.data_dir):
            return
        # A hook may have queued a job after our last look, while it still saw the lock held.
        if ctx.queue.counts()["waiting"] == 0 or not lock.acquire(0):
            return


def run_detached(text: str) -> int:
    try:
        payload = json.loads(text)
        connection = parse_connection(payload["server_connection"])
        data_dir = Path(payload["data_dir"])
    except (ValueError, KeyError, TypeError, UserError) as exc:
        log.error(f"drainer started without valid input: {exc}")
        return 2
    lock = FileLock(str(data_dir / LOCK_NAME))
    if not lock.acquire(0):
        return 0  # another drainer is already at work
    started = time.time()
    ctx = None
    try:
        (data_dir / "drainer.pid").write_text(str(os.getpid()))
        ctx = open_context(connection, detached=True)
        _drain_detached(ctx, lock)
        return 0
    except StopDrain as exc:
        count = JobQueue(str(data_dir)).counts()["waiting"]
        notices.post(data_dir, "error", f"{exc}. {count} queued change(s) are kept and will "
                     "be written once that is fixed (then run Process Queue).")
        return 1
    except UserError as exc:
        notices.post(data_dir, "error", str(exc))
        return 1
    except Exception as exc:
        import traceback

        log.error(traceback.format_exc())
        notices.post(data_dir, "error", f"the background worker stopped unexpectedly "
                     f"({type(exc).__name__}); details in drainer.log. Queued changes are kept.")
        return 1
    finally:
        if ctx is not None:
            ctx.close()
        lock.release()
        log.debug(f"drainer exits after {time.time() - started:.1f}s")
