"""Run-time switchable misbehaviour: latency, maintenance, random 500s and hanging requests."""

from __future__ import annotations

import random
import threading
import time

MAINTENANCE_BODY = (
    '<Response code="503" title="Maintenance" '
    'status="Plex Media Server is currently running database migrations."/>'
)


class Faults:
    """Fault switches, flipped from the test thread and read by request threads."""

    def __init__(self) -> None:
        self.latency = 0.0
        self.maintenance = False
        self.error_rate = 0.0
        self._rng = random.Random(0)
        self._rng_lock = threading.Lock()
        self._released = threading.Event()
        self._released.set()

    @property
    def hang(self) -> bool:
        return not self._released.is_set()

    @hang.setter
    def hang(self, value: bool) -> None:
        if value:
            self._released.clear()
        else:
            self._released.set()

    def seed(self, value: int) -> None:
        with self._rng_lock:
            self._rng.seed(value)

    def delay(self) -> None:
        """Block while hung, then add the configured latency."""
        self._released.wait()
        if self.latency > 0:
            time.sleep(self.latency)

    def fails(self) -> bool:
        """One seeded draw: whether this request answers 500."""
        if self.error_rate <= 0:
            return False
        with self._rng_lock:
            return self._rng.random() < self.error_rate
