"""JobStorage: what the worker and the tasks may ask of the persistent job queue.

In the spirit of huey's BaseStorage: callers depend on these methods only; sync_queue/jobs.py
(JobQueue) is the implementation, on persist-queue and PlexSync's own tables in queue.db.

A job is one scene version to bring to Plex (sync_queue/job.py). Any process may enqueue, count
and list. Only the holder of the drainer lock (sync_queue/handover.py) may take, ack, retry,
release, resume_abandoned and clear: the lock is what tells a dead worker's jobs from a live
one's. Every method leaves the queue whole if the process is killed at any point in it: a job
is never lost, and never becomes two.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from sync_queue.job import CHANGED, Intent, Job


class JobStorage(Protocol):
    # -- any process -----------------------------------------------------------------------
    def enqueue(self, scene_id: int, updated_at: str | None, intent: Intent = CHANGED) -> bool:
        """Queue one scene version; False when the same version is already waiting."""

    def enqueue_many(self, items: Iterable[tuple[int, str | None]],
                     intent: Intent = CHANGED) -> int:
        """Queue scene versions; returns how many new jobs there are. A version already
        waiting is not added again: the waiting job takes on this intent as well. A job being
        worked on does not count (the edit may postdate what the worker read): the version
        gets a job of its own."""

    def counts(self, now: float | None = None) -> dict[str, int]:
        """waiting (due or not), due, retrying (tried before and not due yet) and taken."""

    def next_due_at(self) -> float | None:
        """When the earliest waiting job is due (possibly already past); None if none wait."""

    def waiting(self) -> list[Job]:
        """Every waiting job in queue order (for reports: it reads them all)."""

    def scene_jobs(self, scene_id: int) -> list[Job]:
        """The waiting jobs of one scene, due or not, in queue order."""

    # -- the holder of the drainer lock ------------------------------------------------------
    def take(self, limit: int, now: float | None = None) -> list[Job]:
        """Up to ``limit`` due jobs in queue order, marked taken. Jobs not due keep their place
        untouched; with nothing due, nothing is written."""

    def take_scene(self, scene_id: int) -> list[Job]:
        """Every waiting job of one scene, due or not, marked taken: a person asked for this
        scene now (Sync now in Stash's web UI). The same crash safety as take."""

    def ack(self, job: Job) -> None:
        """The job is done: it never comes back."""

    def ack_many(self, jobs: list[Job]) -> None:
        """The jobs are done, in one write: as ack for each."""

    def retry(self, job: Job, *, error: str, next_attempt_at: float,
              count_attempt: bool = True, look: bool = False) -> Job:
        """Back to waiting in its place, due at ``next_attempt_at``, attempts + 1 (unless the
        failure is not the job's own: ``count_attempt=False``; or looks + 1 instead, for a look
        again that was no failure: ``look=True``); returns the job as stored."""

    def release(self, job: Job) -> None:
        """Back to waiting unchanged (the drain stops, or Plex is down)."""

    def resume_abandoned(self) -> int:
        """Jobs a dead worker left taken go back to waiting; returns how many."""

    def clear(self) -> int:
        """Remove every job, waiting or taken; returns how many. A later ack of a removed job
        does nothing."""

    def close(self) -> None: ...
