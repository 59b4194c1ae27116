"""The writing tasks (Sync All, Sync Recent, Process Queue): queue what is not yet in Plex, then
drain in the foreground with Stash's progress bar, a log line per batch and a summary."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from stash import log
from stash.errors import StashError
from stash.protocol import PluginInput, UserError
from sync import freshness
from sync.failure import Failure, Kind
from sync.recent import recent_filter
from worker.batch import StopDrain
from worker.loop import drain
from worker.outage import classify
from worker.process import take_over
from worker.services import Context, open_context
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


def _queue_versions(ctx: Context, versions: list[tuple[int, str]], *, force: bool,
                    reason: str) -> str:
    """Queue the scenes whose current version is not yet in Plex (all of them with force)."""
    total = len(versions)
    if not force:
        known = ctx.state.versions([scene_id for scene_id, _ in versions])
        settings = ctx.config.plan_fingerprint()
        versions = [(sid, updated) for sid, updated in versions if not freshness.in_plex(
            known.get(sid), settings=settings, updated_at=updated)]
    ctx.queue.enqueue_many(versions, reason=reason, force=force)
    return f"{total - len(versions)} of {total} scene(s) already current in Plex"


def sync_all(plugin_input: PluginInput, *, force: bool = False) -> str:
    def enqueue(ctx: Context) -> str:
        return _queue_versions(ctx, ctx.stash.scene_versions(), force=force,
                               reason="sync_all_force" if force else "sync_all")

    return run_draining(plugin_input, enqueue)


def sync_recent(plugin_input: PluginInput) -> str:
    raw_hours = plugin_input.args.get("hours", 24)
    try:
        hours = float(raw_hours)
    except (TypeError, ValueError):
        raise UserError(f"hours must be a number, got {raw_hours!r}") from None
    if not 0 < hours <= 24 * 365:
        raise UserError(f"hours must be between 0 and 8760, got {hours:g}")

    def enqueue(ctx: Context) -> str:
        scene_filter = recent_filter(ctx.stash.latest_update(), hours)
        versions = ctx.stash.scene_versions(scene_filter) if scene_filter else []
        return _queue_versions(ctx, versions, force=False, reason="sync_recent")

    return run_draining(plugin_input, enqueue)


def process_queue(plugin_input: PluginInput) -> str:
    return run_draining(plugin_input, None)


def _lazy(module: str, name: str) -> Callable[[PluginInput], Any]:
    def run(plugin_input: PluginInput) -> Any:
        import importlib

        return getattr(importlib.import_module(module), name)(plugin_input)
    return run


MODES: dict[str, Callable[[PluginInput], Any]] = {
    "sync_all": sync_all,
    "sync_all_force": lambda plugin_input: sync_all(plugin_input, force=True),
    "sync_recent": sync_recent,
    "process_queue": process_queue,
    "queue_status": _lazy("tasks.status", "status_report"),
    "dlq_retry": _lazy("tasks.housekeeping", "dlq_retry"),
    "dlq_purge": _lazy("tasks.housekeeping", "dlq_purge"),
    "clear_queue": _lazy("tasks.housekeeping", "clear_queue"),
    "reconcile": _lazy("tasks.compare", "reconcile"),
    "preview": _lazy("tasks.compare", "preview"),
    "health_check": _lazy("tasks.health_check", "health_check"),
}
