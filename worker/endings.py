"""How the jobs of a batch end, and the bookkeeping each ending carries.

Every job ends in exactly one of: acked (done, skipped, dropped, parked), retried with a delay,
dead-lettered, or released untouched (the drain is stopping). Nothing is lost in between: a job
is acked only after its outcome is recorded (and, for a dead letter, the user told).

A scene Plex now has completely, and a job with nothing to do, end per chunk rather than one by
one (`written`, `ack_later`, then `flush`): three commits a scene (its record, its ack, its old
dead letter) cost about 100 µs where the same rows in one transaction per chunk cost about 30.
A flush commits the records first, then the acks, then drops the letters. Killed after the
records, the jobs are still taken: the next worker resumes them and, the records saying Plex
has these versions, only compares (sync/freshness.py). Killed before, the chunk's scenes (at
most CHUNK of them, or HOLD_S seconds of writes) are planned against Plex again and written
again with the same values.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sync.failure import Action, Failure, Kind, decide
from sync.state import FAILED, Success, SyncState
from sync_queue.dead_letters import DeadLetters
from sync_queue.job import Job
from sync_queue.storage import JobStorage
from worker.index import Index
from worker.outage import Outage, StopDrain
from worker.ports import Notify
from worker.tally import Tally

CHUNK = 50     # jobs ended per commit (flush)
HOLD_S = 0.5   # and no longer than this after the first of them


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
    # Ended, not yet committed (flush): the records, the jobs to ack, the scenes whose old
    # dead letters go, and when the first of them ended.
    _records: list[Success] = field(default_factory=list)
    _done: list[Job] = field(default_factory=list)
    _letters: list[int] = field(default_factory=list)
    _since: float | None = None

    def taken(self, jobs: list[Job]) -> None:
        self._open = {job.id: job for job in jobs}

    def written(self, success: Success, jobs: list[Job]) -> None:
        """Plex has the scene completely: recorded, acked and its dead letter dropped at the
        next flush."""
        self._records.append(success)
        self._letters.append(success.scene_id)
        self.ack_later(jobs)

    def ack_later(self, jobs: list[Job]) -> None:
        """Nothing (more) to do for these jobs: acked at the next flush."""
        self._done += jobs
        if self._since is None:
            self._since = time.monotonic()

    def chunk_due(self) -> bool:
        return self._since is not None and (
            len(self._done) >= CHUNK or time.monotonic() - self._since >= HOLD_S)

    def flush(self) -> None:
        if self._since is None:
            return
        self.state.update_successes(self._records)
        self.queue.ack_many(self._done)
        if self._letters:
            self.dead.discard_many(self._letters)  # an old failure of these scenes is history
        for job in self._done:
            self._open.pop(job.id, None)
        self._records, self._done, self._letters, self._since = [], [], [], None

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
            self.index.stale()
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
