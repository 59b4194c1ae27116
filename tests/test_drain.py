"""Every way a job can end, run in-process: the real loop, batch, stores and queue on a temporary
data folder, against in-memory Stash and Plex ports (tests/ports.py). The process boundaries
(hooks, the detached worker, Stash's tasks) keep their end-to-end tests (tests/test_e2e_*.py).
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from plexapi.exceptions import Unauthorized

from plex.errors import PlexSettingError
from stash.errors import StashError, StashLoginRejected
from sync import freshness
from sync.failure import AFTER_SCAN_DELAY, COVER_PENDING, NOT_FOUND_DELAYS, Kind
from sync.state import FAILED, NOT_FOUND, REVIEW, SYNCED, SceneRecord
from sync_queue.job import CHANGED, NEW_SCENE, Intent, Job
from sync_queue.storage import JobStorage
from tasks.sync import until_empty
from tests.harness import Killed
from tests.ports import MemoryPlex, MemoryStash, open_memory_services, scene
from validation.scene import Scene
from worker.loop import Drain
from worker.outage import StopDrain
from worker.process import until_idle
from worker.services import Services
from worker.tally import Tally

VERSION = "2026-01-01T00:00:00Z"


class World:
    """One PlexSync data folder with Stash and Plex in memory."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.stash = MemoryStash()
        self.plex = MemoryPlex()
        self._services: Services | None = None

    def configure(self, **settings: Any) -> None:
        self.close()
        self._services = open_memory_services(self.data_dir, self.stash, self.plex, **settings)

    @property
    def services(self) -> Services:
        if self._services is None:
            self.configure()
        assert self._services is not None
        return self._services

    @property
    def queue(self) -> JobStorage:
        return self.services.stores.queue

    def queue_scene(self, scene_id: int, intent: Intent = CHANGED) -> None:
        self.queue.enqueue(scene_id, self.stash.scenes.get(scene_id, {}).get("updated_at"),
                           intent)

    def drain(self) -> Tally:
        """As a task drains: until the queue is empty, waiting for no retry."""
        return until_empty(Drain(self.services), patience=0)

    def record(self, scene_id: int) -> SceneRecord | None:
        return self.services.stores.state.get_many([scene_id]).get(scene_id)

    def waiting(self) -> list[Job]:
        return self.queue.waiting()

    def later(self) -> None:
        """The clock moves on: every waiting job is due now, with its attempts."""
        for job in self.queue.take(1000, now=time.time() + 10**6):
            self.queue.retry(job, error=job.last_error or "", next_attempt_at=time.time(),
                             count_attempt=False)

    def close(self) -> None:
        if self._services is not None:
            self._services.close()
            self._services = None


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = World(tmp_path / "data")
    yield w
    w.close()


def _one_scene(world: World, **fields: Any) -> None:
    world.plex.add("101", "/data/a.mp4")
    world.stash.add(scene(1, "/data/a.mp4", title="New", **fields))


def _untouched(world: World, count: int) -> None:
    """Every job still waiting, none taken, no attempt used."""
    assert world.queue.counts()["taken"] == 0
    assert [job.attempts for job in world.waiting()] == [0] * count


# -- written ---------------------------------------------------------------------------------

def test_a_job_is_written_to_plex_recorded_and_acked(world: World) -> None:
    _one_scene(world)
    world.queue_scene(1)
    tally = world.drain()
    assert world.plex.title("101") == "New" and world.plex.uploads == [("101", "poster")]
    assert (tally.synced, world.queue.counts()["waiting"]) == (1, 0)
    record = world.record(1)
    assert record is not None and record.status == SYNCED
    settings = world.services.config.plan_fingerprint()
    content = Scene.from_stash(world.stash.scenes[1]).content_hash()
    assert freshness.in_plex(record.recorded, settings=settings, content=content)


