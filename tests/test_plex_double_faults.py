"""Faults and scans of the Plex double, seen through the real plexapi client."""

from __future__ import annotations

import contextlib
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
import requests
from plexapi.exceptions import BadRequest
from plexapi.server import PlexServer

from tests.doubles.plex import PlexDouble
from tests.doubles.plex.client import connect, loopback_session
from tests.polling import wait_until


def test_maintenance_answers_503(plex: PlexDouble, server: PlexServer) -> None:
    plex.maintenance = True
    with pytest.raises(BadRequest, match=r"\(503\).*database migrations"):
        server.library.sections()
    plex.maintenance = False
    assert server.library.sections() == []


def test_down_refuses_then_comes_up_on_same_port(plex: PlexDouble, server: PlexServer) -> None:
    url = plex.url
    plex.go_down()
    with pytest.raises(requests.exceptions.ConnectionError):
        server.query("/identity")
    plex.come_up()
    assert plex.url == url
    assert server.query("/identity").get("machineIdentifier") == server.machineIdentifier


def test_hang_blocks_until_released(plex: PlexDouble, server: PlexServer) -> None:
    plex.hang = True
    answers: list[str | None] = []
    worker = threading.Thread(target=lambda: answers.append(server.query("/identity").tag))
    worker.start()
    wait_until(lambda: plex.counts["identity"] == 1)
    assert worker.is_alive() and answers == []
    plex.hang = False
    worker.join(timeout=30)
    assert answers == ["MediaContainer"]


def test_stop_releases_a_hung_request(plex: PlexDouble, server: PlexServer) -> None:
    plex.hang = True
    worker = threading.Thread(target=lambda: _swallow(lambda: server.query("/identity")))
    worker.start()
    wait_until(lambda: plex.counts["identity"] == 1)
    plex.stop()
    worker.join(timeout=30)
    assert not worker.is_alive()


def _swallow(call: Callable[[], object]) -> None:
    with contextlib.suppress(requests.exceptions.RequestException):
        call()


def test_latency_beyond_client_timeout_is_read_timeout(plex: PlexDouble) -> None:
    server = connect(plex, timeout=0.2)
    plex.latency = 5.0  # far beyond the client's timeout, however slowly the client runs
    with pytest.raises(requests.exceptions.ReadTimeout):
        server.query("/identity")


def test_error_rate_is_seeded(plex: PlexDouble, server: PlexServer) -> None:
    session = loopback_session()

    def statuses() -> list[int]:
        return [session.get(f"{plex.url}/identity").status_code for _ in range(40)]

    plex.error_rate = 0.3
    plex.seed(42)
    first = statuses()
    plex.seed(42)
    assert statuses() == first and {200, 500} == set(first)
    with pytest.raises(BadRequest, match=r"\(500\)"):
        plex.error_rate = 1.0
        server.query("/identity")


def test_scan_reveals_pending_file(plex: PlexDouble, server: PlexServer) -> None:
    sid = plex.add_section("Scenes", ["/data/scenes"])
    plex.add_item(sid, "/data/scenes/old.mp4")
    plex.add_pending(sid, "/data/scenes/new/clip.mp4", size=9, delay=0.0)
    section = server.library.sectionByID(sid)
    section.update(path="/data/scenes/other")
    assert section.totalViewSize() == 1
    section.update(path="/data/scenes/new")
    wait_until(lambda: section.totalViewSize() == 2)
    assert plex.scans == [(sid, "/data/scenes/other"), (sid, "/data/scenes/new")]
    new = section.all()[-1]
    assert new.title == "clip" and new.media[0].parts[0].size == 9


def test_scan_in_progress_shows_as_refreshing_and_activity(
    plex: PlexDouble, server: PlexServer
) -> None:
    sid = plex.add_section("Scenes", ["/data/scenes"])
    plex.add_pending(sid, "/data/scenes/late.mp4", delay=600)
    section = server.library.sectionByID(sid)
    assert server.activities == [] and section.refreshing is False
    section.update()
    assert section.reload().refreshing is True
    assert [a.type for a in server.activities] == ["library.update.section"]
    assert plex.items() == [] and plex.counts["refresh"] == 1


def test_runs_by_hand_as_a_module() -> None:
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.doubles.plex"], cwd=root, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        match = re.search(r"(http://127\.0\.0\.1:\d+) token (\S+)", proc.stdout.readline())
        assert match
        server = PlexServer(match[1], match[2], session=loopback_session())
        titles = [s.title for s in server.library.sections()]
        assert titles == ["Scenes", "Music"]
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            assert proc.wait(timeout=60) == 0
        finally:
            if proc.poll() is None:  # never leave it running
                proc.kill()
                proc.wait()
