"""Job: one request to bring one scene to Plex, with the retry state that travels with it.

A job holds the scene id, the Stash ``updated_at`` it was queued for, why it was queued, the
force flag and its retry state: nothing secret. It is stored as a JSON object, so rows stay
readable with any SQLite shell and nothing is ever unpickled.
"""

from __future__ import annotations

import json
from typing import Any, NamedTuple

# A stored error explains a failure to a person; a whole HTML error page would only bloat rows.
MAX_ERROR_CHARS = 1000


class Job(NamedTuple):  # not a dataclass: the hook path must not import dataclasses
    id: int
    scene_id: int
    updated_at: str | None
    reason: str
    force: bool
    attempts: int
    next_attempt_at: float
    last_error: str | None
    enqueued_at: float

    @property
    def key(self) -> tuple[int, str | None]:
        """What makes two waiting jobs the same: the scene and the Stash version."""
        return (self.scene_id, self.updated_at)


def new_record(
    scene_id: int, updated_at: str | None, reason: str, force: bool, now: float
) -> dict[str, Any]:
    """The stored form of a freshly queued job: due at once, never tried."""
    return {
        "scene_id": int(scene_id),
        "updated_at": updated_at,
        "reason": reason,
        "force": bool(force),
        "attempts": 0,
        "next_attempt_at": now,
        "last_error": None,
        "enqueued_at": now,
    }


def to_record(job: Job) -> dict[str, Any]:
    record = new_record(job.scene_id, job.updated_at, job.reason, job.force, job.enqueued_at)
    record.update(
        attempts=job.attempts, next_attempt_at=job.next_attempt_at, last_error=job.last_error
    )
    return record


def from_record(job_id: int, record: dict[str, Any]) -> Job:
    return Job(
        id=int(job_id),
        scene_id=int(record["scene_id"]),
        updated_at=record.get("updated_at"),
        reason=str(record.get("reason", "")),
        force=bool(record.get("force", False)),
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


def forced(record: dict[str, Any]) -> dict[str, Any]:
    """A waiting job's record once a forced request for the same version joins it."""
    return {**record, "force": True}


def cap_error(message: str) -> str:
    if len(message) <= MAX_ERROR_CHARS:
        return message
    return message[: MAX_ERROR_CHARS - 1] + "…"
