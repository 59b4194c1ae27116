"""End-to-end: edits a real Plex may refuse by size or shape (issue 12).

A scene with 90 tags and performers and their removals made one PUT of 15 KB; proxies refuse a
request line over 8 KB (414 from nginx and Apache, 400 from others: tests/doubles/plex/
faults.py). PlexSync splits such an edit into PUTs under 6 KB (plex/chunks.py), and the double,
refusing longer request lines, holds every value afterwards.

Plex stacks `name - part1.mp4`, `name - part2.mp4` into one item (tests/doubles/plex/server.py
PlexDouble.stack). Two Stash scenes then match one Plex item; writing both would overwrite each
other on every sync, so the item is listed for review instead (Queue Status, Health Check).
"""

from __future__ import annotations

import pytest

from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble
from tests.e2e import assert_replied, run_task
from tests.harness import Harness
from tests.plex_views import stale_scenes
from tests.queue_rows import queue_rows, queue_scenes

LIMIT = 8190  # Apache's LimitRequestLine, aiohttp's limit; nginx's is 8192


@pytest.mark.parametrize("status", [414, 400])
def test_a_scene_with_90_tags_and_performers_is_written_in_puts_plex_takes(
        harness: Harness, stash: StashDouble, plex: PlexDouble, status: int) -> None:
    sample = harness.build_sample(3)
    scene_id = sample.scene_ids[0]
    (rating_key,) = sample.rating_keys[scene_id]
    plex.faults.max_request_line = LIMIT
    plex.faults.long_line_status = status
    first = [stash.add_tag(f"Long tag name {i:03} for testing") for i in range(90)]
    performers = [stash.add_performer(f"Performer {i:03} Surname") for i in range(90)]
    stash.update_scene(scene_id, tags=first, performers=performers)

    assert_replied(harness, run_task(harness, "Sync All Scenes"))
    assert stale_scenes(stash, plex, sample) == {}

    # Every tag replaced: 90 additions and 90 removals in one scene's edit.
    stash.clock.advance(60)
    second = [stash.add_tag(f"Other tag name {i:03} for testing") for i in range(90)]
    stash.update_scene(scene_id, tags=second, performers=performers[::-1][:80])
    plex.reset_counts()
    queue_scenes(harness, [scene_id])
    run = run_task(harness, "Process Queue")

    assert_replied(harness, run)
    assert stale_scenes(stash, plex, sample) == {}
    assert plex.counts["too_long"] == 0  # no request was ever too long
    edits = [target for method, target in plex.requests
             if method == "PUT" and f"id={rating_key}" in target]
    assert len(edits) > 1 and all(len(target) <= 6144 for target in edits)
    assert not [line for line in run.stderr.splitlines() if "refused" in line]
    assert queue_rows(harness) == [] and harness.dead_letters() == []


