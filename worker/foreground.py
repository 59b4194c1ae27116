"""Tasks that drain in the foreground: Stash's progress bar, a log line per batch, a summary."""

from __future__ import annotations

import time
from collections.abc import Callable

from stash import log
from stash.errors import StashError
from stash.protocol import PluginInput, UserError
from sync_queue.handover import take_over
from worker.batch import StopDrain
from worker.classify import classify
from worker.context import Context, open_context
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


def _what(failure: Failure) -> str:
    if failure.kind is Kind.STASH:
        return f"Stash failed ({failure.message})"
    return failure.message


def kept(ctx: Context, failure: Failure) -> str:
    """What becomes of the queued changes, said after what went wrong."""
    left = ctx.queue.counts()["waiting"]
    when = {Kind.TRANSIENT: "when Plex answers (the background worker keeps trying)",
            Kind.STASH: "when Stash answers (the background worker keeps trying)"}.get(
        failure.kind, "once that is fixed (then run Process Queue)")
    return f"{left} queued change(s) are kept and will be written {when}"


def plex_trouble(ctx: Context, exc: Exception) -> UserError | None:
    """A task's one message for Plex being down or wrongly set up before it could compare
    anything (Reconcile, Preview); None for anything else (a bug, or Stash's own failure),
    which keeps its own handling."""
    if isinstance(exc, StashError):
        return None
    failure = classify(exc)
    if failure.kind not in (Kind.CONFIG, Kind.TRANSIENT):
        return None
    return UserError(f"{failure.message}. Nothing was compared; {kept(ctx, failure)}")


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
        raise UserError(f"{exc}. {kept(ctx, exc.failure)}") from None
    finally:
        lock.release()


def run_draining(plugin_input: PluginInput, enqueue: Callable[[Context], str] | None) -> str:
    started = time.time()
    ctx = open_context(plugin_input.connection)
    try:
        try:
            note = enqueue(ctx) if enqueue else ""
        except Exception as exc:
            trouble = plex_trouble(ctx, exc)
            if trouble is None:
                raise
            if ctx.queue.counts()["waiting"]:  # earlier changes: the worker keeps trying
                ensure_drainer(ctx.data_dir, plugin_input.connection)
            raise trouble from None
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
        log.progress(1.0)
        if tally.outage is not None and left:
            # Stash must show the task as failed: it could not do its work.
            raise UserError(f"{_what(tally.outage)}: {kept(ctx, tally.outage)}. So far: {text}")
        if left:
            text += f"; {left} change(s) will be retried in the background"
        log.info(text)
        return text
    finally:
        ctx.close()
