"""How the jobs of a batch end, and the bookkeeping each ending carries.

Every job ends in exactly one of: acked (done, skipped, dropped, parked), retried with a delay,
dead-lettered, or released untouched (the drain is stopping). Nothing is lost in between: a job
is acked only after its outcome is recorded (and, for a dead letter, the user told).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sync.failure import Action, Failure, Kind, decide
from sync.state import FAILED, SyncState
from sync_queue.dead_letters import DeadLetters
from sync_queue.job import Job
from sync_queue.storage import JobStorage
from worker.index import Index
from worker.outage import Outage, StopDrain
from worker.ports import Notify
from worker.tally import Tally


@dataclass
class Endings:
    queue: JobStorage
    dead: DeadLetters
    state: SyncState
    outage: Outage
    index: Index
    notify: Notify
    max_retries: int
    tally: Tally
    _open: dict[int, Job] = field(default_factory=dict)

    def taken(self, jobs: list[Job]) -> None:
        self._open = {job.id: job for job in jobs}

    def ack(self, jobs: list[Job]) -> None:
        for job in jobs:
            self.queue.ack(job)
            self._open.pop(job.id, None)

    def retry(self, jobs: list[Job], delay: float, error: str, counts: bool = True,
              look: bool = False) -> None:
        # Keep one job per scene: the newest version; the worker fetches fresh anyway.
        newest, older = jobs[-1], jobs[:-1]
        self.ack(older)
        self.queue.retry(newest, error=error, next_attempt_at=time.time() + delay,
                          count_attempt=counts, look=look)
        self._open.pop(newest.id, None)
        self.tally.retrying += 1

    def release(self, jobs: list[Job]) -> None:
        for job in jobs:
            self.queue.release(job)
            self._open.pop(job.id, None)

    def release_unfinished(self) -> None:
        """The drain is stopping: whatever the batch did not finish goes back untouched."""
        for job in list(self._open.values()):
            self.queue.release(job)
        self._open.clear()

    def fail(self, scene_id: int, jobs: list[Job], failure: Failure) -> None:
        attempts = max(job.attempts for job in jobs)
        decision = decide(failure, attempts, self.max_retries)
        if decision.action is Action.STOP:
            raise StopDrain(failure)
        if decision.action is Action.REMATCH:
            self.index.invalidate()
            self.retry(jobs, 0.0, failure.message)
        elif decision.action is Action.DEAD:
            self._dead_letter(scene_id, jobs, failure)
        else:
            if failure.kind is Kind.TRANSIENT:  # only Plex being down pauses the drain
                self.outage.failure(failure)
            if failure.kind in (Kind.TRANSIENT, Kind.STASH):
                self.tally.outage = failure
            self.retry(jobs, decision.delay, failure.message, decision.counts_as_attempt)
        self.tally.errors.append(f"scene {scene_id}: {failure.message}")

    def _dead_letter(self, scene_id: int, jobs: list[Job], failure: Failure) -> None:
        newest = jobs[-1]
        self.dead.add(newest, error_class=failure.error_class, message=failure.message)
        self.state.update_status(scene_id, FAILED, {"error": failure.message})
        # Told before the ack: killed in between, the next worker meets the job again (one
        # letter per scene, so only the telling repeats); the other order would tell no one.
        self.notify("error", f"scene {scene_id} moved to the dead letters after "
                    f"{newest.attempts + 1} attempts: {failure.message}")
        self.ack(jobs)
        self.tally.dead += 1
