"""What the double was asked: request counters and the GraphQL documents received."""

from __future__ import annotations

import threading
from collections import Counter, deque
from typing import Any

MAX_QUERIES = 2000


class Traffic:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: Counter[str] = Counter()
        self._queries: deque[tuple[str, dict[str, Any]]] = deque(maxlen=MAX_QUERIES)

    def count(self, *keys: str) -> None:
        with self._lock:
            self._counts.update(keys)

    def record_query(self, query: str, variables: dict[str, Any]) -> None:
        with self._lock:
            self._queries.append((query, variables))

    @property
    def counts(self) -> dict[str, int]:
        with self._lock:
            return dict(self._counts)

    @property
    def queries(self) -> list[tuple[str, dict[str, Any]]]:
        with self._lock:
            return list(self._queries)

    def reset_counts(self) -> None:
        with self._lock:
            self._counts.clear()
