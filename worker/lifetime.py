"""When the background worker ends on its own, besides having nothing to do.

- Stash stopped answering: a worker left behind by a Stash that was shut down or restarted
  must not keep retrying forever. Its jobs stay queued; the next hook or task starts a worker.
- The plugin's code changed on disk (an update): the running worker would go on with the old
  code, and would import new modules into old ones. It ends and, when jobs are waiting, starts
  a worker that runs the new code, so an update takes effect without restarting Stash.

Looking at the code costs one stat per file of the plugin, at most every CODE_LOOK_EVERY.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

PLUGIN_ROOT = Path(__file__).resolve().parent.parent
CODE_LOOK_EVERY = 2.0  # seconds
STASH_PATIENCE = 30.0  # seconds Stash may fail every request before the worker ends
CODE_CHANGED = "the plugin's code changed on disk"

Fingerprint = frozenset[tuple[str, int, int]]


def code_fingerprint(root: Path = PLUGIN_ROOT) -> Fingerprint:
    """(path, size, mtime) of every .py and .yml file of the plugin; a changed, added or removed
    file changes it. Hidden folders (a developer's .venv) and __pycache__ are not the plugin."""
    found: set[tuple[str, int, int]] = set()
    pending = [str(root)]
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:  # a folder removed while we look: its absence is the change
            continue
        for entry in entries:
            if entry.name.startswith(".") or entry.name == "__pycache__":
                continue
            try:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                elif entry.name.endswith((".py", ".yml")):
                    stat = entry.stat()
                    found.add((entry.path, stat.st_size, stat.st_mtime_ns))
            except OSError:
                continue
    return frozenset(found)


def end_reason(stash_silent_for: float | None, code_changed: bool) -> str | None:
    """Why the worker should end now, or None to go on."""
    if code_changed:
        return CODE_CHANGED
    if stash_silent_for is not None and stash_silent_for >= STASH_PATIENCE:
        return f"Stash has not answered for {stash_silent_for:.0f}s"
    return None


class Lifetime:
    """The worker's own end: asked between batches, between scenes and while it waits."""

    def __init__(self, stash_silent_since: Callable[[], float | None],
                 root: Path = PLUGIN_ROOT) -> None:
        self._silent_since = stash_silent_since  # monotonic time of the first unanswered call
        self._root = root
        self._code = code_fingerprint(root)
        self._next_look = time.monotonic() + CODE_LOOK_EVERY
        self.reason: str | None = None

    def over(self) -> bool:
        if self.reason is None:
            now = time.monotonic()
            changed = False
            if now >= self._next_look:
                self._next_look = now + CODE_LOOK_EVERY
                changed = code_fingerprint(self._root) != self._code
            since = self._silent_since()
            self.reason = end_reason(None if since is None else now - since, changed)
        return self.reason is not None
