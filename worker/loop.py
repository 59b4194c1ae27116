"""The drain loop: take due jobs in batches, pause while Plex is down, stop when told.

Only the holder of the drainer lock runs this, so on entry any job still marked taken belongs
to a process that died (SIGKILL, crash, power loss) and goes back to the queue.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from stash import log
from sync.failure import Failure, Kind
from worker.batch import Batch, StopDrain
from worker.outage import classify
from worker.services import Context
from worker.tally import Tally

BATCH_SIZE = 1000     # scenes fetched from Stash in one query; progress is reported per 50
POLL = 0.2            # seconds between looks at the queue while waiting
IDLE_EXIT = 30.0      # a detached drainer exits after this long with nothing to do


def _look(ctx: Context) -> Failure | None:
    """Plex's check (PlexClient.check: is it Plex, the token, the libraries). A wrong setting
    stops the drain before any scene is tried; an outage opens the breaker and is returned."""
    try:
        ctx.plex.check()
    except Exception as exc:
        failure = classify(exc)
        if failure.kind is Kind.CONFIG:
            raise StopDrain(failure) from None
        if failure.kind is not Kind.TRANSIENT:
            raise
        ctx.breaker_failure(failure, trip=True)
        return failure
    ctx.breaker_success()
    return None


def _probe(ctx: Context) -> Failure | None:
    """One look decides whether Plex is back (and still Plex, still taking the token); while it
    is not, the breaker backs off further and the outage is returned."""
    ctx.breaker = ctx.breaker.probing(time.time())
    failure = _look(ctx)
    if failure is None:
        log.info("Plex answers again; resuming the sync")
    return failure


def _wait(seconds: float, should_stop: Callable[[], bool]) -> None:
    deadline = time.monotonic() + max(0.0, seconds)
    while time.monotonic() < deadline and not should_stop():
        time.sleep(min(POLL, max(0.0, deadline - time.monotonic())))


def drain(
    ctx: Context,
    *,
    until_empty: bool,
    idle_exit: float = IDLE_EXIT,
    patience: float = 0.0,
    should_stop: Callable[[], bool] = lambda: False,
    on_batch: Callable[[Tally], None] | None = None,
) -> Tally:
    """Process jobs until the queue is empty (tasks) or idle for idle_exit (detached drainer).

    patience: with until_empty, how long a task waits for jobs that are only retrying later.
    A task also returns once Plex is down (the circuit is open), keeping every job.
    """
    resumed = ctx.queue.resume_abandoned()
    if resumed:
        log.info(f"resumed {resumed} job(s) left unfinished by a stopped PlexSync process")
    ctx.new_drain()
    total = Tally()
    idle_since = time.monotonic()
    checked = False
    while not should_stop():
        now = time.time()
        ctx.keep_stash_login(now)
        if not checked and ctx.breaker.state != "open" and ctx.queue.counts(now)["due"]:
            checked = True  # once per run, before the first scene
            total.outage = _look(ctx)
        if ctx.breaker.state == "open":
            if until_empty:
                # A task holds Stash's job queue (one job at a time): it probes once, and while
                # Plex stays down it leaves the queue to the background worker.
                checked = True
                if total.outage is None:
                    total.outage = _probe(ctx)
                    if total.outage is None:
                        continue
                break
            if not ctx.breaker.allows(now):
                _wait(min(ctx.breaker.probe_at() - now, POLL * 25), should_stop)
                continue
            checked = True
            if _probe(ctx) is not None:
                continue
        jobs = ctx.queue.take(BATCH_SIZE)
        if jobs:
            report = (lambda part: on_batch(total.plus(part))) if on_batch else None
            tally = Batch(ctx, on_progress=report, should_stop=should_stop).run(jobs)
            total.add(tally)
            if on_batch:
                on_batch(total)
            idle_since = time.monotonic()
            if until_empty and tally.outage is not None and not tally.progress:
                break  # Stash or Plex is down: a task leaves the jobs to the background worker
            continue
        if not _keep_waiting(ctx, until_empty, idle_exit, patience, idle_since):
            break
        # Jobs due after a pause are a new pass: a scene looked for in vain before may be in
        # Plex by now (a retry, a scan PlexSync asked for), so a miss may list Plex again.
        ctx.new_drain()
        next_due = ctx.queue.next_due_at()
        _wait(min(POLL * 5, (next_due or now + POLL) - now), should_stop)
    return total


def _keep_waiting(ctx: Context, until_empty: bool, idle_exit: float, patience: float,
                  idle_since: float) -> bool:
    waiting = ctx.queue.counts()["waiting"]
    if until_empty:
        if waiting == 0:
            return False
        next_due = ctx.queue.next_due_at()
        return next_due is not None and next_due - time.time() <= patience
    return waiting > 0 or time.monotonic() - idle_since < idle_exit
