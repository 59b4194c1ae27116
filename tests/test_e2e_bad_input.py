"""End-to-end: bad input at every boundary gives a clear log line and keeps or dead-letters the
job with its reason; never a crash loop, never a hang (issue 5).

Garbage on stdin is tests/test_protocol.py's; here: odd hook payloads, odd scene values (some
written straight into the Stash double's store, past its API), and a Plex answering garbage,
refusing a value or not answering at all.
"""

from __future__ import annotations

import dataclasses
import time
import urllib.request
from typing import Any

import pytest

from sync_queue.jobs import JobQueue
from tests.doubles.plex import PlexDouble
from tests.doubles.plex.faults import GARBAGE
from tests.doubles.stash import StashDouble
from tests.e2e import assert_waited_for_nothing
from tests.harness import Harness, readable
from tests.plex_views import expected_item, held_item, stale_scenes
from tests.queue_rows import breaker_state, hold_drainer_lock, queue_rows

UPDATE = "Scene.Update.Post"


def _raw_edit(stash: StashDouble, scene_id: int, **values: Any) -> None:
    """Store values Stash's API would refuse, as a corrupt or newer database might hold."""
    with stash.store.lock:
        scene = stash.store.scenes[scene_id]
        stash.store.scenes[scene_id] = dataclasses.replace(scene, **values)


# --- hooks ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("context", "queued"), [
    ({"id": 1, "type": UPDATE, "input": None}, [1]),  # a scan's update: no inputFields
    ({"id": 1, "type": UPDATE, "input": {"id": "1", "title": "x"}}, [1]),  # no inputFields
    ({"id": "2", "type": UPDATE, "input": {"id": "2"}, "inputFields": ["id"]}, [2]),
    ({"id": 2, "type": UPDATE, "input": "not an object", "inputFields": [None, 3, "title"]},
     [2]),
    ({"id": 999, "type": UPDATE, "input": None}, []),  # deleted before the hook ran
], ids=["input-null", "inputFields-missing", "id-string", "odd-input", "unknown-scene"])
def test_odd_hook_payloads_queue_what_exists(harness: Harness, context: dict[str, Any],
                                             queued: list[int]) -> None:
    harness.build_sample(3)
    lock = hold_drainer_lock(harness)

    run = harness.run({"hookContext": context})
    lock.release()

    assert run.returncode == 0, run.stderr
    assert [level for level, _ in run.logs if level in ("error", "raw")] == []
    queue = JobQueue(harness.data_dir)
    try:
        assert [job.scene_id for job in queue.waiting()] == queued
    finally:
        queue.close()
    if not queued:
        assert "no longer exists" in run.result["output"]


# --- scene values -----------------------------------------------------------------------------

def test_odd_scene_values_are_cleaned_with_a_warning_each(harness: Harness, stash: StashDouble,
                                                          plex: PlexDouble) -> None:
    sample = harness.build_sample(6)
    noisy, empty, huge, invalid = sample.scene_ids[:4]
    stash.update_scene(noisy, title="Tab\there\x07bell\x00nul ✨ 🎬 Zoë", details="x" * 100_000)
    stash.update_scene(empty, title=None, details=None, studio=None, tags=[], performers=[],
                       groups=[], date=None)
    stash.update_scene(huge, title="y" * 100_000, details="lone \ud800 surrogate \ufffe end")
    _raw_edit(stash, invalid, date="2021-02-30", rating100=250)

    run = harness.task("sync_all")

    assert run.returncode == 0, run.stderr
    assert "6 written" in run.result["output"]
    warnings = run.messages("warning")
    for expected in (f"scene {noisy}: title: removed control characters",
                     f"scene {noisy}: details: shortened from 100000 to 20000",
                     f"scene {huge}: title: shortened from 100000 to 255",
                     f"scene {invalid}: date: '2021-02-30' is not a valid",
                     f"scene {invalid}: rating100: 250 is not"):
        assert any(w.startswith(expected) for w in warnings), (expected, warnings)
    assert plex.item(sample.rating_keys[noisy][0])["fields"]["title"] == "Tab herebellnul ✨ 🎬 Zoë"
    assert stale_scenes(stash, plex, sample, [noisy, empty, huge]) == {}
    for rating_key in sample.rating_keys[empty]:  # nothing to write: Plex keeps its title
        assert plex.item(rating_key)["fields"]["title"] == plex.item(rating_key)["files"][0] \
            .rsplit("/", 1)[-1].rsplit(".", 1)[0]
    held = plex.item(sample.rating_keys[invalid][0])["fields"]
    assert held["originallyAvailableAt"] is None and held["year"] is None
    assert held["title"] == expected_item(stash, invalid)["title"]  # the rest was written
    assert queue_rows(harness) == [] and harness.dead_letters() == []


def test_a_scene_stash_cannot_deliver_is_kept_not_dropped(harness: Harness, stash: StashDouble,
                                                          plex: PlexDouble) -> None:
    sample = harness.build_sample(3)
    broken = sample.scene_ids[2]
    _raw_edit(stash, broken, organized="maybe")  # not a Boolean: Stash's GraphQL fails it
    harness.configure(max_retries=0)  # straight to the dead letters: no retry schedule to wait

    run = harness.task("sync_all")

    assert run.returncode == 0, run.stderr
    assert "dropped" not in run.result["output"]  # not taken for a deleted scene
    assert stale_scenes(stash, plex, sample, sample.scene_ids[:2]) == {}
    (letter,) = harness.dead_letters()
    assert letter.scene_id == broken
    assert "Stash could not deliver the scene" in letter.message and "maybe" in letter.message
    assert queue_rows(harness) == []


# --- Plex misbehaving -------------------------------------------------------------------------

