"""The detached drainer (``plexsync.py --drain``) and its lifetime.

One drainer at a time holds ``drainer.lock``. It hands the queue over to a foreground task that
asks for it (sync_queue/handover.py): it finishes its batch, releases the lock and exits, so two
processes never write at once.

Besides having nothing to do, the worker ends on its own when:
- Stash stopped answering: a worker left behind by a Stash that was shut down or restarted
  must not keep retrying forever. Its jobs stay queued; the next hook or task starts a worker.
- The plugin's code changed on disk (an update): the running worker would go on with the old
  code, and would import new modules into old ones. It ends and, when jobs are waiting, starts
  a worker that runs the new code, so an update takes effect without restarting Stash.
Looking at the code costs one stat per file of the plugin, at most every CODE_LOOK_EVERY.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path

from stash import log
from stash.errors import StashLoginRejected
from stash.protocol import Connection, UserError, parse_connection
from sync_queue import layout, notices
from sync_queue.handover import handover_requested
from sync_queue.jobs import JobQueue
from sync_queue.lock import FileLock
from worker import defunct
from worker.loop import POLL, Drain, StepKind, pause
from worker.outage import StopDrain
from worker.services import Services, open_services
from worker.spawn import ENTRY, start_drainer
from worker.tally import Tally

PLUGIN_ROOT = Path(__file__).resolve().parent.parent
CODE_LOOK_EVERY = 2.0  # seconds
STASH_PATIENCE = 30.0  # seconds Stash may fail every request before the worker ends
CODE_CHANGED = "the plugin's code changed on disk"
IDLE_EXIT = 30.0  # seconds with nothing to do before the worker exits
# A hook, Health Check or the status page asks "is a worker running?" by taking the drainer
# lock for an instant. A worker that met such a probe and took it for another worker would
# exit and leave the jobs it was started for with no one: it waits out a probe instead (a real
# worker holds the lock for seconds at least, and then this one is not needed).
PROBE_PATIENCE = 2.0

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


def until_idle(drain: Drain, idle_exit: float = IDLE_EXIT) -> Tally:
    """Steps until nothing was due for idle_exit, pausing while Plex is down; returns early
    when told to stop (a task asks for the queue, or the worker's lifetime is over)."""
    queue = drain.services.stores.queue
    drain.begin()
    idle_since = time.monotonic()
    while not drain.should_stop():
        step = drain.step(eager=False)
        if step.kind is StepKind.DOWN:
            pause(min(step.wait, POLL * 25), drain.should_stop)
            continue
        if step.kind is StepKind.BATCH:
            idle_since = time.monotonic()
            continue
        if queue.counts()["waiting"] == 0 and time.monotonic() - idle_since >= idle_exit:
            break
        drain.new_pass()
        pause(step.wait, drain.should_stop)
    return drain.total


def _drain_detached(services: Services, lock: FileLock, lifetime: Lifetime) -> None:
    def stop() -> bool:
        return handover_requested(services.data_dir) or lifetime.over()

    drain = Drain(services, should_stop=stop)
    while True:
        tally = until_idle(drain)
        if tally.synced or tally.dead:
            log.info(f"drained: {tally.synced} synced, {tally.skipped} already current, "
                     f"{tally.dead} dead-lettered, {tally.retrying} retrying")
        lock.release()
        if stop():
            return
        # A hook may have queued a job after our last look, while it still saw the lock held.
        if services.stores.queue.counts()["waiting"] == 0 or not lock.acquire(PROBE_PATIENCE):
            return


def _ended_on_its_own(services: Services, connection: Connection, reason: str) -> None:
    waiting = services.stores.queue.counts()["waiting"]
    if reason != CODE_CHANGED:
        services.notify("warning", f"the background worker stopped: {reason}. {waiting} "
                        "queued change(s) are kept for the next hook or task.")
    elif waiting and ENTRY.exists():
        log.info(f"{reason}: handing {waiting} queued change(s) to a worker with the new code")
        start_drainer(services.data_dir, connection)
    else:
        log.info(f"{reason}: this worker ends")


def run_detached(text: str) -> int:
    try:
        payload = json.loads(text)
        connection = parse_connection(payload["server_connection"])
        data_dir = Path(payload["data_dir"])
    except (ValueError, KeyError, TypeError, UserError) as exc:
        log.error(f"drainer started without valid input: {exc}")
        return 2
    services: Services | None = None
    # Before anything else: the code this process runs is what is on disk now.
    lifetime = Lifetime(lambda: services.stash.silent_since if services is not None else None)
    with contextlib.suppress(OSError):  # so Health Check can find it should it never be reaped
        defunct.record_self(data_dir)
    lock = FileLock(str(data_dir / layout.DRAINER_LOCK))
    if not lock.acquire(PROBE_PATIENCE):
        return 0  # another drainer is already at work
    started = time.time()
    try:
        (data_dir / layout.DRAINER_PID).write_text(str(os.getpid()))
        defunct.survey(data_dir)  # forget the records of workers that were reaped
        services = open_services(connection, detached=True)
        _drain_detached(services, lock, lifetime)
        if lifetime.reason:
            _ended_on_its_own(services, connection, lifetime.reason)
        return 0
    except (StopDrain, StashLoginRejected) as exc:
        count = JobQueue(str(data_dir)).counts()["waiting"]
        if isinstance(exc, StopDrain) and not exc.stash_login:
            notices.post(data_dir, "error", f"{exc}. {count} queued change(s) are kept and "
                         "will be written once that is fixed (then run Process Queue).")
            return 1
        # The login a hook handed over has lapsed: end cleanly, so that the next hook, which
        # brings a fresh one, can start a worker.
        message = (f"the background worker stopped: {exc}. {count} queued change(s) are kept "
                   "for the next scene change or task; with an API key (Stash: Settings > "
                   "Security) the worker's login never lapses.")
        log.warning(message)
        notices.post(data_dir, "warning", message)
        return 0
    except UserError as exc:
        notices.post(data_dir, "error", str(exc))
        return 1
    except Exception as exc:
        import traceback

        log.error(traceback.format_exc())
        notices.post(data_dir, "error", f"the background worker stopped unexpectedly "
                     f"({type(exc).__name__}); details in {layout.DRAINER_LOG}. Queued changes are "
                     "kept.")
        return 1
    finally:
        if services is not None:
            services.close()
        lock.release()
        log.debug(f"drainer exits after {time.time() - started:.1f}s")
