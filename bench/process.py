"""Plugin processes run as Stash runs them, with what they cost: wall time and peak memory.

Peak memory is the kernel's high-water mark (VmHWM) read from /proc while a process runs. The
resource usage wait4 reports is no use here: a child started by vfork+exec inherits the parent's
high-water mark, so every plugin run would seem as large as the benchmark with its doubles.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.plugin_run import ENTRY, ROOT, PluginRun, plugin_env

# "cprofile:DIR" or "py-spy:DIR": every plugin run goes through bench/profiled.py (--profile).
PROFILE_ENV = "PLEXSYNC_BENCH_PROFILE"
CHILD_POLL = 0.01  # a hook lives for about 100 ms: look often enough to catch its growth
DRAINER_POLL = 0.05


@dataclass
class Measured:
    """One finished plugin process."""

    run: PluginRun
    wall: float  # seconds from starting the process until it exited
    peak_kb: int  # memory high-water mark (VmHWM), as last seen before it exited

    @property
    def reply(self) -> dict[str, Any]:
        try:
            return self.run.result
        except ValueError:
            return {"error": f"stdout is not one JSON object: {self.run.stdout[:200]!r}"}

    @property
    def failure(self) -> str | None:
        """Why the run counts as failed, or None."""
        error = self.reply.get("error")
        if self.run.returncode != 0 or error:
            tail = "\n".join(f"  {level}: {text}" for level, text in self.run.logs[-8:])
            return f"exit {self.run.returncode}: {error}\n{tail}"
        return None


def production_env(extra: dict[str, str]) -> dict[str, str]:
    """As under Stash: Python keeps the plugin's compiled bytecode (tests turn that off)."""
    env = plugin_env(extra)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_measured(payload: dict[str, Any], env: dict[str, str], timeout: float) -> Measured:
    """plexsync.py with Stash's JSON on stdin; killed after `timeout` seconds."""
    started = time.monotonic()
    proc = subprocess.Popen(_command(), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=production_env(env), cwd=str(ROOT.parent))
    with HighWater(lambda: [proc.pid], CHILD_POLL) as memory:
        try:
            out, err = proc.communicate(json.dumps(payload), timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err = proc.communicate()
    wall = time.monotonic() - started
    return Measured(PluginRun(proc.returncode, out, err), wall, memory.max_kb)


def _command() -> list[str]:
    """plexsync.py as Stash starts it, or under the profiler the bench was asked for."""
    profile = os.environ.get(PROFILE_ENV)
    if not profile:
        return [sys.executable, str(ENTRY)]
    from bench.profiled import command

    profiler, _, target = profile.partition(":")
    return command(profiler, target, ENTRY)


def cpu_seconds() -> tuple[float, float]:
    """CPU time (user + system) of this process (the doubles) and of its reaped children."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def high_water_kb(pid: int) -> int | None:
    """VmHWM of a live process, or None when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return None


class HighWater:
    """Samples the memory high-water mark of the processes `pids()` names, in a thread."""

    def __init__(self, pids: Callable[[], Iterable[int | None]],
                 interval: float = DRAINER_POLL) -> None:
        self._pids = pids
        self._interval = interval
        self.peak_kb: dict[int, int] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, name="bench-high-water",
                                        daemon=True)

    def __enter__(self) -> HighWater:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while True:
            for pid in self._pids():
                if pid is not None and (kb := high_water_kb(pid)) is not None:
                    self.peak_kb[pid] = max(kb, self.peak_kb.get(pid, 0))
            if self._stop.wait(self._interval):
                return

    @property
    def max_kb(self) -> int:
        return max(self.peak_kb.values(), default=0)
