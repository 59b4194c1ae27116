"""Job: one request to bring one scene to Plex, what it asks for, and its retry state.

A job holds the scene id, the Stash ``updated_at`` it was queued for, its Intent (what it asks
of the worker beyond writing what changed) and its retry state: nothing secret.
NamedTuples, not dataclasses: the hook path must not import dataclasses.
"""

from __future__ import annotations

from typing import NamedTuple

# A stored error explains a failure to a person; a whole HTML error page would only bloat rows.
MAX_ERROR_CHARS = 1000


class Intent(NamedTuple):
    """What a job asks of the worker beyond writing the scene's changes to Plex.

    Stored as the bits of one integer (``bits``), so that the requests for the same waiting
    version merge in SQL (``intent | ?``): a job does everything any of its requests asked.
    """

    recheck: bool = False  # compare with Plex even if this version is recorded as written
    rewrite: bool = False  # write every field, not only those PlexSync's record says changed
    scan_if_missing: bool = False  # not in Plex at the first look: ask Plex to scan its folder
    await_cover: bool = False  # written while Plex shows no cover yet: look again for it

    @property
    def bits(self) -> int:
        return sum(1 << n for n, wanted in enumerate(self) if wanted)

    @classmethod
    def from_bits(cls, bits: int) -> Intent:
        return cls(*(bool(bits >> n & 1) for n in range(len(cls._fields))))


CHANGED = Intent()  # a scene changed in Stash (a hook, Sync All, Sync Recent)
NEW_SCENE = Intent(scan_if_missing=True, await_cover=True)  # Stash just created the scene
RECHECK = Intent(recheck=True)  # Reconcile: Plex may differ although Stash did not change
REWRITE = Intent(recheck=True, rewrite=True)  # Sync All (force): write everything again


class Job(NamedTuple):
    id: int  # the schedule's (sync_queue/schedule.py): queue order
    scene_id: int
    updated_at: str | None
    intent: Intent
    attempts: int
    next_attempt_at: float
    last_error: str | None
    enqueued_at: float
    # Looks again that were no failure (not in Plex yet, the cover not made yet): they follow
    # their own schedule and never use up max_retries.
    looks: int = 0


def retried(
    job: Job, *, error: str, next_attempt_at: float, count_attempt: bool = True,
    look: bool = False,
) -> Job:
    """The job after a failed attempt, due again at ``next_attempt_at``.

    ``count_attempt=False`` is for failures that are not the job's own (Plex down for all):
    they postpone the job without using up its attempts. ``look=True`` is a look again that
    was no failure: it counts in ``looks``, never in ``attempts``.
    """
    return job._replace(
        attempts=job.attempts + (1 if count_attempt and not look else 0),
        looks=job.looks + (1 if look else 0),
        last_error=cap_error(error),
        next_attempt_at=float(next_attempt_at),
    )


def cap_error(message: str) -> str:
    if len(message) <= MAX_ERROR_CHARS:
        return message
    return message[: MAX_ERROR_CHARS - 1] + "…"
