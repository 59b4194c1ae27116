"""What a person reads when one scene fails: one sentence naming the request Plex refused and
what to do, with the status code but no URL, HTML or token; and the dead-letter groups by name.
The failure's kind still comes from the exception's type and status alone (pure logic)."""

from __future__ import annotations

import pytest
import requests
from plexapi.exceptions import BadRequest, NotFound

from sync.failure import Kind
from worker.outage import classify, reason_label

PLEX = "http://192.168.1.10:32400"
TOKEN = "tok-3f9a-secret"
PAGE = "<html><head><title>Bad Request</title></head><body><h1>400 Bad Request</h1></body></html>"


def _plexapi(exc_type: type[Exception], status: int, path: str) -> Exception:
    """As plexapi's PlexServer.query raises it: "(status) codename; url body"
    (pkkid/python-plexapi: plexapi/server.py query)."""
    return exc_type(f"({status}) bad_request; {PLEX}{path}?X-Plex-Token={TOKEN} {PAGE}")


def _readable(message: str) -> None:
    for leak in ("http", "<", TOKEN, "BadRequest", "NotFound", "192.168"):
        assert leak not in message, (leak, message)


@pytest.mark.parametrize(("path", "says"), [
    ("/library/metadata/1/posters",
     "Plex refused the poster upload (HTTP 400): it could not use the scene's cover from Stash; "
     "replace the cover in Stash, then retry the scene"),
    ("/library/metadata/1/arts",
     "Plex refused the background picture upload (HTTP 400): it could not use the scene's cover "
     "from Stash; replace the cover in Stash, then retry the scene"),
    ("/library/sections/2/all",
     "Plex refused the metadata edit (HTTP 400): it would not store one of the scene's values; "
     "check the scene's fields in Stash, then retry the scene"),
    ("/:/rate",
     "Plex refused the rating (HTTP 400): it would not store one of the scene's values; check "
     "the scene's fields in Stash, then retry the scene"),
])
def test_a_refused_value_names_the_request_and_what_to_fix(path: str, says: str) -> None:
    failure = classify(_plexapi(BadRequest, 400, path))
    assert (failure.kind, failure.status, failure.error_class) == (Kind.BAD_DATA, 400,
                                                                  "bad_data:400")
    assert failure.message == says
    _readable(failure.message)


def test_an_item_gone_from_plex_says_to_scan_the_library() -> None:
    failure = classify(_plexapi(NotFound, 404, "/library/metadata/7/posters"))
    assert (failure.kind, failure.status) == (Kind.ITEM_GONE, 404)
    assert failure.message == (
        "Plex no longer has the scene's item (the poster upload answered HTTP 404): it was "
        "removed or re-added in Plex; scan the library in Plex, then retry the scene")
    _readable(failure.message)


def test_another_refusal_keeps_its_status_and_points_at_plexs_log() -> None:
    failure = classify(_plexapi(BadRequest, 414, "/library/sections/2/all"))
    assert (failure.kind, failure.error_class) == (Kind.ERROR, "error:414")
    assert failure.message == (
        "Plex refused the metadata edit (HTTP 414); retry the scene, and if Plex refuses it "
        "again look in Plex's own log (Plex Web: Settings > Troubleshooting)")

    response = requests.Response()
    response.status_code = 413
    response.request = requests.Request(
        "POST", f"{PLEX}/library/metadata/3/posters?X-Plex-Token={TOKEN}").prepare()
    failure = classify(requests.HTTPError(f"413 Client Error for url: {response.request.url}",
                                          response=response))
    assert (failure.kind, failure.error_class) == (Kind.ERROR, "error:413")
    assert failure.message.startswith("Plex refused the poster upload (HTTP 413); ")
    _readable(failure.message)


def test_an_unexpected_error_says_so_without_the_urls_it_carries() -> None:
    failure = classify(KeyError(f"title at {PLEX}/library/metadata/1?X-Plex-Token={TOKEN}"))
    assert (failure.kind, failure.error_class) == (Kind.ERROR, "error")
    assert failure.message.startswith("PlexSync failed unexpectedly on this scene (KeyError: ")
    assert failure.message.endswith("); retry the scene, and if it fails again report it with "
                                    "Stash's log")
    _readable(failure.message)


@pytest.mark.parametrize(("reason", "label"), [
    ("bad_data:400", "Plex refused a value (HTTP 400)"),
    ("item_gone:404", "Item no longer in Plex (HTTP 404)"),
    ("error:414", "Plex refused a request (HTTP 414)"),
    ("error", "Other failures"),
])
def test_dead_letter_groups_read_as_words(reason: str, label: str) -> None:
    assert reason_label(reason) == label
