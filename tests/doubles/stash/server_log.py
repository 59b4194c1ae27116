"""Stash's log as the double keeps it: what plugins write to stderr, for the `logs` query, the
`loggingSubscribe` subscription and tests. Levels are Stash's LogLevel names."""

from __future__ import annotations

import queue
import threading
from collections import deque
from typing import Any

from .clock import StashClock
from .subscribers import Subscribers

LOG_LEVELS = {"trace": "Trace", "debug": "Debug", "info": "Info", "progress": "Progress",
              "warning": "Warning", "error": "Error"}
MAX_ENTRIES = 1000  # Stash keeps a bounded log cache as well


class ServerLog:
    def __init__(self, clock: StashClock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=MAX_ENTRIES)
        self._subscribers = Subscribers()

    def add(self, level: str, message: str) -> None:
        entry = {"time": self._clock.now_text(), "level": LOG_LEVELS.get(level, "Error"),
                 "message": message}
        with self._lock:
            self._entries.append(entry)
            self._subscribers.publish([entry])

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self._entries)

    def messages(self, level: str | None = None) -> list[str]:
        """Message texts, optionally of one level ("error", "info", ...)."""
        wanted = LOG_LEVELS.get(level) if level else None
        return [e["message"] for e in self.entries() if wanted in (None, e["level"])]

    def subscribe(self) -> queue.Queue:
        return self._subscribers.subscribe()

    def unsubscribe(self, inbox: queue.Queue) -> None:
        self._subscribers.unsubscribe(inbox)
