"""Cover downloads through the Stash session's pool (stash/images.py, stash/pooled.py) answer
and fail as the same GET through the requests session, and keep Stash's session login alive
the way the session's own response hook does (stash/transport.py)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests
from requests.cookies import RequestsCookieJar, create_cookie, get_cookie_header

from stash.client import StashClient
from stash.errors import ImageUnavailable
from stash.images import Picture, cookie_header
from stash.protocol import parse_connection
from stash.urls import rebase
from tests.doubles.stash import StashDouble, tiny_png

AGE = 3600


@pytest.fixture
def stash() -> Iterator[StashDouble]:
    with StashDouble(credentials=True, session="SESS-e2e", session_max_age=AGE) as double:
        double.clock.freeze()
        yield double


def _cover_url(client: StashClient, scene: int) -> str:
    url = client.scenes_by_id([scene]).found[scene]["paths"]["screenshot"]
    return rebase(url, client._base_url)


def _through_the_session(client: StashClient, url: str) -> Picture:
    response = client._http.get(url, allow_redirects=False)
    return Picture(response.status_code, response.headers.get("Content-Type", ""),
                   response.content)


@pytest.mark.parametrize("fault", [None, 302, 401, 404, 500, "placeholder"])
def test_a_picture_answers_as_through_the_session(stash: StashDouble, fault: int | str | None
                                                  ) -> None:
    scene = stash.add_scene(title="A", cover=None if fault == "placeholder" else tiny_png("a"))
    client = StashClient(parse_connection(stash.server_connection()))
    url = _cover_url(client, scene)
    if isinstance(fault, int):
        stash.image_faults[f"/scene/{scene}/screenshot"] = fault
    lean = client._pictures.get(url)
    assert client._pictures._pool is not None  # the pool, not the session's fallback
    assert lean == _through_the_session(client, url)
    assert (lean.status == 200) == (fault in (None, "placeholder"))


def test_cover_downloads_alone_keep_the_login_alive(stash: StashDouble) -> None:
    scenes = {stash.add_scene(title=t, cover=tiny_png(t)): t for t in "abcd"}
    client = StashClient(parse_connection(stash.server_connection()))
    urls = {scene: _cover_url(client, scene) for scene in scenes}
    client._login.renewed_at = None
    for scene, title in scenes.items():  # each answer renews the session; older ones lapse
        stash.clock.advance(AGE * 0.6)
        assert client.image(urls[scene]) == tiny_png(title)
    [kept] = [c.value for c in client._http.cookies if c.name == "session"]
    assert stash.sessions.valid(kept)
    assert client._login.renewed_at is not None  # the renewal was recorded, as for GraphQL


def test_with_an_api_key_a_cover_needs_no_cookie() -> None:
    with StashDouble(api_key="KEY-e2e", session="SESS-e2e") as stash:
        scene = stash.add_scene(title="A", cover=tiny_png("a"))
        client = StashClient(parse_connection(stash.server_connection()))
        assert not list(client._http.cookies)  # the start query switched to the key
        assert client.image(_cover_url(client, scene)) == tiny_png("a")


def test_stash_gone_fails_a_cover_as_through_the_session(stash: StashDouble) -> None:
    scene = stash.add_scene(title="A", cover=tiny_png("a"))
    client = StashClient(parse_connection(stash.server_connection()))
    url = _cover_url(client, scene)
    client.image(url)
    stash.go_down()
    try:
        with pytest.raises(ImageUnavailable) as lean:
            client.image(url)
        client._pictures._pool = None  # the session's own GET
        with pytest.raises(ImageUnavailable) as plain:
            client.image(url)
    finally:
        stash.come_up()
    address = re.compile(r" at 0x[0-9a-f]+")
    assert address.sub("", str(lean.value)) == address.sub("", str(plain.value))
    assert "Stash did not answer for /scene/" in str(lean.value)


def _jar(*cookies: dict) -> RequestsCookieJar:
    jar = RequestsCookieJar()
    for cookie in cookies:
        jar.set_cookie(create_cookie(**cookie))
    return jar


@pytest.mark.parametrize("cookies", [
    [{"name": "session", "value": "handed-over"}],  # as the plugin is handed it: no domain
    [{"name": "session", "value": "renewed", "domain": "127.0.0.1", "expires": 2**31}],
    [{"name": "session", "value": "lapsed", "domain": "127.0.0.1", "expires": 1}],
    [{"name": "session", "value": "other-host", "domain": "10.0.0.9"}],
    [{"name": "session", "value": "https-only", "secure": True}],
    [{"name": "session", "value": "a"}, {"name": "theme", "value": "dark"}],
    [{"name": "session", "value": "deep", "path": "/scene/1"}],
    [],
])
@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_the_cookie_header_is_what_requests_would_send(cookies: list[dict], host: str) -> None:
    url = f"http://{host}:9999/scene/1/screenshot?t=1"
    request = requests.Request("GET", url)
    assert cookie_header(_jar(*cookies), request) == get_cookie_header(_jar(*cookies), request)