def test_the_garbage_fault_answers_200_with_the_body(plex: PlexDouble) -> None:
    plex.faults.garbage = {"identity": GARBAGE["html"]}
    with urllib.request.urlopen(f"{plex.url}/identity", timeout=30) as response:
        assert response.status == 200
        assert response.read().decode() == GARBAGE["html"]
        assert response.headers["Content-Type"] == "text/html"


def test_unreadable_items_dead_letter_their_scenes_with_the_reason(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    """A Plex that identified itself answers the item fetch with cut-off XML: that belongs to
    those items' scenes (retried, then dead letters), not to a setting."""
    sample = harness.build_sample(3)
    harness.configure(max_retries=1)  # one retry, then the dead letters
    plex.faults.garbage = {"metadata": GARBAGE["xml"]}

    run = harness.task("sync_all")

    assert run.returncode == 0, run.stderr
    assert "3 dead" in run.result["output"]
    letters = harness.dead_letters()
    assert sorted(letter.scene_id for letter in letters) == sorted(sample.scene_ids)
    for letter in letters:  # each scene's own item, found by fetching the items one by one
        assert letter.message in {f"Plex answered /library/metadata/{rating_key} with XML "
                                  "that cannot be read (cut off or invalid)"
                                  for rating_key in sample.rating_keys[letter.scene_id]}
    assert queue_rows(harness) == []
    assert sum(plex.counts.values()) < 40  # tried, retried once, stopped: no crash loop

    plex.faults.garbage = {}
    assert harness.task("dlq_retry").returncode == 0
    harness.wait_drained()
    assert stale_scenes(stash, plex, sample) == {}
    assert harness.dead_letters() == []


def test_an_unreadable_listing_belongs_to_no_scene(harness: Harness, plex: PlexDouble) -> None:
    """The library listing cut off mid-run: no scene's fault, so no dead letter; the task says
    so and keeps the jobs for a later try, like an outage."""
    harness.build_sample(3)
    plex.faults.garbage = {"listing": GARBAGE["empty"]}

    run = harness.task("sync_all")

    assert run.returncode == 1
    assert run.result["error"].startswith(
        "Plex answered /library/sections/1/all with XML that cannot be read (cut off or "
        "invalid): 3 queued change(s) are kept and will be written when Plex answers")
    assert harness.dead_letters() == []
    assert harness.queue_counts()["waiting"] == 3


def test_a_value_plex_refuses_is_skipped_and_the_rest_written(harness: Harness,
                                                               stash: StashDouble,
                                                               plex: PlexDouble) -> None:
    sample = harness.build_sample(3)
    scene_id = sample.scene_ids[0]
    plex.faults.refused_values = {"A summary this Plex cannot store"}
    stash.update_scene(scene_id, title="Title Plex takes",
                       details="A summary this Plex cannot store")

    assert harness.hook(scene_id).returncode == 0
    harness.wait_drained()

    (rating_key,) = sample.rating_keys[scene_id]
    held = plex.item(rating_key)
    assert held["fields"]["title"] == "Title Plex takes"
    assert held["fields"]["summary"] is None
    want = expected_item(stash, scene_id)
    assert held["fields"]["studio"] == want["studio"]
    assert sorted(held["tags"]["genre"]) == want["genre"]
    log = [readable(line) for line in harness.drainer_log().splitlines()]
    assert f"warning: scene {scene_id}: Plex refused the value of summary; the rest was " \
           "written" in log
    assert queue_rows(harness) == [] and harness.dead_letters() == []


def test_a_lone_value_plex_refuses_is_not_taken_for_an_outage(harness: Harness,
                                                               stash: StashDouble,
                                                               plex: PlexDouble) -> None:
    """The edit holds nothing but the refused value: every part of it fails, which could be
    Plex going down; Plex answering a cheap request tells it is a refusal, skipped like any."""
    sample = harness.build_sample(3)
    scene_id = sample.scene_ids[0]
    (rating_key,) = sample.rating_keys[scene_id]
    assert harness.task("sync_all").returncode == 0
    written = held_item(plex, rating_key)
    plex.faults.refused_values = {"A summary this Plex cannot store"}
    stash.clock.advance(1)
    stash.update_scene(scene_id, details="A summary this Plex cannot store")

    assert harness.hook(scene_id).returncode == 0
    harness.wait_drained()

    assert breaker_state(harness) == "closed"
    log = [readable(line) for line in harness.drainer_log().splitlines()]
    assert not [line for line in log if "Plex is unreachable" in line], log
    assert f"warning: scene {scene_id}: Plex refused the value of summary; the rest was " \
           "written" in log
    held, want = held_item(plex, rating_key), expected_item(stash, scene_id)
    assert held["summary"] == written["summary"] != want["summary"]  # refused, so kept
    assert {**held, "summary": None} == {**want, "summary": None}  # the rest is Stash's
    assert queue_rows(harness) == [] and harness.dead_letters() == []


def test_a_plex_that_never_answers_does_not_hang_a_task(harness: Harness,
                                                        plex: PlexDouble) -> None:
    harness.build_sample(3)
    harness.configure(plex_timeout=1)
    plex.hang = True  # connections are accepted, answers never come

    started = time.monotonic()
    run = harness.task("sync_all")
    took = time.monotonic() - started

    # Stopped at the first request Plex left unanswered, after plex_timeout: no other request
    # was sent, so none was waited for.
    assert dict(plex.counts) == {"identity": 1}
    assert_waited_for_nothing(took, hung=1, plex_timeout=1)
    assert run.returncode == 1
    assert run.result["error"].startswith(
        "Plex did not answer within plex_timeout: 3 queued change(s) are kept and will be "
        "written when Plex answers")
    assert harness.queue_counts()["waiting"] == 3  # kept for when Plex answers again
    assert harness.dead_letters() == []
