"""End to end: the tasks that write, Sync All (and force), Sync Recent and Process Queue.

plexsync.py runs as Stash runs it (a child process per task, the manifest's defaultArgs on
stdin) against both doubles; assertions are about what Plex and the queue hold afterwards and
what the plugin replied and logged. The helpers at the top are shared by the other end-to-end
task files (test_e2e_status, test_e2e_review, test_e2e_settings).
"""

from __future__ import annotations

import json
import time
from typing import Any

from sync_queue.jobs import JobQueue
from tests.doubles.plex import PlexDouble
from tests.doubles.sample import Sample
from tests.doubles.stash import StashDouble
from tests.harness import Harness
from tests.plugin_run import PluginRun
from tests.schema_fidelity import assert_recorded_queries_valid
from tests.test_manifest import manifest

WRITES = ("edit", "rate", "upload_poster", "upload_art", "refresh")
HOUR = 3600.0


# --- shared helpers ------------------------------------------------------------------------------

def run_task(h: Harness, name: str, **args: str) -> PluginRun:
    """Start a task by its name in the manifest, with its defaultArgs as Stash sends them."""
    task = next(t for t in manifest()["tasks"] if t["name"] == name)
    return h.run({**task["defaultArgs"], **args})


def assert_replied(h: Harness, run: PluginRun) -> Any:
    """Stash's protocol: exactly one JSON object on stdout and no error, only log lines on
    stderr, no secret anywhere, and the log ends with a one-line summary (the reply itself when
    the reply is text). Returns the output."""
    assert run.returncode == 0, run.stderr
    reply, end = json.JSONDecoder().raw_decode(run.stdout)
    assert run.stdout[end:].strip() == "", run.stdout
    assert isinstance(reply, dict) and set(reply) == {"output"}, reply
    assert [line for level, line in run.logs if level == "raw"] == []
    for secret in (h.plex.token, "sess-secret"):
        assert secret not in run.stdout + run.stderr
    level, last = [entry for entry in run.logs if entry[0] != "progress"][-1]
    assert level == "info", run.stderr
    if isinstance(reply["output"], str):
        assert last == reply["output"]
    return reply["output"]


def last_line(run: PluginRun) -> str:
    return [text for level, text in run.logs if level != "progress"][-1]


def writes(plex: PlexDouble) -> dict[str, int]:
    """The Plex requests that change something, by kind (empty: Plex was only read)."""
    return {kind: plex.counts[kind] for kind in WRITES if plex.counts.get(kind)}


def queue_scenes(h: Harness, scene_ids: list[int]) -> None:
    """Queue scene versions as a hook does, but with no drainer (it would drain them itself)."""
    h.data_dir.mkdir(exist_ok=True)
    queue = JobQueue(h.data_dir)
    try:
        queue.enqueue_many([(sid, h.stash.scene(sid)["updated_at"]) for sid in scene_ids])
    finally:
        queue.close()


def titles(plex: PlexDouble, sample: Sample, scene_ids: list[int]) -> dict[int, set[str]]:
    return {sid: {plex.item(rk)["fields"]["title"] for rk in sample.rating_keys[sid]}
            for sid in scene_ids}


def stash_titles(stash: StashDouble, scene_ids: list[int]) -> dict[int, set[str]]:
    return {sid: {stash.scene(sid)["title"]} for sid in scene_ids}


def snapshots(plex: PlexDouble, sample: Sample, scene_ids: list[int]) -> dict[str, dict]:
    return {rk: plex.item(rk) for sid in scene_ids for rk in sample.rating_keys[sid]}


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
    assert time.monotonic() - started < 15  # Stash runs one task at a time: never hold it
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
