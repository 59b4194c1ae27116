"""Run-time switchable misbehaviour: latency, maintenance, random 500s, hanging requests,
garbage answers and refused values."""

from __future__ import annotations

import random
import threading
import time

from .routes import Response, error

MAINTENANCE_BODY = (
    '<Response code="503" title="Maintenance" '
    'status="Plex Media Server is currently running database migrations."/>'
)
# What a broken Plex, or something else listening at plex_url, may answer with HTTP 200.
GARBAGE = {
    "xml": '<MediaContainer size="1"><Video ratingKey="1" title="cut off',
    "empty": "",
    "html": "<!DOCTYPE html><html><head><title>Sign in</title></head>"
            "<body><p>Please sign in to continue<br></body></html>",
}


class Faults:
    """Fault switches, flipped from the test thread and read by request threads."""

    def __init__(self) -> None:
        self.latency = 0.0
        self.maintenance = False
        self.error_rate = 0.0
        # Request kind (as counted by PlexDouble.counts) -> body answered with 200 instead.
        self.garbage: dict[str, str] = {}
        # Parameter values an edit PUT is refused for with 500, as PMS refuses data it cannot
        # store; the rest of the server behaves.
        self.refused_values: set[str] = set()
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

    def override(self, kind: str, params: list[tuple[str, str]]) -> Response | None:
        """The answer a garbage or refused-value fault gives this request, if any."""
        if kind in self.garbage:
            body = self.garbage[kind]
            return Response(200, body, "text/html" if "<html" in body else "text/xml")
        if kind == "edit" and any(value in self.refused_values for _, value in params):
            return error(500)
        return None
