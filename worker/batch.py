"""One batch of jobs: fetch the scenes fresh, skip what Plex already has, match, write.

Every job ends in exactly one of: acked (done, skipped, dropped, parked), retried with a delay,
dead-lettered, or released untouched (the drain is stopping). Nothing is lost in between: a job
is acked only after its outcome is recorded.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from stash import log
from sync.matching import Match, Recommendation, decide
from sync.state import NOT_FOUND, REVIEW, SYNCED, SceneRecord
from sync_queue.job import Job
from validation.scene import Scene
from worker.classify import classify
from worker.context import Context
from worker.retry import COVER_PENDING, Action, Failure, Kind, cover_delay, not_found_delay
from worker.retry import decide as decide_failure
from worker.scene_sync import SceneResult, claimed, plan_items, write_items
from worker.stacks import shared
from worker.tally import Tally


class StopDrain(RuntimeError):
    """A wrong setting (Kind.CONFIG) or Stash refusing this run's login (Kind.STASH_LOGIN):
    stop, keep every job, tell the user once. The message names what to fix."""

    def __init__(self, failure: Failure) -> None:
        super().__init__(failure.message)
        self.failure = failure

    @property
    def stash_login(self) -> bool:
        return self.failure.kind is Kind.STASH_LOGIN


PROGRESS_EVERY = 50


@dataclass
class Work:
    scene: Scene
    jobs: list[Job]
    record: SceneRecord | None
    match: Match | None = None

    @property
    def attempts(self) -> int:
        return max(job.attempts for job in self.jobs)

    @property
    def newest(self) -> Job:
        return self.jobs[-1]


class Batch:
    def __init__(self, ctx: Context, on_progress: Callable[[Tally], None] | None = None,
                 should_stop: Callable[[], bool] = lambda: False) -> None:
        self.ctx = ctx
        self._should_stop = should_stop
        self.tally = Tally()
        self._open: dict[int, Job] = {}
        self._on_progress = on_progress
        self._fingerprint = ctx.config.plan_fingerprint()
        self._halt: Failure | None = None  # a wrong setting met while writing: write no more

    # -- job endings ---------------------------------------------------------------------
    def _ack(self, jobs: list[Job]) -> None:
        for job in jobs:
            self.ctx.queue.ack(job)
            self._open.pop(job.id, None)

    def _retry(self, jobs: list[Job], delay: float, error: str, counts: bool = True) -> None:
        # Keep one job per scene: the newest version; the worker fetches fresh anyway.
        newest, older = jobs[-1], jobs[:-1]
        self._ack(older)
        self.ctx.queue.retry(newest, error=error, next_attempt_at=time.time() + delay,
                             count_attempt=counts)
        self._open.pop(newest.id, None)
        self.tally.retrying += 1

    def _release(self, jobs: list[Job]) -> None:
        for job in jobs:
            self.ctx.queue.release(job)
            self._open.pop(job.id, None)

    def release_unfinished(self) -> None:
        """The drain is stopping: whatever this batch did not finish goes back untouched."""
        for job in list(self._open.values()):
            self.ctx.queue.release(job)
        self._open.clear()

    def _dead(self, scene_id: int, jobs: list[Job], failure: Failure) -> None:
        newest = jobs[-1]
        self.ctx.dead.add(newest, error_class=failure.error_class, message=failure.message)
        self.ctx.state.update_status(scene_id, "failed", {"error": failure.message})
        self._ack(jobs)
        self.tally.dead += 1
        self.ctx.notify("error", f"scene {scene_id} moved to the dead letters after "
                        f"{newest.attempts + 1} attempts: {failure.message}")

    def _sync_key(self, scene: Scene) -> str:
        # The same scene must be written again when a setting changes what PlexSync writes.
        return f"{scene.content_hash()}:{self._fingerprint}"

    # -- the batch -------------------------------------------------------------------------
    def run(self, jobs: list[Job]) -> Tally:
        self._open = {job.id: job for job in jobs}
        try:
            self._run(jobs)
        finally:
            self.release_unfinished()
        return self.tally

    def _run(self, jobs: list[Job]) -> None:
        by_scene: dict[int, list[Job]] = defaultdict(list)
        for job in jobs:
            by_scene[job.scene_id].append(job)
        try:
            fetched = self.ctx.stash.scenes_by_id(list(by_scene))
        except Exception as exc:  # Stash unreachable: nothing can be decided, try again later
            failure = classify(exc)
            if failure.kind is Kind.STASH_LOGIN:
                raise StopDrain(failure) from None  # every job goes back untouched (run)
            for scene_jobs in by_scene.values():
                self._retry(scene_jobs, 10.0, failure.message, counts=False)
            self.tally.errors.append(failure.message)
            self.tally.outage = failure
            return
        for scene_id, message in fetched.broken.items():
            # Stash itself fails on this scene: kept, retried, and in the end a dead letter.
            failure = Failure(Kind.ERROR, f"Stash could not deliver the scene: {message}")
            self._fail(scene_id, by_scene.pop(scene_id), failure)
        work = self._fresh(by_scene, fetched.found)
        try:
            self._match(work)
        except Exception as exc:  # Plex unreachable or refusing the token while indexing
            failure = classify(exc)
            for item in work:
                self._failed(item, failure)
            return
        self._write([w for w in work if w.match is not None])

    def _fresh(self, by_scene: dict[int, list[Job]], raw: dict[int, dict]) -> list[Work]:
        records = self.ctx.state.get_many(list(by_scene))
        work = []
        for scene_id, scene_jobs in by_scene.items():
            data = raw.get(scene_id)
            if data is None:  # deleted from Stash: nothing to sync, ever
                self._ack(scene_jobs)
                self.tally.dropped += 1
                continue
            scene = Scene.from_stash(data)
            record = records.get(scene_id)
            recheck = any(job.intent.recheck for job in scene_jobs)
            if not recheck and _already_synced(record, self._sync_key(scene)):
                self._ack(scene_jobs)
                self.tally.skipped += 1
                continue
            for note in scene.problems:  # what was cleaned or dropped on the way to Plex
                log.warning(f"scene {scene_id}: {note}")
            work.append(Work(scene, scene_jobs, record))
        return work

    def _match(self, work: list[Work]) -> None:
        index = self.ctx.index()
        for item in work:
            item.match = self.ctx.match(item.scene, index)
        if any(w.match.recommendation is not Recommendation.HIGH for w in work):  # type: ignore[union-attr]
            refreshed = self.ctx.refresh_index()
            if refreshed is not None:
                for item in work:
                    if item.match.recommendation is not Recommendation.HIGH:  # type: ignore[union-attr]
                        item.match = self.ctx.match(item.scene, refreshed)
        for item in list(work):
            verdict = decide(item.match, self.ctx.config.strict_matching)  # type: ignore[arg-type]
            if verdict == "review":
                self._review(item)
                item.match = None
            elif verdict == "not_found":
                self._not_found(item)
                item.match = None
        held = shared(self.ctx, [(w.scene, w.match) for w in work if w.match is not None],
                      self.ctx.index())
        for item in work:
            if item.scene.id in held:
                self._hold_shared(item, held[item.scene.id])
                item.match = None

    def _review(self, work: Work) -> None:
        candidates = [
            {"rating_key": c.entry.rating_key, "file": c.entry.file, "reason": c.reason}
            for c in work.match.candidates  # type: ignore[union-attr]
        ]
        self._for_review(work, {"candidates": candidates}, f"no exact path match in Plex; "
                         f"{len(candidates)} candidate(s) need review (strict matching)")

    def _hold_shared(self, work: Work, detail: dict) -> None:
        """Another scene claims the same Plex item: writing both would make them overwrite each
        other on every sync, so neither is written; the item is listed for review."""
        stack = detail["shared"]
        self._for_review(work, detail, f"Plex item {stack['rating_key']} holds the files of "
                         f"scenes {', '.join(map(str, stack['scenes']))} "
                         f"({', '.join(stack['files'])}); not written, listed for review",
                         stack["rating_key"])

    def _for_review(self, work: Work, detail: dict, why: str, key: str | None = None) -> None:
        self.ctx.state.update_status(work.scene.id, REVIEW, detail, plex_item_key=key)
        self._ack(work.jobs)
        self.tally.review += 1
        log.warning(f"scene {work.scene.id}: {why}")

    def _not_found(self, work: Work) -> None:
        scanned = False
        if work.newest.intent.scan_if_missing and work.attempts == 0:
            self.ctx.scan_for(work.scene)
            scanned = self.ctx.config.trigger_plex_scan
        delay = not_found_delay(work.attempts, scanned)
        files = [f.path for f in work.scene.files]
        if delay is None:
            self.ctx.state.update_status(work.scene.id, NOT_FOUND, {"files": files})
            self._ack(work.jobs)
            self.tally.not_found += 1
            log.info(f"scene {work.scene.id} is not in Plex ({files[:1]}); parked as not found")
            return
        self._retry(work.jobs, delay, "not found in Plex yet")

    def _write(self, work: list[Work]) -> None:
        if not work:
            return
        keys = sorted({e.rating_key for w in work for e in w.match.items})  # type: ignore[union-attr]
        try:
            items = self.ctx.plex.fetch_items(keys)
        except Exception as exc:
            failure = classify(exc)
            for item in work:
                self._failed(item, failure)
            return
        planned = self._plan(work, items)
        with ThreadPoolExecutor(self.ctx.config.plex_concurrency) as pool:
            futures = {pool.submit(self._write_one, w, edits): w for w, edits in planned}
            # Each scene is recorded as soon as Plex has it: a kill later loses nothing done.
            for done, future in enumerate(as_completed(futures), 1):
                outcome = future.result()
                if outcome is None:
                    self._release(futures[future].jobs)
                elif isinstance(outcome, Failure):
                    self._failed(futures[future], outcome)
                else:
                    self._succeeded(futures[future], outcome)
                if self._on_progress and done % PROGRESS_EVERY == 0:
                    self._on_progress(self.tally)

    def _plan(self, work: list[Work], items: dict) -> list[tuple[Work, list]]:
        planned, claims = [], {}
        for item in work:
            entries = item.match.items  # type: ignore[union-attr]
            targets = [items[e.rating_key] for e in entries if e.rating_key in items]
            unreadable = [t for t in targets if isinstance(t, Exception)]
            if unreadable:
                self._failed(item, classify(unreadable[0]))
                continue
            if len(targets) < len(entries):
                self._failed(item, Failure(Kind.ITEM_GONE, "Plex item disappeared", 404))
                continue
            written = item.record.written if item.record else {}
            try:
                rewrite = any(job.intent.rewrite for job in item.jobs)
                edits = plan_items(item.scene, targets, written, self.ctx.config, force=rewrite)
            except Exception as exc:  # a bug in planning one scene must not stop the batch
                self._failed(item, classify(exc))
                continue
            claims[item.scene.id] = {t.rating_key: claimed(written.get(t.rating_key), e.written)
                                     for t, e in edits}
            planned.append((item, edits))
        self.ctx.state.claim_many(claims)
        return planned

    def _write_one(self, work: Work, edits: list) -> SceneResult | Failure | None:
        if self._halt or self.ctx.breaker.state == "open" or self._should_stop():
            # A wrong setting or Plex down during this batch, or a task asked for the queue:
            # the rest of the batch goes back untouched.
            return None
        try:
            return write_items(work.scene, edits, self.ctx.config, self.ctx.stash, self.ctx.plex)
        except Exception as exc:
            failure = classify(exc)
            if failure.kind is Kind.CONFIG:
                self._halt = failure
            return failure

    def _succeeded(self, work: Work, result: SceneResult) -> None:
        failure = None if not result.image_errors else Failure(
            Kind.ERROR, f"could not download its cover from Stash: {result.image_errors[0]}")
        await_cover = any(job.intent.await_cover for job in work.jobs)
        wait = cover_delay(work.attempts) if await_cover and result.placeholders else None
        # Written, but not complete while a cover is missing: no hash, so it is not "current".
        complete = failure is None and wait is None
        self.ctx.state.update_success(
            work.scene.id, ",".join(result.written), stash_updated_at=work.scene.updated_at,
            scene_hash=self._sync_key(work.scene) if complete else None,
            written=result.written, refs=work.scene.refs)
        self.ctx.breaker_success()
        self.tally.requests += result.requests
        self.tally.uploads += result.uploads
        if failure is not None:  # the scene's own failure: retried, counted, never an outage
            self._failed(work, failure)
            return
        if wait is not None:
            self._retry(work.jobs, wait, COVER_PENDING)
        else:
            self._ack(work.jobs)
            self.ctx.dead.discard(work.scene.id)  # an old failure of this scene is history now
        self.tally.synced += 1
        if work.match.recommendation is Recommendation.LOW:  # type: ignore[union-attr]
            names = [c.entry.file for c in work.match.candidates]  # type: ignore[union-attr]
            self.ctx.notify("warning", f"scene {work.scene.id} written to a low-confidence "
                            f"match (strict matching is off); candidates: {names}")

    def _failed(self, work: Work, failure: Failure) -> None:
        self._fail(work.scene.id, work.jobs, failure)

    def _fail(self, scene_id: int, jobs: list[Job], failure: Failure) -> None:
        attempts = max(job.attempts for job in jobs)
        decision = decide_failure(failure, attempts, self.ctx.config.max_retries)
        if decision.action is Action.STOP:
            raise StopDrain(failure)
        if decision.action is Action.REMATCH:
            self.ctx.invalidate_index()
            self._retry(jobs, 0.0, failure.message)
        elif decision.action is Action.DEAD:
            self._dead(scene_id, jobs, failure)
        else:
            if failure.kind is Kind.TRANSIENT:  # only Plex being down pauses the drain
                self.ctx.breaker_failure(failure)
            if failure.kind in (Kind.TRANSIENT, Kind.STASH):
                self.tally.outage = failure
            self._retry(jobs, decision.delay, failure.message, decision.counts_as_attempt)
        self.tally.errors.append(f"scene {scene_id}: {failure.message}")


def _already_synced(record: SceneRecord | None, sync_key: str) -> bool:
    return record is not None and record.status == SYNCED and record.scene_hash == sync_key
