"""Shared fixtures: both doubles (and a password-only Stash), the end-to-end harness and a job
queue, fresh for every test."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from sync_queue.jobs import JobQueue
from tests.ci import cannot_run
from tests.doubles.plex import PlexDouble
from tests.doubles.plex.client import connect
from tests.doubles.stash import StashDouble
from tests.doubles.stash.availability import ui_mode_missing
from tests.harness import Harness
from tests.plex_client import TOKEN, restore_plexapi_settings

if TYPE_CHECKING:  # plexapi is imported by tests.doubles.plex.client, after it points
    from plexapi.server import PlexServer  # PLEXAPI_CONFIG_PATH away from a user's config


@pytest.fixture(autouse=True)
def _standard_streams_left_alone() -> Iterator[None]:
    """No test may rebind or close the test process's standard streams (plexsync.py's main()
    rebinds sys.stdout, so it runs only in child processes): pytest writes its results there.
    Its output capture undoes such a leak between tests, but not with -s."""
    streams = (sys.stdout, sys.stderr)
    files = _open_files()
    yield
    assert (sys.stdout, sys.stderr) == streams, "a test rebound sys.stdout or sys.stderr"
    assert _open_files() == files, "a test closed or replaced fd 1 or 2"


def _open_files() -> list[tuple[int, int]]:
    return [(stat.st_dev, stat.st_ino) for stat in map(os.fstat, (1, 2))]


@pytest.fixture
def stash() -> Iterator[StashDouble]:
    double = StashDouble().start()
    yield double
    double.stop()


@pytest.fixture
def ui_stash() -> Iterator[StashDouble]:
    """The Stash double in UI mode (full schema, Stash's web UI); skips where ../shared lacks
    them (fails in CI). Browser tests get it as `stash` from tests/browser/conftest.py."""
    reason = ui_mode_missing()
    if reason:
        cannot_run(reason)
    double = StashDouble(ui=True).start()
    yield double
    double.stop()


@pytest.fixture
def password_stash() -> Iterator[StashDouble]:
    """A Stash with a password and no API key: a session cookie per run, lapsing an hour (Stash's
    default max_session_age) after its last use, on a stopped clock."""
    with StashDouble(credentials=True, session="sess-secret", session_max_age=3600) as double:
        double.clock.freeze()
        yield double


@pytest.fixture
def plex() -> Iterator[PlexDouble]:
    double = PlexDouble(token=TOKEN).start()
    yield double
    double.stop()


@pytest.fixture
def plexapi_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Undo what a PlexClient built in the test process changes process-wide (plexapi's
    environment and headers), so other tests see plexapi as they left it."""
    restore_plexapi_settings(monkeypatch)


@pytest.fixture
def server(plex: PlexDouble) -> PlexServer:
    """The real plexapi client, connected to the Plex double."""
    return connect(plex)


@pytest.fixture
def queue(tmp_path: Path) -> Iterator[JobQueue]:
    """The job queue in this test's folder."""
    q = JobQueue(tmp_path)
    yield q
    q.close()


@pytest.fixture
def harness(stash: StashDouble, plex: PlexDouble, tmp_path: Path) -> Iterator[Harness]:
    h = Harness(stash, plex, tmp_path)
    yield h
    # Before the doubles stop (fixtures tear down in reverse): a drainer left running would
    # outlive the test and keep retrying against closed ports.
    h.kill_drainers()
