"""The Plex double's gate: requests held by construction until the test lets them through."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
import requests
from plexapi.server import PlexServer

from tests.doubles.plex import PlexDouble
from tests.doubles.plex.client import loopback_session
from tests.polling import wait_until

HOLD = 60.0  # the gate's deadline in these tests; none of them should come near it


class Caller:
    """Sends requests on threads, as a plugin's worker threads do, and keeps the answers."""

    def __init__(self) -> None:
        self.answers: list[int | str] = []
        self._threads: list[threading.Thread] = []

    def send(self, call: Callable[[], requests.Response]) -> None:
        def run() -> None:
            try:
                self.answers.append(call().status_code)
            except requests.RequestException as exc:
                self.answers.append(type(exc).__name__)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self._threads.append(thread)

    def join(self) -> None:
        for thread in self._threads:
            thread.join(30)
            assert not thread.is_alive(), "a request is still waiting"


@pytest.fixture
def caller() -> Iterator[Caller]:
    yield Caller()


def _edit(plex: PlexDouble, sid: int, rk: str, title: str) -> Callable[[], requests.Response]:
    session = loopback_session()
    params = {"type": 1, "id": rk, "title.value": title, "X-Plex-Token": plex.token}
    return lambda: session.put(f"{plex.url}/library/sections/{sid}/all", params=params, timeout=30)


def _identity(plex: PlexDouble) -> Callable[[], requests.Response]:
    session = loopback_session()
    return lambda: session.get(f"{plex.url}/identity", timeout=30)


def test_the_gate_is_open_by_default(plex: PlexDouble, server: PlexServer) -> None:
    assert plex.gate.held() == 0
    assert server.query("/identity").tag == "MediaContainer"


def test_after_n_requests_the_next_ones_wait_until_opened(plex: PlexDouble,
                                                          caller: Caller) -> None:
    sid = plex.add_section("Scenes", ["/data"])
    rk = plex.add_item(sid, "/data/a.mp4")
    plex.gate.close("edit", after=1, timeout=HOLD)
    assert _edit(plex, sid, rk, "first")().status_code == 200  # let through
    caller.send(_edit(plex, sid, rk, "second"))
    plex.gate.wait_held("edit")

    assert plex.gate.held("edit") == 1 and plex.counts["edit"] == 2
    assert _identity(plex)().status_code == 200  # other kinds of request are not held
    assert plex.item(rk)["fields"]["title"] == "first" and caller.answers == []

    plex.gate.open()
    plex.gate.wait_idle()
    assert plex.item(rk)["fields"]["title"] == "second"
    caller.join()
    assert caller.answers == [200] and plex.gate.held() == 0 and not plex.gate.expired


def test_a_held_request_is_carried_out_even_if_its_client_is_gone(plex: PlexDouble) -> None:
    sid = plex.add_section("Scenes", ["/data"])
    rk = plex.add_item(sid, "/data/a.mp4")
    plex.gate.close("edit", timeout=HOLD)
    session = loopback_session()
    with pytest.raises(requests.exceptions.ReadTimeout):  # the client gives up and goes away
        session.put(f"{plex.url}/library/sections/{sid}/all", timeout=0.5, params={
            "type": 1, "id": rk, "title.value": "sent", "X-Plex-Token": plex.token})
    session.close()
    plex.gate.wait_held("edit")
    plex.gate.open()
    plex.gate.wait_idle()
    assert plex.item(rk)["fields"]["title"] == "sent"  # what the double held, it wrote


def test_closing_again_keeps_named_kinds_held_and_releases_the_others(
        plex: PlexDouble, caller: Caller) -> None:
    sid = plex.add_section("Scenes", ["/data"])
    rk = plex.add_item(sid, "/data/a.mp4")
    plex.gate.close("edit", "identity", timeout=HOLD)
    caller.send(_edit(plex, sid, rk, "held"))
    caller.send(_identity(plex))
    plex.gate.wait_held(count=2)
    plex.gate.close("edit", timeout=HOLD)  # identity is no longer held
    wait_until(lambda: caller.answers == [200])
    assert plex.gate.held("identity") == 0 and plex.gate.held("edit") == 1
    plex.gate.open()
    caller.join()
    assert sorted(map(str, caller.answers)) == ["200", "200"]


def test_a_forgotten_gate_opens_at_its_deadline(plex: PlexDouble, caller: Caller) -> None:
    plex.gate.close("identity", timeout=0.5)
    caller.send(_identity(plex))
    caller.join()  # answered without open(): the deadline passed
    assert caller.answers == [200] and plex.gate.expired
    with pytest.raises(TimeoutError, match="opened"):
        plex.gate.wait_held("identity", timeout=0.1)


def test_stop_releases_held_requests(plex: PlexDouble, caller: Caller) -> None:
    plex.gate.close("identity", timeout=HOLD)
    caller.send(_identity(plex))
    plex.gate.wait_held("identity")
    plex.stop()
    caller.join()
    assert plex.gate.held() == 0


def test_closing_needs_kinds_and_a_deadline(plex: PlexDouble) -> None:
    for bad in ({}, {"timeout": 0}):
        with pytest.raises((ValueError, TypeError)):
            plex.gate.close(**bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        plex.gate.close("edit")  # type: ignore[call-arg]
