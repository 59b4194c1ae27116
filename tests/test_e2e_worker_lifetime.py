"""End to end: the background worker ends on its own when Stash stays down, and when the
plugin's code changed on disk (an update), keeping every job.

Each worker is kept alive by construction while the test sets the scene: a scene that is not in
Plex yet is retried later, and a worker with jobs waiting never ends for lack of work.
"""

from __future__ import annotations

from pathlib import Path

from sync_queue.jobs import JobQueue
from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble
from tests.e2e import ok
from tests.harness import Harness, alive
from tests.plugin_run import install_copy
from worker.process import STASH_PATIENCE

# Stash refusing connections: the worker notices at once and ends STASH_PATIENCE later; the
# margin covers a slow machine, never the decision itself.
STASH_DOWN_BOUND = STASH_PATIENCE + 60


def _worker_waiting_on_a_retry(harness: Harness, scene_id: int) -> int:
    """Hook a scene Plex does not have: the worker looks, then waits to retry. Its pid."""
    ok(harness.hook(scene_id))
    harness.wait_until(lambda: harness.queue_counts()["retrying"] == 1
                       and harness.drainer_pid() is not None, what="the scene waiting to retry")
    pid = harness.drainer_pid()
    assert pid is not None
    return pid


def test_worker_ends_when_stash_stays_down_and_keeps_its_jobs(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(3, missing=1)
    pid = _worker_waiting_on_a_retry(harness, sample.missing[0])
    edited = sample.synced_ids()[0]
    stash.clock.advance(1)
    stash.update_scene(edited, title="Edited just before Stash stopped")

    stash.go_down()
    queue = JobQueue(str(harness.data_dir))  # what the edit's hook queued as Stash stopped
    queue.enqueue(edited, None)
    queue.close()
    harness.wait_until(lambda: not alive(pid), STASH_DOWN_BOUND, "the worker's end")

    assert "Stash has not answered" in harness.drainer_log()
    assert harness.queue_counts()["waiting"] == 2
    assert harness.dead_letters() == []

    stash.come_up()
    run = harness.hook(sample.synced_ids()[1])  # the next edit relays why, and starts a worker
    assert any("the background worker stopped: Stash has not answered" in line
               for line in run.messages("warning")), run.stderr
    rating_key = sample.rating_keys[edited][0]
    harness.wait_until(lambda: plex.item(rating_key)["fields"]["title"]
                       == "Edited just before Stash stopped", what="the kept edit in Plex")


def test_worker_ends_when_its_code_changes_and_one_with_the_new_code_takes_over(
        harness: Harness, stash: StashDouble, tmp_path: Path) -> None:
    harness.plugin_dir = install_copy(tmp_path / "plugins")  # the real tree stays untouched
    sample = harness.build_sample(3, missing=1)
    old = _worker_waiting_on_a_retry(harness, sample.missing[0])

    module = harness.plugin_dir / "worker" / "process.py"  # an update: new code on disk
    module.write_text(module.read_text() + '\nfrom stash import log as _log\n\n'
                      '_log.info("updated PlexSync loaded")\n')
    harness.wait_until(lambda: not alive(old) and harness.drainer_pid() not in (None, old),
                       30, "a new worker in place of the old one")

    log = harness.drainer_log()
    assert "the plugin's code changed on disk: handing 1 queued change(s)" in log
    assert "updated PlexSync loaded" in log.split("handing 1 queued change(s)", 1)[1]
    assert harness.queue_counts()["waiting"] == 1
