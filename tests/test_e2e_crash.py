"""End-to-end: SIGKILL of any PlexSync process at any moment loses no update (issue 5).

What Plex must hold for a scene (tests/plex_views.py), a plugin run that can be killed
(tests/e2e.py) and the raw queue rows (tests/queue_rows.py) are shared with the other robustness
tests.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from sync_queue import layout
from sync_queue.lock import FileLock
from tests.doubles.plex import PlexDouble
from tests.doubles.sample import Sample
from tests.doubles.stash import StashDouble
from tests.e2e import Started, edit_scene
from tests.harness import Harness
from tests.plex_views import stale_scenes
from tests.queue_rows import queue_rows
from tests.schema_fidelity import assert_recorded_queries_valid

# --- the tests -------------------------------------------------------------------------------
# Every kill lands while the victim waits for an answer the Plex double holds back (its gate):
# mid-work by construction, whatever the machine's speed. Where in the work is drawn at random.

SCENES = 200
ROUNDS = 8
TAKEN = 1  # the schedule's mark of a job a drainer is working on (sync_queue/schedule.py)
HOLD = 300.0  # the gate's deadline: a held request waits no longer, even if a test goes wrong
WAIT = 90.0  # generous: under heavy load a fresh interpreter takes seconds to get to work


def _in_flight(harness: Harness) -> bool:
    return any(status == TAKEN for status, _ in queue_rows(harness))


def _kill_when_held(harness: Harness, plex: PlexDouble, kill: Callable[[], None],
                    kind: str = "edit") -> bool:
    """Wait until Plex holds a request of `kind`, then kill its sender; True if it held jobs."""
    plex.gate.wait_held(kind, timeout=WAIT)
    holding = _in_flight(harness)  # its jobs stay taken: it cannot finish without the answer
    kill()
    return holding


def _let_plex_answer(plex: PlexDouble) -> None:
    """The double carries out what it held for the dead: written, but never recorded."""
    plex.gate.open()
    plex.gate.wait_idle(WAIT)


@dataclass
class Changes:
    """What a person does between kills: rename a tag or a performer (a hook then queues every
    scene showing it) and edit a scene or two, each followed by Stash's hook."""

    kind: str  # "tag" or "performer"
    renamed: int
    edited: list[int]
    items: int  # Plex items that need a new edit: the least number of edits that will follow


def _plan_changes(stash: StashDouble, rng: random.Random, sample: Sample) -> Changes:
    kind = "tag" if rng.random() < 0.5 else "performer"
    renamed = rng.choice(sorted(stash.store.tags if kind == "tag" else stash.store.performers))
    edited = rng.sample(sample.scene_ids, rng.randint(1, 2))
    showing = {sid for sid in sample.scene_ids if renamed in stash.scene(sid)[f"{kind}s"]}
    items = sum(len(sample.rating_keys[sid]) for sid in showing | set(edited))
    return Changes(kind, renamed, edited, items)


def _make_changes(harness: Harness, stash: StashDouble, rng: random.Random, changes: Changes,
                  label: str) -> None:
    if changes.kind == "tag":
        stash.rename_tag(changes.renamed, f"Tag {changes.renamed} ({label})")
        assert harness.hook(changes.renamed, "Tag.Update.Post").returncode == 0
    else:
        stash.rename_performer(changes.renamed, f"Performer {changes.renamed} ({label})")
        assert harness.hook(changes.renamed, "Performer.Update.Post").returncode == 0
    for scene_id in changes.edited:
        edit_scene(stash, rng, scene_id, label)
        assert harness.hook(scene_id).returncode == 0


