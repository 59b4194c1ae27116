"""Tasks install PlexSync's missing Python packages into its own folder before they start.

Runs before any third-party import, so it uses the standard library only: the data directory
comes from Stash's settings through the hook's light client. The install goes to a temporary
sibling folder that is renamed into place only when pip succeeded, under a lock, so no process
ever sees half a set of packages.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from stash import light, log
from stash.protocol import Connection, UserError
from stash.queries import PLUGIN_SETTINGS
from sync_queue import layout, packages
from sync_queue.datadir import resolve_data_dir
from sync_queue.lock import FileLock
from worker import deps

LOCK_WAIT = 900.0  # another task's install, which pip bounds with its own network timeouts
PIP_TIMEOUT = 1800.0
# Read by pip itself (an older pip ignores those it does not know, unlike command-line options).
# Anything else (an index, a proxy, PIP_NO_INDEX, PIP_FIND_LINKS) is left to the user's setup.
_PIP_ENV = {"PIP_NO_INPUT": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "PIP_ROOT_USER_ACTION": "ignore"}


def data_dir_from_stash(connection: Connection) -> Path:
    try:
        data = light.call(connection, PLUGIN_SETTINGS)
    except light.StashUnavailable as exc:
        raise UserError(f"{exc}; PlexSync cannot find its data folder without Stash") from None
    settings = ((data.get("configuration") or {}).get("plugins") or {}).get("plexsync") or {}
    setting = settings.get("data_dir")
    return resolve_data_dir(setting if isinstance(setting, str) else None,
                            connection.config_dir)


def ensure_packages(connection: Connection) -> None:
    """Make every package importable for this task, installing them if need be."""
    if not packages.missing():
        return
    data_dir = data_dir_from_stash(connection)
    if not packages.use_own_packages(data_dir):
        return
    lock = FileLock(data_dir / layout.PACKAGES_LOCK)
    if not lock.acquire(LOCK_WAIT):
        raise UserError("another PlexSync task has been installing PlexSync's Python packages "
                        f"for {LOCK_WAIT / 60:.0f} minutes; run this task again once it is done")
    try:
        # Another process may have finished an install while this one waited for the lock.
        if packages.use_own_packages(data_dir):
            _install(data_dir)
    finally:
        lock.release()
    absent = packages.use_own_packages(data_dir)
    if absent:
        raise UserError("pip installed PlexSync's Python packages into "
                        f"{packages.site_dir(data_dir)} but {deps.pip_names(absent)} still "
                        "cannot be imported; run: "
                        f"{deps.install_command(data_dir)}")


def _install(data_dir: Path) -> None:
    target = packages.site_dir(data_dir)
    partial = target.with_name(target.name + layout.PARTIAL)
    # Left by an interrupted install, or a folder that lacks packages (an incomplete manual
    # install): under the lock, neither is anyone's to keep.
    shutil.rmtree(partial, ignore_errors=True)
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    log.info(f"installing PlexSync's Python packages ({deps.pip_names(list(packages.REQUIRED))}) "
             f"into {target}; this takes a minute")
    command = [sys.executable, "-m", "pip", "install", "--prefer-binary", "--target",
               str(partial), "-r", str(deps.REQUIREMENTS)]
    try:
        proc = subprocess.run(command, capture_output=True, text=True, errors="replace",
                              stdin=subprocess.DEVNULL, timeout=PIP_TIMEOUT,
                              env={**os.environ, **_PIP_ENV})
    except subprocess.TimeoutExpired:
        shutil.rmtree(partial, ignore_errors=True)
        raise UserError(failure_message(f"pip did not finish within {PIP_TIMEOUT / 60:.0f} "
                                        "minutes", data_dir)) from None
    if proc.returncode != 0:
        shutil.rmtree(partial, ignore_errors=True)
        output = proc.stderr + proc.stdout
        log.debug("pip's output: " + output[-8000:])
        raise UserError(failure_message(pip_error(output), data_dir))
    os.replace(partial, target)
    log.info(f"installed PlexSync's Python packages into {target}")


def pip_error(output: str) -> str:
    """The line of pip's output that says what went wrong (pip ends with its conclusion)."""
    if "No module named pip" in output:
        return "the Python Stash runs has no pip"
    errors = [line.strip() for line in output.splitlines() if line.startswith("ERROR:")]
    if errors:
        return errors[-1].removeprefix("ERROR:").strip()
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else "pip failed without a message"


def failure_message(reason: str, data_dir: Path) -> str:
    if reason == "the Python Stash runs has no pip":
        remedy = ("install pip for it (Alpine: apk add py3-pip; Debian/Ubuntu: apt install "
                  "python3-pip), then run Health Check again, or run")
    else:
        remedy = ("check that this machine reaches the Python package index (or pip's own "
                  "index and proxy settings), then run Health Check again, or run")
    return (f"PlexSync could not install its Python packages ({reason}): {remedy}: "
            f"{deps.install_command(data_dir)} (for Stash in Docker, inside its container: "
            "docker exec -it <stash container> ...)")
