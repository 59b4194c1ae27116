"""Start the background drainer, detached from Stash, unless one is already running.

Stash waits for every process holding the hook's stdout, and closes stderr once the hook exits,
so the drainer gets a new session and none of the hook's standard streams. The connection
details (including the session cookie) travel on its stdin: never on the command line, where
other users could read them, and never on disk.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from stash.protocol import Connection
from sync_queue import layout
from sync_queue.lock import FileLock

ENTRY = Path(__file__).resolve().parent.parent / "plexsync.py"
_LOG_LIMIT = 2_000_000


def drainer_running(data_dir: Path) -> bool:
    lock = FileLock(str(data_dir / layout.DRAINER_LOCK))
    if lock.acquire(0):
        lock.release()
        return False
    return True


def _log_file(data_dir: Path) -> int:
    path = data_dir / layout.DRAINER_LOG
    try:
        if path.stat().st_size > _LOG_LIMIT:
            os.replace(path, data_dir / layout.DRAINER_LOG_BEFORE)
    except (FileNotFoundError, PermissionError):
        pass  # PermissionError: on Windows, a worker still exiting holds it open; rotate later
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)


def start_drainer(data_dir: Path, connection: Connection) -> None:
    log_fd = _log_file(data_dir)
    options: dict[str, object] = {}
    if os.name == "nt":
        options["creationflags"] = (
            subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP  # type: ignore[attr-defined]
        )
    else:
        options["start_new_session"] = True
    try:
        child = subprocess.Popen(
            [sys.executable, str(ENTRY), "--drain"],
            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=log_fd,
            close_fds=True, cwd=str(data_dir), **options,  # type: ignore[call-overload]
        )
    finally:
        os.close(log_fd)
    payload = {"server_connection": connection.to_stash(), "data_dir": str(data_dir)}
    assert child.stdin is not None
    # A few hundred bytes fit in the pipe buffer: this never waits for the child.
    child.stdin.write(json.dumps(payload).encode("utf-8"))
    child.stdin.close()


def ensure_drainer(data_dir: Path, connection: Connection) -> bool:
    """True when a new drainer was started. Racing hooks may both start one; the loser exits."""
    if drainer_running(data_dir):
        return False
    start_drainer(data_dir, connection)
    return True
