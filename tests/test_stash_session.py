"""PlexSync's Stash client on a password-only login: one session cookie, refreshed as Stash
refreshes it, renewed before it lapses, and a refused login told apart from other failures."""

from __future__ import annotations

import time

import pytest

from stash.client import StashClient
from stash.errors import ImageUnavailable, StashLoginRejected
from stash.login import RETRY_AFTER, Login
from stash.protocol import parse_connection
from tests.doubles.stash import StashDouble, tiny_png

AGE = 3600  # conftest's password_stash: Stash's default max_session_age


def test_a_busy_client_keeps_its_login_past_the_first_cookies_age(
        password_stash: StashDouble) -> None:
    scene = password_stash.add_scene(title="A", cover=tiny_png("a"))
    client = StashClient(parse_connection(password_stash.server_connection()))
    for _ in range(3):  # each call renews the session; the original cookie lapses meanwhile
        password_stash.clock.advance(AGE * 0.6)
        assert client.plugin_settings() == {}
    url = client.scenes_by_id([scene]).found[scene]["paths"]["screenshot"]
    password_stash.clock.advance(AGE * 0.6)
    assert client.image(url) == tiny_png("a")  # covers come with the same login


def test_a_lapsed_login_is_refused_as_such(password_stash: StashDouble) -> None:
    scene = password_stash.add_scene(title="A", cover=tiny_png("a"))
    client = StashClient(parse_connection(password_stash.server_connection()))
    url = client.scenes_by_id([scene]).found[scene]["paths"]["screenshot"]
    password_stash.clock.advance(AGE + 1)
    for call in (client.plugin_settings, lambda: client.scenes_by_id([scene])):
        with pytest.raises(StashLoginRejected):
            call()
    # A picture Stash sends to its login page is that one scene's failure (issue 11): the
    # GraphQL query before it is what tells a lapsed login.
    with pytest.raises(ImageUnavailable):
        client.image(url)
    stale = password_stash.server_connection()
    password_stash.expire_session()
    with pytest.raises(StashLoginRejected):
        StashClient(parse_connection(stale))


def test_a_login_is_renewed_once_half_its_life_has_passed() -> None:
    login = Login()
    assert not login.due(1e9)  # never renewed by Stash: an API key, or no login at all
    login.renewed(expires_at=4600.0, now=1000.0)
    assert not login.due(2799.0) and login.due(2800.0)
    login.trying(2800.0)  # Stash did not answer: not again for a while
    assert not login.due(2800.0 + RETRY_AFTER - 1) and login.due(2800.0 + RETRY_AFTER)
    login.renewed(expires_at=6400.0, now=2800.0)
    assert not login.due(4000.0)


def test_an_idle_client_renews_its_login_before_it_lapses(password_stash: StashDouble) -> None:
    client = StashClient(parse_connection(password_stash.server_connection()))
    now = time.time()
    password_stash.reset_counts()
    client.keep_login(now)
    assert password_stash.counts.get("graphql", 0) == 0  # fresh: nothing to do
    password_stash.clock.advance(AGE * 0.6)
    client.keep_login(now + AGE * 0.6)  # past half its life: one small request renews it
    assert password_stash.counts["graphql"] == 1
    password_stash.clock.advance(AGE * 0.6)  # the login as handed over would have lapsed by now
    assert client.plugin_settings() == {}


def test_a_client_on_an_api_key_never_renews() -> None:
    with StashDouble(api_key="KEY-e2e", session="SESS-e2e", session_max_age=AGE) as stash:
        client = StashClient(parse_connection(stash.server_connection()))
        stash.reset_counts()
        client.keep_login(time.time() + AGE * 10)
        assert stash.counts.get("graphql", 0) == 0
