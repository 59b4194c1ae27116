"""End-to-end: failures are classified, and each class gets its treatment (issue 5).

Plex down or in maintenance is transient (retried, the circuit breaker pauses the drain, jobs
keep their place and their retries); a rejected token stops the drain with one clear error and
keeps the jobs; a vanished Plex item is re-indexed and re-matched; a scene deleted from Stash
drops its job.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct
import threading
import time
from collections.abc import Iterator

import pytest

from sync_queue import layout
from sync_queue.jobs import JobQueue
from sync_queue.lock import FileLock
from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble
from tests.e2e import Started, edit_scene
from tests.harness import Harness, readable
from tests.plex_views import stale_scenes
from tests.plugin_run import PluginRun
from tests.queue_rows import breaker_state, queue_rows
from tests.schema_fidelity import assert_recorded_queries_valid

# The breaker's first pause is 5 s: an outage a little shorter than that after the breaker
# opens is long enough to show the pause, and the first probe then finds Plex back. (A real
# outage may last minutes; probes only get further apart.)
OUTAGE_AFTER_TRIP = 4.0
MAX_ATTEMPTS = 30  # a hot loop would make hundreds of attempts in 4 s
HOLD = 300.0  # the Plex double's gate holds a request no longer, even if a test goes wrong
WAIT = 90.0  # generous deadlines: under heavy load a fresh interpreter takes seconds to start


@contextlib.contextmanager
def dead_port(port: int) -> Iterator[list[int]]:
    """Plex's port while Plex is down, counting connection attempts.

    A refused connection reaches no server, so nothing could count it; this listener accepts
    each connection and resets it at once, which a client sees as the same kind of error."""
    attempts = [0]
    stop = threading.Event()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(64)
    sock.settimeout(0.05)

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except TimeoutError:
                continue
            attempts[0] += 1
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield attempts
    finally:
        stop.set()
        thread.join(5)
        sock.close()


def _port(plex: PlexDouble) -> int:
    return int(plex.url.rsplit(":", 1)[1])


def _said(run: PluginRun, harness: Harness, text: str) -> bool:
    """Whether the task or the background worker it handed over to logged `text`."""
    return text in run.stderr or text in harness.drainer_log()


def test_plex_down_mid_sync_pauses_then_converges(harness: Harness, stash: StashDouble,
                                                  plex: PlexDouble) -> None:
    sample = harness.build_sample(120)
    plex.gate.close("edit", after=20, timeout=HOLD)
    task = Started(harness, {"mode": "sync_all"})
    plex.gate.wait_held("edit", timeout=WAIT)  # the sync is writing, most scenes still to do
    plex.go_down()  # connections refused; those open are cut
    plex.gate.open()
    harness.wait_until(lambda: breaker_state(harness) == "open", WAIT, "the breaker opened")
    with dead_port(_port(plex)) as attempts:
        deadline = time.monotonic() + OUTAGE_AFTER_TRIP
        harness.wait_until(lambda: time.monotonic() >= deadline, OUTAGE_AFTER_TRIP + 1,
                           "the outage is over")
        rows = queue_rows(harness)
    plex.come_up()
    run = task.finish(WAIT)
    harness.wait_drained()

    assert attempts[0] < MAX_ATTEMPTS, f"{attempts[0]} attempts while the breaker was open"
    assert rows, "the outage should have caught jobs waiting"
    # An outage is not the jobs' fault: none of them used up a retry.
    assert all(job["attempts"] == 0 for _, job in rows)
    # The task returned during the outage: it could not do all its work, and says so (issue 12).
    assert run.returncode == 1
    assert run.result["error"].startswith("Plex is unreachable (")  # refused, or reset
    assert "queued change(s) are kept and will be written when Plex answers" in \
        run.result["error"]
    assert _said(run, harness, "Plex answers again")
    assert stale_scenes(stash, plex, sample) == {}
    assert queue_rows(harness) == [] and harness.dead_letters() == []
    assert_recorded_queries_valid(stash.queries)


def test_maintenance_is_transient_and_not_hammered(harness: Harness, stash: StashDouble,
                                                   plex: PlexDouble) -> None:
    sample = harness.build_sample(20)
    plex.maintenance = True  # 503 "database migrations" to everything
    task = Started(harness, {"mode": "sync_all"})
    harness.wait_until(lambda: breaker_state(harness) == "open", WAIT, "the breaker opened")
    before = sum(plex.counts.values())
    deadline = time.monotonic() + OUTAGE_AFTER_TRIP
    harness.wait_until(lambda: time.monotonic() >= deadline, OUTAGE_AFTER_TRIP + 1, "time")
    while_open = sum(plex.counts.values()) - before
    plex.maintenance = False
    run = task.finish(WAIT)
    harness.wait_drained()

    assert while_open < MAX_ATTEMPTS, f"{while_open} requests during maintenance"
    assert run.returncode == 1  # returned while Plex was in maintenance, saying so
    assert run.result["error"].startswith("Plex is unavailable (HTTP 503)")
    assert stale_scenes(stash, plex, sample) == {}
    assert queue_rows(harness) == [] and harness.dead_letters() == []


def test_rejected_token_stops_once_keeps_jobs_and_a_fixed_token_converges(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(30)
    plex.gate.close("edit", after=5, timeout=HOLD)
    task = Started(harness, {"mode": "sync_all"})
    plex.gate.wait_held("edit", timeout=WAIT)  # the sync is writing, most scenes still to do
    plex.token = "a-new-token-after-a-password-change"  # Plex now answers 401
    plex.gate.open()
    run = task.finish(WAIT)

    assert run.returncode == 1
    assert "Plex rejected the token" in run.result["error"]
    assert len([t for t in run.messages("error") if "rejected the token" in t]) == 1
    kept = harness.queue_counts()
    assert kept["waiting"] > 0 and kept["taken"] == 0
    assert harness.dead_letters() == []

    # A hook's background drainer meets the same 401: it stops too and the next hook says why.
    edited = sample.scene_ids[0]
    edit_scene(stash, random.Random(1), edited, "during 401")
    assert harness.hook(edited).returncode == 0
    harness.wait_until(lambda: (harness.data_dir / layout.DRAINER_PID).exists()
                       and not harness.drainer_running() and harness.drainer_pid() is None,
                       WAIT, "the hook's drainer ran and stopped")
    relayed = harness.hook(edited)
    assert any("rejected the token" in t for t in relayed.messages("error")), relayed.stderr
    assert harness.queue_counts()["waiting"] >= kept["waiting"]

    harness.configure(plex_token=plex.token)  # the user fixes the setting
    run = harness.task("process_queue")
    assert run.returncode == 0, run.stderr
    harness.wait_drained()
    assert stale_scenes(stash, plex, sample) == {}
    assert queue_rows(harness) == [] and harness.dead_letters() == []


def test_vanished_plex_item_is_reindexed_and_rematched(harness: Harness, stash: StashDouble,
                                                       plex: PlexDouble) -> None:
    sample = harness.build_sample(8)
    assert harness.task("sync_all").returncode == 0  # leaves the path index cached
    scene_id = sample.scene_ids[3]
    (old_key,) = sample.rating_keys[scene_id]
    file = plex.item(old_key)["files"][0]
    plex.remove_item(old_key)  # Plex re-created the item (e.g. after "empty trash" and a scan)
    new_key = plex.add_item(sample.section_id, file=file, size=1)
    sample.rating_keys[scene_id] = [new_key]
    edit_scene(stash, random.Random(2), scene_id, "after re-add")
    plex.reset_counts()

    assert harness.hook(scene_id).returncode == 0
    harness.wait_drained()

    assert ("GET", f"/library/metadata/{old_key}") in plex.requests  # went to the stale key
    assert plex.counts["listing"] >= 1  # then listed Plex again
    assert stale_scenes(stash, plex, sample) == {}
    assert queue_rows(harness) == [] and harness.dead_letters() == []


def _queue_then_delete(harness: Harness, stash: StashDouble, kept: int, deleted: int) -> None:
    harness.data_dir.mkdir()
    held = FileLock(harness.data_dir / layout.DRAINER_LOCK)
    assert held.acquire(0)  # the hooks only queue: nothing drains before the deletion
    for scene_id in (kept, deleted):
        assert harness.hook(scene_id).returncode == 0
    held.release()
    stash.delete_scene(deleted)


def test_scene_deleted_from_stash_drops_its_job(harness: Harness, stash: StashDouble,
                                                plex: PlexDouble) -> None:
    sample = harness.build_sample(4)
    kept, deleted = sample.scene_ids[0], sample.scene_ids[3]
    _queue_then_delete(harness, stash, kept, deleted)

    run = harness.task("process_queue")

    assert run.returncode == 0, run.stderr
    assert "1 dropped" in run.result["output"]
    assert stale_scenes(stash, plex, sample, [kept]) == {}
    (deleted_key,) = sample.rating_keys[deleted]
    assert plex.item(deleted_key)["fields"]["studio"] is None  # never written
    assert queue_rows(harness) == [] and harness.dead_letters() == []


def test_a_deleted_scene_costs_no_error_lines_nor_per_scene_queries(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(4)
    _queue_then_delete(harness, stash, sample.scene_ids[0], sample.scene_ids[3])
    stash.reset_counts()

    run = harness.task("process_queue")

    assert run.returncode == 0, run.stderr
    assert [readable(line) for line in run.stderr.splitlines() if "\x01e\x02" in line] == []
    assert stash.counts.get("findScene", 0) == 0


@pytest.mark.parametrize("deleted", [1, 12])
def test_deleted_scenes_in_a_batch_cost_three_stash_requests_however_many(
        harness: Harness, stash: StashDouble, plex: PlexDouble, deleted: int) -> None:
    # Stash's FindMany names only the first missing id (stashapp/stash pkg/sqlite/scene.go):
    # asking again without it would cost one request per deleted scene.
    sample = harness.build_sample(30)
    ids = sample.synced_ids()
    harness.data_dir.mkdir()
    queue = JobQueue(harness.data_dir)
    queue.enqueue_many([(sid, stash.scene(sid)["updated_at"]) for sid in ids])
    queue.close()
    gone = random.Random(deleted).sample(ids, deleted)
    for scene_id in gone:
        stash.delete_scene(scene_id)
    stash.reset_counts()

    run = harness.task("process_queue")

    assert run.returncode == 0, run.stderr
    assert f"{len(ids) - deleted} written" in run.result["output"]
    assert f"{deleted} dropped" in run.result["output"]
    # The ids, which of them exist (one filter query), the rest again: 3 whatever the number.
    assert stash.counts["findScenes"] == 3 and stash.counts.get("findScene", 0) == 0
    kept = [sid for sid in ids if sid not in gone]
    assert stale_scenes(stash, plex, sample, kept) == {}
    assert_recorded_queries_valid(stash.queries)
