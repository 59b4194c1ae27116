"""What a drain did, counted: the task summary, the progress bar and the stop decisions."""

from __future__ import annotations

from dataclasses import dataclass, field

from sync.failure import Failure

_COUNTS = ("synced", "skipped", "dropped", "review", "not_found", "retrying", "dead",
           "requests", "uploads")


@dataclass
class Tally:
    synced: int = 0
    skipped: int = 0
    dropped: int = 0
    review: int = 0
    not_found: int = 0
    retrying: int = 0
    dead: int = 0
    requests: int = 0
    uploads: int = 0
    outage: Failure | None = None
    errors: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.errors.extend(other.errors)
        self.outage = other.outage or self.outage

    def plus(self, other: Tally) -> Tally:
        combined = Tally(**{name: getattr(self, name) for name in _COUNTS})
        combined.add(other)
        combined.errors = []
        return combined

    @property
    def progress(self) -> int:
        """Scenes whose jobs ended for good in this tally."""
        return (self.synced + self.skipped + self.dropped + self.review + self.not_found
                + self.dead)
