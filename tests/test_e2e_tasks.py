"""End to end: the tasks that write, Sync All (and force), Sync Recent and Process Queue.

plexsync.py runs as Stash runs it (a child process per task, the manifest's defaultArgs on
stdin) against both doubles; assertions are about what Plex and the queue hold afterwards and
what the plugin replied and logged. Starting a task as Stash does and checking its reply are
tests/e2e.py's.
"""

from __future__ import annotations

import time

from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble
from tests.e2e import assert_replied, assert_waited_for_nothing, run_task
from tests.harness import Harness
from tests.plex_views import snapshots, stash_titles, titles, writes
from tests.queue_rows import queue_scenes
from tests.schema_fidelity import assert_recorded_queries_valid

HOUR = 3600.0


# --- Sync All Scenes ------------------------------------------------------------------------------

def test_sync_all_writes_what_plex_lacks_and_skips_current_versions(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(12)
    ids = sample.scene_ids
    output = assert_replied(harness, run_task(harness, "Sync All Scenes"))
    assert output.startswith("0 of 12 scene(s) already current in Plex; 12 written")
    assert titles(plex, sample, ids) == stash_titles(stash, ids)
    assert harness.queue_counts()["waiting"] == 0

    stash.clock.advance(60)  # a later edit: Stash stamps updated_at to the second
    stash.update_scene(ids[4], title="Retitled in Stash")
    plex.reset_counts()
    output = assert_replied(harness, run_task(harness, "Sync All Scenes"))
    assert output.startswith("11 of 12 scene(s) already current in Plex; 1 written")
    assert writes(plex) == {"edit": len(sample.rating_keys[ids[4]])}
    assert titles(plex, sample, [ids[4]]) == {ids[4]: {"Retitled in Stash"}}

    plex.reset_counts()
    output = assert_replied(harness, run_task(harness, "Sync All Scenes"))
    assert output.startswith("12 of 12 scene(s) already current in Plex; 0 written")
    assert writes(plex) == {}
    assert_recorded_queries_valid(stash.queries)


def test_force_rewrites_scenes_that_sync_all_takes_as_current(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(6)
    ids = sample.scene_ids
    assert_replied(harness, run_task(harness, "Sync All Scenes"))
    edited = sample.rating_keys[ids[3]][0]
    plex.set_field(edited, "title", "Renamed by hand in Plex")

    output = assert_replied(harness, run_task(harness, "Sync All Scenes"))
    assert output.startswith("6 of 6 scene(s) already current in Plex; 0 written")
    assert plex.item(edited)["fields"]["title"] == "Renamed by hand in Plex"

    output = assert_replied(harness, run_task(harness, "Sync All Scenes (force)"))
    assert output.startswith("0 of 6 scene(s) already current in Plex; 6 written")
    assert plex.item(edited)["fields"]["title"] == stash.scene(ids[3])["title"]
    assert_recorded_queries_valid(stash.queries)


def test_force_writes_every_item_even_when_nothing_changed(
    harness: Harness, plex: PlexDouble
) -> None:
    sample = harness.build_sample(4)
    assert_replied(harness, run_task(harness, "Sync All Scenes"))
    plex.reset_counts()
    assert_replied(harness, run_task(harness, "Sync All Scenes (force)"))
    items = sum(len(keys) for keys in sample.rating_keys.values())
    assert writes(plex).get("edit", 0) >= items


# --- Sync Recent Scenes ---------------------------------------------------------------------------

def test_sync_recent_takes_only_scenes_updated_within_the_window_in_stash_zone(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    shift = 0.0

    def at(hours_ago: float) -> None:  # the Stash clock, hours before the real now
        nonlocal shift
        stash.clock.advance(-hours_ago * HOUR - shift)
        shift = -hours_ago * HOUR

    at(48)
    sample = harness.build_sample(6)
    ids = sample.scene_ids
    at(24.5)  # just outside: a bound written in UTC would let it in (+01:00 sorts later)
    stash.update_scene(ids[1], title="Edited 24.5 hours ago")
    at(23.5)
    stash.update_scene(ids[2], title="Edited 23.5 hours ago")
    at(1)
    stash.add_scene(title="Added an hour ago", files=[("/data/stash/new/clip.mp4", 4242)])
    new_rk = plex.add_item(sample.section_id, file="/media/plex/new/clip.mp4", size=4242)
    at(0)
    before = snapshots(plex, sample, ids)

    output = assert_replied(harness, run_task(harness, "Sync Recent Scenes"))
    assert output.startswith("0 of 2 scene(s) already current in Plex; 2 written")
    assert plex.item(new_rk)["fields"]["title"] == "Added an hour ago"
    assert titles(plex, sample, [ids[2]]) == {ids[2]: {"Edited 23.5 hours ago"}}
    after = snapshots(plex, sample, ids)
    untouched = [rk for sid in ids if sid != ids[2] for rk in sample.rating_keys[sid]]
    assert [after[rk] for rk in untouched] == [before[rk] for rk in untouched]
    bounds = [variables["scene_filter"]["updated_at"]["value"] for query, variables
              in stash.queries if "PlexSyncVersions" in query]
    assert len(bounds) == 1 and bounds[0].endswith("+01:00")

    output = assert_replied(harness, run_task(harness, "Sync Recent Scenes", hours="72"))
    assert output.startswith("2 of 7 scene(s) already current in Plex; 5 written")
    assert titles(plex, sample, ids) == stash_titles(stash, ids)
    assert_recorded_queries_valid(stash.queries)


def test_sync_recent_refuses_a_window_that_is_not_a_number(harness: Harness) -> None:
    harness.build_sample(2)
    run = run_task(harness, "Sync Recent Scenes", hours="a day")
    assert run.returncode == 1
    assert run.result["error"] == "hours must be a number, got 'a day'"
    assert run.messages("error") == ["hours must be a number, got 'a day'"]


# --- Process Queue --------------------------------------------------------------------------------

def test_process_queue_drains_in_the_foreground_with_progress(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(60)  # more than one batch of 50
    ids = sample.scene_ids
    queue_scenes(harness, ids)
    run = run_task(harness, "Process Queue")
    output = assert_replied(harness, run)
    assert output.startswith("60 written in ")
    progress = [float(value) for value in run.messages("progress")]
    assert progress[0] < 1.0 and progress[-1] == 1.0 and progress == sorted(progress)
    assert titles(plex, sample, ids) == stash_titles(stash, ids)
    assert harness.queue_counts()["waiting"] == 0
    assert not harness.drainer_running()  # nothing left for a background worker
    assert_recorded_queries_valid(stash.queries)


def test_process_queue_returns_while_plex_is_down_and_keeps_every_job(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(4)
    ids = sample.scene_ids[:3]
    queue_scenes(harness, ids)
    before = snapshots(plex, sample, ids)
    plex.go_down()
    started = time.monotonic()
    run = run_task(harness, "Process Queue")
    # Stash runs one task at a time: never hold it waiting for Plex.
    assert_waited_for_nothing(time.monotonic() - started)
    # Stash shows the task as failed, with what happened and what becomes of the changes.
    assert run.returncode == 1
    assert run.result["error"].startswith(
        "Plex is unreachable (Connection refused): 3 queued change(s) are kept and will be "
        "written when Plex answers")
    assert harness.queue_counts()["waiting"] == 3
    # The task left the jobs to a background worker; stop it so the next task finds them.
    harness.wait_until(lambda: harness.drainer_pid() is not None, what="a background worker")
    harness.kill_drainers()

    plex.come_up()
    run = run_task(harness, "Process Queue")
    output = assert_replied(harness, run)
    assert "Plex answers again; resuming the sync" in run.messages("info")
    assert output.startswith("3 written")
    assert harness.queue_counts()["waiting"] == 0
    assert titles(plex, sample, ids) == stash_titles(stash, ids)
    assert snapshots(plex, sample, ids) != before
    assert_recorded_queries_valid(stash.queries)
