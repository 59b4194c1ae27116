"""PlexClient when Plex misbehaves: a wrong token, maintenance, an outage, a hung server, and
a proxy in the environment that must not sit between PlexSync and a Plex on this machine."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests
from plexapi.exceptions import BadRequest, Unauthorized

from tests.doubles.plex import PlexDouble
from tests.e2e import assert_waited_for_nothing
from tests.plex_client import TOKEN, make_client, make_config

pytestmark = pytest.mark.usefixtures("plexapi_settings")


def test_probe_up_unauthorized_down_and_maintenance(plex: PlexDouble, tmp_path: Path) -> None:
    client = make_client(plex, tmp_path)
    client.probe()
    plex.token = "rotated"
    with pytest.raises(Unauthorized):
        client.probe()
    with pytest.raises(Unauthorized):
        make_client(plex, tmp_path).check()  # connecting sends nothing; the check does
    plex.token = TOKEN
    plex.maintenance = True
    with pytest.raises(BadRequest, match=r"^\(503\)") as raised:
        client.probe()
    assert not isinstance(raised.value, Unauthorized)
    plex.maintenance = False
    plex.go_down()
    with pytest.raises(requests.exceptions.ConnectionError):
        client.probe()
    plex.come_up()
    client.probe()


def test_a_hung_server_times_out(plex: PlexDouble, tmp_path: Path) -> None:
    client = make_client(plex, tmp_path, plex_timeout=1)
    plex.hang = True
    try:
        started = time.monotonic()
        with pytest.raises(requests.exceptions.Timeout):
            client.probe()
        with pytest.raises(requests.exceptions.Timeout):
            make_client(plex, tmp_path, plex_timeout=1).check()
        # Two requests, each left to its plex_timeout (1 s) and not sent again; the default
        # (30 s) would take 60.
        assert sum(plex.counts.values()) == 2
        assert_waited_for_nothing(time.monotonic() - started, hung=2, plex_timeout=1)
    finally:
        plex.hang = False
    client.probe()


def test_a_proxy_in_the_environment_is_bypassed_for_loopback(
    plex: PlexDouble, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sid = plex.add_section("Scenes", ["/data"])
    plex.add_item(sid, "/data/a.mp4")
    # Nothing listens on port 9: a request sent through this proxy would fail.
    for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    for name in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    client = make_client(plex, tmp_path)
    assert [len(page) for page in client.listing(client.sections()[0])] == [1]
    client.probe()


@pytest.mark.parametrize(("setting", "verify"), [("any", False), (None, "/env/bundle.pem")])
def test_plex_certificate_wins_over_a_ca_bundle_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, setting: str | None, verify: object
) -> None:
    from plex.session import session

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/env/bundle.pem")
    config = make_config("https://plex.example.net:32400", plex_certificate=setting)
    http = session(config, tmp_path)
    assert http.trust_env  # not on this machine: the environment applies...
    merged = http.merge_environment_settings(config.plex_url, {}, None, None, None)
    assert merged["verify"] == verify  # ...but not to what plex_certificate decides
