"""Waiting for a condition, never for a duration: poll it until a generous deadline.

Deadlines only bound how long a failure takes to show; they are no speed targets, so they hold
on a loaded machine (the suite runs beside other CPU-heavy work)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

POLL = 0.02
DEADLINE = 90.0


def wait_until(condition: Callable[[], T], timeout: float = DEADLINE,
               what: str = "condition") -> T:
    """The condition's first truthy value; TimeoutError naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while not (result := condition()):
        if time.monotonic() >= deadline:
            raise TimeoutError(f"{what} not reached within {timeout:g}s")
        time.sleep(POLL)
    return result
