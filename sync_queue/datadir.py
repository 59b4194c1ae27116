"""Where PlexSync keeps its state, and how its files are kept private.

The queue, the dead letters and the locks live outside the plugin folder, so reinstalling or
updating the plugin loses nothing. Everything in it may reveal what a user's library holds, so
the directory is owner-only and so is every file PlexSync creates there.
"""

from __future__ import annotations

import os
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
_DIR_NAME = "plexsync"
_HOME_DIR_NAME = ".plexsync"


def choose_data_dir(
    data_dir_setting: str | None, stash_config_dir: str | None, home: Path
) -> Path:
    """The data directory a setting and Stash's config directory point to (no file access)."""
    setting = (data_dir_setting or "").strip()
    config_dir = (stash_config_dir or "").strip()
    if setting:
        chosen = Path(setting).expanduser()
        # Stash runs plugins from its own working directory, so a relative path would land
        # somewhere arbitrary; anchor it where the default would live instead.
        if not chosen.is_absolute() and config_dir:
            chosen = Path(config_dir) / chosen
        return chosen
    if config_dir:
        return Path(config_dir) / _DIR_NAME
    return home / _HOME_DIR_NAME


def resolve_data_dir(data_dir_setting: str | None, stash_config_dir: str | None) -> Path:
    """The data directory, created owner-only (0o700) if it does not exist yet."""
    path = choose_data_dir(data_dir_setting, stash_config_dir, Path.home()).absolute()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        path.mkdir(mode=DIR_MODE)
    except FileExistsError:
        if not path.is_dir():
            raise
    else:
        os.chmod(path, DIR_MODE)  # mkdir's mode is filtered by the umask; be exact
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty and owner-only if missing; an existing file is left as it is.

    SQLite gives its -wal and -shm files the mode of the database file, so creating the
    database this way keeps those private too.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except FileExistsError:
        return path
    os.close(fd)
    return path
