"""PlexSync's Stash client on a password-only login: one session cookie, refreshed as Stash
refreshes it, and a refused login told apart from Stash being unreachable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stash.client import StashClient
from stash.errors import StashLoginRejected
from stash.protocol import parse_connection
from tests.doubles.stash import StashDouble, tiny_png

AGE = 3600


@pytest.fixture
def stash() -> Iterator[StashDouble]:
    with StashDouble(credentials=True, session="SESS-e2e", session_max_age=AGE) as double:
        double.clock.freeze()
        yield double


def test_a_busy_client_keeps_its_login_past_the_first_cookies_age(stash: StashDouble) -> None:
    scene = stash.add_scene(title="A", cover=tiny_png("a"))
    client = StashClient(parse_connection(stash.server_connection()))
    for _ in range(3):  # each call renews the session; the original cookie lapses meanwhile
        stash.clock.advance(AGE * 0.6)
        assert client.plugin_settings() == {}
    url = client.scenes_by_id([scene]).found[scene]["paths"]["screenshot"]
    stash.clock.advance(AGE * 0.6)
    assert client.image(url) == tiny_png("a")  # covers come with the same login


def test_a_lapsed_login_is_refused_as_such(stash: StashDouble) -> None:
    scene = stash.add_scene(title="A", cover=tiny_png("a"))
    client = StashClient(parse_connection(stash.server_connection()))
    url = client.scenes_by_id([scene]).found[scene]["paths"]["screenshot"]
    stash.clock.advance(AGE + 1)
    for call in (client.plugin_settings, lambda: client.scenes_by_id([scene]),
                 lambda: client.image(url)):
        with pytest.raises(StashLoginRejected):
            call()
    stale = stash.server_connection()
    stash.expire_session()
    with pytest.raises(StashLoginRejected):
        StashClient(parse_connection(stale))
