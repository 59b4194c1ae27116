"""The sample library and the end-to-end harness hold what they promise."""

from __future__ import annotations

import json
import re
import time

import pytest

from sync.paths import stem, to_plex
from sync_queue.jobs import JobQueue
from tests.doubles.plex import PlexDouble
from tests.doubles.sample import build_sample
from tests.doubles.stash import StashDouble
from tests.harness import Harness
from tests.polling import DEADLINE
from validation.config import parse_path_map
from worker.process import IDLE_EXIT

DATE_SHAPES = {r"\d{4}", r"\d{4}-\d{2}", r"\d{4}-\d{2}-\d{2}"}


def _shape(date: str | None) -> str | None:
    return next((s for s in DATE_SHAPES if date and re.fullmatch(s, date)), None)


def test_every_stash_file_is_a_bare_plex_item_under_the_mapped_path(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(25, missing=1)
    rules = parse_path_map(sample.path_map)
    assert stash.scene_ids() == sample.scene_ids
    assert sample.path_map == "/data/stash=/media/plex"
    for scene_id in sample.synced_ids():
        mapped = [to_plex(f["path"], rules) for f in stash.scene(scene_id)["files"]]
        items = [plex.item(rk) for rk in sample.rating_keys[scene_id]]
        assert [item["files"] for item in items] == [[path] for path in mapped]
        for item in items:  # as Plex shows a freshly scanned clip: nothing but its file name
            assert item["fields"]["title"] == stem(item["files"][0])
            assert item["fields"]["studio"] is None
            assert item["actors"] == [] and not any(item["tags"].values())
            assert item["poster_sha1"] is None
    assert [sample.rating_keys[sid] for sid in sample.missing] == [[]]
    assert len(plex.items()) == 25  # 24 scenes in Plex, one of them with two files
    settings = stash.plugin_settings["plexsync"]
    assert settings == {"plex_url": plex.url, "plex_token": plex.token,
                        "data_dir": str(harness.data_dir), "path_map": sample.path_map}


def test_sample_has_the_variety_a_sync_must_handle() -> None:
    stash, plex = StashDouble(), PlexDouble()  # building needs no running server
    sample = build_sample(stash, plex, 25)
    scenes = [stash.scene(sid) for sid in sample.scene_ids]
    assert {_shape(s["date"]) for s in scenes} == DATE_SHAPES | {None}
    details = " ".join(s["details"] or "" for s in scenes)
    assert all(mark in details for mark in ("\n\n", '"', "“", "é", "🎬"))
    assert any(s["details"] is None for s in scenes)
    assert {s["rating100"] is None for s in scenes} == {True, False}
    assert {s["studio"] is None for s in scenes} == {True, False}
    assert any(s["groups"] for s in scenes) and any(not s["performers"] for s in scenes)
    assert any(studio.parent for studio in stash.store.studios.values())
    assert {p.image is None for p in stash.store.performers.values()} == {True, False}
    two_files = stash.scene(sample.two_file_scene)["files"]
    assert len(two_files) == 2 == len(sample.rating_keys[sample.two_file_scene])
    assert [s["id"] for s in scenes if s["cover"] is None] == [sample.coverless_scene]
    stash.stop()


def test_sample_is_deterministic() -> None:
    def build(seed: int) -> list[dict]:
        stash, plex = StashDouble(), PlexDouble()
        sample = build_sample(stash, plex, 30, seed=seed, missing=2)
        scenes = [{**stash.scene(sid), "plex": [plex.item(rk)["files"] for rk in
                                                sample.rating_keys[sid]]}
                  for sid in sample.scene_ids]
        stash.stop()
        for scene in scenes:
            del scene["created_at"], scene["updated_at"]
        return scenes

    assert build(7) == build(7)
    assert build(7) != build(8)


def test_windows_plex_paths_use_backslashes_and_map_from_stash() -> None:
    stash, plex = StashDouble(), PlexDouble()
    sample = build_sample(stash, plex, 5, plex_prefix="D:\\Media")
    rules = parse_path_map(sample.path_map)
    for scene_id in sample.synced_ids():
        plex_files = [plex.item(rk)["files"][0] for rk in sample.rating_keys[scene_id]]
        assert all(f.startswith("D:\\Media\\") and "/" not in f for f in plex_files)
        assert plex_files == [to_plex(f["path"], rules) for f in stash.scene(scene_id)["files"]]
    stash.stop()


def test_queue_status_is_one_json_object_over_the_protocol(
    harness: Harness, plex: PlexDouble
) -> None:
    run = harness.task("queue_status")
    assert run.returncode == 0, run.stderr
    reply = json.loads(run.stdout)
    assert isinstance(reply, dict) and "output" in reply and not reply.get("error")
    assert all(level != "raw" for level, _ in run.logs)
    assert plex.token not in run.stdout + run.stderr


@pytest.mark.parametrize(("timeout", "stall", "reason"), [
    (0.1, DEADLINE, "not drained after 0.1s"),
    (DEADLINE, 0.1, "no drainer has run for 0.1s"),  # the stall, long before the deadline
])
def test_wait_drained_names_what_is_stuck(harness: Harness, timeout: float, stall: float,
                                          reason: str) -> None:
    harness.data_dir.mkdir()
    queue = JobQueue(harness.data_dir)
    queue.enqueue(1, "2026-01-01T00:00:00+01:00")
    queue.close()
    with pytest.raises(TimeoutError, match=rf"{reason}.*'waiting': 1.*drainer running: False"):
        harness.wait_drained(timeout=timeout, stall=stall)


def test_wait_drained_ends_the_idle_drainer_a_hook_started(harness: Harness) -> None:
    sample = harness.build_sample(3)
    assert harness.hook(sample.scene_ids[0]).returncode == 0
    def idle() -> bool:
        counts = harness.queue_counts()
        return counts["waiting"] == counts["taken"] == 0 and harness.drainer_running()

    harness.wait_until(idle, what="the drainer idle, its job done")
    started = time.monotonic()
    harness.wait_drained()
    # Asked to hand over, it ends at its next look; left alone it would hold the lock for
    # IDLE_EXIT seconds more. Half of that is a guard, not a speed target.
    assert time.monotonic() - started < IDLE_EXIT / 2
    assert harness.queue_counts()["waiting"] == 0
    assert not harness.drainer_running() and harness.drainer_pid() is None


def test_kill_drainers_ends_a_running_drainer(harness: Harness) -> None:
    sample = harness.build_sample(3)
    assert harness.hook(sample.scene_ids[0]).returncode == 0
    harness.wait_until(lambda: harness.drainer_pid() is not None, what="drainer started")
    harness.kill_drainers()
    assert harness.drainer_pid() is None and not harness.drainer_running()
