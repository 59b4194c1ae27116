"""What to do about a failure: pure decisions over plain data.

Failures are classified by exception type and HTTP status, never by guessing from text, so a
bug in PlexSync is not mistaken for Plex being down (the earlier plugin's worst habit).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from enum import Enum


class Kind(str, Enum):
    TRANSIENT = "transient"      # Plex unreachable, timed out, 5xx, 503 maintenance
    CONFIG = "config"            # a wrong setting (token, URL, library, certificate): nothing will
                                 # work until it is fixed, so the run stops and keeps every job
    STASH = "stash"              # Stash unreachable or failing: retried, never Plex's outage
    STASH_LOGIN = "stash_login"  # Stash refused this run's login (401): a later run brings one
    ITEM_GONE = "item_gone"      # 404 for a Plex item: the index is stale
    BAD_DATA = "bad_data"        # Plex refused a value
    ERROR = "error"              # anything else, including bugs


class Action(str, Enum):
    RETRY = "retry"        # back to the queue with a delay
    STOP = "stop"          # stop draining, keep every job
    REMATCH = "rematch"    # rebuild the index and match again
    DEAD = "dead"          # to the dead letters


@dataclass(frozen=True)
class Failure:
    kind: Kind
    message: str
    status: int | None = None

    @property
    def error_class(self) -> str:
        return f"{self.kind.value}:{self.status}" if self.status else self.kind.value


@dataclass(frozen=True)
class Decision:
    action: Action
    delay: float = 0.0
    counts_as_attempt: bool = True


BASE_DELAY = 2.0
MAX_DELAY = 300.0


def backoff(attempts: int, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter, so many retrying jobs do not hit Plex in lockstep."""
    ceiling = min(MAX_DELAY, BASE_DELAY * (2 ** min(attempts, 16)))
    return ceiling * (0.5 + 0.5 * (rng or random).random())


def decide(failure: Failure, attempts: int, max_retries: int,
           rng: random.Random | None = None) -> Decision:
    """attempts = failed attempts so far, not counting this one."""
    if failure.kind in (Kind.CONFIG, Kind.STASH_LOGIN):
        return Decision(Action.STOP, counts_as_attempt=False)
    if failure.kind in (Kind.TRANSIENT, Kind.STASH):
        # An outage is not the job's fault: it never uses up retries nor reaches the dead letters.
        return Decision(Action.RETRY, backoff(attempts, rng), counts_as_attempt=False)
    if failure.kind is Kind.ITEM_GONE and attempts == 0:
        return Decision(Action.REMATCH)
    if attempts + 1 > max_retries:
        return Decision(Action.DEAD)
    return Decision(Action.RETRY, backoff(attempts, rng))


# Not found: Plex may simply not have scanned the file yet, so look again a few times, then park
# the scene as "not in Plex" (quietly: a Plex library may hold only part of Stash).
NOT_FOUND_DELAYS = (15.0, 60.0, 300.0, 1800.0)
# Once PlexSync has asked Plex to scan the file's folder, the first look comes sooner: a scan of
# one folder takes seconds, and the user who just added the scene is waiting for it in Plex.
AFTER_SCAN_DELAY = 3.0


def not_found_delay(attempts: int, scanned: bool = False) -> float | None:
    """Delay before looking again, or None when the scene should be parked as not found."""
    if scanned and attempts == 0:
        return AFTER_SCAN_DELAY
    return NOT_FOUND_DELAYS[attempts] if attempts < len(NOT_FOUND_DELAYS) else None


# Stash fires Scene.Create.Post when a scan commits the scene, and makes its cover afterwards,
# bumping updated_at without any hook (stashapp/stash pkg/scene/scan.go: the cover is generated
# in a post-commit hook; internal/manager/task_generate_screenshot.go). A new scene written
# while it still had Stash's placeholder is looked at again on the schedule above.
COVER_PENDING = "waiting for Stash to make the cover"


def cover_delay(attempts: int) -> float | None:
    """Delay before looking again for a new scene's cover, or None to stop waiting."""
    return not_found_delay(attempts, scanned=True)
