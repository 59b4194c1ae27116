"""The websocket subscriptions listening to one stream of the Stash double (JobsSubscribe,
LoggingSubscribe): each has a queue, and every event is put on each."""

from __future__ import annotations

import queue
import threading
from typing import Any


class Subscribers:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._inboxes: list[queue.Queue] = []

    def subscribe(self) -> queue.Queue:
        """A queue receiving every event published from now on."""
        inbox: queue.Queue = queue.Queue()
        with self._lock:
            self._inboxes.append(inbox)
        return inbox

    def unsubscribe(self, inbox: queue.Queue) -> None:
        with self._lock:
            if inbox in self._inboxes:
                self._inboxes.remove(inbox)

    def publish(self, event: Any) -> None:
        with self._lock:
            for inbox in self._inboxes:
                inbox.put(event)
