"""End to end: which Plex items a Stash scene is written to, and what happens when none fits.

Exact mapped paths are trusted (HIGH); a file of the same name and size elsewhere is only a
near miss (LOW), written or held for review by strict_matching; a scene Plex lacks is looked
for again later and finally parked, never dead-lettered for a miss.
"""

from __future__ import annotations

import os
import time

import pytest

from sync_queue import layout
from sync_queue.jobs import JobQueue
from sync_queue.lock import FileLock
from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble, tiny_png
from tests.e2e import ok
from tests.harness import Harness
from tests.plex_views import assert_synced
from tests.polling import DEADLINE
from tests.schema_fidelity import assert_recorded_queries_valid

LOW_WARNING = "low-confidence match"


@pytest.mark.parametrize(("stash_prefix", "plex_prefix", "path_map"), [
    ("/data/stash", "/media/plex", "/data=/wrong;/data/stash=/media/plex"),
    ("D:\\Stash", "/media/plex", "d:\\stash=/media/plex"),
    ("\\\\?\\D:\\Stash", "/media/plex", "D:\\Stash=/media/plex"),
    ("\\\\NAS\\share\\stash", "/media/plex", "\\\\nas\\SHARE\\stash\\=/media/plex"),
    ("/data/stash", "E:\\Plex", "/data/stash=e:/plex"),
], ids=["longest-rule-wins", "drive-letter-case", "long-path-prefix", "unc", "windows-plex"])
def test_scenes_match_through_path_map_rules(
    harness: Harness, stash: StashDouble, plex: PlexDouble, stash_prefix: str,
    plex_prefix: str, path_map: str
) -> None:
    sample = harness.build_sample(4, stash_prefix=stash_prefix, plex_prefix=plex_prefix)
    harness.configure(path_map=path_map)
    assert "4 written" in ok(harness.task("sync_all"))
    for scene_id in sample.synced_ids():
        assert_synced(stash, plex, scene_id, sample.rating_keys[scene_id])
    assert plex.counts["listing"] == 1
    assert_recorded_queries_valid(stash.queries)


