"""The writing tasks (Sync All, Sync All (force), Sync Recent, Process Queue): queue what is not
yet in Plex, then drain in the foreground until the queue is empty, with Stash's progress bar,
a log line per batch and a summary."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from stash import log
from stash.errors import StashError
from stash.protocol import PluginInput, UserError
from sync import freshness
from sync.failure import Failure, Kind
from sync.recent import recent_filter
from sync_queue.handover import take_over
from sync_queue.job import CHANGED, REWRITE, Intent
from sync_queue.storage import JobStorage
from worker.loop import Drain, StepKind, pause
from worker.outage import StopDrain, classify
from worker.services import Services, open_services
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
        done = total.progress
        log.progress(done / start_waiting if start_waiting else 1.0)
        log.info(f"progress: {done}/{start_waiting} scenes handled ({total.synced} written, "
                 f"{total.retrying} to retry)")
    return report


def _what(failure: Failure) -> str:
    if failure.kind is Kind.STASH:
        return f"Stash failed ({failure.message})"
    return failure.message


def kept(queue: JobStorage, failure: Failure) -> str:
    """What becomes of the queued changes, said after what went wrong."""
    left = queue.counts()["waiting"]
    when = {Kind.TRANSIENT: "when Plex answers (the background worker keeps trying)",
            Kind.STASH: "when Stash answers (the background worker keeps trying)"}.get(
        failure.kind, "once that is fixed (then run Process Queue)")
    return f"{left} queued change(s) are kept and will be written {when}"


def plex_trouble(queue: JobStorage, exc: Exception) -> UserError | None:
    """A task's one message for Plex being down or wrongly set up before it could compare
    anything (Reconcile, Preview); None for anything else (a bug, or Stash's own failure),
    which keeps its own handling."""
    if isinstance(exc, StashError):
        return None
    failure = classify(exc)
    if failure.kind not in (Kind.CONFIG, Kind.TRANSIENT):
        return None
    return UserError(f"{failure.message}. Nothing was compared; {kept(queue, failure)}")


def until_empty(drain: Drain, patience: float = RETRY_PATIENCE) -> Tally:
    """Steps until the queue is empty, waiting up to `patience` for jobs that only retry soon.
    A task holds Stash's job queue (one job at a time), so while Plex or Stash is down it
    returns at once, keeping every job for the background worker."""
    queue = drain.services.stores.queue
    drain.begin()
    while True:
        step = drain.step(eager=True)
        if step.kind is StepKind.DOWN:
            break
        if step.kind is StepKind.BATCH:
            if step.tally and step.tally.outage is not None and not step.tally.progress:
                break
            continue
        next_due = queue.next_due_at()
        if queue.counts()["waiting"] == 0 or next_due is None \
                or next_due - time.time() > patience:
            break
        drain.new_pass()
        pause(step.wait, drain.should_stop)
    return drain.total


@contextmanager
def holding_the_queue(services: Services, again: str, what: str) -> Iterator[None]:
    """The drainer lock for a run in the foreground (the background worker hands over first);
    a stop (a wrong setting, Stash's login refused) keeps every job and says what to do."""
    lock = take_over(services.data_dir, HANDOVER_TIMEOUT)
    if lock is None:
        raise UserError(f"the background PlexSync worker did not hand over in time; {again}")
    try:
        yield
    except StopDrain as exc:
        if exc.stash_login:
            raise UserError(f"{exc}; {what} kept: {again}") from None
        raise UserError(f"{exc}. {kept(services.stores.queue, exc.failure)}") from None
    finally:
        lock.release()


def drain_now(services: Services) -> Tally:
    with holding_the_queue(services, "try the task again", "queued changes are"):
        waiting = services.stores.queue.counts()["waiting"]  # what the worker left
        tally = until_empty(Drain(services, on_batch=_progress(waiting)))
    return tally


def run_draining(plugin_input: PluginInput, enqueue: Callable[[Services], str] | None) -> str:
    started = time.time()
    services = open_services(plugin_input.connection)
    queue = services.stores.queue
    try:
        try:
            note = enqueue(services) if enqueue else ""
        except Exception as exc:
            trouble = plex_trouble(queue, exc)
            if trouble is None:
                raise
            if queue.counts()["waiting"]:  # earlier changes: the worker keeps trying
                ensure_drainer(services.data_dir, plugin_input.connection)
            raise trouble from None
        if note:
            log.info(note)
        tally = drain_now(services)
        left = queue.counts()["waiting"]
        if left:
            # Retries due later are handed to the background worker rather than holding Stash's
            # job queue (it runs one job at a time).
            ensure_drainer(services.data_dir, plugin_input.connection)
        text = summary(tally, time.time() - started)
        if note:
            text = f"{note}; {text}"
        log.progress(1.0)
        if tally.outage is not None and left:
            # Stash must show the task as failed: it could not do its work.
            raise UserError(f"{_what(tally.outage)}: {kept(queue, tally.outage)}. So far: {text}")
        if left:
            text += f"; {left} change(s) will be retried in the background"
        log.info(text)
        return text
    finally:
        services.close()


def _queue_versions(services: Services, pages: Iterable[list[tuple[int, str]]],
                    intent: Intent) -> str:
    """Queue the scenes whose current version is not yet in Plex (all of them when the intent
    is to recheck)."""
    if intent.recheck:
        versions = [version for page in pages for version in page]
        total = len(versions)
    else:
        settings = services.config.plan_fingerprint()
        total, versions = services.stores.state.stale_versions(
            pages, lambda recorded, updated_at: freshness.in_plex(
                recorded, settings=settings, updated_at=updated_at))
    services.stores.queue.enqueue_many(versions, intent)
    return f"{total - len(versions)} of {total} scene(s) already current in Plex"


def sync_all(plugin_input: PluginInput, *, force: bool = False) -> str:
    def enqueue(services: Services) -> str:
        return _queue_versions(services, services.stash.scene_versions(),
                               REWRITE if force else CHANGED)

    return run_draining(plugin_input, enqueue)


def sync_all_force(plugin_input: PluginInput) -> str:
    return sync_all(plugin_input, force=True)


def sync_recent(plugin_input: PluginInput) -> str:
    raw_hours = plugin_input.args.get("hours", 24)
    try:
        hours = float(raw_hours)
    except (TypeError, ValueError):
        raise UserError(f"hours must be a number, got {raw_hours!r}") from None
    if not 0 < hours <= 24 * 365:
        raise UserError(f"hours must be between 0 and 8760, got {hours:g}")

    def enqueue(services: Services) -> str:
        scene_filter = recent_filter(services.stash.latest_update(), hours)
        pages = services.stash.scene_versions(scene_filter) if scene_filter else []
        return _queue_versions(services, pages, CHANGED)

    return run_draining(plugin_input, enqueue)


def process_queue(plugin_input: PluginInput) -> str:
    return run_draining(plugin_input, None)
