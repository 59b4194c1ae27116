"""End-to-end harness: runs plexsync.py against the two doubles exactly as Stash would.

Tasks and hooks are child processes fed Stash's JSON on stdin; a hook's detached drainer runs in
its own session, so the harness watches it through the data directory (queue, lock, pid file,
log) like a person would, and kills it at teardown.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sync_queue import db, layout
from sync_queue.dead_letters import DeadLetter, DeadLetters
from sync_queue.jobs import JobQueue
from sync_queue.lock import FileLock
from tests.doubles.plex import PlexDouble
from tests.doubles.sample import Sample, build_sample
from tests.doubles.stash import StashDouble
from tests.plugin_run import LEVELS, ROOT, PluginRun, run_plugin
from tests.polling import DEADLINE, POLL, wait_until

PLUGIN_ID = "plexsync"
# Jobs with no drainer at all (none holding the lock, none starting) for this long will never
# drain. A drainer still importing counts as starting where /proc shows it (Linux); elsewhere
# this must also cover its start-up, which takes seconds on a loaded machine.
STALL = 5.0 if Path("/proc/self/cwd").exists() else 30.0
_EMPTY_COUNTS = {"waiting": 0, "due": 0, "retrying": 0, "taken": 0}
_PROC = Path("/proc/self/stat").exists()  # Linux: lets us tell zombies and reused pids apart


class Harness:
    """One test's PlexSync installation: settings in the Stash double, a data dir, runs."""

    def __init__(self, stash: StashDouble, plex: PlexDouble, tmp_path: Path) -> None:
        self.stash = stash
        self.plex = plex
        self.data_dir = Path(tmp_path) / "data"
        self.run_timeout = 120.0
        self.python: str | None = None  # the interpreter Stash runs; None: the tests' own
        self.env: dict[str, str] = {}  # added to the plugin's environment, e.g. an encoding
        self.plugin_dir = ROOT  # where plexsync.py lives (a copy, to change its files)
        # An empty plexapi config: a developer's ~/.config/plexapi must not change the client.
        self._plexapi_config = Path(tmp_path) / "plexapi-config.ini"
        self._plexapi_config.touch()
        self._env = {"PLEXAPI_CONFIG_PATH": str(self._plexapi_config)}
        if stash.plugins.get(PLUGIN_ID) is None:  # for runPluginOperation and runPluginTask
            stash.install_plugin(ROOT / "plexsync.yml", env=self._env)
        stash.plugin_settings[PLUGIN_ID] = {
            "plex_url": plex.url, "plex_token": plex.token, "data_dir": str(self.data_dir),
        }

    # --- setting up ----------------------------------------------------------------------------

    def build_sample(self, n: int = 25, **options: Any) -> Sample:
        """build_sample on both doubles, with path_map configured to match."""
        sample = build_sample(self.stash, self.plex, n, **options)
        self.configure(path_map=sample.path_map)
        return sample

    def configure(self, **settings: Any) -> None:
        """Merge into the plugin's saved settings; None removes a setting (never saved)."""
        current = self.stash.plugin_settings.setdefault(PLUGIN_ID, {})
        current.update(settings)
        for key in [k for k, v in current.items() if v is None]:
            del current[key]

    # --- running the plugin --------------------------------------------------------------------

    def payload(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"server_connection": self.stash.server_connection(
                    plugin_dir=str(self.plugin_dir)), "args": args}

    def run(self, args: dict[str, Any]) -> PluginRun:
        env = {**self._env, **self.env}
        if self.plugin_dir != ROOT:  # Stash puts the plugins folder on PYTHONPATH
            env.setdefault("PYTHONPATH", str(self.plugin_dir.parent))
        return run_plugin(self.payload(args), timeout=self.run_timeout, env=env,
                          entry=self.plugin_dir / "plexsync.py", python=self.python)

    def task(self, mode: str, **args: Any) -> PluginRun:
        return self.run({"mode": mode, **args})

    def hook(self, scene_id: int, hook_type: str = "Scene.Update.Post",
             input: dict[str, Any] | list[str] | None = None,
             input_fields: list[str] | None = None) -> PluginRun:
        """A hook as Stash sends it. input=None is what a scan or sceneCreate sends; an edit in
        the UI sends its input, and inputFields lists the keys the client sent (a bulk delete
        sends the list of ids as input, and no inputFields)."""
        context: dict[str, Any] = {"id": scene_id, "type": hook_type, "input": input}
        fields = input_fields if input_fields is not None else list(input or ())
        if fields:  # Stash omits an empty inputFields
            context["inputFields"] = fields
        return self.run({"hookContext": context})

    # --- observing -----------------------------------------------------------------------------

    def queue_counts(self) -> dict[str, int]:
        if not self.data_dir.is_dir():
            return dict(_EMPTY_COUNTS)
        queue = JobQueue(self.data_dir)
        try:
            return queue.counts()
        finally:
            queue.close()

    def make_due(self) -> int:
        """Brings every waiting job's next attempt forward to now, as if its delay had passed;
        returns how many. The queue is the data folder's observable state, like the handover
        file: a test need not wait out a retry schedule of minutes (sync_queue/schedule.py)."""
        if not (self.data_dir / layout.QUEUE_DB).exists():
            return 0
        conn = db.connect(self.data_dir / layout.QUEUE_DB)
        try:
            return conn.execute("UPDATE schedule SET next_attempt_at = ? WHERE taken = 0",
                                (time.time(),)).rowcount
        finally:
            conn.close()

    def dead_letters(self) -> list[DeadLetter]:
        if not self.data_dir.is_dir():
            return []
        letters = DeadLetters(self.data_dir)
        try:
            return letters.list(limit=1_000_000)
        finally:
            letters.close()

    def drainer_log(self) -> str:
        try:
            return (self.data_dir / layout.DRAINER_LOG).read_text(errors="replace")
        except FileNotFoundError:
            return ""

    def drainer_running(self) -> bool:
        """Whether some process holds the drainer lock (probing takes it for an instant)."""
        if not self.data_dir.is_dir():
            return False
        lock = FileLock(self.data_dir / layout.DRAINER_LOCK)
        if lock.acquire(0):
            lock.release()
            return False
        return True

    def wait_drained(self, timeout: float = DEADLINE, *, stop_drainer: bool = True,
                     stall: float = STALL) -> None:
        """Wait until no job is waiting or taken and no drainer holds the lock (or lives).

        An idle drainer keeps the lock for half a minute before it exits; with stop_drainer,
        once the queue is empty it is asked to hand over (the protocol a foreground task uses),
        so tests need not wait for that. Jobs left with no drainer for `stall` seconds will
        never drain: that fails at once rather than at the deadline.
        """
        deadline = time.monotonic() + timeout
        unattended_since: float | None = None
        asked = False
        try:
            while True:
                counts = self.queue_counts()
                empty = counts["waiting"] == 0 and counts["taken"] == 0
                # The drainer releases the lock last, so once it is free all is written; waiting
                # for its exit too leaves no process behind to confuse the next step.
                busy = (self.drainer_running() or self.drainer_pid() is not None
                        or self.drainer_starting())
                if empty and not busy:
                    return
                if empty and stop_drainer and not asked:
                    (self.data_dir / layout.HANDOVER).write_text(str(os.getpid()))
                    asked = True
                now = time.monotonic()
                unattended_since = None if busy else unattended_since or now
                if unattended_since is not None and now - unattended_since >= stall:
                    raise TimeoutError(self._not_drained(
                        f"jobs wait but no drainer has run for {stall:g}s", counts))
                if now >= deadline:
                    raise TimeoutError(self._not_drained(f"not drained after {timeout:g}s",
                                                         counts))
                time.sleep(POLL)
        finally:
            if asked:
                (self.data_dir / layout.HANDOVER).unlink(missing_ok=True)

    def drainer_starting(self) -> bool:
        """Whether a drainer process runs here, perhaps one a hook started that is still
        importing and has not taken the lock yet (Linux only)."""
        return bool(self._drainer_processes())

    def _drainer_processes(self) -> set[int]:
        """Live `plexsync.py --drain` processes working in this data dir (their cwd)."""
        if not _PROC or not self.data_dir.is_dir():
            return set()
        here = str(self.data_dir.resolve())
        pids = set()
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if os.readlink(entry / "cwd") == here and _is_live_drainer(int(entry.name)):
                        pids.add(int(entry.name))
                except OSError:  # gone, or not ours to look at
                    continue
        return pids

    def _not_drained(self, reason: str, counts: dict[str, int]) -> str:
        lines = [readable(line) for line in self.drainer_log().splitlines()[-30:]]
        tail = "\n".join(lines) or "(empty)"
        return (f"queue {reason}: {counts}; drainer running: {self.drainer_running()}; "
                f"dead letters: {len(self.dead_letters())}\n--- drainer.log (tail) ---\n{tail}")

    def wait_until(self, condition: Callable[[], Any], timeout: float = DEADLINE,
                   what: str = "condition") -> None:
        """Poll a condition with a deadline (never sleep as synchronisation)."""
        wait_until(condition, timeout, what)

    # --- teardown ------------------------------------------------------------------------------

    def drainer_pid(self) -> int | None:
        """The pid of the drainer that last took the lock, if it is still alive."""
        try:
            pid = int((self.data_dir / layout.DRAINER_PID).read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        return pid if _is_live_drainer(pid) else None

    def kill_drainers(self, timeout: float = 30) -> None:
        """SIGKILL every live drainer of this data dir (the one in drainer.pid, and any still
        starting), and wait until they are gone."""
        pid = self.drainer_pid()
        pids = self._drainer_processes() | ({pid} if pid is not None else set())
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.wait_until(lambda: not any(alive(pid) for pid in pids), timeout,
                        f"drainers {sorted(pids)} gone")


def persist_queue_rows(data_dir: Path) -> list[dict[str, Any]]:
    """What persist-queue holds in a data folder (id, data, timestamp, status of each row),
    read through its public API."""
    from persistqueue import SQLiteAckQueue
    from persistqueue.serializers import json as json_serializer

    library = SQLiteAckQueue(str(data_dir), name="jobs", db_file_name=layout.QUEUE_DB,
                             auto_resume=False, serializer=json_serializer)
    try:
        return library.queue()
    finally:
        library.close()


class Killed(BaseException):
    """The process ends here: nothing catches it, nothing after it runs."""


@contextlib.contextmanager
def killed_at(method: str, call: int = 1, after: bool = False) -> Iterator[None]:
    """persist-queue's ``method`` kills the process on its ``call``-th call, before it runs
    (or right ``after``): the queue's steps interrupted between their writes
    (tests/test_queue_crash.py)."""
    from persistqueue import SQLiteAckQueue

    original = getattr(SQLiteAckQueue, method)
    calls = 0

    @functools.wraps(original)
    def dying(self: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == call and not after:
            raise Killed(method)
        result = original(self, *args, **kwargs)
        if calls == call:
            raise Killed(method)
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(SQLiteAckQueue, method, dying)
        with pytest.raises(Killed):
            yield


def readable(line: str) -> str:
    """A log line (drainer.log holds them raw) as "level: text", without control characters."""
    if len(line) >= 3 and line[0] == "\x01" and line[2] == "\x02":
        return f"{LEVELS.get(line[1], line[1])}: {line[3:]}"
    return line


def alive(pid: int) -> bool:
    """Running and not a zombie: a killed drainer is not our child, so we cannot reap it."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    if not _PROC:
        return True  # signal 0 is all we can know
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def _is_live_drainer(pid: int) -> bool:
    """Guards against pid reuse: only a live `plexsync.py --drain` process qualifies."""
    if not alive(pid):
        return False
    if not _PROC:
        return True  # trust the pid file
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"--drain" in argv and any(arg.endswith(b"plexsync.py") for arg in argv)
