"""One batch of jobs: fetch the scenes fresh, skip what Plex already has, match, write.

How each job ends is worker/endings.py's business; this module decides which ending.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from stash import log
from sync import freshness
from sync.edit import Edit
from sync.failure import COVER_PENDING, Failure, Kind, cover_delay, not_found_delay
from sync.item import PlexItem
from sync.matching import Match, Recommendation, decide
from sync.ownership import Owned
from sync.state import NOT_FOUND, REVIEW, SceneRecord, Success
from sync_queue.job import Job
from validation.config import PlexSyncConfig
from validation.scene import Scene
from worker.endings import Endings
from worker.finding import Wanted, find
from worker.index import Index, ask_scan
from worker.outage import Outage, StopDrain, classify
from worker.ports import Notify, PlexPort, StashPort
from worker.services import Stores
from worker.stacks import shared
from worker.tally import Tally
from worker.write import SceneResult, plan_items, write_items

PROGRESS_EVERY = 50


@dataclass
class Work:
    scene: Scene
    jobs: list[Job]
    record: SceneRecord | None
    content: str  # the scene's content hash, computed once (sync/freshness.py)
    match: Match | None = None

    @property
    def looks(self) -> int:  # not in Plex yet, no cover yet: apart from failed attempts
        return max(job.looks for job in self.jobs)

    @property
    def newest(self) -> Job:
        return self.jobs[-1]


class Batch:
    def __init__(self, config: PlexSyncConfig, stores: Stores, stash: StashPort, plex: PlexPort,
                 index: Index, outage: Outage, notify: Notify, *,
                 on_progress: Callable[[Tally], None] | None = None,
                 should_stop: Callable[[], bool] = lambda: False) -> None:
        self.config = config
        self._stash, self._plex = stash, plex
        self._should_stop = should_stop
        self._on_progress = on_progress
        self.tally = Tally()
        # The stores, the index, Plex's health and the user's log, as the endings use them.
        self.end = Endings(stores.queue, stores.dead, stores.state, outage, index, notify,
                           config.max_retries, self.tally)
        self._settings = config.plan_fingerprint()
        self._halt: Failure | None = None  # a wrong setting met while writing: write no more

    def run(self, jobs: list[Job]) -> Tally:
        self.end.taken(jobs)
        try:
            self._run(jobs)
        finally:
            try:
                self.end.flush()  # what ended is committed, even when the drain stops
            finally:
                self.end.release_unfinished()
        return self.tally

    def _run(self, jobs: list[Job]) -> None:
        by_scene: dict[int, list[Job]] = defaultdict(list)
        for job in jobs:
            by_scene[job.scene_id].append(job)
        try:
            fetched = self._stash.scenes_by_id(list(by_scene))
        except Exception as exc:  # Stash unreachable: nothing can be decided, try again later
            failure = classify(exc)
            if failure.kind is Kind.STASH_LOGIN:
                raise StopDrain(failure) from None  # every job goes back untouched (run)
            for scene_jobs in by_scene.values():
                self.end.retry(scene_jobs, 10.0, failure.message, counts=False)
            self.tally.errors.append(failure.message)
            self.tally.outage = failure
            return
        for scene_id, message in fetched.broken.items():
            # Stash itself fails on this scene: kept, retried, and in the end a dead letter.
            failure = Failure(Kind.ERROR, f"Stash could not deliver the scene: {message}")
            self.end.fail(scene_id, by_scene.pop(scene_id), failure)
        work = self._fresh(by_scene, fetched.found)
        try:
            self._match(work)
        except Exception as exc:  # Plex unreachable or refusing the token while indexing
            self._all_failed(work, exc)
            return
        self._write([w for w in work if w.match is not None])

    def _fresh(self, by_scene: dict[int, list[Job]], raw: dict[int, dict]) -> list[Work]:
        records = self.end.state.get_many(list(by_scene))
        work = []
        for scene_id, scene_jobs in by_scene.items():
            data = raw.get(scene_id)
            if data is None:  # deleted from Stash: nothing to sync, ever
                self.end.ack_later(scene_jobs)
                self.tally.dropped += 1
                continue
            scene = Scene.from_stash(data)
            record = records.get(scene_id)
            recheck = any(job.intent.recheck for job in scene_jobs)
            recorded = record.recorded if record else None
            content = scene.content_hash()
            if not recheck and freshness.in_plex(recorded, settings=self._settings,
                                                 content=content):
                self.end.ack_later(scene_jobs)
                self.tally.skipped += 1
                continue
            for note in scene.problems:  # what was cleaned or dropped on the way to Plex
                log.warning(f"scene {scene_id}: {note}")
            work.append(Work(scene, scene_jobs, record, content))
        return work

    def _match(self, work: list[Work]) -> None:
        path_map = self.config.path_map
        wanted = [Wanted(w.scene, w.record.plex_item_keys if w.record else [],
                         not_found_delay(w.looks) is None) for w in work]
        for item, found in zip(work, find(wanted, self.end.index, path_map), strict=True):
            item.match = found
        for item in list(work):
            verdict = decide(item.match, self.config.strict_matching)  # type: ignore[arg-type]
            if verdict == "review":
                self._review(item)
                item.match = None
            elif verdict == "not_found":
                self._not_found(item)
                item.match = None
        matched = [(w.scene, w.match) for w in work if w.match is not None]
        held = shared(matched, self.end.index.current(), path_map, self.end.state, self._stash)
        for item in work:
            if item.scene.id in held:
                self._hold_shared(item, held[item.scene.id])
                item.match = None

    def _review(self, work: Work) -> None:
        candidates = [
            {"rating_key": c.entry.rating_key, "file": c.entry.file, "reason": c.reason}
            for c in work.match.candidates  # type: ignore[union-attr]
        ]
        why = "equally close" if work.match.ambiguous else "strict matching"  # type: ignore[union-attr]
        self._for_review(work, {"candidates": candidates}, f"no exact path match in Plex; "
                         f"{len(candidates)} candidate(s) need review ({why})")

    def _hold_shared(self, work: Work, detail: dict) -> None:
        """Another scene claims the same Plex item: writing both would make them overwrite each
        other on every sync, so neither is written; the item is listed for review."""
        stack = detail["shared"]
        self._for_review(work, detail, f"Plex item {stack['rating_key']} holds the files of "
                         f"scenes {', '.join(map(str, stack['scenes']))} "
                         f"({', '.join(stack['files'])}); not written, listed for review",
                         stack["rating_key"])

    def _for_review(self, work: Work, detail: dict, why: str, key: str | None = None) -> None:
        self.end.state.update_status(work.scene.id, REVIEW, detail, plex_item_key=key)
        self.end.ack(work.jobs)
        self.tally.review += 1
        log.warning(f"scene {work.scene.id}: {why}")

    def _not_found(self, work: Work) -> None:
        scanned = False
        if work.newest.intent.scan_if_missing and work.looks == 0 \
                and self.config.trigger_plex_scan:
            ask_scan(self._plex, work.scene, self.config.path_map)
            scanned = True
        delay = not_found_delay(work.looks, scanned)
        files = [f.path for f in work.scene.files]
        if delay is None:
            self.end.state.update_status(work.scene.id, NOT_FOUND, {"files": files})
            self.end.ack(work.jobs)
            self.tally.not_found += 1
            log.info(f"scene {work.scene.id} is not in Plex ({files[:1]}); parked as not found")
            return
        self.end.retry(work.jobs, delay, "not found in Plex yet", look=True)

    def _write(self, work: list[Work]) -> None:
        if not work:
            return
        keys = sorted({e.rating_key for w in work for e in w.match.items})  # type: ignore[union-attr]
        try:
            items = self._plex.fetch_items(keys)
        except Exception as exc:
            self._all_failed(work, exc)
            return
        planned = self._plan(work, items)
        with ThreadPoolExecutor(self.config.plex_concurrency) as pool:
            futures = {pool.submit(self._write_one, w, edits): w for w, edits in planned}
            # Each scene is recorded as soon as Plex has it: a kill later loses nothing done.
            for done, future in enumerate(as_completed(futures), 1):
                outcome = future.result()
                if outcome is None:
                    self.end.release(futures[future].jobs)
                elif isinstance(outcome, Failure):
                    self._failed(futures[future], outcome)
                else:
                    self._succeeded(futures[future], outcome)
                report = self._on_progress if done % PROGRESS_EVERY == 0 else None
                if report or self.end.chunk_due():
                    self.end.flush()  # recorded before it is reported as done
                if report:
                    report(self.tally)

    def _plan(self, work: list[Work], items: dict[str, PlexItem | Exception]
              ) -> list[tuple[Work, list[tuple[PlexItem, Edit]]]]:
        planned, claims = [], {}
        for item in work:
            entries = item.match.items  # type: ignore[union-attr]
            targets = [items[e.rating_key] for e in entries if e.rating_key in items]
            unreadable = [t for t in targets if isinstance(t, Exception)]
            if unreadable:
                self._failed(item, classify(unreadable[0]))
                continue
            if len(targets) < len(entries):
                self.end.index.forget([e.rating_key for e in entries if e.rating_key not in items])
                self._failed(item, Failure(Kind.ITEM_GONE, "Plex item disappeared", 404))
                continue
            owned = {t.rating_key: item.record.owned(t.rating_key) if item.record else Owned()
                     for t in targets if isinstance(t, PlexItem)}
            try:
                rewrite = any(job.intent.rewrite for job in item.jobs)
                edits = plan_items(item.scene, targets, owned, self.config,  # type: ignore[arg-type]
                                   force=rewrite)
            except Exception as exc:  # a bug in planning one scene must not stop the batch
                self._failed(item, classify(exc))
                continue
            claims[item.scene.id] = {t.rating_key: owned[t.rating_key].claimed(e.written)
                                     for t, e in edits}
            planned.append((item, edits))
        self.end.state.claim_many(claims, {w.scene.id: w.record for w in work})
        return planned

    def _write_one(self, work: Work, edits: list[tuple[PlexItem, Edit]]
                   ) -> SceneResult | Failure | None:
        if self._halt or self.end.outage.open or self._should_stop():
            # A wrong setting or Plex down during this batch, or a task asked for the queue:
            # the rest of the batch goes back untouched.
            return None
        try:
            return write_items(work.scene, edits, self.config, self._stash, self._plex)
        except Exception as exc:
            failure = classify(exc)
            if failure.kind is Kind.CONFIG:
                self._halt = failure
            return failure

    def _succeeded(self, work: Work, result: SceneResult) -> None:
        failure = None if not result.image_errors else Failure(
            Kind.ERROR, f"could not download its cover from Stash: {result.image_errors[0]}")
        await_cover = any(job.intent.await_cover for job in work.jobs)
        wait = cover_delay(work.looks) if await_cover and result.placeholders else None
        # Written, but not complete while a cover is missing: no stamp, so it is not current.
        complete = failure is None and wait is None
        success = Success(work.scene.id, ",".join(result.written), work.scene.updated_at,
                          freshness.stamp(work.content, self._settings)
                          if complete else None, result.written, work.scene.refs)
        self.end.outage.success()
        self.tally.requests += result.requests
        self.tally.uploads += result.uploads
        if complete:
            self.end.written(success, work.jobs)  # recorded and acked with its chunk
        else:  # recorded now, before the job's retry or failure is
            self.end.state.update_successes([success])
        if failure is not None:  # the scene's own failure: retried, counted, never an outage
            self._failed(work, failure)
            return
        if wait is not None:
            self.end.retry(work.jobs, wait, COVER_PENDING, look=True)
        self.tally.synced += 1
        if work.match.recommendation is Recommendation.LOW:  # type: ignore[union-attr]
            names = [c.entry.file for c in work.match.candidates]  # type: ignore[union-attr]
            self.end.notify("warning", f"scene {work.scene.id} written to a low-confidence "
                         f"match (strict matching is off); candidates: {names}")

    def _failed(self, work: Work, failure: Failure) -> None:
        self.end.fail(work.scene.id, work.jobs, failure)

    def _all_failed(self, work: list[Work], exc: Exception) -> None:
        failure = classify(exc)
        for item in work:
            self._failed(item, failure)
