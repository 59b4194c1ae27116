"""Messages from the detached drainer for Stash's log.

The drainer runs detached from Stash (it must not hold the user's Save), so its stderr reaches no
one. What a user must see (a rejected token, a scene sent to the dead letters) is appended here,
and the next hook or task relays it to Stash's log.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from stash import log
from sync_queue import layout

_RELAY_MAX = 20
_EMIT = {"error": log.error, "warning": log.warning, "info": log.info}


def post(data_dir: Path, level: str, message: str) -> None:
    line = json.dumps({"level": level, "message": log.redact(message)}) + "\n"
    # One short O_APPEND write per line: concurrent writers never interleave within a line.
    fd = os.open(data_dir / layout.NOTICES, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
    finally:
        os.close(fd)


def relay(data_dir: Path) -> int:
    """Move pending notices to Stash's log (each distinct message once); returns how many."""
    source = data_dir / layout.NOTICES
    taken = data_dir / f"{layout.NOTICES}.{os.getpid()}"
    try:
        os.replace(source, taken)
    except (FileNotFoundError, PermissionError):
        # PermissionError: on Windows, while the worker appends (the file is open), it cannot be
        # renamed; the notices wait for the next relay.
        return 0
    try:
        lines = taken.read_text(encoding="utf-8", errors="replace").splitlines()
    finally:
        taken.unlink(missing_ok=True)
    seen: dict[tuple[str, str], int] = {}
    for line in lines:
        try:
            item = json.loads(line)
            key = (str(item["level"]), str(item["message"]))
        except (ValueError, KeyError, TypeError):
            continue
        seen[key] = seen.get(key, 0) + 1
    for (level, message), count in list(seen.items())[:_RELAY_MAX]:
        suffix = f" (x{count})" if count > 1 else ""
        _EMIT.get(level, log.info)(f"PlexSync worker: {message}{suffix}")
    if len(seen) > _RELAY_MAX:
        log.warning(f"PlexSync worker: {len(seen) - _RELAY_MAX} more messages in "
                    f"{layout.DRAINER_LOG}")
    return len(seen)