def _kill_sync_all(harness: Harness, plex: PlexDouble, rng: random.Random) -> list[bool]:
    """A Sync All killed at a random edit of the first full sync (every item needs one)."""
    plex.gate.close("edit", after=rng.randint(0, SCENES * 3 // 4), timeout=HOLD)
    task = Started(harness, {"mode": "sync_all"})
    return [_kill_when_held(harness, plex, task.kill)]


def _kill_drainer(harness: Harness, stash: StashDouble, plex: PlexDouble, rng: random.Random,
                  sample: Sample, label: str) -> list[bool]:
    """The hooks' detached drainer killed at a random one of the edits the changes need."""
    changes = _plan_changes(stash, rng, sample)
    plex.gate.close("edit", after=rng.randint(0, changes.items - 1), timeout=HOLD)
    _make_changes(harness, stash, rng, changes, label)
    return [_kill_when_held(harness, plex, harness.kill_drainers)]


def _kill_drainer_and_the_task_taking_over(harness: Harness, stash: StashDouble,
                                           plex: PlexDouble, rng: random.Random,
                                           sample: Sample, label: str) -> list[bool]:
    """A task asks the busy drainer to hand over; the drainer is killed mid-edit, and the task,
    having taken over its jobs, is killed as it fetches the Plex items to write."""
    changes = _plan_changes(stash, rng, sample)
    plex.gate.close("edit", after=rng.randint(0, changes.items - 1), timeout=HOLD)
    _make_changes(harness, stash, rng, changes, label)
    plex.gate.wait_held("edit", timeout=WAIT)
    task = Started(harness, {"mode": "process_queue"})
    harness.wait_until(lambda: (harness.data_dir / layout.HANDOVER).exists(), WAIT,
                       "the task asked the drainer to hand over")
    # The drainer waits on its held edit, so from now on only the task can fetch items.
    plex.gate.close("edit", "metadata", timeout=HOLD)
    interrupted = [_kill_when_held(harness, plex, harness.kill_drainers)]
    interrupted.append(_kill_when_held(harness, plex, task.kill, kind="metadata"))
    return interrupted


def test_sigkill_at_random_moments_loses_no_update(harness: Harness, stash: StashDouble,
                                                   plex: PlexDouble) -> None:
    sample = harness.build_sample(SCENES)
    rng = random.Random(5)
    interrupted = _kill_sync_all(harness, plex, rng)
    _let_plex_answer(plex)
    for round_no in range(1, ROUNDS):
        label = f"round {round_no}"
        if rng.random() < 0.5:
            interrupted += _kill_drainer(harness, stash, plex, rng, sample, label)
        else:
            interrupted += _kill_drainer_and_the_task_taking_over(
                harness, stash, plex, rng, sample, label)
        _let_plex_answer(plex)
    # Every kill hit a process holding jobs: otherwise this would prove little.
    assert len(interrupted) >= ROUNDS and all(interrupted), interrupted

    run = harness.task("process_queue")
    assert run.returncode == 0, run.stderr
    harness.wait_drained(timeout=WAIT)

    assert stale_scenes(stash, plex, sample) == {}
    assert queue_rows(harness) == []  # nothing waiting, nothing left taken
    assert harness.dead_letters() == []
    assert_recorded_queries_valid(stash.queries)


def test_a_task_killed_mid_batch_leaves_its_jobs_for_the_next_drain(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(60)
    plex.gate.close("edit", after=5, timeout=HOLD)  # the sixth edit waits: mid-batch
    task = Started(harness, {"mode": "sync_all"})
    assert _kill_when_held(harness, plex, task.kill), "the kill left no job taken"
    _let_plex_answer(plex)

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
    harness.data_dir.mkdir()
    held = FileLock(harness.data_dir / layout.DRAINER_LOCK)
    assert held.acquire(0)  # the hooks only queue: no drainer may start yet
    for scene_id in (first, second):
        assert harness.hook(scene_id).returncode == 0
    held.release()
    plex.gate.close("edit", timeout=HOLD)
    task = Started(harness, {"mode": "process_queue"})
    # Plex has the first scene's edit and the task waits for the answer: killed now, Plex
    # carries the edit out but the task never records it.
    assert _kill_when_held(harness, plex, task.kill)
    _let_plex_answer(plex)
    (rating_key,) = sample.rating_keys[first]
    assert plex.item(rating_key)["tags"]["genre"], "the first scene's write reached Plex"

    stash.clock.advance(1)
    stash.update_scene(first, tags=[], performers=[])  # a person removes every tag and actor
    assert harness.hook(first).returncode == 0
    harness.wait_drained(timeout=WAIT)

    assert stale_scenes(stash, plex, sample, [first, second]) == {}
