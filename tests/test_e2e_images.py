"""End to end: pictures as a real Stash hands them out.

A scan fires Scene.Create.Post as soon as it commits the new scene; the cover comes later, from
a task that bumps updated_at and fires no hook (stashapp/stash pkg/scene/scan.go,
internal/manager/task_generate_screenshot.go). PlexSync never records Stash's placeholder as
the uploaded image and looks at a new scene again, so the real poster arrives unasked.

Actor photos are fetched by Plex itself: from the address Plex reaches Stash by
(stash_url_for_plex), compared without the `t=` that moves on any edit of the performer.

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
from tests.doubles.stash.clock import unix_seconds
from tests.e2e import ok
from tests.harness import Harness
from tests.plex_views import assert_synced, expected, observed, write_counts

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
    # Every cover was asked of Stash itself, none of the external host: once per scene, however
    # many Plex items show it (issue 15; one scene of the sample has two).
    assert any(len(sample.rating_keys[sid]) > 1 for sid in sample.synced_ids())
    assert stash.counts["screenshot"] == len(sample.synced_ids())
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
                       and harness.queue_counts()["taken"] == 0, what="the new scene written")
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


def _photos(plex: PlexDouble, rating_keys: list[str]) -> dict[str, str | None]:
    return {actor["tag"]: actor["thumb"] for rk in rating_keys
            for actor in plex.item(rk)["actors"]}


def test_actor_photos_use_the_address_plex_reaches_stash_by_and_ignore_t(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(12)
    harness.configure(actor_photos=True, stash_url_for_plex="http://stash.lan:9999/")
    ok(harness.task("sync_all"))
    keys = [rk for sid in sample.synced_ids() for rk in sample.rating_keys[sid]]
    credited = {p for sid in sample.synced_ids() for p in stash.scene(sid)["performers"]}
    performers = {stash.store.performers[p].name: (p, stash.store.performers[p])
                  for p in credited}
    assert _photos(plex, keys) == {
        name: f"http://stash.lan:9999/performer/{p}/image?t={unix_seconds(rec.updated_at)}"
        if rec.image else None for name, (p, rec) in performers.items()}

    # Any edit of a performer moves the t= of its image URL, and the hook queues its scenes:
    # none of them is rewritten for that.
    pid = next(p for p, rec in performers.values() if rec.image)
    stash.clock.advance(5)
    stash.update_performer(pid, disambiguation="2020s")
    plex.reset_counts()
    ok(harness.hook(pid, "Performer.Update.Post", input={"id": str(pid),
                                                          "disambiguation": "2020s"}))
    harness.wait_drained()
    assert plex.counts["metadata"] >= 1  # the scenes were planned again, against Plex
    assert write_counts(plex) == {"edit": 0, "rate": 0, "upload_poster": 0, "upload_art": 0}


def test_health_check_says_when_actor_photos_lack_stash_s_address_for_plex(
    harness: Harness, stash: StashDouble
) -> None:
    harness.build_sample(3)
    harness.configure(actor_photos=True)
    report = harness.task("health_check").result["output"]
    checks = {c["check"]: (c["ok"], c["detail"]) for c in report["checks"]}
    assert report["ok"] is False and checks["actor_photos"] == (False, (
        f"actor_photos is on but stash_url_for_plex is empty: Plex is given photo addresses "
        f"on {stash.url}, which only a Plex on Stash's own machine can reach; set "
        "stash_url_for_plex to Stash's address as Plex reaches it (e.g. "
        "http://192.168.1.10:9999)"))

    harness.configure(stash_url_for_plex="http://stash.lan:9999")
    report = harness.task("health_check").result["output"]
    assert report["ok"] is True
    assert [c["ok"] for c in report["checks"] if c["check"] == "actor_photos"] == [True]
