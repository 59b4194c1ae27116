"""End to end: the path index after Plex scanned (issue 15). PlexSync lists a library once; after
that a new file, a moved file or a deleted item costs the items that changed, not the library,
also when Plex's clock is off; and a Plex that ignores the date filter is still read right.

The libraries here grew over a month (the Plex double's `age`), as real ones do: an index asks
again for the minute before the newest item it saw, and a library added in one second would be
asked again whole (sync/index_refresh.py OVERLAP).
"""

from __future__ import annotations

import pytest

from tests.doubles.plex import PlexDouble
from tests.doubles.sample import Sample
from tests.doubles.stash import StashDouble, tiny_png
from tests.e2e import ok
from tests.harness import DEADLINE, Harness
from tests.plex_views import assert_synced

MONTH = 30 * 86_400
N = 40


def _synced_library(harness: Harness, plex: PlexDouble, n: int = N) -> Sample:
    """n scenes, Plex's items added over the last month, all written once (PlexSync has listed
    Plex in full once); the counters start from nothing."""
    sample = harness.build_sample(n)
    plex.age(MONTH)
    assert f"{n} written" in ok(harness.task("sync_all"))
    plex.reset_counts()
    return sample


def _scan_one_new_file(harness: Harness, stash: StashDouble, plex: PlexDouble,
                       sample: Sample) -> tuple[int, str]:
    """Stash scans a new file (its hook fires); Plex has it only once asked to scan its folder.
    Returns the new scene and its Plex item."""
    scene_id = stash.add_scene(title="Fresh from a scan", details="New.",
                               files=[("/data/stash/new/fresh.mp4", 4242)],
                               cover=tiny_png("fresh"))
    plex.add_pending(sample.section_id, "/media/plex/new/fresh.mp4", 4242, delay=0.1)
    ok(harness.hook(scene_id, "Scene.Create.Post"))
    harness.wait_drained()
    (rk,) = [i["ratingKey"] for i in plex.items() if i["files"] == ["/media/plex/new/fresh.mp4"]]
    return scene_id, rk


@pytest.mark.parametrize("clock_offset", [0, 3600, -3600], ids=["same-clock", "plex-ahead",
                                                                "plex-behind"])
def test_a_scanned_file_is_found_without_listing_the_library(
        harness: Harness, stash: StashDouble, plex: PlexDouble, clock_offset: int) -> None:
    plex.clock_offset = clock_offset  # Plex's stamps an hour off this machine's clock, or not
    sample = _synced_library(harness, plex)
    scene_id, rk = _scan_one_new_file(harness, stash, plex, sample)
    assert_synced(stash, plex, scene_id, [rk])
    assert plex.scans == [(sample.section_id, "/media/plex/new")]
    # Not found, so each section was asked what it added (before and after the scan): the new
    # item and the newest one before it; no full listing.
    assert plex.listings["full"] == 0 and plex.listings["delta"] >= 1
    assert plex.listed_items <= 2 * plex.listings["delta"]


def test_a_plex_that_ignores_the_filter_is_read_whole_and_the_file_still_found(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    plex.ignores_date_filters = True
    sample = _synced_library(harness, plex)
    scene_id, rk = _scan_one_new_file(harness, stash, plex, sample)
    assert_synced(stash, plex, scene_id, [rk])
    # Each delta was answered with the whole library: taken as a full listing, no count check
    # and no second listing after it.
    assert plex.listings["full"] == 0 and plex.listings["count"] == 0
    assert plex.listed_items >= N
    assert any("ignores the addedAt filter" in line for line in harness.drainer_log()
               .splitlines())


def test_a_moved_file_is_found_on_the_item_plexsync_wrote(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = _synced_library(harness, plex)
    scene_id = [s for s in sample.synced_ids() if len(sample.rating_keys[s]) == 1][3]
    (rk,) = sample.rating_keys[scene_id]
    old = stash.scene(scene_id)["files"][0]
    name = old["path"].rsplit("/", 1)[1]
    # The user moved the file: Stash's scan sees the new path, Plex's scan keeps the item.
    stash.update_scene(scene_id, title="Moved along", files=[(f"/data/stash/moved/{name}",
                                                               old["size"])])
    plex.move_part(rk, f"/media/plex/moved/{name}")
    ok(harness.hook(scene_id))
    harness.wait_drained()
    assert_synced(stash, plex, scene_id, [rk])
    assert harness.queue_counts()["waiting"] == 0 and harness.dead_letters() == []
    assert plex.listings["full"] == 0 and plex.listed_items <= 2 * plex.listings["delta"]
    assert ("GET", f"/library/metadata/{rk}") in plex.requests  # looked up through its item


def test_a_deleted_item_relists_its_own_library_only(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(10)
    big = plex.add_section("Archive", ["/archive"])
    for i in range(N):
        plex.add_item(big, f"/archive/old{i:03}.mp4", size=i)
    plex.age(MONTH)
    harness.configure(plex_library="Scenes, Archive")
    ok(harness.task("sync_all"))
    gone, kept = [s for s in sample.synced_ids() if len(sample.rating_keys[s]) == 1][1:3]
    (gone_key,) = sample.rating_keys[gone]
    plex.remove_item(gone_key, scanned=True)  # its file deleted, Plex scanned, trash emptied
    plex.reset_counts()
    for scene_id in (gone, kept):
        stash.update_scene(scene_id, title=f"Edited {scene_id}")
        ok(harness.hook(scene_id))
    harness.wait_until(lambda: harness.queue_counts() | {"due": 0} == {
        "waiting": 1, "due": 0, "retrying": 1, "taken": 0}, DEADLINE,
        "the other scene written, the one whose item is gone waiting to be looked for again")
    assert_synced(stash, plex, kept, sample.rating_keys[kept])
    # Plex counted one item fewer in Scenes: that library was listed again, the archive (N
    # items) only asked what it added.
    assert plex.listings["full"] == 1 and plex.listed_items < 10 + N
    assert all(gone_key != i["ratingKey"] for i in plex.items())
