"""Where the data directory is, and that it and every file in it stay owner-only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from sync_queue.datadir import choose_data_dir, resolve_data_dir
from sync_queue.dead_letters import DeadLetters
from sync_queue.jobs import JobQueue
from sync_queue.lock import FileLock

HOME = Path("/home/someone")


def test_the_setting_wins() -> None:
    assert choose_data_dir("/srv/plexsync", "/root/.stash", HOME) == Path("/srv/plexsync")
    assert choose_data_dir("  /srv/plexsync ", None, HOME) == Path("/srv/plexsync")


def test_a_relative_setting_lives_under_stashs_config_dir() -> None:
    assert choose_data_dir("state", "/root/.stash", HOME) == Path("/root/.stash/state")


def test_without_a_setting_it_is_plexsync_in_stashs_config_dir() -> None:
    assert choose_data_dir(None, "/root/.stash", HOME) == Path("/root/.stash/plexsync")
    assert choose_data_dir("", "/root/.stash", HOME) == Path("/root/.stash/plexsync")


def test_without_either_it_is_in_the_home_dir() -> None:
    assert choose_data_dir(None, None, HOME) == HOME / ".plexsync"
    assert choose_data_dir(" ", "", HOME) == HOME / ".plexsync"


def test_a_tilde_in_the_setting_means_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    assert resolve_data_dir("~/state", None) == tmp_path / "state"
    assert resolve_data_dir(None, None) == tmp_path / ".plexsync"
    assert (tmp_path / ".plexsync").is_dir()


def test_resolve_creates_the_directory_and_keeps_an_existing_one(tmp_path: Path) -> None:
    config = tmp_path / "stash-config"
    path = resolve_data_dir(None, str(config))
    assert path == config / "plexsync" and path.is_dir()
    (path / "keep").write_text("x")
    assert resolve_data_dir(None, str(config)) == path
    assert (path / "keep").read_text() == "x"


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """A umask that would leave new files world-readable, as in many Docker images."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.skipif(os.name == "nt", reason="POSIX permissions")
@pytest.mark.usefixtures("loose_umask")
def test_directory_and_every_file_are_owner_only(tmp_path: Path) -> None:
    data_dir = resolve_data_dir(str(tmp_path / "data"), None)
    assert mode(data_dir) == 0o700
    queue = JobQueue(data_dir)
    letters = DeadLetters(data_dir)
    lock = FileLock(data_dir / "drainer.lock")
    assert lock.acquire()
    queue.enqueue(1, "a")
    [job] = queue.take(1)  # opens persist-queue's own connection too
    letters.add(job, error_class="PlexError", message="gone")
    names = {path.name for path in data_dir.iterdir()}
    # While connections are open SQLite keeps its WAL and shared-memory files next to each DB.
    assert {"queue.db", "queue.db-wal", "queue.db-shm", "dead_letters.db",
            "dead_letters.db-wal", "dead_letters.db-shm", "drainer.lock"} <= names
    for path in data_dir.iterdir():
        assert mode(path) == 0o600, path.name
    lock.release()
    letters.close()
    queue.close()
