"""Background workers that finished but were never reaped (zombies), found through /proc.

In Stash's official Docker image Stash itself is PID 1 (`CMD ["stash"]`, no init: stashapp/stash
docker/ci/x86_64/Dockerfile). A worker outlives the hook that started it, so PID 1 inherits it,
and Stash never waits for processes it did not start: every finished worker stays in the process
table as a zombie until the container restarts. `init: true` (compose) or `docker run --init`
puts an init in front of Stash that reaps them.

A zombie has no command line left to recognise it by, so each worker records itself in the data
folder when it starts: its pid and its start time, which together name one process for ever
(pids are reused, start times are not). Linux only: elsewhere there is no /proc to look in, and
no PID-1-without-init container either.
"""

from __future__ import annotations

import os
from pathlib import Path

from sync_queue import layout
from sync_queue.datadir import DIR_MODE, private_file

PROC = Path("/proc")
GONE, ZOMBIE, RUNNING = "gone", "zombie", "running"


def available() -> bool:
    return (PROC / "self" / "stat").is_file()


def _stat(pid: str) -> tuple[str, str] | None:
    """(state, start time) of a process from /proc/<pid>/stat, or None when there is none."""
    try:
        text = (PROC / pid / "stat").read_text()
    except OSError:
        return None
    # The command name in parentheses may hold spaces and parentheses: fields follow the last ")".
    fields = text.rpartition(")")[2].split()
    return (fields[0], fields[19]) if len(fields) > 19 else None


def condition(seen: tuple[str, str] | None, recorded_start: str) -> str:
    """What became of a recorded worker, from what /proc shows under its pid now."""
    if seen is None or seen[1] != recorded_start:
        return GONE  # reaped; the pid may name another process by now
    return ZOMBIE if seen[0] == "Z" else RUNNING


def record_self(data_dir: Path) -> None:
    seen = _stat("self") if available() else None
    if seen is None:
        return
    folder = data_dir / layout.WORKERS
    folder.mkdir(mode=DIR_MODE, exist_ok=True)
    private_file(folder / f"{os.getpid()}-{seen[1]}")


def survey(data_dir: Path) -> list[int]:
    """Pids of recorded workers that are zombies; records of reaped ones are dropped."""
    try:
        names = os.listdir(data_dir / layout.WORKERS)
    except OSError:
        return []
    zombies = []
    for name in names:
        pid, _, start = name.partition("-")
        state = condition(_stat(pid), start) if pid.isdigit() else GONE
        if state == GONE:
            (data_dir / layout.WORKERS / name).unlink(missing_ok=True)
        elif state == ZOMBIE:
            zombies.append(int(pid))
    return sorted(zombies)
