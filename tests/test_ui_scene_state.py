"""The Plex tab's pure parts: which state a scene is in, what a preview row says, Plex links."""

from __future__ import annotations

from typing import Any

from plex.web import item_url
from sync.edit import UNSET, Edit, ImageRef
from sync.failure import COVER_PENDING
from sync.item import Actor, PlexItem
from sync.matching import Candidate, IndexEntry, Match, Recommendation
from sync.state import NOT_FOUND, REVIEW, SYNCED, SceneRecord
from sync_queue.dead_letters import DeadLetter
from sync_queue.job import CHANGED, NEW_SCENE, RECHECK, REWRITE, Intent, Job
from tasks.edit_diff import changes
from tasks.scene_facts import PlexView, SceneFacts
from tasks.scene_state import asks, describe, state
from validation.scene import Scene

NOW = 1_800_000_000.0
PLEX = "http://plex.lan:32400"
MACHINE = "ab" * 20
ENTRY = IndexEntry("17", 1, "/media/a.mp4", 10)
NEAR = Candidate(IndexEntry("18", 2, "/other/a.mp4", 10), 0.75, "same name and size")


def facts(*, record: SceneRecord | None = None, jobs: list[Job] = (), letter: DeadLetter |
          None = None, plex: PlexView | None = None) -> SceneFacts:
    scene = Scene.from_stash({"id": "5", "title": "Beach", "updated_at": "2026-01-01T10:00:00Z",
                              "files": [{"path": "/data/a.mp4", "size": 10}]})
    view = plex or PlexView(Match(Recommendation.HIGH, [ENTRY], []), "sync",
                            {1: "Scenes", 2: "Other"}, MACHINE)
    return SceneFacts(scene, record, list(jobs), letter, view, ["/media/a.mp4"], "hash", "fp")


def record(status: str, scene_hash: str | None = "hash:fp", **detail: Any) -> SceneRecord:
    return SceneRecord(5, status, NOW - 60, NOW - 60 if status == SYNCED else None, ["17"],
                       "2026-01-01T10:00:00Z", scene_hash, {}, detail)


def job(last_error: str | None = None, next_attempt_at: float = NOW - 1) -> Job:
    return Job(1, 5, "v", CHANGED, 1 if last_error else 0, next_attempt_at, last_error, NOW - 5)


LETTER = DeadLetter(3, 5, "v", "bad_data:400", "Plex refused the poster", 2, NOW - 30)


def test_states_in_order_of_precedence() -> None:
    later = NOW + 60
    assert state(facts(letter=LETTER, jobs=[job("x", later)]), NOW)["code"] == "dead_letter"
    assert state(facts(jobs=[job("boom", later)], record=record(SYNCED)), NOW)["code"] == \
        "retrying"
    assert state(facts(jobs=[job("boom", NOW - 1)]), NOW)["code"] == "queued"  # due again
    assert state(facts(record=record(SYNCED)), NOW)["code"] == "current"
    assert state(facts(record=record(SYNCED, "older:fp")), NOW)["code"] == "changed"
    assert state(facts(record=record("pending")), NOW)["code"] == "unsynced"
    assert state(facts(), NOW)["code"] == "unsynced"


def test_the_match_now_outranks_the_record_and_the_record_stands_in_without_plex() -> None:
    gone = PlexView(Match(Recommendation.NONE, [], []), "not_found", {}, MACHINE)
    near = PlexView(Match(Recommendation.LOW, [NEAR.entry], [NEAR]), "review", {}, MACHINE)
    down = PlexView(error="Plex is unreachable (Connection refused)")
    assert state(facts(record=record(SYNCED), plex=gone), NOW)["code"] == "not_in_plex"
    assert state(facts(plex=near), NOW)["code"] == "review"
    assert state(facts(record=record(REVIEW), plex=down), NOW)["code"] == "review"
    assert state(facts(record=record(NOT_FOUND), plex=down), NOW)["code"] == "not_in_plex"
    assert state(facts(record=record(SYNCED), plex=down), NOW)["code"] == "current"
    shared = {"rating_key": "17", "scenes": [5, 6], "files": ["/media/a - part1.mp4"]}
    answer = state(facts(record=record(REVIEW, shared=shared)), NOW)
    assert answer["code"] == "review" and "scenes 5, 6" in answer["detail"]


