"""End-to-end: fast hooks, one detached drainer at a time, and safe hand-over to tasks (issue 5).

Which process holds the drainer lock is read from /proc/locks (flock locks are listed there with
the holder's pid), and which processes work on the data dir from their open files: the sync
state database is opened only by a process about to drain.
"""

from __future__ import annotations

import os
import random
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from sync_queue import layout
from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble
from tests.e2e import Started, edit_scene
from tests.harness import Harness
from tests.plex_views import stale_scenes
from tests.queue_rows import hold_drainer_lock, queue_every_scene, queue_rows
from tests.schema_fidelity import assert_recorded_queries_valid

pytestmark = pytest.mark.skipif(not Path("/proc/locks").exists(), reason="needs Linux /proc")

HOLD = 300.0  # the Plex double's gate holds a request no longer, even if a test goes wrong
WAIT = 90.0  # generous deadlines: under heavy load a fresh interpreter takes seconds to start


class Watch:
    """Samples, every few milliseconds, the drainer lock's holder and the processes that have
    this data dir's state database open (i.e. that are draining or about to)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.holders: set[int] = set()
        self.workers: set[int] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Watch:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        state_db = str(self.data_dir / layout.STATE_DB)
        while not self._stop.wait(0.02):
            if holder := self._holder():
                self.holders.add(holder)
            self.workers.update(pid for pid in _plexsync_pids() if _has_open(pid, state_db))

    def _holder(self) -> int | None:
        try:
            inode = os.stat(self.data_dir / layout.DRAINER_LOCK).st_ino
        except FileNotFoundError:
            return None
        for line in Path("/proc/locks").read_text().splitlines():
            fields = line.split()
            if "FLOCK" in fields and fields[5].rsplit(":", 1)[-1] == str(inode):
                return int(fields[4])
        return None


def _plexsync_pids() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if b"plexsync.py" in (entry / "cmdline").read_bytes():
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _has_open(pid: int, path: str) -> bool:
    try:
        return any(os.readlink(fd) == path for fd in Path(f"/proc/{pid}/fd").iterdir())
    except OSError:
        return False


# --- the hook path --------------------------------------------------------------------------

def test_a_hook_makes_one_stash_request_and_none_to_plex(harness: Harness, stash: StashDouble,
                                                         plex: PlexDouble) -> None:
    sample = harness.build_sample(3)
    lock = hold_drainer_lock(harness)
    stash.reset_counts()
    plex.reset_counts()

    run = harness.hook(sample.scene_ids[0], input={"id": str(sample.scene_ids[0]), "title": "x"})

    assert run.returncode == 0, run.stderr
    assert run.result["output"] == "queued 1 scene(s) for Plex"
    # One request: Stash's version and the settings ride along with the scene.
    assert stash.counts == {"graphql": 1, "version": 1, "configuration": 1, "findScene": 1}
    assert sum(plex.counts.values()) == 0
    assert harness.queue_counts()["waiting"] == 1
    assert not (harness.data_dir / layout.DRAINER_PID).exists()  # none started: the lock is held
    lock.release()
    assert_recorded_queries_valid(stash.queries)


def test_the_hook_returns_while_its_detached_drainer_works(harness: Harness,
                                                           plex: PlexDouble) -> None:
    sample = harness.build_sample(5)
    plex.gate.close("edit", timeout=HOLD)  # the drainer stays busy until the test is done

    run = harness.hook(sample.scene_ids[0])  # waits for stdout and stderr to close

    assert run.returncode == 0, run.stderr
    plex.gate.wait_held("edit", timeout=WAIT)  # the hook has returned; its drainer is writing
    pid = harness.drainer_pid()
    assert pid is not None and harness.drainer_running()
    session = int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[3])
    assert session == pid  # its own session: Stash's process group signals do not reach it
    assert os.readlink(f"/proc/{pid}/fd/1") == os.devnull
    assert os.readlink(f"/proc/{pid}/fd/2") == str(harness.data_dir / layout.DRAINER_LOG)
    plex.gate.open()
    harness.wait_drained(timeout=WAIT)
    assert stale_scenes(harness.stash, plex, sample, sample.scene_ids[:1]) == {}


# --- many processes at once -------------------------------------------------------------------

def test_fifty_hooks_at_once_and_three_rapid_edits(harness: Harness, stash: StashDouble,
                                                   plex: PlexDouble) -> None:
    sample = harness.build_sample(50)
    rng = random.Random(50)
    edited = sample.scene_ids[7]
    plex.reset_counts()

    def three_rapid_edits() -> list[int]:
        codes = []
        for n in range(3):
            edit_scene(stash, rng, edited, f"rapid edit {n}")
            codes.append(harness.hook(edited).returncode)
        return codes

    with Watch(harness.data_dir) as watch, ThreadPoolExecutor(51) as pool:
        rapid = pool.submit(three_rapid_edits)
        runs = list(pool.map(harness.hook, sample.scene_ids))
        assert rapid.result() == [0, 0, 0]
        assert [r.returncode for r in runs] == [0] * 50
        harness.wait_drained(timeout=WAIT)

    assert stash.scene(edited)["title"] == f"rapid edit 2 title of {edited}"
    assert stale_scenes(stash, plex, sample) == {}
    assert queue_rows(harness) == [] and harness.dead_letters() == []
    # Nobody drained without the lock, and no job was worked on twice.
    assert watch.workers and watch.workers <= watch.holders, (watch.workers, watch.holders)
    items = sum(len(keys) for keys in sample.rating_keys.values())
    assert items <= plex.counts["edit"] <= items + 3
    assert "resumed" not in harness.drainer_log()


def test_a_task_takes_over_from_the_busy_drainer(harness: Harness, stash: StashDouble,
                                                 plex: PlexDouble) -> None:
    sample = harness.build_sample(150)
    queue_every_scene(harness, stash, sample.scene_ids)
    plex.gate.close("edit", after=1, timeout=HOLD)  # the drainer's batch stops at its 2nd edit

    with Watch(harness.data_dir) as watch:
        assert harness.hook(sample.scene_ids[0]).returncode == 0  # starts the drainer
        plex.gate.wait_held("edit", timeout=WAIT)
        drainer = harness.drainer_pid()
        assert drainer is not None
        harness.wait_until(lambda: drainer in watch.holders, WAIT, "the watch saw the drainer")
        task = Started(harness, {"mode": "process_queue"})
        harness.wait_until(lambda: (harness.data_dir / layout.HANDOVER).exists(), WAIT,
                           "the task asked the drainer to hand over")
        # The drainer finishes its edits in flight and hands over; only the task, which takes
        # over the rest of the batch, fetches items again: it is held there until the watch
        # has seen it hold the lock.
        plex.gate.close("metadata", timeout=HOLD)
        plex.gate.wait_held("metadata", timeout=WAIT)
        harness.wait_until(lambda: len(watch.holders - {drainer}) >= 1, WAIT,
                           "the watch saw the task hold the lock")
        plex.gate.open()
        run = task.finish(WAIT)
        harness.wait_drained(timeout=WAIT)

    assert run.returncode == 0, run.stderr
    assert any("hand over" in text for text in run.messages("info"))
    assert run.messages("progress") and run.messages("progress")[-1] == "1.000"
    assert sum("scenes handled" in text for text in run.messages("info")) >= 2  # one per batch
    assert stale_scenes(stash, plex, sample) == {}
    assert queue_rows(harness) == [] and harness.dead_letters() == []
    assert len(watch.holders) >= 2 and watch.workers and watch.workers <= watch.holders
    # Never both writing: every item was written exactly once.
    assert plex.counts["edit"] == sum(len(keys) for keys in sample.rating_keys.values())
