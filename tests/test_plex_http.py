"""Plex's writes through the session's pool (plex/http.py, stash/pooled.py) answer, fail and
are classified exactly as the same write through plexapi's PlexServer.query and requests.

Each case sends one write both ways against the Plex double in the same fault mode and
compares what came back: nothing, or the same exception type, message and classification."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from plex.client import PlexClient
from plex.http import PlexWrites
from stash import pooled
from tests.doubles.plex import PlexDouble
from tests.doubles.plex.faults import GARBAGE
from tests.plex_client import make_client, make_config
from worker.outage import classify

pytestmark = pytest.mark.usefixtures("plexapi_settings")

Outcome = tuple[type, str] | None


def _outcome(send: Callable[[], Any]) -> tuple[Outcome, Any]:
    """What the send raised (type and message) and how the worker classifies it."""
    try:
        send()
    except Exception as exc:  # the point is to compare whatever is raised
        # Object addresses in urllib3's messages differ between any two connections.
        return (type(exc), re.sub(r" at 0x[0-9a-f]+", "", str(exc))), classify(exc)
    return None, None


def _both(client: PlexClient, path: str, method: str = "put",
          data: bytes | None = None) -> tuple[Outcome, Outcome]:
    """The same write through the pool and through plexapi; asserts they classify alike."""
    server, session = client._server, client._http
    writes = PlexWrites(server, session)
    assert writes._pool is not None  # the lean path, not the fallback
    lean, lean_failure = _outcome(lambda: writes.send(path, method, data))
    plexapi, failure = _outcome(
        lambda: server.query(path, method=getattr(session, method), data=data))
    assert lean_failure == failure
    return lean, plexapi


SECTION = "1"


@pytest.fixture
def key(plex: PlexDouble) -> str:
    section = plex.add_section("Scenes", ["/data"])
    assert str(section) == SECTION
    return plex.add_item(section, "/data/a.mp4")


@pytest.fixture
def client(plex: PlexDouble, tmp_path: Path, key: str) -> PlexClient:
    client = make_client(plex, tmp_path, plex_timeout=1)
    assert client._server is not None  # connected (GET /) before any fault is switched on
    return client


def _edit(key: str) -> str:
    """An edit PUT as plex/chunks.py targets it."""
    return f"/library/sections/{SECTION}/all?type=1&id={key}&title.value=New%20title"


@pytest.mark.parametrize("fault", [
    "none", "maintenance", "error_rate", "token", "gone", "garbage_xml", "garbage_html",
    "garbage_empty", "impostor_page", "impostor_404", "too_long"])
def test_a_write_answers_and_fails_as_through_plexapi(
        plex: PlexDouble, client: PlexClient, key: str, fault: str) -> None:
    path = _edit(key)
    if fault == "maintenance":
        plex.maintenance = True
    elif fault == "error_rate":
        plex.error_rate = 1.0
    elif fault == "token":
        plex.token = "rotated"
    elif fault == "gone":
        path = "/library/metadata/987654/posters"
    elif fault.startswith("garbage_"):
        plex.faults.garbage["edit"] = GARBAGE[fault.removeprefix("garbage_")]
    elif fault == "impostor_page":
        plex.impostor = "web_page"
    elif fault == "impostor_404":
        plex.impostor = "not_found"
    elif fault == "too_long":
        plex.faults.max_request_line = 40
    lean, plexapi = _both(client, path)
    assert lean == plexapi
    assert (lean is None) == (fault in ("none", "garbage_empty"))  # empty: as plexapi, fine


def test_an_upload_answers_and_fails_as_through_plexapi(plex: PlexDouble, client: PlexClient,
                                                        key: str) -> None:
    posters = f"/library/metadata/{key}/posters"
    assert _both(client, posters, "post", b"\x89PNG\r\n\x1a\nbytes") == (None, None)
    plex.token = "rotated"
    lean, plexapi = _both(client, posters, "post", b"bytes")
    assert lean == plexapi and lean is not None and lean[1].startswith("(401)")


def test_plex_down_or_hung_fails_as_through_requests(plex: PlexDouble, client: PlexClient,
                                                     key: str) -> None:
    plex.hang = True
    try:
        lean, plexapi = _both(client, _edit(key))
    finally:
        plex.hang = False
    assert lean == plexapi and lean is not None and lean[0] is requests.exceptions.ReadTimeout
    plex.go_down()
    try:
        lean, plexapi = _both(client, _edit(key))
    finally:
        plex.come_up()
    assert lean == plexapi and lean is not None and lean[0] is requests.ConnectionError


def test_the_pool_keeps_the_sessions_verification_and_leaves_proxies_to_requests(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from plex.session import session

    url = "https://plex.example.net:32400"
    pem = tmp_path / "plex.pem"
    pem.write_text("-----BEGIN CERTIFICATE-----\n")
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY",
                 "no_proxy", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    pinned = pooled.pool_for(session(make_config(url, plex_certificate=str(pem)), tmp_path), url)
    assert pinned is not None
    assert (pinned.pool.cert_reqs, pinned.pool.ca_certs) == ("CERT_REQUIRED", str(pem))
    anything = pooled.pool_for(session(make_config(url, plex_certificate="any"), tmp_path), url)
    assert anything is not None and anything.pool.cert_reqs == "CERT_NONE"
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example.net:3128")
    # A proxy applies to this (remote) Plex: no pool, so requests' own path carries the write.
    assert pooled.pool_for(session(make_config(url), tmp_path), url) is None


def test_writes_go_over_kept_connections_and_a_dropped_one_is_replaced(
        plex: PlexDouble, client: PlexClient, key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over plain HTTP the writes go over kept-alive http.client connections (stash/direct.py)
    beside the session's pool; one Plex closed meanwhile is noticed before use, or, closed just
    as it is used, the write goes through the pool instead: the write is never lost to it."""
    from stash import direct

    through_the_pool: list[str] = []
    urlopen = pooled._open
    monkeypatch.setattr(pooled, "_open", lambda pool, method, target, *rest: (
        through_the_pool.append(target), urlopen(pool, method, target, *rest))[1])
    writes = PlexWrites(client._server, client._http)
    assert writes._pool is not None and writes._pool.direct is not None
    for _ in range(3):
        writes.send(_edit(key))
    assert len(writes._pool.direct._idle) == 1  # one connection served all three
    plex.go_down()  # Plex restarts: the kept connection is closed under PlexSync
    plex.come_up()
    writes.send(_edit(key))  # noticed (it reads as closed): a new connection
    assert through_the_pool == []
    plex.go_down()
    plex.come_up()
    monkeypatch.setattr(direct, "wait_for_read", lambda *_args, **_kwargs: False)
    writes.send(_edit(key))  # not noticed: the request fails on it and the pool sends it
    assert through_the_pool == [_edit(key)]
    assert plex.item(key)["fields"]["title"] == "New title"
