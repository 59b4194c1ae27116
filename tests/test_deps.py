"""Where the packages come from and what pip's failures say, without running pip."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import pytest

from sync_queue import packages
from tasks.install import failure_message, pip_error
from worker import deps

NO_INDEX = """Looking in links: /tmp/no-wheels
ERROR: Could not find a version that satisfies the requirement persist-queue<2,>=1.0 (from versions: none)
ERROR: No matching distribution found for persist-queue<2,>=1.0
"""  # noqa: E501 (pip's own lines)
OFFLINE = """WARNING: Retrying (Retry(total=4, connect=None, read=None, redirect=None, status=None)) after connection broken by 'NewConnectionError(...: Failed to establish a new connection: [Errno -3] Temporary failure in name resolution')': /simple/persist-queue/
ERROR: Could not find a version that satisfies the requirement persist-queue<2,>=1.0 (from versions: none)
ERROR: No matching distribution found for persist-queue<2,>=1.0
"""  # noqa: E501


@pytest.mark.parametrize("output", [NO_INDEX, OFFLINE])
def test_pip_error_is_its_conclusion(output: str) -> None:
    assert pip_error(output) == "No matching distribution found for persist-queue<2,>=1.0"


def test_a_python_without_pip_is_told_how_to_get_it(tmp_path: Path) -> None:
    reason = pip_error("/usr/bin/python3: No module named pip\n")
    message = failure_message(reason, tmp_path)
    assert message.startswith("PlexSync could not install its Python packages (the Python Stash "
                              "runs has no pip): install pip for it (Alpine: apk add py3-pip;")
    assert deps.install_command(tmp_path) in message


def test_install_command_survives_spaces_in_paths(tmp_path: Path) -> None:
    data_dir = tmp_path / "Stash config" / "plexsync"
    words = shlex.split(deps.install_command(data_dir))
    assert words == [sys.executable, "-m", "pip", "install", "--target",
                     str(packages.site_dir(data_dir)), "-r", str(deps.REQUIREMENTS)]


def test_own_folder_goes_first_only_when_something_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "path", list(sys.path))
    folder = packages.site_dir(tmp_path)
    (folder / "plexsync_probe_pkg").mkdir(parents=True)
    (folder / "plexsync_probe_pkg" / "__init__.py").write_text("")
    assert packages.use_own_packages(tmp_path) == []  # nothing missing: the folder stays out
    assert str(folder) not in sys.path

    monkeypatch.setitem(packages.REQUIRED, "plexsync_probe_pkg", "plexsync-probe-pkg>=1")
    assert packages.use_own_packages(tmp_path) == []
    assert sys.path[1] == str(folder)

    monkeypatch.setitem(packages.REQUIRED, "plexsync_absent_pkg", "plexsync-absent-pkg>=1")
    assert packages.use_own_packages(tmp_path) == ["plexsync_absent_pkg"]
    assert deps.pip_names(["plexsync_absent_pkg", "persistqueue"]) == (
        "plexsync-absent-pkg, persist-queue")
