"""Stash's own TLS: where its certificate is found, and both Stash clients over HTTPS."""

from __future__ import annotations

import ssl
import warnings
from pathlib import Path

import pytest

from stash import light, tls
from stash.client import StashClient
from stash.errors import StashError
from stash.protocol import parse_connection
from tests.doubles.stash import StashDouble, tiny_png
from tests.doubles.stash.tls import certificate_pair

VERSION = "{ version { version } }"


def test_the_certificate_is_looked_for_where_stash_looks(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # stashapp/stash internal/manager/config/config.go InitTLS: the config folder, then ~/.stash
    home, config = tmp_path / "home", tmp_path / "config"
    (home / ".stash").mkdir(parents=True)
    config.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    assert tls.certificate_file(str(config)) is None
    (home / ".stash" / "stash.crt").write_bytes(certificate_pair()[0])
    assert tls.certificate_file(str(config)) == home / ".stash" / "stash.crt"
    (config / "stash.crt").write_bytes(certificate_pair()[0])
    assert tls.certificate_file(str(config)) == config / "stash.crt"
    assert tls.certificate_file(None) == home / ".stash" / "stash.crt"


def test_contexts_trust_the_file_alone_or_nothing(tmp_path: Path) -> None:
    cert = tmp_path / "stash.crt"
    cert.write_bytes(certificate_pair()[0])
    pinned = tls.client_context(cert)
    assert pinned.verify_mode == ssl.CERT_REQUIRED and not pinned.check_hostname
    assert len(pinned.get_ca_certs()) == 1  # no public authority besides it
    open_context = tls.client_context(None)
    assert open_context.verify_mode == ssl.CERT_NONE
    assert tls.explain(OSError("refused"), cert) is None


@pytest.mark.parametrize("mode", [{"tls": "config"}, {"tls": "elsewhere"},
                                  {"tls": "config", "cert_expired": True}])
def test_both_clients_reach_stash_over_https(mode: dict) -> None:
    with StashDouble(**mode) as stash, warnings.catch_warnings():
        warnings.simplefilter("error")  # an unverified request must not warn on every call
        scene = stash.add_scene(title="A", cover=tiny_png("a"))
        connection = parse_connection(stash.server_connection())
        assert light.call(connection, VERSION)["version"]["version"]
        client = StashClient(connection)
        url = client.scenes_by_id([scene]).found[scene]["paths"]["screenshot"]
        assert url.startswith("https://") and client.image(url) == tiny_png("a")


def test_a_certificate_stash_does_not_serve_is_named(tmp_path: Path) -> None:
    with StashDouble(tls="config") as stash:
        stale = Path(stash.config_dir) / "stash.crt"
        stale.write_bytes(certificate_pair(common_name="old")[0])
        connection = parse_connection(stash.server_connection())
        with pytest.raises(light.StashUnavailable, match="another HTTPS certificate") as hook:
            light.call(connection, VERSION)
        with pytest.raises(StashError, match="another HTTPS certificate") as task:
            StashClient(connection)
        for failure in (hook, task):
            assert str(stale) in str(failure.value)
