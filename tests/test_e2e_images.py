"""End to end: pictures as a real Stash hands them out.

A scan fires Scene.Create.Post as soon as it commits the new scene; the cover comes later, from
a task that bumps updated_at and fires no hook (stashapp/stash pkg/scene/scan.go,
internal/manager/task_generate_screenshot.go). PlexSync never records Stash's placeholder as
the uploaded image and looks at a new scene again, so the real poster arrives unasked.

With `external_host` set, Stash builds every picture URL from it (stashapp/stash
internal/api/server.go, BaseURLMiddleware; internal/api/urlbuilders/scene.go): a proxy's address,
often with a login in front, sometimes not reachable from Stash's own machine. PlexSync fetches
every picture through the connection Stash gave the plugin instead. A picture that cannot be had
is that scene's failure, never a Plex outage.
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Iterator

import pytest

from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble, tiny_png
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


@pytest.mark.parametrize("clock", ["a later second", "the same second"])
def test_a_scanned_scene_gets_the_cover_stash_makes_after_its_create_hook(
    harness: Harness, stash: StashDouble, plex: PlexDouble, clock: str
) -> None:
    sample = harness.build_sample(3)
    ok(harness.task("sync_all"))
    stash.covers_later = True
    if clock == "the same second":  # the cover leaves updated_at, and so the URL, as it was
        stash.clock.freeze()
    cover = tiny_png("made by Stash's cover task")
    scene_id = stash.add_scene(title="Just Scanned", cover=cover,
                               files=[("/data/stash/new/scanned.mp4", 4321)])
    rk = plex.add_item(sample.section_id, file="/media/plex/new/scanned.mp4", size=4321)

    ok(harness.hook(scene_id, "Scene.Create.Post"))
    harness.wait_until(lambda: plex.item(rk)["fields"]["title"] == "Just Scanned"
                       and harness.queue_counts()["taken"] == 0, 30, "the new scene written")
    assert plex.item(rk)["poster_sha1"] is None  # Stash had only its placeholder
    if clock == "a later second":
        stash.clock.advance(1)
    assert stash.generate_covers() == [scene_id]  # no hook: nothing but PlexSync's look-again

    want = hashlib.sha1(cover).hexdigest()
    # Each look brings the next one forward, so the test never waits out the schedule.
    harness.wait_until(lambda: harness.make_due() >= 0 and plex.item(rk)["poster_sha1"] == want,
                       30, "the generated cover in Plex")
    harness.wait_drained()
    assert_synced(stash, plex, scene_id, [rk])
    assert harness.dead_letters() == []