def test_killed_between_the_records_and_the_acks_the_next_worker_writes_nothing_again(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """Written scenes end per chunk (worker/endings.py): their records are committed, then
    their jobs acknowledged. Killed in between, the next worker finds the jobs again, and the
    records saying Plex has these versions, it only compares: nothing is written twice."""
    for n in (1, 2, 3):
        world.plex.add(str(100 + n), f"/data/{n}.mp4")
        world.stash.add(scene(n, f"/data/{n}.mp4", title=f"Scene {n}"))
        world.queue_scene(n)

    def killed(jobs: list[Job]) -> None:
        raise Killed("ack_many")

    monkeypatch.setattr(world.queue, "ack_many", killed)
    with pytest.raises(Killed):
        world.drain()
    monkeypatch.undo()
    assert all(world.record(n).status == SYNCED for n in (1, 2, 3))  # type: ignore[union-attr]
    assert world.queue.counts()["waiting"] + world.queue.counts()["taken"] == 3
    writes = (list(world.plex.edits), list(world.plex.uploads))
    tally = world.drain()
    assert (tally.skipped, tally.synced) == (3, 0)
    assert (world.plex.edits, world.plex.uploads) == writes
    assert world.queue.counts()["waiting"] == world.queue.counts()["taken"] == 0


def test_a_version_plex_already_has_is_skipped(world: World) -> None:
    _one_scene(world)
    world.queue_scene(1)
    world.drain()
    world.queue_scene(1)
    tally = world.drain()
    assert (tally.skipped, tally.synced, len(world.plex.edits)) == (1, 0, 1)
    assert world.queue.counts()["waiting"] == 0


def test_a_scene_deleted_from_stash_is_dropped(world: World) -> None:
    world.queue.enqueue(9, VERSION)
    tally = world.drain()
    assert (tally.dropped, world.queue.counts()["waiting"]) == (1, 0)


def test_the_worker_drains_until_idle_then_ends(world: World) -> None:
    _one_scene(world)
    world.queue_scene(1)
    tally = until_idle(Drain(world.services), idle_exit=0)
    assert tally.synced == 1 and world.plex.title("101") == "New"
    assert world.queue.counts()["waiting"] == 0


def test_a_stop_request_hands_the_rest_of_the_batch_back_untouched(world: World) -> None:
    world.configure(plex_concurrency=1)
    for n in (1, 2, 3):
        world.plex.add(str(100 + n), f"/data/{n}.mp4")
        world.stash.add(scene(n, f"/data/{n}.mp4"))
        world.queue_scene(n)
    drain = Drain(world.services, should_stop=lambda: len(world.plex.edits) >= 1)
    tally = until_idle(drain, idle_exit=0)
    assert tally.synced == 1 and len(world.plex.edits) == 1
    _untouched(world, 2)


# -- retried ---------------------------------------------------------------------------------

def test_a_scene_stash_fails_on_is_retried_later_with_an_attempt_counted(world: World) -> None:
    world.stash.broken[1] = "resolver failed on a field"
    world.queue.enqueue(1, VERSION)
    tally = world.drain()
    (job,) = world.waiting()
    assert job.attempts == 1 and job.next_attempt_at > time.time()
    assert "Stash could not deliver the scene: resolver failed" in (job.last_error or "")
    assert tally.retrying == 1 and tally.outage is None


def test_after_max_retries_a_scene_goes_to_the_dead_letters(world: World) -> None:
    world.configure(max_retries=1)
    world.stash.broken[1] = "resolver failed on a field"
    world.queue.enqueue(1, VERSION)
    world.drain()
    world.later()
    tally = world.drain()
    assert tally.dead == 1 and world.queue.counts()["waiting"] == 0
    assert world.services.stores.dead.count() == 1
    record = world.record(1)
    assert record is not None and record.status == FAILED
    assert any(level == "error" and "dead letters after 2 attempts" in message
               for level, message in world.services.notify)  # type: ignore[attr-defined]


def test_killed_as_a_dead_letters_job_is_acknowledged_the_user_was_told(
        world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The notice comes before the ack: killed between them, the next worker tries the job
    again (and tells again), where the other order would have told no one."""
    world.configure(max_retries=0)
    world.stash.broken[1] = "resolver failed on a field"
    world.queue.enqueue(1, VERSION)

    def killed(job: Job) -> None:
        raise Killed("ack")

    monkeypatch.setattr(world.queue, "ack", killed)
    with pytest.raises(Killed):
        world.drain()
    assert world.services.stores.dead.count() == 1
    assert any(level == "error" and "scene 1 moved to the dead letters" in message
               for level, message in world.services.notify)  # type: ignore[attr-defined]


def test_stash_down_is_retried_without_an_attempt_and_is_no_plex_outage(world: World) -> None:
    _one_scene(world)
    world.queue_scene(1)
    world.stash.failure = StashError("Stash did not answer: connection refused")
    tally = world.drain()
    assert tally.outage is not None and tally.outage.kind is Kind.STASH
    (job,) = world.waiting()
    assert job.attempts == 0 and job.next_attempt_at > time.time()
    assert world.services.stores.health.breaker().state == "closed"


# -- stopped, every job kept -----------------------------------------------------------------

def test_plex_down_opens_the_breaker_and_keeps_every_job(world: World) -> None:
    for n in (1, 2):
        world.stash.add(scene(n, f"/data/{n}.mp4"))
        world.queue_scene(n)
    world.plex.failure = requests.ConnectionError("[Errno 111] Connection refused")
    tally = world.drain()
    assert tally.outage is not None and tally.outage.kind is Kind.TRANSIENT
    assert world.services.stores.health.breaker().state == "open"
    _untouched(world, 2)
    assert any("pausing the sync until Plex answers" in message
               for _, message in world.services.notify)  # type: ignore[attr-defined]


def test_plex_going_down_during_a_batch_uses_no_attempt(world: World) -> None:
    world.configure(plex_concurrency=1)
    for n in range(1, 6):
        world.plex.add(str(100 + n), f"/data/{n}.mp4")
        world.stash.add(scene(n, f"/data/{n}.mp4"))
        world.queue_scene(n)
    world.plex.edit_failure = requests.ConnectionError("[Errno 111] Connection refused")
    tally = world.drain()
    assert tally.synced == 0 and tally.outage is not None
    assert world.services.stores.health.breaker().state == "open"
    _untouched(world, 5)


def test_a_wrong_setting_stops_before_any_scene_and_keeps_every_job(world: World) -> None:
    _one_scene(world)
    world.queue_scene(1)
    world.plex.check_failure = PlexSettingError("Plex has no movie library named X "
                                                "(plex_library)")
    with pytest.raises(StopDrain, match="plex_library") as stopped:
        world.drain()
    assert not stopped.value.stash_login and world.plex.edits == []
    _untouched(world, 1)


def test_a_token_refused_while_writing_stops_and_keeps_every_job(world: World) -> None:
    _one_scene(world)
    world.queue_scene(1)
    world.plex.edit_failure = Unauthorized("(401) unauthorized")
    with pytest.raises(StopDrain, match="plex_token"):
        world.drain()
    _untouched(world, 1)


def test_a_stash_login_refused_stops_and_keeps_every_job(world: World) -> None:
    _one_scene(world)
    world.queue_scene(1)
    world.stash.failure = StashLoginRejected()
    with pytest.raises(StopDrain) as stopped:
        world.drain()
    assert stopped.value.stash_login
    _untouched(world, 1)


# -- for a person to look at -----------------------------------------------------------------

def test_a_low_confidence_match_is_listed_for_review(world: World) -> None:
    world.plex.add("101", "/plex/elsewhere/a.mp4")
    world.stash.add(scene(1, "/data/a.mp4"))
    world.queue_scene(1)
    tally = world.drain()
    record = world.record(1)
    assert tally.review == 1 and record is not None and record.status == REVIEW
    assert [c["file"] for c in record.detail["candidates"]] == ["/plex/elsewhere/a.mp4"]
    assert world.plex.edits == [] and world.queue.counts()["waiting"] == 0


def test_without_strict_matching_a_low_confidence_match_is_written_with_a_warning(
        world: World) -> None:
    world.configure(strict_matching=False)
    world.plex.add("101", "/plex/elsewhere/a.mp4")
    world.stash.add(scene(1, "/data/a.mp4", title="New"))
    world.queue_scene(1)
    assert world.drain().synced == 1 and world.plex.title("101") == "New"
    assert any("low-confidence match" in message
               for _, message in world.services.notify)  # type: ignore[attr-defined]


def test_near_misses_equally_close_are_listed_for_review_even_without_strict_matching(
        world: World) -> None:
    world.configure(strict_matching=False)
    world.plex.add("101", "/plex/a/x.mp4")
    world.plex.add("102", "/plex/b/x.mp4")  # an unrelated file of the same name and size
    world.stash.add(scene(1, "/data/c/x.mp4"))
    world.queue_scene(1)
    tally = world.drain()
    record = world.record(1)
    assert tally.review == 1 and world.plex.edits == []
    assert record is not None and record.status == REVIEW
    assert {c["rating_key"] for c in record.detail["candidates"]} == {"101", "102"}


def test_an_item_holding_the_files_of_two_scenes_is_listed_for_review(world: World) -> None:
    world.plex.add("101", "/data/x - part1.mp4", "/data/x - part2.mp4")
    for n in (1, 2):
        world.stash.add(scene(n, f"/data/x - part{n}.mp4"))
        world.queue_scene(n)
    tally = world.drain()
    assert tally.review == 2 and world.plex.edits == []
    record = world.record(1)
    assert record is not None and record.detail["shared"]["scenes"] == [1, 2]


# -- not in Plex (yet) -----------------------------------------------------------------------

def test_a_scene_not_in_plex_is_looked_for_again_then_parked(world: World) -> None:
    world.plex.add("101", "/data/other.mp4")
    world.stash.add(scene(1, "/data/missing.mp4"))
    world.queue_scene(1)
    for look, delay in enumerate(NOT_FOUND_DELAYS, 1):
        before = time.time()
        world.drain()
        (job,) = world.waiting()
        # a look again is no failure: it uses none of max_retries
        assert (job.looks, job.attempts) == (look, 0)
        assert before + delay <= job.next_attempt_at < before + delay + 60
        world.later()
    tally = world.drain()
    record = world.record(1)
    assert tally.not_found == 1 and record is not None and record.status == NOT_FOUND
    assert world.queue.counts()["waiting"] == 0


def test_looks_again_use_none_of_max_retries_nor_of_the_attempts_told(world: World) -> None:
    """Found at the third look, then Stash fails on the scene: it still has every one of its
    max_retries, and the dead letter tells the failed attempts only."""
    world.configure(max_retries=1)
    world.stash.add(scene(1, "/data/late.mp4"))
    world.queue_scene(1)
    for _ in range(3):
        world.drain()
        world.later()
    world.plex.add("101", "/data/late.mp4")
    world.stash.broken[1] = "resolver failed on a field"
    world.drain()
    (job,) = world.waiting()
    assert (job.looks, job.attempts) == (3, 1)
    world.later()
    assert world.drain().dead == 1
    assert any("dead letters after 2 attempts" in message
               for _, message in world.services.notify)  # type: ignore[attr-defined]


def test_a_created_scene_not_yet_in_plex_asks_plex_to_scan_its_folder(world: World) -> None:
    world.stash.add(scene(1, "/data/new/clip.mp4"))
    world.queue_scene(1, NEW_SCENE)
    before = time.time()
    world.drain()
    (job,) = world.waiting()
    assert world.plex.scans == ["/data/new"]
    assert before + AFTER_SCAN_DELAY <= job.next_attempt_at < before + NOT_FOUND_DELAYS[0]


def test_an_item_gone_from_plex_is_matched_again_at_once(world: World) -> None:
    _one_scene(world)
    world.queue_scene(1)
    world.drain()  # the index (and its cache) now knows item 101
    del world.plex.items["101"]
    world.plex.add("202", "/data/a.mp4")  # Plex re-added the file as a new item
    world.stash.scenes[1] = scene(1, "/data/a.mp4", title="Newer", updated_at="2026-02-01")
    world.queue_scene(1)
    world.plex.listings.clear()
    assert world.drain().synced == 1 and world.plex.title("202") == "Newer"
    # Only the gone item's rows were dropped; Plex was asked what it added, not listed again.
    assert world.plex.listings == {"delta": 1, "count": 1}


def test_a_file_moved_on_its_item_is_found_through_the_record(world: World) -> None:
    _one_scene(world)
    world.plex.add("102", "/data/b.mp4")
    world.queue_scene(1)
    world.drain()
    world.plex.items["101"] = dataclasses.replace(world.plex.items["101"], files=["/data/x/a.mp4"])
    world.stash.scenes[1] = scene(1, "/data/x/a.mp4", title="Moved", updated_at="2026-02-01")
    world.queue_scene(1)
    world.plex.listings.clear()
    assert world.drain().synced == 1 and world.plex.title("101") == "Moved"
    assert world.plex.listings == {"delta": 1, "count": 1}  # no full listing


# -- covers ----------------------------------------------------------------------------------

def test_a_created_scene_on_stash_placeholder_is_written_then_its_cover_follows(
        world: World) -> None:
    _one_scene(world)
    url = world.stash.scenes[1]["paths"]["screenshot"]
    world.stash.covers[url] = None  # Stash has not made the cover yet
    world.queue_scene(1, NEW_SCENE)
    tally = world.drain()
    assert (tally.synced, tally.retrying) == (1, 1) and world.plex.title("101") == "New"
    (job,) = world.waiting()
    assert job.last_error == COVER_PENDING and world.plex.uploads == []
    record = world.record(1)
    assert record is not None and record.scene_hash is None  # not current without its cover
    del world.stash.covers[url]
    world.later()
    world.drain()
    assert world.plex.uploads == [("101", "poster")] and world.queue.counts()["waiting"] == 0
