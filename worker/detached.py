"""The detached drainer (``plexsync.py --drain``).

One drainer at a time holds ``drainer.lock``. It hands the queue over to a foreground task that
asks for it (sync_queue/handover.py), and ends on its own when Stash stays silent or its code
changed on disk (worker/lifetime.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from pathlib import Path

from stash import log
from stash.errors import StashLoginRejected
from stash.protocol import Connection, UserError, parse_connection
from sync_queue import layout, notices
from sync_queue.handover import handover_requested
from sync_queue.jobs import JobQueue
from sync_queue.lock import FileLock
from worker import defunct
from worker.batch import StopDrain
from worker.context import Context, open_context
from worker.drain import drain
from worker.lifetime import CODE_CHANGED, Lifetime
from worker.spawn import ENTRY, start_drainer


def _drain_detached(ctx: Context, lock: FileLock, lifetime: Lifetime) -> None:
    def stop() -> bool:
        return handover_requested(ctx.data_dir) or lifetime.over()

    while True:
        tally = drain(ctx, until_empty=False, should_stop=stop)
        if tally.synced or tally.dead:
            log.info(f"drained: {tally.synced} synced, {tally.skipped} already current, "
                     f"{tally.dead} dead-lettered, {tally.retrying} retrying")
        lock.release()
        if stop():
            return
        # A hook may have queued a job after our last look, while it still saw the lock held.
        if ctx.queue.counts()["waiting"] == 0 or not lock.acquire(0):
            return


def _ended_on_its_own(ctx: Context, connection: Connection, reason: str) -> None:
    waiting = ctx.queue.counts()["waiting"]
    if reason != CODE_CHANGED:
        ctx.notify("warning", f"the background worker stopped: {reason}. {waiting} queued "
                   "change(s) are kept for the next hook or task.")
    elif waiting and ENTRY.exists():
        log.info(f"{reason}: handing {waiting} queued change(s) to a worker with the new code")
        start_drainer(ctx.data_dir, connection)
    else:
        log.info(f"{reason}: this worker ends")


def run_detached(text: str) -> int:
    try:
        payload = json.loads(text)
        connection = parse_connection(payload["server_connection"])
        data_dir = Path(payload["data_dir"])
    except (ValueError, KeyError, TypeError, UserError) as exc:
        log.error(f"drainer started without valid input: {exc}")
        return 2
    ctx: Context | None = None
    # Before anything else: the code this process runs is what is on disk now.
    lifetime = Lifetime(lambda: ctx.stash.silent_since if ctx is not None else None)
    with contextlib.suppress(OSError):  # so Health Check can find it should it never be reaped
        defunct.record_self(data_dir)
    lock = FileLock(str(data_dir / layout.DRAINER_LOCK))
    if not lock.acquire(0):
        return 0  # another drainer is already at work
    started = time.time()
    try:
        (data_dir / layout.DRAINER_PID).write_text(str(os.getpid()))
        defunct.survey(data_dir)  # forget the records of workers that were reaped
        ctx = open_context(connection, detached=True)
        _drain_detached(ctx, lock, lifetime)
        if lifetime.reason:
            _ended_on_its_own(ctx, connection, lifetime.reason)
        return 0
    except (StopDrain, StashLoginRejected) as exc:
        count = JobQueue(str(data_dir)).counts()["waiting"]
        if isinstance(exc, StopDrain) and not exc.stash_login:
            notices.post(data_dir, "error", f"{exc}. {count} queued change(s) are kept and "
                         "will be written once that is fixed (then run Process Queue).")
            return 1
        # The login a hook handed over has lapsed: end cleanly, so that the next hook, which
        # brings a fresh one, can start a worker.
        message = (f"the background worker stopped: {exc}. {count} queued change(s) are kept "
                   "for the next scene change or task; with an API key (Stash: Settings > "
                   "Security) the worker's login never lapses.")
        log.warning(message)
        notices.post(data_dir, "warning", message)
        return 0
    except UserError as exc:
        notices.post(data_dir, "error", str(exc))
        return 1
    except Exception as exc:
        import traceback

        log.error(traceback.format_exc())
        notices.post(data_dir, "error", f"the background worker stopped unexpectedly "
                     f"({type(exc).__name__}); details in {layout.DRAINER_LOG}. Queued changes are "
                     "kept.")
        return 1
    finally:
        if ctx is not None:
            ctx.close()
        lock.release()
        log.debug(f"drainer exits after {time.time() - started:.1f}s")