def test_the_same_file_in_two_configured_sections_syncs_both_items(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(4)
    extra = plex.add_section("Extra", ["/media/plex"])
    ignored = plex.add_section("Ignored", ["/media/plex"])
    scene_id = sample.scene_ids[0]
    file = plex.item(sample.rating_keys[scene_id][0])["files"][0]
    in_extra = plex.add_item(extra, file, stash.scene(scene_id)["files"][0]["size"])
    in_ignored = plex.add_item(ignored, file, stash.scene(scene_id)["files"][0]["size"])
    harness.configure(plex_library="Scenes, Extra")
    ok(harness.task("sync_all"))
    assert_synced(stash, plex, scene_id, [*sample.rating_keys[scene_id], in_extra])
    untouched = plex.item(in_ignored)  # not in a configured section
    assert untouched["locked"] == set() and untouched["fields"]["studio"] is None
    assert untouched["fields"]["title"] == file.rsplit("/", 1)[1].rsplit(".", 1)[0]
    assert plex.counts["listing"] == 2  # one paged listing per configured section


def _near_miss(stash: StashDouble, plex: PlexDouble, section: int, name: str,
               folders: tuple[str, ...] = ("elsewhere",)) -> tuple[int, list[str]]:
    """A scene whose file Plex has only under other folders (same name and size)."""
    scene_id = stash.add_scene(title=f"Near miss {name}", files=[(f"/data/stash/own/{name}", 777)])
    return scene_id, [plex.add_item(section, f"/media/plex/{f}/{name}", 777) for f in folders]


def test_a_miss_refreshes_the_index_at_most_once_per_drain(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(55)
    first = sample.scene_ids[0]  # Plex moved its file: a miss in the first batch of 50
    (rk,) = sample.rating_keys[first]
    moved = plex.item(rk)["files"][0].replace("/media/plex/", "/media/plex/moved/")
    plex.remove_item(rk)
    plex.add_item(sample.section_id, moved, stash.scene(first)["files"][0]["size"])
    _near_miss(stash, plex, sample.section_id, "last.mp4")  # a miss in the second batch
    output = ok(harness.task("sync_all"))
    assert "54 written" in output and "2 review" in output
    assert plex.counts["listing"] == 2  # the index, then one refresh for both misses


def test_strict_matching_holds_a_near_miss_for_review_with_its_candidates(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(3)
    one, (only,) = _near_miss(stash, plex, sample.section_id, "one.mp4")
    two, pair = _near_miss(stash, plex, sample.section_id, "two.mp4", ("x", "y"))
    output = ok(harness.task("sync_all"))
    assert "3 written" in output and "2 review" in output
    for rk in (only, *pair):
        assert plex.item(rk)["fields"]["title"] in ("one", "two")  # untouched
    report = ok_status(harness)
    review = {entry["scene_id"]: sorted(c["file"] for c in entry["candidates"])
              for entry in report["review"]}
    assert review == {one: ["/media/plex/elsewhere/one.mp4"],
                      two: ["/media/plex/x/two.mp4", "/media/plex/y/two.mp4"]}
    assert any("/media/plex/x/two.mp4" in line for line in report["summary"])
    assert harness.dead_letters() == [] and harness.queue_counts()["waiting"] == 0
    assert_recorded_queries_valid(stash.queries)


def ok_status(harness: Harness) -> dict:
    run = harness.task("queue_status")
    assert run.returncode == 0, run.stderr
    return run.result["output"]


def test_without_strict_matching_a_near_miss_is_written_with_a_warning(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(3)
    harness.configure(strict_matching=False)
    by_task, (rk,) = _near_miss(stash, plex, sample.section_id, "task.mp4")
    run = harness.task("sync_all")
    ok(run)
    assert_synced(stash, plex, by_task, [rk])
    assert [w for w in run.messages("warning")
            if LOW_WARNING in w and "/media/plex/elsewhere/task.mp4" in w]
    # From the background worker, the warning reaches Stash's log with the next hook.
    by_hook, (near,) = _near_miss(stash, plex, sample.section_id, "hook.mp4", ("x",))
    ok(harness.hook(by_hook))
    harness.wait_drained()
    assert_synced(stash, plex, by_hook, [near])
    relayed = harness.hook(sample.scene_ids[0]).messages("warning")
    assert [w for w in relayed if w.startswith("PlexSync worker:") and LOW_WARNING in w
            and "/media/plex/x/hook.mp4" in w]
    harness.wait_drained()
    assert_recorded_queries_valid(stash.queries)


def test_near_misses_equally_close_are_held_for_review_even_without_strict_matching(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    """beets' gap rule: with two files of the scene's name and size equally far from its path,
    which one is the scene's is a guess; neither is written."""
    sample = harness.build_sample(3)
    harness.configure(strict_matching=False)
    tied, pair = _near_miss(stash, plex, sample.section_id, "tied.mp4", ("x", "y"))
    output = ok(harness.task("sync_all"))
    assert "3 written" in output and "1 review" in output
    for rk in pair:
        assert plex.item(rk)["fields"]["title"] == "tied"  # untouched
    review = {entry["scene_id"]: sorted(c["file"] for c in entry["candidates"])
              for entry in ok_status(harness)["review"]}
    assert review == {tied: ["/media/plex/x/tied.mp4", "/media/plex/y/tied.mp4"]}
    assert harness.queue_counts()["waiting"] == 0


# --- scenes Plex does not have -------------------------------------------------------------------

def _hand_over(harness: Harness) -> None:
    """Ask the background drainer to stop, as a foreground task does, and wait until it has."""
    marker = harness.data_dir / layout.HANDOVER
    marker.write_text(str(os.getpid()))
    try:
        harness.wait_until(lambda: not harness.drainer_running() and harness.drainer_pid()
                           is None, DEADLINE, "drainer handed over")
    finally:
        marker.unlink(missing_ok=True)


def _make_due(harness: Harness) -> list[tuple[int, int]]:
    """Skip the retry delays: every waiting job becomes due now. Returns their (attempts,
    looks)."""
    lock = FileLock(harness.data_dir / layout.DRAINER_LOCK)
    assert lock.acquire(5)
    queue = JobQueue(harness.data_dir)
    try:
        jobs = queue.take(1000, now=time.time() + 10**7)
        for job in jobs:
            queue.retry(job, error=job.last_error or "", next_attempt_at=time.time(),
                        count_attempt=False)
        return [(job.attempts, job.looks) for job in jobs]
    finally:
        queue.close()
        lock.release()


def _retrying(harness: Harness) -> bool:
    return harness.queue_counts()["retrying"] == 1


def test_a_scene_plex_lacks_is_looked_for_again_then_parked_never_dead_lettered(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(3, missing=1)
    (missing,) = sample.missing
    ok(harness.hook(missing))
    for looks in range(4):
        harness.wait_until(lambda: _retrying(harness), DEADLINE, "not-found retry scheduled")
        assert harness.dead_letters() == []
        _hand_over(harness)
        assert _make_due(harness) == [(0, looks + 1)]  # looks use none of max_retries
        ok(harness.hook(missing))  # the same version: nothing new queued, a drainer starts
    harness.wait_drained()
    assert harness.queue_counts()["waiting"] == 0 and harness.dead_letters() == []
    report = ok_status(harness)
    assert [e["scene_id"] for e in report["not_found"]] == [missing]
    assert report["not_found"][0]["files"] == [stash.scene(missing)["files"][0]["path"]]
    assert plex.counts["edit"] == 0
    assert_recorded_queries_valid(stash.queries)


@pytest.mark.parametrize("trigger", [True, False])
def test_a_created_scene_plex_has_not_scanned_yet(
    harness: Harness, stash: StashDouble, plex: PlexDouble, trigger: bool
) -> None:
    sample = harness.build_sample(3)
    ok(harness.task("sync_all"))
    harness.configure(trigger_plex_scan=trigger)
    # With its cover already made: a new scene still on Stash's placeholder is looked at again
    # for its cover later (tests/test_e2e_images.py), which is not what this test is about.
    scene_id = stash.add_scene(title="Fresh from a Stash scan", details="New.",
                               files=[("/data/stash/new folder/fresh.mp4", 4242)],
                               cover=tiny_png("fresh"))
    plex.add_pending(sample.section_id, "/media/plex/new folder/fresh.mp4", 4242, delay=0.3)
    ok(harness.hook(scene_id, "Scene.Create.Post"))
    if not trigger:
        harness.wait_until(lambda: _retrying(harness), DEADLINE, "not-found retry scheduled")
        assert plex.scans == [] and harness.dead_letters() == []
        return
    harness.wait_drained()
    assert plex.scans == [(sample.section_id, "/media/plex/new folder")]
    (rk,) = [i["ratingKey"] for i in plex.items() if i["files"] == [
        "/media/plex/new folder/fresh.mp4"]]
    assert_synced(stash, plex, scene_id, [rk])
    assert_recorded_queries_valid(stash.queries)
