"""A gate that holds chosen requests until the test lets them through: work provably in flight.

Open unless a test closes it. Closed for some request kinds (as `PlexDouble.counts` names them:
"edit", "metadata", "upload_poster", ...), it lets the first `after` of them through and holds
every later one until the test opens the gate again. While a request is held, the process that
sent it is waiting for Plex's answer: provably mid-work, so a test can kill it, change a setting
or start a competitor at exactly that point instead of guessing durations.

A held request never waits past the deadline the test gave when it closed the gate: then the
gate opens by itself and `expired` says so, so a forgotten gate slows a test down but never
hangs it. A released request is carried out and answered as usual even if its client died
meanwhile: the write reached Plex, its sender never learnt so (the case a kill between write and
record leaves). `wait_idle` waits until every released request has been carried out.
"""

from __future__ import annotations

import collections
import contextlib
import threading
import time
from collections.abc import Callable, Iterator


class Gate:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._kinds: frozenset[str] = frozenset()
        self._passes = 0
        self._deadline = 0.0
        self._held: collections.Counter[str] = collections.Counter()
        self._busy = 0  # requests that met the closed gate and are not answered yet
        self.expired = False

    # -- the test's side -------------------------------------------------------------------
    def close(self, *kinds: str, after: int = 0, timeout: float) -> None:
        """Hold requests of these kinds, after letting `after` more of them through.

        Requests already held stay held if their kind is still named, and go on otherwise.
        `timeout` (seconds, required) is the longest any request waits before the gate opens by
        itself."""
        if not kinds or after < 0 or timeout <= 0:
            raise ValueError("close() needs request kinds, after >= 0 and a positive timeout")
        with self._cond:
            self._kinds = frozenset(kinds)
            self._passes = after
            self._deadline = time.monotonic() + timeout
            self.expired = False
            self._cond.notify_all()

    def open(self) -> None:
        """Let every held request go on, and hold nothing from now on."""
        with self._cond:
            self._kinds = frozenset()
            self._cond.notify_all()

    def held(self, kind: str | None = None) -> int:
        """How many requests (of one kind, or of any) are being held now."""
        with self._cond:
            return self._count(kind)

    def wait_held(self, kind: str | None = None, count: int = 1, timeout: float = 60) -> None:
        """Return once `count` requests (of `kind`, or of any) are held; TimeoutError if they
        are not within `timeout` seconds."""
        self._wait(lambda: self._count(kind) >= count, timeout,
                   f"{count} held {kind or 'request'}(s)")

    def wait_idle(self, timeout: float = 60) -> None:
        """Return once every request that met the closed gate has been answered."""
        self._wait(lambda: self._busy == 0 and not self._count(None), timeout,
                   "every held request answered")

    # -- the server's side -----------------------------------------------------------------
    @contextlib.contextmanager
    def passage(self, kind: str) -> Iterator[None]:
        """Wraps the answering of one request: waits here while the gate holds it."""
        with self._cond:
            gated = kind in self._kinds
            if gated:
                self._busy += 1
                if self._passes > 0:
                    self._passes -= 1
                else:
                    self._hold(kind)
        try:
            yield
        finally:
            if gated:
                with self._cond:
                    self._busy -= 1
                    self._cond.notify_all()

    def _hold(self, kind: str) -> None:
        self._held[kind] += 1
        self._cond.notify_all()
        try:
            while kind in self._kinds:
                remaining = self._deadline - time.monotonic()
                if remaining <= 0:  # the test forgot the gate: open it rather than hang
                    self._kinds = frozenset()
                    self.expired = True
                    self._cond.notify_all()
                    break
                self._cond.wait(remaining)
        finally:
            self._held[kind] -= 1
            self._cond.notify_all()

    # -- helpers ---------------------------------------------------------------------------
    def _count(self, kind: str | None) -> int:
        return self._held[kind] if kind else sum(self._held.values())

    def _wait(self, condition: Callable[[], bool], timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not condition():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    expired = " (the gate's own deadline passed: it opened)" \
                        if self.expired else ""
                    raise TimeoutError(f"{what} not reached within {timeout:g}s{expired}")
                self._cond.wait(remaining)
