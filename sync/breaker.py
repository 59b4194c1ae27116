"""Circuit breaker: while Plex is down, pause the drain instead of burning through the queue.

Pure state transitions; the drainer keeps one Breaker and persists it for the status report.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

State = Literal["closed", "open", "half_open"]

TRIP_AFTER = 3          # consecutive outage failures before pausing
FIRST_PAUSE = 5.0       # seconds before the first probe
MAX_PAUSE = 60.0        # probes never wait longer than this


@dataclass(frozen=True)
class Breaker:
    state: State = "closed"
    failures: int = 0
    opened_at: float = 0.0
    pause: float = FIRST_PAUSE

    def allows(self, now: float) -> bool:
        """May work go to Plex now? After the pause, one probe is let through (half open)."""
        return self.state != "open" or now >= self.opened_at + self.pause

    def probe_at(self) -> float:
        return self.opened_at + self.pause

    def success(self) -> Breaker:
        return Breaker()

    def failure(self, now: float) -> Breaker:
        if self.state == "half_open":
            # The probe failed: stay open, and wait longer before the next one.
            return replace(self, state="open", opened_at=now,
                           pause=min(MAX_PAUSE, self.pause * 2), failures=self.failures + 1)
        if self.state == "open":
            # Work started before the trip failing too: no news about Plex, so the pause stands
            # (a batch of 50 would otherwise push it to the maximum at once).
            return replace(self, failures=self.failures + 1)
        failures = self.failures + 1
        if failures >= TRIP_AFTER:
            return Breaker("open", failures, now, FIRST_PAUSE)
        return replace(self, failures=failures)

    def trip(self, now: float) -> Breaker:
        """A failure that opens the breaker at once: the check at the start of a run found Plex
        down, so no scene is tried first."""
        if self.state == "closed":
            return Breaker("open", self.failures + 1, now, FIRST_PAUSE)
        return self.failure(now)

    def probing(self, now: float) -> Breaker:
        if self.state == "open" and self.allows(now):
            return replace(self, state="half_open")
        return self
