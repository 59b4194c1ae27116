"""One scene's standing with PlexSync, as the Plex tab shows it. Pure: facts in, an answer out.

The state is the first of these that holds: in the dead letters; retrying (a job that failed
and waits); queued; not in Plex; needing review; current (the record holds this Stash version);
changed in Stash since the last write; not written yet. Where Plex has the scene comes from
matching it now; when Plex cannot be asked, from PlexSync's record.
"""

from __future__ import annotations

from typing import Any

from plex.web import item_url
from sync import freshness
from sync.failure import COVER_PENDING
from sync.matching import Candidate, IndexEntry, Recommendation
from sync.state import NOT_FOUND, REVIEW, SYNCED
from sync_queue.dead_letters import DeadLetter
from sync_queue.job import CHANGED, NEW_SCENE, RECHECK, REWRITE, Intent, Job
from tasks.scene_facts import PlexView, SceneFacts
from worker.outage import reason_label

Answer = dict[str, Any]
# What a queued job asks for, as the Plex tab names it.
_ASKS = {CHANGED: "changed in Stash", NEW_SCENE: "new in Stash", RECHECK: "compare with Plex",
         REWRITE: "write every field"}


def describe(facts: SceneFacts, plex_url: str, now: float) -> Answer:
    """The scene-status answer: times are seconds since the epoch, the browser shows them."""
    scene = facts.scene
    return {
        "scene": {"id": scene.id, "title": scene.title, "updated_at": scene.updated_at,
                  "files": [f.path for f in scene.files]},
        "state": state(facts, now),
        "plex": _plex(facts, plex_url),
        "last_written": _last_written(facts),
        "queue": [_job(job) for job in facts.jobs],
        "dead_letter": _letter(facts.letter) if facts.letter else None,
    }


def state(facts: SceneFacts, now: float) -> Answer:
    if facts.letter:
        letter = facts.letter
        return {"code": "dead_letter", "label": "In the dead letters",
                "detail": f"Failed {letter.attempts + 1} time(s): {letter.message}. Sync now "
                          "retries it (as does Retry on the PlexSync page).",
                "reason": letter.error_class, "failed_at": letter.failed_at}
    waiting = next((job for job in facts.jobs if job.last_error and job.next_attempt_at > now),
                   None)
    if waiting:
        return {"code": "retrying", **_waiting(waiting),
                "retry_at": waiting.next_attempt_at, "error": waiting.last_error}
    if facts.jobs:
        return {"code": "queued", "label": "Queued",
                "detail": "A change waits in the queue; the background worker writes it "
                          "shortly.", "since": facts.jobs[0].enqueued_at}
    return _settled(facts)


def _waiting(job: Job) -> Answer:
    """A failed attempt, or a look again that was no failure (job.looks)."""
    if job.last_error == COVER_PENDING:
        return {"label": "Waiting for Stash's cover",
                "detail": f"Written without a poster: {COVER_PENDING}"}
    if job.attempts == 0:
        return {"label": "Looking again",
                "detail": f"{job.last_error}: looked {job.looks} time(s), looks again later"}
    return {"label": "Retrying", "detail": f"Attempt {job.attempts} failed: {job.last_error}"}


def _settled(facts: SceneFacts) -> Answer:
    """No job and no dead letter: what the last outcome and the match say."""
    record, verdict = facts.record, facts.plex.verdict
    status = record.status if record else None
    shared = record.detail.get("shared") if record and status == REVIEW else None
    if verdict == "not_found" or (verdict is None and status == NOT_FOUND):
        paths = ", ".join(facts.plex_paths) or "(the scene has no file)"
        return {"code": "not_in_plex", "label": "Not in Plex",
                "detail": f"No Plex item has {paths}. Normal for a file outside your Plex "
                          "libraries; otherwise check plex_library and path_map, or let Plex "
                          "scan it."}
    if shared:
        return {"code": "review", "label": "Needs review",
                "detail": f"Plex item {shared['rating_key']} holds the files of scenes "
                          f"{', '.join(map(str, shared['scenes']))}; none of them is written "
                          "until the files are renamed or the scenes merged."}
    if verdict == "review" or (verdict is None and status == REVIEW):
        return {"code": "review", "label": "Needs review",
                "detail": "No exact path match in Plex, only a file of the same name and size "
                          "elsewhere (strict matching): check path_map, or turn "
                          "strict_matching off to accept it."}
    if status == SYNCED and record is not None:
        if freshness.in_plex(record.recorded, settings=facts.settings, content=facts.content):
            return {"code": "current", "label": "In Plex, current",
                    "detail": "Plex holds this version of the scene."}
        return {"code": "changed", "label": "Changed since the last write",
                "detail": "Stash's scene (or a setting of what PlexSync writes) changed since "
                          "it was last written, and no change is queued: Sync now writes it."}
    return {"code": "unsynced", "label": "Not written yet",
            "detail": "PlexSync has not written this scene to Plex yet: Sync now writes it."}


def _plex(facts: SceneFacts, plex_url: str) -> Answer:
    view = facts.plex
    if view.match is None:  # Plex could not be asked: what the record says
        keys = facts.record.plex_item_keys if facts.record else []
        return {"reachable": False, "error": view.error, "candidates": [],
                "items": [{"rating_key": key, "library": None, "file": None, "url": None}
                          for key in keys]}
    items = view.match.items if view.verdict == "sync" else []
    near = view.match.candidates if view.match.recommendation is Recommendation.LOW else []
    return {"reachable": True, "error": None,
            "items": [plex_entry(entry, view, plex_url) for entry in items],
            "candidates": [_candidate(c, view, plex_url) for c in near]}


def plex_entry(entry: IndexEntry, view: PlexView, plex_url: str) -> Answer:
    """One Plex item of the scene: its library, file and link into Plex Web."""
    return {"rating_key": entry.rating_key, "library": view.libraries.get(entry.section_id),
            "file": entry.file,
            "url": item_url(plex_url, view.machine, entry.rating_key) if view.machine else None}


def _candidate(candidate: Candidate, view: PlexView, plex_url: str) -> Answer:
    return {**plex_entry(candidate.entry, view, plex_url), "reason": candidate.reason}


def _last_written(facts: SceneFacts) -> Answer | None:
    record = facts.record
    if record is None or not record.last_success_at:
        return None
    return {"at": record.last_success_at, "stash_version": record.stash_updated_at,
            "items": record.plex_item_keys}


def _job(job: Job) -> Answer:
    return {"asks": asks(job.intent), "enqueued_at": job.enqueued_at, "attempts": job.attempts,
            "looks": job.looks, "next_attempt_at": job.next_attempt_at,
            "last_error": job.last_error}


def asks(intent: Intent) -> str:
    """A named intent by its name; a joined one (a hook's and Reconcile's) by its flags."""
    named = _ASKS.get(intent)
    if named is not None:
        return named
    return ", ".join(name.replace("_", " ") for name, wanted in intent._asdict().items() if wanted)


def _letter(letter: DeadLetter) -> Answer:
    return {"reason": letter.error_class, "label": reason_label(letter.error_class),
            "message": letter.message,
            "attempts": letter.attempts + 1, "failed_at": letter.failed_at}
