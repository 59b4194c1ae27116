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
from tests.harness import Harness
from tests.test_e2e_crash import queue_rows, stale_scenes
from tests.test_e2e_tasks import assert_replied, queue_scenes, run_task

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
