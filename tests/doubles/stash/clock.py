"""The double's wall clock, producing timestamps the way Stash stores them.

Stash keeps created_at/updated_at as RFC 3339 text in the server's local zone, to the second.
The double uses a non-UTC offset by default so that code comparing naive UTC strings fails in
tests as it would against a real server abroad.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

DEFAULT_OFFSET = timedelta(hours=1)


class StashClock:
    """Real time plus a manual shift; can be frozen for deterministic same-second tests."""

    def __init__(self, offset: timedelta = DEFAULT_OFFSET) -> None:
        self._zone = timezone(offset)
        self._shift = 0.0
        self._frozen_at: float | None = None
        self._lock = threading.Lock()

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._shift += seconds

    def freeze(self) -> None:
        """Stop the clock at the current instant; only advance() moves it afterwards."""
        with self._lock:
            if self._frozen_at is None:
                self._frozen_at = time.time()

    def now(self) -> datetime:
        with self._lock:
            base = time.time() if self._frozen_at is None else self._frozen_at
            instant = base + self._shift
        return datetime.fromtimestamp(int(instant), self._zone)

    def now_text(self) -> str:
        return to_text(self.now())


def to_text(moment: datetime) -> str:
    """Stash's stored form, e.g. 2026-11-25T01:02:03+01:00."""
    return moment.isoformat(timespec="seconds")


def unix_seconds(stored: str) -> int:
    """The cache-busting ?t= value Stash derives from a stored timestamp."""
    return int(datetime.fromisoformat(stored).timestamp())
