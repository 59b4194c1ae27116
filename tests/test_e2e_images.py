"""End to end: pictures as a real Stash hands them out.

With `external_host` set, Stash builds every picture URL from it (stashapp/stash
internal/api/server.go, BaseURLMiddleware; internal/api/urlbuilders/scene.go): a proxy's address,
often with a login in front, sometimes not reachable from Stash's own machine. PlexSync fetches
every picture through the connection Stash gave the plugin instead. A picture that cannot be had
is that scene's failure, never a Plex outage.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble
from tests.harness import Harness
from tests.test_e2e_sync import assert_synced, expected, observed, ok

OUTAGE = "Plex is unreachable"


def closed_port() -> int:
    with socket.socket() as probe:  # a port nothing listens on once it is closed
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def login_proxy() -> Iterator[StashDouble]:
    """Another Stash address with a login in front: anonymous picture requests are sent to
    the login page (internal/api/authentication.go)."""
    proxy = StashDouble(api_key="the-proxy-wants-a-login").start()
    yield proxy
    proxy.stop()


@pytest.mark.parametrize("external", ["unreachable", "login"])
def test_covers_come_through_the_connection_stash_gave_the_plugin(
    harness: Harness, stash: StashDouble, plex: PlexDouble, login_proxy: StashDouble,
    external: str
) -> None:
    sample = harness.build_sample(6)
    host = f"http://127.0.0.1:{closed_port()}" if external == "unreachable" else login_proxy.url
    stash.external_host = host

    run = harness.task("sync_all")

    output = ok(run)
    assert "6 written" in output, output
    for scene_id in sample.synced_ids():
        assert_synced(stash, plex, scene_id, sample.rating_keys[scene_id])
    # Every cover (one per Plex item) was asked of Stash itself, none of the external host.
    items = sum(len(sample.rating_keys[sid]) for sid in sample.synced_ids())
    assert stash.counts["screenshot"] == items
    assert login_proxy.counts.get("rejected", 0) == 0
    assert OUTAGE not in run.stderr and harness.dead_letters() == []


@pytest.mark.parametrize("fault", [302, 500])
def test_a_cover_stash_cannot_serve_is_that_scenes_failure_not_an_outage(
    harness: Harness, stash: StashDouble, plex: PlexDouble, fault: int
) -> None:
    sample = harness.build_sample(6)
    harness.configure(max_retries=1)
    broken = next(sid for sid in sample.synced_ids() if stash.scene(sid)["cover"]
                  and len(sample.rating_keys[sid]) == 1)
    (broken_rk,) = sample.rating_keys[broken]
    stash.image_faults[f"/scene/{broken}/screenshot"] = fault

    run = harness.task("sync_all")

    output = ok(run)
    assert "5 written" in output and "1 dead" in output, output
    for scene_id in sample.synced_ids():
        if scene_id != broken:
            assert_synced(stash, plex, scene_id, sample.rating_keys[scene_id])
    # Everything but the cover reached Plex.
    assert observed(plex, broken_rk) == {**expected(stash, broken), "poster_sha1": None}
    [letter] = harness.dead_letters()
    assert letter.scene_id == broken and letter.attempts == 1  # retried once (max_retries 1)
    assert letter.message.startswith("could not download its cover from Stash: ")
    assert any(line.startswith(f"scene {broken} moved to the dead letters after 2 attempts: "
                               "could not download its cover from Stash")
               for line in run.messages("error"))
    assert OUTAGE not in run.stderr
    assert "Plex: reachable; circuit closed" in ok(harness.task("queue_status"))

    # Fixed in Stash: Retry Dead Letters brings the cover, and nothing else is rewritten.
    del stash.image_faults[f"/scene/{broken}/screenshot"]
    plex.reset_counts()
    ok(harness.task("dlq_retry"))
    harness.wait_drained()
    assert_synced(stash, plex, broken, [broken_rk])
    assert plex.counts["upload_poster"] == 1 and plex.counts.get("edit", 0) <= 1
