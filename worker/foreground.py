"""Tasks that drain in the foreground: Stash's progress bar, a log line per batch, a summary."""

from __future__ import annotations

import time
from collections.abc import Callable

from stash import log
from stash.protocol import PluginInput, UserError
from worker.batch import StopDrain
from worker.context import Context, open_context
from worker.detached import take_over
from worker.drain import drain
from worker.retry import Failure, Kind
from worker.spawn import ensure_drainer
from worker.tally import Tally

HANDOVER_TIMEOUT = 300.0
RETRY_PATIENCE = 30.0   # a task waits this long for jobs that are only retrying soon


def summary(tally: Tally, seconds: float) -> str:
    parts = [f"{tally.synced} written"]
    if tally.skipped:
        parts.append(f"{tally.skipped} unchanged since queued")
    for name in ("review", "not_found", "retrying", "dead", "dropped"):
        count = getattr(tally, name)
        if count:
            parts.append(f"{count} {name.replace('_', ' ')}")
    return f"{', '.join(parts)} in {seconds:.1f}s"


def _progress(start_waiting: int) -> Callable[[Tally], None]:
    def report(total: Tally) -> None:
        done = total.synced + total.skipped + total.review + total.not_found + total.dead \
            + total.dropped
        log.progress(done / start_waiting if start_waiting else 1.0)
        log.info(f"progress: {done}/{start_waiting} scenes handled ({total.synced} written, "
                 f"{total.retrying} to retry)")
    return report


def _outage(failure: Failure) -> str:
    if failure.kind is Kind.STASH:
        return f"Stash failed ({failure.message})"
    return "Plex is unreachable"


def drain_now(ctx: Context) -> Tally:
    lock = take_over(ctx.data_dir, HANDOVER_TIMEOUT)
    if lock is None:
        raise UserError("the background PlexSync worker did not hand over in time; "
                        "try the task again")
    try:
        waiting = ctx.queue.counts()["waiting"]
        return drain(ctx, until_empty=True, patience=RETRY_PATIENCE,
                     on_batch=_progress(waiting))
    except StopDrain as exc:
        if exc.stash_login:
            raise UserError(f"{exc}; queued changes are kept: run the task again") from None
        raise UserError(f"{exc}: fix plex_token in Settings > Plugins; "
                        "queued changes are kept") from None
    finally:
        lock.release()


def run_draining(plugin_input: PluginInput, enqueue: Callable[[Context], str] | None) -> str:
    started = time.time()
    ctx = open_context(plugin_input.connection)
    try:
        note = enqueue(ctx) if enqueue else ""
        if note:
            log.info(note)
        tally = drain_now(ctx)
        left = ctx.queue.counts()["waiting"]
        if left:
            # Retries due later are handed to the background worker rather than holding Stash's
            # job queue (it runs one job at a time).
            ensure_drainer(ctx.data_dir, plugin_input.connection)
        text = summary(tally, time.time() - started)
        if note:
            text = f"{note}; {text}"
        if tally.outage is not None and left:
            text += f"; {_outage(tally.outage)}, {left} change(s) kept for later"
        elif left:
            text += f"; {left} change(s) will be retried in the background"
        log.progress(1.0)
        log.info(text)
        return text
    finally:
        ctx.close()
