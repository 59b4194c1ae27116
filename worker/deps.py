"""PlexSync's Python dependencies inside Stash: present, installed by PythonDepManager, or named.

Checked with find_spec (no import), so the hook's fast path pays almost nothing.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from stash import log
from stash.protocol import UserError

# import name -> pip requirement
REQUIRED = {
    "persistqueue": "persist-queue>=1.0,<2",
    "pydantic": "pydantic>=2.5,<3",
    "requests": "requests>=2.28",
    "plexapi": "plexapi>=4.15,<5",
    "stashapi": "stashapp-tools>=0.2.50",
}


def missing() -> list[str]:
    return [name for name in REQUIRED if importlib.util.find_spec(name) is None]


def _with_dep_manager(names: list[str]) -> bool:
    """CommunityScripts' PythonDepManager installs into its own folder when it is installed."""
    if importlib.util.find_spec("PythonDepManager") is None:
        return False
    try:
        from PythonDepManager import ensure_import  # type: ignore[import-not-found]

        ensure_import(*(f"{name}:{REQUIRED[name]}" for name in names))
    except Exception as exc:  # its own failure must not hide the clear message below
        log.warning(f"PythonDepManager could not install {', '.join(names)}: {exc}")
        return False
    importlib.invalidate_caches()
    return not missing()


def ensure(plugin_dir: str | None) -> None:
    absent = missing()
    if not absent or _with_dep_manager(absent):
        return
    requirements = Path(plugin_dir or ".") / "requirements.txt"
    packages = ", ".join(REQUIRED[name].split(">")[0].split("<")[0] for name in absent)
    raise UserError(
        f"PlexSync needs Python packages that are not installed: {packages}. Run: "
        f"python3 -m pip install -r {requirements} (in Stash's Docker container: docker exec "
        f"<stash container> python3 -m pip install -r {requirements}), or install the "
        "PythonDepManager plugin, then reload plugins")
