"""The drain loop's one step: look at Plex, take due jobs and run them as a batch, or say why
not. How long to go on is the caller's choice: a task until the queue is empty
(tasks/sync.py until_empty), the detached worker until it has been idle a while
(worker/process.py until_idle).

Only the holder of the drainer lock runs this, so on entry any job still marked taken belongs
to a process that died (SIGKILL, crash, power loss) and goes back to the queue.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from enum import Enum
from typing import NamedTuple

from stash import log
from stash.errors import StashError, StashLoginRejected
from sync_queue.job import Job
from worker.batch import Batch
from worker.index import Index
from worker.outage import Outage
from worker.services import Services
from worker.tally import Tally

BATCH_SIZE = 1000     # scenes fetched from Stash in one query; progress is reported per 50
POLL = 0.2            # seconds between looks at the queue while waiting


class StepKind(Enum):
    BATCH = "batch"  # jobs were taken and run
    DOWN = "down"    # Plex is down (the breaker is open): no job was taken
    IDLE = "idle"    # no job is due


class Step(NamedTuple):
    kind: StepKind
    tally: Tally | None = None
    wait: float = 0.0  # DOWN: until the next probe is due; IDLE: a short look ahead


def pause(seconds: float, should_stop: Callable[[], bool]) -> None:
    deadline = time.monotonic() + max(0.0, seconds)
    while time.monotonic() < deadline and not should_stop():
        time.sleep(min(POLL, max(0.0, deadline - time.monotonic())))


class Drain:
    """The loop's state: Plex's health and the path index, kept from run to run of one process,
    and the counts of the current run (begin starts one)."""

    def __init__(self, services: Services, *, should_stop: Callable[[], bool] = lambda: False,
                 on_batch: Callable[[Tally], None] | None = None) -> None:
        self.services = services
        self._queue = services.stores.queue
        self.should_stop = should_stop
        self._on_batch = on_batch
        self.outage = Outage(services.stores.health, services.notify)
        self.index = Index(services.plex, services.stores.index_cache)
        self.total = Tally()
        self._looked = False

    def begin(self) -> None:
        """A run: jobs a dead process left taken go back to the queue, Plex is looked at again
        before the first scene, and the counts start from nothing."""
        resumed = self._queue.resume_abandoned()
        if resumed:
            log.info(f"resumed {resumed} job(s) left unfinished by a stopped PlexSync process")
        self.index.new_pass()
        self.total = Tally()
        self._looked = False

    def step(self, *, eager: bool) -> Step:
        """eager (a task): while Plex is down, probe at once, and only while this run has met
        no outage; otherwise (the worker) probe once the breaker's pause is over."""
        now = time.time()
        self._keep_stash_login(now)
        plex = self.services.plex
        if not self._looked and not self.outage.open and self._queue.counts(now)["due"]:
            self._looked = True  # once per run, before the first scene
            self.total.outage = self.outage.look(plex)
        if self.outage.open:
            breaker = self.outage.breaker
            if not (self.total.outage is None if eager else breaker.allows(now)):
                return Step(StepKind.DOWN, wait=breaker.probe_at() - now)
            self._looked = True
            failure = self.outage.probe(plex)
            if failure is not None:
                self.total.outage = failure
                return Step(StepKind.DOWN, wait=self.outage.breaker.probe_at() - time.time())
        jobs = self._queue.take(BATCH_SIZE)
        if not jobs:
            next_due = self._queue.next_due_at()
            return Step(StepKind.IDLE, wait=min(POLL * 5, (next_due or now + POLL) - now))
        return Step(StepKind.BATCH, self.run(jobs))

    def run(self, jobs: list[Job]) -> Tally:
        """These jobs as one batch: a step's, or the one scene a person asked for now."""
        tally = self._batch().run(jobs)
        self.total.add(tally)
        if self._on_batch:
            self._on_batch(self.total)
        return tally

    def new_pass(self) -> None:
        """Jobs due after a pause are a new pass (worker/index.py)."""
        self.index.new_pass()

    def _batch(self) -> Batch:
        s = self.services
        report = self._on_batch
        total = self.total
        return Batch(s.config, s.stores, s.stash, s.plex, self.index, self.outage, s.notify,
                     on_progress=(lambda part: report(total.plus(part))) if report else None,
                     should_stop=self.should_stop)

    def _keep_stash_login(self, now: float) -> None:
        """Waiting for Plex or for retries makes no Stash request; the login must not lapse
        meanwhile. Stash away is the next batch's business; a refused login ends the drain."""
        try:
            self.services.stash.keep_login(now)
        except StashLoginRejected:
            raise
        except StashError as exc:
            log.debug(f"could not renew the Stash login: {exc}")
