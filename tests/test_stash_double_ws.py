"""The double's `/graphql` websocket, spoken to by an independent client (the `websockets`
library): sub-protocol graphql-transport-ws (enisdenjo/graphql-ws PROTOCOL.md) as Stash's
gqlgen server speaks it, and jobsSubscribe delivering the job updates of a plugin task as
stashapp/stash internal/api/resolver_subscription_job.go and pkg/job/manager.go send them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from tests.doubles.stash import StashDouble
from tests.plugin_run import ROOT
from tests.schema_fidelity import assert_valid_against_real_schema

UI_PLUGIN = ROOT / "tests" / "ui_plugin" / "uitest.yml"
PROTOCOL = "graphql-transport-ws"
TIMEOUT = 60
# The UI's own document (ui/v2.5/graphql/subscriptions.graphql of stashapp/stash v0.30.1)
JOBS = """subscription JobsSubscribe { jobsSubscribe { type job { id status subTasks
  description progress error startTime } } }"""


@pytest.fixture
def socket(ui_stash: StashDouble) -> Iterator[ClientConnection]:
    url = ui_stash.url.replace("http://", "ws://") + "/graphql"
    with connect(url, subprotocols=[PROTOCOL], proxy=None, open_timeout=TIMEOUT) as ws:
        yield ws


def _send(ws: ClientConnection, message: dict[str, Any]) -> None:
    ws.send(json.dumps(message))


def _receive(ws: ClientConnection) -> dict[str, Any]:
    return json.loads(ws.recv(timeout=TIMEOUT))


def _acknowledged(ws: ClientConnection) -> ClientConnection:
    _send(ws, {"type": "connection_init", "payload": {}})
    assert _receive(ws) == {"type": "connection_ack"}
    return ws


def _close_code(ws: ClientConnection) -> int:
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=TIMEOUT)
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


def test_init_ack_and_ping_pong(socket: ClientConnection) -> None:
    assert socket.subprotocol == PROTOCOL
    _acknowledged(socket)
    _send(socket, {"type": "ping"})
    assert _receive(socket) == {"type": "pong"}


def test_jobs_subscribe_follows_a_plugin_task_from_add_to_remove(
        ui_stash: StashDouble, socket: ClientConnection, tmp_path: Path) -> None:
    assert_valid_against_real_schema(JOBS)
    _acknowledged(socket)
    _send(socket, {"id": "1", "type": "subscribe", "payload": {"query": JOBS}})
    # The server handles messages in order: once the pong is back the subscription is live.
    _send(socket, {"type": "ping"})
    assert _receive(socket) == {"type": "pong"}
    ui_stash.install_plugin(UI_PLUGIN)
    release = tmp_path / "release"
    job_id = ui_stash.run_plugin_task("uitest", "Hold", args={"release": str(release)})
    updates = []
    while not updates or updates[-1]["type"] != "REMOVE":
        message = _receive(socket)
        assert (message["id"], message["type"]) == ("1", "next")
        updates.append(message["payload"]["data"]["jobsSubscribe"])
        if updates[-1]["job"]["progress"] == 0.5:
            release.touch()
    assert all(u["job"]["id"] == str(job_id) for u in updates)
    assert all(u["job"]["description"] == "Running plugin task: Hold" for u in updates)
    seen = [(u["type"], u["job"]["status"]) for u in updates]
    assert seen[0] == ("ADD", "READY")
    assert seen[1] == ("UPDATE", "RUNNING")
    assert seen[-1] == ("REMOVE", "FINISHED")
    assert {u["job"]["progress"] for u in updates} >= {0.0, 0.5, 1.0}
    assert updates[1]["job"]["startTime"] is not None


def test_scan_complete_is_accepted_and_silent_and_complete_ends_a_subscription(
        ui_stash: StashDouble, socket: ClientConnection) -> None:
    _acknowledged(socket)
    _send(socket, {"id": "scan", "type": "subscribe",
                   "payload": {"query": "subscription { scanCompleteSubscribe }"}})
    _send(socket, {"id": "jobs", "type": "subscribe", "payload": {"query": JOBS}})
    _send(socket, {"id": "jobs", "type": "complete"})
    _send(socket, {"id": "later", "type": "subscribe", "payload": {"query": JOBS}})
    _send(socket, {"type": "ping"})
    assert _receive(socket) == {"type": "pong"}  # all of the above is handled
    ui_stash.add_job("Scanning...")
    # only the live subscription speaks: nothing for "scan" nor for the completed "jobs"
    answer = _receive(socket)
    assert (answer["id"], answer["payload"]["data"]["jobsSubscribe"]["type"]) == ("later",
                                                                                  "ADD")


def test_query_over_the_socket_answers_next_then_complete(socket: ClientConnection) -> None:
    _acknowledged(socket)
    _send(socket, {"id": "q", "type": "subscribe",
                   "payload": {"query": "{ systemStatus { status } }"}})
    assert _receive(socket) == {"id": "q", "type": "next",
                                "payload": {"data": {"systemStatus": {"status": "OK"}}}}
    assert _receive(socket) == {"id": "q", "type": "complete"}


def test_invalid_document_answers_an_error_message(socket: ClientConnection) -> None:
    _acknowledged(socket)
    _send(socket, {"id": "bad", "type": "subscribe",
                   "payload": {"query": "subscription { noSuchSubscription }"}})
    answer = _receive(socket)
    assert (answer["id"], answer["type"]) == ("bad", "error")
    assert "noSuchSubscription" in answer["payload"][0]["message"]


@pytest.mark.parametrize(("messages", "code"), [
    ([{"id": "1", "type": "subscribe", "payload": {"query": JOBS}}], 4401),
    ([{"type": "connection_init"}, {"type": "connection_init"}], 4429),
    ([{"type": "connection_init"}, {"id": "1", "type": "subscribe", "payload": {"query": JOBS}},
      {"id": "1", "type": "subscribe", "payload": {"query": JOBS}}], 4409),
    ([{"type": "no_such_type"}], 4400),
])
def test_protocol_violations_close_with_the_specified_code(
        socket: ClientConnection, messages: list[dict[str, Any]], code: int) -> None:
    for message in messages:
        _send(socket, message)
    while True:
        try:
            message = json.loads(socket.recv(timeout=TIMEOUT))
        except ConnectionClosed as closed:
            assert closed.rcvd is not None and closed.rcvd.code == code
            return
        assert message["type"] == "connection_ack"


def test_a_websocket_without_the_sub_protocol_is_refused(ui_stash: StashDouble) -> None:
    answer = requests.get(ui_stash.url + "/graphql", timeout=10, headers={
        "Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="})
    assert answer.status_code == 400


def test_stopping_the_double_closes_open_sockets(ui_stash: StashDouble,
                                                 socket: ClientConnection) -> None:
    _acknowledged(socket)
    ui_stash.stop()
    assert _close_code(socket) == 1001
