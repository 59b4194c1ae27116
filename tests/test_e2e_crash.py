"""End-to-end: SIGKILL of any PlexSync process at any moment loses no update (issue 5).

What Plex must hold for a scene, a plugin run that can be killed and the raw queue rows are
tests/helpers.py's, shared with the other robustness tests.
"""

from __future__ import annotations

import random
import time

from sync_queue.lock import FileLock
from tests.doubles.plex import PlexDouble
from tests.doubles.sample import Sample
from tests.doubles.stash import StashDouble
from tests.harness import Harness
from tests.helpers import Started, edit_scene, queue_rows, stale_scenes
from tests.schema_fidelity import assert_recorded_queries_valid

# --- the tests -------------------------------------------------------------------------------

SCENES = 200
KILLS = 8
TAKEN = 2  # persist-queue's status of a job a drainer is working on


def _in_flight(harness: Harness) -> bool:
    return any(status == TAKEN for status, _ in queue_rows(harness))


def _kill_task_at_random(harness: Harness, rng: random.Random, mode: str) -> bool:
    """Kill a draining task at a random moment; True if it died with jobs in hand."""
    task = Started(harness, {"mode": mode})
    if mode == "sync_all":
        # Queueing is the task's first step; killed before it, a Sync All has promised nothing.
        harness.wait_until(lambda: bool(queue_rows(harness)), 20, "sync_all queued the scenes")
    time.sleep(rng.uniform(0.1, 1.5))  # the chaos: a kill at a random moment, not a sync point
    task.kill()
    return _in_flight(harness)


def _kill_drainer_at_random(harness: Harness, rng: random.Random) -> bool:
    """Kill the hook's detached drainer at a random moment; True if it died with jobs in hand."""
    # Generous: under heavy load a fresh interpreter can take seconds to reach the lock.
    harness.wait_until(lambda: harness.drainer_pid() is not None
                       or not harness.queue_counts()["waiting"], 30, "the hook's drainer started")
    time.sleep(rng.uniform(0.0, 0.8))  # the chaos, as above
    harness.kill_drainers()
    return _in_flight(harness)


def _change_things(harness: Harness, stash: StashDouble, rng: random.Random, sample: Sample,
                   label: str) -> None:
    """What a person does between kills: rename a tag or a performer (a hook that queues every
    scene showing it) and edit a scene or two, each followed by Stash's hook."""
    if rng.random() < 0.5:
        tag = rng.choice(sorted(stash.store.tags))
        stash.rename_tag(tag, f"Tag {tag} ({label})")
        assert harness.hook(tag, "Tag.Update.Post").returncode == 0
    else:
        performer = rng.choice(sorted(stash.store.performers))
        stash.rename_performer(performer, f"Performer {performer} ({label})")
        assert harness.hook(performer, "Performer.Update.Post").returncode == 0
    for scene_id in rng.sample(sample.scene_ids, rng.randint(1, 2)):
        edit_scene(stash, rng, scene_id, label)
        assert harness.hook(scene_id).returncode == 0


def test_sigkill_at_random_moments_loses_no_update(harness: Harness, stash: StashDouble,
                                                   plex: PlexDouble) -> None:
    sample = harness.build_sample(SCENES)
    plex.latency = 0.01  # a sync of 200 scenes takes a few seconds: kills land mid-batch
    rng = random.Random(5)
    interrupted = [_kill_task_at_random(harness, rng, "sync_all")]
    for round_no in range(1, KILLS):
        _change_things(harness, stash, rng, sample, f"round {round_no}")
        if rng.random() < 0.5:
            interrupted.append(_kill_drainer_at_random(harness, rng))
        else:  # takes over from the hook's drainer, then dies itself
            interrupted.append(_kill_task_at_random(harness, rng, "process_queue"))
    # Most kills must hit a process holding jobs, or this would prove little.
    assert sum(interrupted) >= KILLS // 2, interrupted
    harness.kill_drainers()

    run = harness.task("process_queue")
    assert run.returncode == 0, run.stderr
    harness.wait_drained(timeout=30)

    assert stale_scenes(stash, plex, sample) == {}
    assert queue_rows(harness) == []  # nothing waiting, nothing left taken
    assert harness.dead_letters() == []
    assert_recorded_queries_valid(stash.queries)


def test_a_task_killed_mid_batch_leaves_its_jobs_for_the_next_drain(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(60)
    plex.latency = 0.01
    task = Started(harness, {"mode": "sync_all"})
    harness.wait_until(lambda: plex.counts["edit"] >= 5, 20, "the sync is writing")
    task.kill()
    assert _in_flight(harness), "the kill left no job taken"

    run = harness.task("process_queue")
    assert run.returncode == 0, run.stderr
    assert any("resumed" in text and "left unfinished" in text for text in run.messages("info"))
    assert stale_scenes(stash, plex, sample) == {}
    assert queue_rows(harness) == [] and harness.dead_letters() == []


def test_emptied_list_after_a_kill_between_write_and_record(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(6)
    first, second = [sid for sid in sample.scene_ids[3:]
                     if stash.scene(sid)["tags"] and stash.scene(sid)["performers"]][:2]
    harness.configure(plex_concurrency=1)  # the two scenes are written one after the other
    plex.latency = 0.2  # wide enough to catch the gap between the two scenes' requests
    harness.data_dir.mkdir()
    held = FileLock(harness.data_dir / "drainer.lock")
    assert held.acquire(0)  # the hooks only queue: no drainer may start yet
    for scene_id in (first, second):
        assert harness.hook(scene_id).returncode == 0
    held.release()
    task = Started(harness, {"mode": "process_queue"})
    harness.wait_until(lambda: plex.counts["edit"] >= 1, 20, "the first scene written")
    plex.hang = True  # the second scene's requests wait: the batch is never recorded
    harness.wait_until(lambda: plex.counts["upload_poster"] >= 2, 10, "the second scene started")
    task.kill()
    plex.hang = False
    plex.latency = 0.0
    (rating_key,) = sample.rating_keys[first]
    assert plex.item(rating_key)["tags"]["genre"], "the first scene's write reached Plex"

    stash.clock.advance(1)
    stash.update_scene(first, tags=[], performers=[])  # a person removes every tag and actor
    assert harness.hook(first).returncode == 0
    harness.wait_drained(timeout=20)

    assert stale_scenes(stash, plex, sample, [first, second]) == {}
