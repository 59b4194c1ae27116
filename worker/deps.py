"""Where PlexSync's Python packages come from: the Python Stash runs, or PlexSync's own folder.

Stash's official Docker image ships an externally managed Python (PEP 668) with pip but without
most of these packages, and a user cannot be expected to open a shell in it. So a task installs
what is missing with ``pip install --target`` into a folder of the data directory (see
worker/install.py), which pip allows on an externally managed Python: its PEP 668 check only
guards installs into the interpreter's own environment (pip/_internal/commands/install.py skips
it for --target, --prefix and --root). Every PlexSync process (hook, task, background worker)
puts that folder first on ``sys.path`` whenever the running Python lacks a package, so all of
them import the same, complete set.

Standard library only: the hook imports this. Presence is checked with find_spec (no import).
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

from sync_queue import layout

# import name -> pip requirement (requirements.txt holds the same lines)
REQUIRED = {
    "persistqueue": "persist-queue>=1.0,<2",
    "pydantic": "pydantic>=2.5,<3",
    "requests": "requests>=2.28",
    "plexapi": "plexapi>=4.15,<5",
    "stashapi": "stashapp-tools>=0.2.50",
}
PLUGIN_DIR = Path(__file__).resolve().parent.parent
REQUIREMENTS = PLUGIN_DIR / "requirements.txt"


def site_dir(data_dir: Path) -> Path:
    """PlexSync's package folder for this interpreter: compiled packages (pydantic-core) only
    load in the Python version they were built for, so a Python upgrade gets a fresh folder."""
    return data_dir / layout.PACKAGES / f"{sys.implementation.cache_tag}-{sys.platform}"


def missing() -> list[str]:
    return [name for name in REQUIRED if importlib.util.find_spec(name) is None]


def use_own_packages(data_dir: Path) -> list[str]:
    """Put PlexSync's package folder first on sys.path if this Python lacks any package;
    returns the import names still missing afterwards."""
    absent = missing()
    folder = site_dir(data_dir)
    if not absent or not folder.is_dir():
        return absent
    entry = str(folder)
    if entry not in sys.path:
        # Right after the plugin's own folder, before the system's site-packages: the folder
        # holds a complete, mutually compatible set that must not mix with older system copies.
        sys.path.insert(1, entry)
    importlib.invalidate_caches()
    return missing()


def summary(data_dir: Path) -> str:
    """Where this process imports the packages from (all present by then)."""
    folder = site_dir(data_dir)
    where = f"PlexSync's folder {folder}" if str(folder) in sys.path else "installed in that Python"
    return f"Python {sys.version.split()[0]} ({sys.executable}); packages: {where}"


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
    from worker import notices

    message = missing_message(absent, data_dir) + "; queued changes are kept"
    log.error(message)
    notices.post(data_dir, "error", message)
    return False
