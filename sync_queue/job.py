"""Job: one request to bring one scene to Plex, what it asks for, and its retry state.

A job holds the scene id, the Stash ``updated_at`` it was queued for, its Intent (what it asks
of the worker beyond writing what changed) and its retry state: nothing secret.
NamedTuples, not dataclasses: the hook path must not import dataclasses.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

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


def legacy_intent(reason: str, force: bool) -> Intent:
    """The Intent of a job or dead letter stored by v0.1, which said it with a free-text reason
    and a force flag: "create" (a hook for a new scene), "sync_all_force" (rewrite every field);
    force (Reconcile, Sync All force, a retried forced letter) skipped the current-version
    check."""
    new = reason == "create"
    return Intent(recheck=bool(force), rewrite=reason == "sync_all_force",
                  scan_if_missing=new, await_cover=new)


class Job(NamedTuple):
    id: int
    scene_id: int
    updated_at: str | None
    intent: Intent
    attempts: int
    next_attempt_at: float
    last_error: str | None
    enqueued_at: float

    @property
    def key(self) -> tuple[int, str | None]:
        """What makes two waiting jobs the same: the scene and the Stash version."""
        return (self.scene_id, self.updated_at)


def new_record(scene_id: int, updated_at: str | None, intent: Intent, now: float) -> dict[str, Any]:
    """The stored form of a freshly queued job: due at once, never tried."""
    return {
        "scene_id": int(scene_id),
        "updated_at": updated_at,
        "intent": intent.bits,
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": None,
        "enqueued_at": now,
    }


def to_record(job: Job) -> dict[str, Any]:
    record = new_record(job.scene_id, job.updated_at, job.intent, job.enqueued_at)
    record.update(
        attempts=job.attempts, next_attempt_at=job.next_attempt_at, last_error=job.last_error
    )
    return record


def from_record(job_id: int, record: dict[str, Any]) -> Job:
    if "intent" in record:
        intent = Intent.from_bits(int(record["intent"]))
    else:
        intent = legacy_intent(str(record.get("reason", "")), bool(record.get("force", False)))
    return Job(
        id=int(job_id),
        scene_id=int(record["scene_id"]),
        updated_at=record.get("updated_at"),
        intent=intent,
        attempts=int(record.get("attempts", 0)),
        next_attempt_at=float(record.get("next_attempt_at", 0.0)),
        last_error=record.get("last_error"),
        enqueued_at=float(record.get("enqueued_at", 0.0)),
    )


def encode(record: dict[str, Any]) -> bytes:
    """Bytes exactly as persist-queue's JSON serializer writes them (its rows hold BLOBs)."""
    return json.dumps(record).encode("utf-8")


def decode(data: bytes | str) -> dict[str, Any]:
    return json.loads(data)


def retried(
    job: Job, *, error: str, next_attempt_at: float, count_attempt: bool = True
) -> Job:
    """The job after a failed attempt, due again at ``next_attempt_at``.

    ``count_attempt=False`` is for failures that are not the job's own (Plex down for all):
    they postpone the job without using up its attempts.
    """
    return job._replace(
        attempts=job.attempts + (1 if count_attempt else 0),
        last_error=cap_error(error),
        next_attempt_at=float(next_attempt_at),
    )


def cap_error(message: str) -> str:
    if len(message) <= MAX_ERROR_CHARS:
        return message
    return message[: MAX_ERROR_CHARS - 1] + "…"
