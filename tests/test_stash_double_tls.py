"""The Stash double over HTTPS, as Stash serves it with the user's self-signed stash.crt."""

from __future__ import annotations

import socket
import ssl
from pathlib import Path

import pytest
import requests
from stashapi.stashapp import StashInterface

from tests.doubles.stash import StashDouble

# Some requests here skip verification on purpose.
pytestmark = pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")

QUERY = {"query": "{ findScenes { scenes { paths { screenshot } } } }"}


def _pinned(cert: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.load_verify_locations(cert)
    return context


def test_https_with_the_pair_in_the_config_folder() -> None:
    with StashDouble(tls="config") as stash:
        stash.add_scene(title="A")
        connection = stash.server_connection()
        assert connection["Scheme"] == "https" and connection["Host"] == "0.0.0.0"
        assert {p.name for p in Path(connection["Dir"]).iterdir()} >= {"stash.crt", "stash.key"}
        assert stash.cert_path == Path(connection["Dir"]) / "stash.crt"
        # What users meet today: the default verification refuses a self-signed certificate,
        # and stashapi verifies by default.
        with pytest.raises(requests.exceptions.SSLError):
            requests.post(f"{stash.url}/graphql", json=QUERY, timeout=30)
        with pytest.raises(requests.exceptions.SSLError):
            StashInterface(connection)
        # The certificate is for the user's name for the machine, not for 127.0.0.1.
        strict = ssl.create_default_context(cafile=str(stash.cert_path))
        with pytest.raises(ssl.SSLCertVerificationError, match="mismatch|match"), \
                socket.create_connection(("127.0.0.1", stash.port), timeout=30) as raw:
            strict.wrap_socket(raw, server_hostname="127.0.0.1")
        with socket.create_connection(("127.0.0.1", stash.port), timeout=30) as raw, \
                _pinned(stash.cert_path).wrap_socket(raw) as tls:
            tls.sendall(b"GET /nothing HTTP/1.0\r\n\r\n")
            assert tls.recv(64).startswith(b"HTTP/1.0 404")
        answer = requests.post(f"{stash.url}/graphql", json=QUERY, timeout=30, verify=False)
        (scene,) = answer.json()["data"]["findScenes"]["scenes"]
        assert scene["paths"]["screenshot"].startswith(f"https://127.0.0.1:{stash.port}/")


def test_https_with_the_pair_elsewhere_leaves_the_config_folder_empty() -> None:
    with StashDouble(tls="elsewhere") as stash:
        assert stash.server_connection()["Scheme"] == "https"
        assert not (Path(stash.config_dir) / "stash.crt").exists()
        assert stash.cert_path is not None and stash.cert_path.exists()
        assert requests.post(f"{stash.url}/graphql", json=QUERY, timeout=30, verify=False).ok


def test_an_expired_certificate_is_still_served() -> None:
    with StashDouble(tls="config", cert_expired=True) as stash, \
            socket.create_connection(("127.0.0.1", stash.port), timeout=30) as raw, \
            pytest.raises(ssl.SSLCertVerificationError, match="expired"):
        _pinned(stash.cert_path).wrap_socket(raw)  # type: ignore[arg-type]


def test_plain_http_by_default(stash: StashDouble) -> None:
    assert stash.server_connection()["Scheme"] == "http" and stash.cert_path is None
    assert requests.post(f"{stash.url}/graphql", json=QUERY, timeout=30).ok
