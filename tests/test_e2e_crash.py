"""End-to-end: SIGKILL of any PlexSync process at any moment loses no update (issue 5).

The helpers at the top (what Plex must hold for a scene, a plugin run that can be killed, the raw
queue rows) are shared by the other robustness tests.
"""

from __future__ import annotations

import hashlib
import json
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from typing import Any

from sync import clean
from sync_queue import layout
from sync_queue.lock import FileLock
from tests.doubles.plex import PlexDouble
from tests.doubles.sample import Sample
from tests.doubles.stash import StashDouble
from tests.harness import Harness
from tests.plugin_run import ENTRY, ROOT, PluginRun, plugin_env
from tests.schema_fidelity import assert_recorded_queries_valid

# --- shared helpers ------------------------------------------------------------------------


def expected_item(stash: StashDouble, scene_id: int) -> dict[str, Any]:
    """What every Plex item of a scene holds after a sync with the default settings."""
    scene = stash.scene(scene_id)
    store = stash.store
    studio = store.studios[scene["studio"]].name if scene["studio"] else None
    date = scene["date"]
    collections = ([studio] if studio else []) + [store.groups[g].name for g, _ in scene["groups"]]
    return {
        "title": clean.line(scene["title"]) if scene["title"] else None,
        "summary": clean.text(scene["details"]) or None if scene["details"] else None,
        "studio": studio,
        "originallyAvailableAt": date if date and len(date) == 10 else None,
        "year": int(date[:4]) if date else None,
        "genre": sorted(store.tags[t].name for t in scene["tags"]),
        "actors": sorted(store.performers[p].name for p in scene["performers"]),
        "collection": sorted(collections),
        "poster_sha1": hashlib.sha1(scene["cover"]).hexdigest() if scene["cover"] else None,
    }


def held_item(plex: PlexDouble, rating_key: str) -> dict[str, Any]:
    """The same view of what a Plex item holds now."""
    item = plex.item(rating_key)
    fields = item["fields"]
    return {
        "title": fields["title"],
        "summary": fields["summary"],
        "studio": fields["studio"],
        "originallyAvailableAt": fields["originallyAvailableAt"],
        "year": fields["year"],
        "genre": sorted(item["tags"]["genre"]),
        "actors": sorted(a["tag"] for a in item["actors"]),
        "collection": sorted(item["tags"]["collection"]),
        "poster_sha1": item["poster_sha1"],
    }


def stale_scenes(stash: StashDouble, plex: PlexDouble, sample: Sample,
                 scene_ids: list[int] | None = None) -> dict[str, dict[str, Any]]:
    """Every Plex item that does not hold its scene's current Stash state, with both views.

    A scene without a title keeps whatever title Plex had (PlexSync never blanks it)."""
    stale = {}
    for scene_id in scene_ids if scene_ids is not None else sample.synced_ids():
        want = expected_item(stash, scene_id)
        for rating_key in sample.rating_keys[scene_id]:
            have = held_item(plex, rating_key)
            if want["title"] is None:
                have["title"] = None
            if have != want:
                diff = {k: (have[k], want[k]) for k in want if have[k] != want[k]}
                stale[f"scene {scene_id} / item {rating_key}"] = diff
    return stale


class Started:
    """plexsync.py started as Stash starts it, but not waited for, so it can also be killed.

    Its output goes to temporary files: a pipe nobody reads could stall it."""

    def __init__(self, harness: Harness, args: dict[str, Any]) -> None:
        # Closed in finish(): they outlive this call by design.
        self._out = tempfile.TemporaryFile("w+")  # noqa: SIM115
        self._err = tempfile.TemporaryFile("w+")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [sys.executable, str(ENTRY)], stdin=subprocess.PIPE, stdout=self._out,
            stderr=self._err, text=True, env=plugin_env(), cwd=str(ROOT.parent))
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(harness.payload(args)))
        self.proc.stdin.close()

    def kill(self) -> None:
        self.proc.kill()
        self.finish(10)

    def finish(self, timeout: float = 60) -> PluginRun:
        returncode = self.proc.wait(timeout)
        outputs = []
        for file in (self._out, self._err):
            file.seek(0)
            outputs.append(file.read())
            file.close()
        return PluginRun(returncode, *outputs)


def queue_rows(harness: Harness) -> list[tuple[int, dict[str, Any]]]:
    """(TAKEN or 0, job) of every job in queue.db, waiting or taken, read raw from the schedule
    (sync_queue/schedule.py)."""
    path = harness.data_dir / layout.QUEUE_DB
    if not path.exists():
        return []
    conn = sqlite3.connect(path, timeout=10)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute("SELECT taken, scene_id, updated_at, intent, attempts, last_error "
                            "FROM schedule").fetchall()
    except sqlite3.OperationalError as exc:  # the first process to open it creates the tables
        if "no such table" not in str(exc):
            raise
        rows = []
    finally:
        conn.close()
    return [(TAKEN if row["taken"] else 0, dict(row)) for row in rows]


def edit_scene(stash: StashDouble, rng: random.Random, scene_id: int, label: str) -> None:
    """A person's edit in Stash of the fields a sync writes (title, summary, tags, cast);
    a list may become empty, which only PlexSync's record of its own names can carry out."""
    tags = sorted(stash.store.tags)
    performers = sorted(stash.store.performers)
    stash.clock.advance(1)  # Stash stamps updated_at to the second: each edit is a new version
    stash.update_scene(
        scene_id, title=f"{label} title of {scene_id}", details=f"{label} summary.\n\nEdited.",
        tags=rng.sample(tags, rng.randint(0, 3)),
        performers=rng.sample(performers, rng.randint(0, 2)))


# --- the tests -------------------------------------------------------------------------------

SCENES = 200
KILLS = 8
TAKEN = 1  # a job a drainer is working on


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
