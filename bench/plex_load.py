"""How hard the plugin pushes Plex: requests in flight at once, and requests per second.

Counted inside the Plex double (it runs in this process), around its request handling, so the
numbers include the configured latency, as a real server's would.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from typing import Any

from tests.doubles.plex import PlexDouble


class PlexLoad:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._in_flight = 0
        self.peak_in_flight = 0
        self._per_second: Counter[int] = Counter()

    @classmethod
    def attach(cls, plex: PlexDouble) -> PlexLoad:
        load = cls()
        answer = plex._answer

        def counted(*args: Any) -> Any:
            load._enter()
            try:
                return answer(*args)
            finally:
                load._leave()

        # The double's handler calls double._answer: an instance attribute shadows the method.
        plex._answer = counted  # type: ignore[method-assign]
        return load

    def _enter(self) -> None:
        with self._lock:
            self._in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self._in_flight)
            self._per_second[int(time.monotonic())] += 1

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1

    def reset(self) -> None:
        with self._lock:
            self.peak_in_flight = self._in_flight
            self._per_second.clear()

    @property
    def peak_per_second(self) -> int:
        """The most requests that arrived within one whole second of the clock."""
        with self._lock:
            return max(self._per_second.values(), default=0)
