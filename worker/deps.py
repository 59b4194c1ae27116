"""What to tell a user whose Python lacks PlexSync's packages, and how to install them.

A user of Stash's official Docker image cannot be expected to open a shell in it, so a task
installs what is missing with ``pip install --target`` into PlexSync's package folder
(sync_queue/packages.py; tasks/install.py runs pip), which pip allows on an externally managed
Python: its PEP 668 check only guards installs into the interpreter's own environment
(pip/_internal/commands/install.py skips it for --target, --prefix and --root).

Standard library only: the hook imports this.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from sync_queue.packages import REQUIRED, site_dir, use_own_packages

PLUGIN_DIR = Path(__file__).resolve().parent.parent
REQUIREMENTS = PLUGIN_DIR / "requirements.txt"


def pip_names(absent: list[str]) -> str:
    return ", ".join(REQUIRED[name].split(">")[0].split("<")[0] for name in absent)


def install_command(data_dir: Path) -> str:
    """The exact command that installs the packages where PlexSync looks for them."""
    parts = [sys.executable, "-m", "pip", "install", "--target", str(site_dir(data_dir)),
             "-r", str(REQUIREMENTS)]
    if os.name == "nt":
        import subprocess

        return subprocess.list2cmdline(parts)
    import shlex

    return shlex.join(parts)


def missing_message(absent: list[str], data_dir: Path) -> str:
    """For processes that do not install (hooks, the background worker)."""
    return (f"PlexSync's Python packages are not installed yet ({pip_names(absent)}): run "
            "Health Check (Settings > Tasks > PlexSync) to install them, or run: "
            f"{install_command(data_dir)}")


def worker_ready(text: str) -> bool:
    """For the background worker, before it imports anything that needs the packages: their
    folder goes on sys.path; if something is still missing, the user is told (through the next
    hook or task) instead of the worker dying on an ImportError no one sees."""
    import json

    try:
        data_dir = Path(json.loads(text)["data_dir"])
    except (ValueError, KeyError, TypeError):
        return True  # the worker itself reports unusable input
    absent = use_own_packages(data_dir)
    if not absent:
        return True
    from stash import log
    from sync_queue import notices

    message = missing_message(absent, data_dir) + "; queued changes are kept"
    log.error(message)
    notices.post(data_dir, "error", message)
    return False