def test_waiting_for_a_cover_is_named_as_such() -> None:
    answer = state(facts(jobs=[job(COVER_PENDING, NOW + 60)]), NOW)
    assert (answer["code"], answer["label"]) == ("retrying", "Waiting for Stash's cover")
    assert answer["retry_at"] == NOW + 60


def test_where_plex_has_it_links_each_item_and_candidate() -> None:
    answer = describe(facts(record=record(SYNCED)), PLEX, NOW)
    assert answer["plex"]["items"] == [{"rating_key": "17", "library": "Scenes",
                                        "file": "/media/a.mp4", "url": item_url(PLEX, MACHINE,
                                                                                "17")}]
    assert answer["last_written"] == {"at": NOW - 60, "stash_version": "2026-01-01T10:00:00Z",
                                      "items": ["17"]}
    near = PlexView(Match(Recommendation.LOW, [NEAR.entry], [NEAR]), "review", {2: "Other"},
                    MACHINE)
    [candidate] = describe(facts(plex=near), PLEX, NOW)["plex"]["candidates"]
    assert (candidate["library"], candidate["reason"]) == ("Other", "same name and size")
    down = describe(facts(record=record(SYNCED), plex=PlexView(error="down")), PLEX, NOW)
    assert down["plex"] == {"reachable": False, "error": "down", "candidates": [], "items": [
        {"rating_key": "17", "library": None, "file": None, "url": None}]}


def test_plex_web_link_quotes_the_key_as_plexapi_does() -> None:
    assert item_url(PLEX + "/", MACHINE, "17") == (
        f"{PLEX}/web/index.html#!/server/{MACHINE}/details?key=%2Flibrary%2Fmetadata%2F17")


def _edit(**changes: Any) -> Edit:
    base = {"rating_key": "17", "section_id": 1, "fields": {}, "tags": {}, "remove": {},
            "actors": None, "locks": {}, "rating": UNSET, "images": [], "written": {},
            "skipped": []}
    return Edit(**{**base, **changes})


ITEM = PlexItem("17", 1, {"title": "a", "userRating": "8"}, {"genre": ["Old", "Kept"]},
                [Actor("Jane")], frozenset(), ["/media/a.mp4"])


def test_preview_rows_say_what_plex_has_and_what_it_gets() -> None:
    rows = changes(ITEM, _edit(
        fields={"title": "Beach"}, rating=None, tags={"genre": ["kept", "New"]},
        remove={"genre": ["Old"]}, actors=[Actor("Jane"), Actor("Zoë")],
        images=[ImageRef("http://stash/scene/5/screenshot", "poster")]))
    assert rows[0] == {"field": "Title", "plex": "a", "stash": "Beach"}
    assert rows[1] == {"field": "User rating", "plex": "8", "stash": ""}
    assert rows[2] == {"field": "Genres", "plex": ["Old", "Kept"], "stash": ["kept", "New"],
                       "added": ["New"], "removed": ["Old"]}
    assert rows[3]["field"] == "Actors" and rows[3]["added"] == ["Zoë"]
    assert rows[4]["field"] == "Poster" and "differs" in rows[4]["note"]


def test_a_lock_alone_is_one_row() -> None:
    [row] = changes(ITEM, _edit(locks={"title": True, "genre": True}))
    assert row["field"] == "Locks" and row["note"].startswith("locks Genres, Title")
    assert changes(ITEM, _edit()) == []


def test_a_queued_job_says_what_it_asks_for() -> None:
    assert [asks(intent) for intent in (CHANGED, NEW_SCENE, RECHECK, REWRITE)] == [
        "changed in Stash", "new in Stash", "compare with Plex", "write every field"]
    # A hook's request joined by Reconcile's: each flag the job carries, by name.
    assert asks(Intent(recheck=True, scan_if_missing=True, await_cover=True)) == (
        "recheck, scan if missing, await cover")
    answer = describe(facts(jobs=[job()]), PLEX, NOW)
    assert [j["asks"] for j in answer["queue"]] == ["changed in Stash"]