def test_a_value_too_long_for_any_request_is_skipped_with_a_warning(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(2)
    scene_id = sample.scene_ids[0]
    (rating_key,) = sample.rating_keys[scene_id]
    plex.faults.max_request_line = LIMIT
    stash.update_scene(scene_id, title="Still written", details="word " * 3000)

    run = run_task(harness, "Sync All Scenes")

    assert_replied(harness, run)
    assert plex.item(rating_key)["fields"]["title"] == "Still written"
    assert plex.item(rating_key)["fields"]["summary"] is None
    assert f"scene {scene_id}: Plex refused the value of summary; the rest was written" in \
        run.messages("warning")
    assert queue_rows(harness) == [] and harness.dead_letters() == []


# --- one Plex item, several scenes ----------------------------------------------------------------

def _stacked_pair(stash: StashDouble, plex: PlexDouble, section_id: int) -> tuple[int, int, str]:
    """Two Stash scenes, one per file, and the one Plex item that stacks both files."""
    files = [f"stack/Movie - part{n}.mp4" for n in (1, 2)]
    first = stash.add_scene(title="Movie, first half", files=[(f"/data/stash/{files[0]}", 101)])
    second = stash.add_scene(title="Movie, second half",
                             files=[(f"/data/stash/{files[1]}", 102)])
    rating_key = plex.add_item(section_id, f"/media/plex/{files[0]}", size=101)
    plex.stack(rating_key, f"/media/plex/{files[1]}", size=102)
    return first, second, rating_key


def _review(harness: Harness) -> dict[int, dict]:
    report = assert_replied(harness, run_task(harness, "Queue Status"))
    return {item["scene_id"]: item for item in report["review"]}


def _edits_of(plex: PlexDouble, rating_key: str) -> int:
    return sum(1 for method, target in plex.requests
               if method == "PUT" and f"id={rating_key}&" in target + "&")


def test_scenes_sharing_one_stacked_item_are_listed_not_written(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(3)
    first, second, rating_key = _stacked_pair(stash, plex, sample.section_id)
    untouched = plex.item(rating_key)

    for _ in range(2):  # a second Sync All must not write it either
        output = assert_replied(harness, run_task(harness, "Sync All Scenes"))
        assert "2 review" in output
        assert plex.item(rating_key) == untouched and _edits_of(plex, rating_key) == 0
    assert stale_scenes(stash, plex, sample) == {}  # the others are written

    review = _review(harness)
    assert sorted(review) == [first, second]
    assert review[first]["shared"] == {
        "rating_key": rating_key, "scenes": [first, second],
        "files": ["/media/plex/stack/Movie - part1.mp4", "/media/plex/stack/Movie - part2.mp4"]}
    report = assert_replied(harness, run_task(harness, "Health Check"))
    (check,) = [c for c in report["checks"] if c["check"] == "shared_items"]
    assert not check["ok"] and check["detail"].startswith(
        f"1 Plex item(s) hold the files of several Stash scenes and are not written: item "
        f"{rating_key} (/media/plex/stack/Movie - part1.mp4, /media/plex/stack/Movie - "
        f"part2.mp4) for scenes {first}, {second}")

    # The user renames the files, Plex keeps them apart: both are written.
    plex.remove_item(rating_key)
    one = plex.add_item(sample.section_id, "/media/plex/stack/Movie - part1.mp4", size=101)
    two = plex.add_item(sample.section_id, "/media/plex/stack/Movie - part2.mp4", size=102)
    plex.store.sections[sample.section_id].scanned_at += 1  # the scan that found them
    assert_replied(harness, run_task(harness, "Sync All Scenes"))
    assert plex.item(one)["fields"]["title"] == "Movie, first half"
    assert plex.item(two)["fields"]["title"] == "Movie, second half"
    assert _review(harness) == {}


def test_a_scene_that_later_shares_an_item_stops_the_back_and_forth(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(2)
    first, second, rating_key = _stacked_pair(stash, plex, sample.section_id)
    stash.delete_scene(second)  # at first Stash has only the first half
    assert_replied(harness, run_task(harness, "Sync All Scenes"))
    assert plex.item(rating_key)["fields"]["title"] == "Movie, first half"

    second = stash.add_scene(title="Movie, second half",
                             files=[("/data/stash/stack/Movie - part2.mp4", 102)])
    plex.reset_counts()
    assert harness.hook(second, "Scene.Create.Post").returncode == 0
    harness.wait_drained()
    assert plex.item(rating_key)["fields"]["title"] == "Movie, first half"  # not overwritten
    assert _edits_of(plex, rating_key) == 0

    stash.clock.advance(60)
    stash.update_scene(first, title="Movie, first half, retitled")
    assert harness.hook(first).returncode == 0
    harness.wait_drained()
    assert plex.item(rating_key)["fields"]["title"] == "Movie, first half"  # held back too
    assert _edits_of(plex, rating_key) == 0
    review = _review(harness)
    assert sorted(review) == [first, second]
    assert {tuple(item["shared"]["scenes"]) for item in review.values()} == {(first, second)}
    assert queue_rows(harness) == [] and harness.dead_letters() == []
