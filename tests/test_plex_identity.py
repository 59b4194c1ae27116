"""Telling Plex from whatever else answers at plex_url, and classifying what a real Plex setup
throws (wrong settings, certificates, unreadable answers): pure logic."""

from __future__ import annotations

import ssl

import pytest
import requests
import urllib3

from plex.errors import PlexSettingError, UnreadableAnswer, read_only_token
from plex.identity import identify
from sync.failure import Kind
from tests.doubles.plex.faults import IMPOSTORS
from worker.outage import PLAIN_HTTP, classify

URL = "http://192.168.1.10:32400"
PLEX = (b'<?xml version="1.0" encoding="UTF-8"?>\n<MediaContainer size="0" claimed="1" '
        b'machineIdentifier="0123456789abcdef0123456789abcdef01234567" version="1.41.3"/>')


def test_plexs_own_identity_is_recognised() -> None:
    assert identify(URL, 200, "text/xml;charset=utf-8", PLEX) == \
        "0123456789abcdef0123456789abcdef01234567"


@pytest.mark.parametrize(("impostor", "says"), [
    ("web_page", "a web page (HTML)"),
    ("other_service", "JSON, as other services do"),
    ("not_found", "/identity answered HTTP 404"),
    ("empty", "an empty page"),
    ("cut_off", "XML that is cut off or not well-formed"),
])
def test_anything_else_is_named_with_the_setting_to_fix(impostor: str, says: str) -> None:
    status, body, content_type = IMPOSTORS[impostor]
    with pytest.raises(PlexSettingError) as raised:
        identify(URL, status, content_type, body.encode())
    message = str(raised.value)
    assert message.startswith(f"plex_url {URL} does not lead to Plex Media Server")
    assert says in message and "Set plex_url" in message


def test_xml_that_is_not_plexs_identity_is_not_plex() -> None:
    with pytest.raises(PlexSettingError, match=r"without Plex's machineIdentifier \(<rss>\)"):
        identify(URL, 200, "application/xml", b"<rss><channel/></rss>")


@pytest.mark.parametrize("status", [401, 403, 429, 500, 503])
def test_a_busy_or_guarded_answer_decides_nothing(status: int) -> None:
    assert identify(URL, status, "text/html", b"<html>busy</html>") is None


def _ssl_error(inner: Exception) -> requests.exceptions.SSLError:
    """What requests raises: its SSLError around urllib3's MaxRetryError around the cause."""
    wrapped = urllib3.exceptions.MaxRetryError(None, "/identity",  # type: ignore[arg-type]
                                               urllib3.exceptions.SSLError(inner))
    return requests.exceptions.SSLError(wrapped)


def test_an_untrusted_certificate_is_a_setting_naming_plex_certificate() -> None:
    cause = ssl.SSLCertVerificationError(1, "certificate verify failed")
    cause.verify_message = "self-signed certificate"
    failure = classify(_ssl_error(cause))
    assert failure.kind is Kind.CONFIG
    assert "(self-signed certificate)" in failure.message
    assert "plex_certificate" in failure.message and "'any'" in failure.message


def test_https_to_a_plain_http_server_names_plex_url() -> None:
    error = _ssl_error(ssl.SSLError(1, "[SSL: WRONG_VERSION_NUMBER] wrong version number"))
    assert (classify(error).kind, classify(error).message) == (Kind.CONFIG, PLAIN_HTTP)


def test_a_cut_handshake_is_an_outage() -> None:
    error = _ssl_error(ssl.SSLError(8, "EOF occurred in violation of protocol"))
    assert classify(error).kind is Kind.TRANSIENT


@pytest.mark.parametrize(("exc", "kind", "message"), [
    (requests.ConnectionError("HTTPConnectionPool(host='x', port=1): Max retries exceeded "
                              "(Caused by NewConnectionError(': Failed to establish a new "
                              "connection: [Errno 111] Connection refused'))"),
     Kind.TRANSIENT, "Plex is unreachable (Connection refused)"),
    (requests.ReadTimeout("Read timed out. (read timeout=1)"), Kind.TRANSIENT,
     "Plex did not answer within plex_timeout"),
    (requests.exceptions.ChunkedEncodingError("Connection broken: IncompleteRead"),
     Kind.TRANSIENT, "Plex is unreachable (connection failed)"),
    (UnreadableAnswer("/library/metadata/1,2", scoped=True), Kind.ERROR,
     "Plex answered /library/metadata/1,2 with XML that cannot be read (cut off or invalid)"),
    (UnreadableAnswer("/library/sections/1/all", scoped=False), Kind.TRANSIENT,
     "Plex answered /library/sections/1/all with XML that cannot be read (cut off or invalid)"),
    (read_only_token(403), Kind.CONFIG, str(read_only_token(403))),
])
def test_network_and_answer_failures(exc: Exception, kind: Kind, message: str) -> None:
    failure = classify(exc)
    assert (failure.kind, failure.message) == (kind, message)


def test_a_5xx_from_a_plain_request_is_an_outage() -> None:
    response = requests.Response()
    response.status_code = 503
    failure = classify(requests.HTTPError("503 Server Error", response=response))
    assert (failure.kind, failure.status) == (Kind.TRANSIENT, 503)
