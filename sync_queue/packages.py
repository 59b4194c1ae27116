"""PlexSync's own package folder in the data folder, and putting it on ``sys.path``.

Stash's official Docker image ships an externally managed Python (PEP 668) with pip but without
most of PlexSync's packages, so a task installs what is missing into a folder of the data folder
(tasks/install.py). Every PlexSync process (hook, task, background worker) puts that folder
first on ``sys.path`` whenever the running Python lacks a package, so all of them import the
same, complete set.

Standard library only: the hook imports this. Presence is checked with find_spec (no import).
"""

from __future__ import annotations

import importlib.util
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
