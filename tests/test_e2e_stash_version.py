"""End to end against a Stash older than PlexSync supports (the double's `version` mode).

A real Stash v0.26 answers every scene query PlexSync sends with a validation error (no
`Scene.groups` before v0.27.0). Tasks and the background worker check Stash's version once per
run and stop with one message naming the minimum; hooks keep queueing and say the same; nothing
queued is lost, and once Stash is updated it all reaches Plex.
"""

from __future__ import annotations

from sync_queue import layout
from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble
from tests.doubles.stash.resolvers import VERSION
from tests.e2e import ok
from tests.harness import Harness
from tests.plex_views import assert_synced
from tests.plugin_run import run_plugin

OLD = "v0.26.2"
MINIMUM = "v0.27.0"


def _assert_names_both(text: str) -> None:
    assert OLD in text and MINIMUM in text, text


def test_tasks_and_hooks_on_an_old_stash_stop_with_one_message_and_lose_nothing(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(4)
    stash.version = OLD
    scene_ids = sample.synced_ids()
    for scene_id in scene_ids:
        run = harness.hook(scene_id)
        assert ok(run) == "queued 1 scene(s) for Plex"
        _assert_names_both(" ".join(run.messages("warning")))
    assert not (harness.data_dir / layout.DRAINER_LOG).exists()  # no worker started only to stop

    for mode in ("sync_all", "process_queue", "health_check"):
        run = harness.task(mode)
        assert run.returncode == 1
        _assert_names_both(run.result["error"])
        _assert_names_both(" ".join(run.messages("error")))
        assert "Traceback" not in run.stderr
    assert harness.queue_counts()["waiting"] == len(scene_ids)
    assert harness.dead_letters() == []
    assert plex.counts["edit"] == 0

    stash.version = VERSION  # Stash updated
    ok(harness.task("process_queue"))
    assert harness.queue_counts()["waiting"] == 0
    for scene_id in scene_ids:
        assert_synced(stash, plex, scene_id, sample.rating_keys[scene_id])


def test_the_background_worker_on_an_old_stash_stops_and_says_why(
        harness: Harness, stash: StashDouble) -> None:
    sample = harness.build_sample(2)
    ok(harness.hook(sample.synced_ids()[0]))
    harness.wait_drained()
    stash.clock.advance(1)
    stash.update_scene(sample.synced_ids()[0], title="Edited on an old Stash")
    stash.version = OLD
    ok(harness.hook(sample.synced_ids()[0]))
    # A worker started anyway (as by an earlier PlexSync): it checks the version first.
    payload = {"server_connection": stash.server_connection(), "data_dir": str(harness.data_dir)}
    worker = run_plugin(payload, args=["--drain"])
    assert worker.returncode == 1
    assert harness.queue_counts()["waiting"] == 1
    relayed = harness.hook(sample.synced_ids()[1])  # the next hook relays the worker's notice
    _assert_names_both(" ".join(relayed.messages("error")))
