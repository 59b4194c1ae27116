"""End to end: the queue as a Stash user sees and manages it.

Queue Status reports what really happened, in the log and in the task output: every situation
is created through the plugin itself (a hook's background worker meets a scene Plex has not
scanned yet, a low-confidence match under strict matching and a poster Plex refuses with
max_retries 0, then Plex goes down during Process Queue). Retry and Purge Dead Letters and
Clear Queue act on real dead letters and a real background worker.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone

from sync_queue import layout
from sync_queue.dead_letters import DeadLetters
from sync_queue.job import CHANGED, Job
from tests.doubles.plex import PlexDouble
from tests.doubles.sample import Sample
from tests.doubles.stash import StashDouble
from tests.e2e import accept_posters, assert_replied, refuse_posters, run_task
from tests.harness import Harness
from tests.plex_views import snapshots
from tests.queue_rows import queue_scenes
from tests.schema_fidelity import assert_recorded_queries_valid

DAY = 24 * 3600.0


def _logged_report(run_logs: list[tuple[str, str]], summary: list[str]) -> list[str]:
    infos = [text for level, text in run_logs if level == "info"]
    return infos[-len(summary):]


def test_queue_status_on_a_fresh_install(harness: Harness, stash: StashDouble) -> None:
    harness.build_sample(3)
    run = run_task(harness, "Queue Status")
    report = assert_replied(harness, run)
    assert report["queue"] == {"waiting": 0, "due": 0, "retrying": 0, "taken": 0}
    assert (report["retrying"], report["review"], report["not_found"]) == ([], [], [])
    assert report["dead_letters"] == {"count": 0, "by_reason": {}}
    assert report["last_successful_sync"] is None and report["synced_scenes"] == 0
    assert report["plex"] == {"circuit": "closed", "consecutive_failures": 0, "reachable": True}
    assert "Synced scenes: 0; last successful sync: never" in report["summary"]
    assert _logged_report(run.logs, report["summary"]) == report["summary"]
    assert report["summary"][-1] == ("Queue Status: 0 pending, 0 dead letter(s), 0 needing "
                                     "review, 0 not in Plex; Plex reachable, circuit closed")
    assert_recorded_queries_valid(stash.queries)


def _notices(harness: Harness) -> str:
    """What the background worker left for the next hook or task to log."""
    try:
        return (harness.data_dir / layout.NOTICES).read_text()
    except FileNotFoundError:
        return ""


def test_queue_status_reports_retries_dead_letters_reviews_and_an_outage(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(8, missing=1)
    ids, [unscanned] = sample.scene_ids, sample.missing
    synced, refused = ids[3], ids[0]
    # Same name and size as the Stash file, in another Plex folder: only a low-confidence match.
    moved = stash.add_scene(title="Moved in Plex", files=[("/data/stash/a/odd-one.mp4", 77_777)])
    moved_rk = plex.add_item(sample.section_id, file="/media/plex/b/odd-one.mp4", size=77_777)
    harness.configure(max_retries=0)
    refuse_posters(plex, sample.rating_keys[refused])

    # The refused scene last: a hook relays the worker's notices, a later one would take its own.
    for sid in (synced, moved, unscanned, refused):
        assert harness.hook(sid).returncode == 0
    # The worker is done with all four when only the unscanned scene waits, to be looked for
    # again later, and the refused one is a dead letter it has told the user about (it tells
    # before it acknowledges the job, worker/endings.py: the notice is there to relay).
    harness.wait_until(lambda: harness.queue_counts() == {
        "waiting": 1, "due": 0, "retrying": 1, "taken": 0} and len(harness.dead_letters()) == 1
        and f"scene {refused} moved to the dead letters" in _notices(harness),
        what="the background worker to handle four scenes")
    harness.kill_drainers()

    plex.go_down()
    queue_scenes(harness, ids[4:7])
    run = run_task(harness, "Process Queue")
    assert run.returncode == 1  # it could not do its work, and says so (issue 12)
    assert run.result["error"].startswith("Plex is unreachable (Connection refused): 4 queued "
                                          "change(s) are kept")
    # What the background worker could tell no one reaches Stash's log with the next task.
    [notice, error] = [text for level, text in run.logs if level == "error"]
    assert notice.startswith(f"PlexSync worker: scene {refused} moved to the dead letters")
    assert error == run.result["error"]
    harness.wait_until(lambda: harness.drainer_pid() is not None, what="a background worker")
    harness.kill_drainers()  # it would only wait for Plex; keep the queue as the task left it

    run = run_task(harness, "Queue Status")
    report = assert_replied(harness, run)
    assert report["queue"]["waiting"] == 4
    [retry] = [job for job in report["retrying"] if job["scene_id"] == unscanned]
    assert (retry["attempts"], retry["looks"]) == (0, 1)  # a look again, no failed attempt
    assert retry["last_error"] == "not found in Plex yet"
    assert datetime.fromisoformat(retry["next_attempt_at"]) > datetime.now(timezone.utc)
    assert report["dead_letters"] == {"count": 1, "by_reason": {"bad_data:400": 1}}
    [review] = report["review"]
    assert review["scene_id"] == moved
    assert [(c["rating_key"], c["file"]) for c in review["candidates"]] == [
        (moved_rk, "/media/plex/b/odd-one.mp4")]
    assert report["synced_scenes"] == 1 and report["last_successful_sync"] is not None
    health = report["plex"]
    assert (health["reachable"], health["circuit"]) == (False, "open")
    assert health["consecutive_failures"] >= 1  # the first look at Plex trips the breaker
    assert health["last_error"] == "Plex is unreachable (Connection refused)"
    assert "Connection refused" in health["error"]

    lines = report["summary"]
    assert _logged_report(run.logs, lines) == lines
    due = report["queue"]["due"]  # the outage retries may be due again by now
    assert lines[0].startswith(f"Queue: 4 pending ({due} due now, {4 - due} waiting to retry)")
    assert f"  retrying scene {unscanned} (look 1) at {retry['next_attempt_at']}: not found " \
           "in Plex yet" in lines
    assert "  1 x Plex refused a value (HTTP 400)" in lines
    assert f"  scene {moved}: candidates /media/plex/b/odd-one.mp4" in lines
    assert any(line.startswith("Plex: NOT reachable: ") and line.endswith("; circuit open")
               for line in lines)
    assert lines[-1] == ("Queue Status: 4 pending, 1 dead letter(s), 1 needing review, 0 not "
                         "in Plex; Plex NOT reachable, circuit open")
    assert_recorded_queries_valid(stash.queries)


# --- Dead letters and the queue -------------------------------------------------------------------

def dead_letter_one(harness: Harness, sample: Sample) -> int:
    """Send the first scene to the dead letters for real: its poster is refused and
    max_retries is 0. Returns its id."""
    refused, fine = sample.scene_ids[0], sample.scene_ids[3]
    harness.configure(max_retries=0)
    refuse_posters(harness.plex, sample.rating_keys[refused])
    queue_scenes(harness, [refused, fine])
    output = assert_replied(harness, run_task(harness, "Process Queue"))
    assert output.startswith("1 written") and "1 dead" in output
    return refused


def test_retry_dead_letters_puts_them_back_and_they_reach_plex(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(4)
    refused = dead_letter_one(harness, sample)
    [letter] = harness.dead_letters()
    assert (letter.scene_id, letter.error_class) == (refused, "bad_data:400")
    assert plex.item(sample.rating_keys[refused][0])["poster_sha1"] is None

    accept_posters(plex)
    output = assert_replied(harness, run_task(harness, "Retry Dead Letters"))
    assert output == "moved 1 dead letter(s) back onto the queue"
    harness.wait_drained()  # the background worker writes them
    assert harness.dead_letters() == []
    item = plex.item(sample.rating_keys[refused][0])
    assert item["poster_sha1"] is not None
    assert item["fields"]["title"] == stash.scene(refused)["title"]
    assert_replied(harness, run_task(harness, "Retry Dead Letters"))  # nothing left: fine too
    assert_recorded_queries_valid(stash.queries)


def test_purge_dead_letters_forgets_only_those_older_than_n_days(
    harness: Harness, stash: StashDouble
) -> None:
    sample = harness.build_sample(4)
    refused = dead_letter_one(harness, sample)
    old_scene = sample.scene_ids[1]
    letters = DeadLetters(harness.data_dir)
    try:  # a failure from six weeks ago
        job = Job(id=0, scene_id=old_scene, updated_at=stash.scene(old_scene)["updated_at"],
                  intent=CHANGED, attempts=3, next_attempt_at=0.0,
                  last_error="Plex refused it", enqueued_at=0.0)
        letters.add(job, error_class="bad_data:400", message="Plex refused it",
                    now=time.time() - 42 * DAY)
    finally:
        letters.close()

    output = assert_replied(harness, run_task(harness, "Purge Dead Letters"))
    assert output == "purged 1 dead letter(s) older than 30 day(s)"
    assert [letter.scene_id for letter in harness.dead_letters()] == [refused]
    output = assert_replied(harness, run_task(harness, "Purge Dead Letters", days="0"))
    assert output == "purged 1 dead letter(s) older than 0 day(s)"
    assert harness.dead_letters() == []
    assert_recorded_queries_valid(stash.queries)


def test_clear_queue_takes_over_from_the_worker_and_drops_every_change(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(4)
    ids = sample.scene_ids[:3]
    before = snapshots(plex, sample, ids)
    plex.go_down()  # the background worker keeps retrying the hooks' changes
    for sid in ids:
        assert harness.hook(sid).returncode == 0
    harness.wait_until(harness.drainer_running, what="a background worker")

    output = assert_replied(harness, run_task(harness, "Clear Queue"))
    assert output == ("cleared 3 queued change(s); run Sync All Scenes to queue them again")
    assert harness.queue_counts() == {"waiting": 0, "due": 0, "retrying": 0, "taken": 0}
    plex.come_up()
    harness.wait_drained()
    assert snapshots(plex, sample, ids) == before  # nothing reached Plex
    assert_recorded_queries_valid(stash.queries)
