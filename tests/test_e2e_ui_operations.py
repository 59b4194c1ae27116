"""End to end: the operations Stash's web UI runs (issue 14), through the Stash double's
runPluginOperation, which starts plexsync.py exactly as Stash does and answers its output (or
turns its error into the GraphQL error: stashapp/stash pkg/plugin/plugins.go Cache.RunPlugin).

Every state of the Plex tab is made by the plugin itself (a sync, a near miss under strict
matching, a file Plex lacks, a poster Plex refuses with max_retries 0); assertions are about
the answers and what Plex and the queue hold afterwards.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sync_queue import layout
from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble
from tests.doubles.stash.plugin_host import PluginError
from tests.e2e import Started, accept_posters, refuse_posters
from tests.harness import Harness
from tests.plex_views import titles, writes
from tests.polling import DEADLINE
from tests.queue_rows import queue_scenes
from tests.schema_fidelity import assert_recorded_queries_valid

PLUGIN = "plexsync"
POSTER_REFUSED = ("Plex refused the poster upload (HTTP 400): it could not use the scene's cover "
                  "from Stash; replace the cover in Stash, then retry the scene")
HOLD = 300.0  # the gate's own deadline: a held request waits no longer if a test goes wrong


def operation(stash: StashDouble, mode: str, **args: Any) -> Any:
    """runPluginOperation as the web UI sends it: string arguments, the answer as JSON."""
    answer = stash.run_plugin_operation(PLUGIN, {"mode": mode, **args})
    text = json.dumps(answer)
    for secret in ("plex-token", "sess-secret"):  # the Plex double's token, Stash's cookie
        assert secret not in text, (mode, text)
    return answer


def status(stash: StashDouble, scene_id: int) -> dict[str, Any]:
    return operation(stash, "scene_status", scene_id=str(scene_id))


def plex_link(plex: PlexDouble, rating_key: str) -> str:
    """Plex Web's page of an item, as python-plexapi builds it (plex/web.py)."""
    return (f"{plex.url}/web/index.html#!/server/{plex.settings.machine_id}/details"
            f"?key=%2Flibrary%2Fmetadata%2F{rating_key}")


def test_scene_status_from_not_written_to_current_and_changed(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(3)
    scene_id = sample.scene_ids[0]
    [rating_key] = sample.rating_keys[scene_id]

    answer = status(stash, scene_id)
    assert answer["state"]["code"] == "unsynced"
    assert answer["scene"]["title"] == stash.scene(scene_id)["title"]
    assert answer["plex"] == {"reachable": True, "error": None, "candidates": [], "items": [{
        "rating_key": rating_key, "library": "Scenes", "url": plex_link(plex, rating_key),
        "file": plex.item(rating_key)["files"][0]}]}
    assert (answer["last_written"], answer["queue"], answer["dead_letter"]) == (None, [], None)
    assert writes(plex) == {}  # reading only

    assert harness.task("sync_all").returncode == 0
    answer = status(stash, scene_id)
    assert answer["state"]["code"] == "current"
    written = answer["last_written"]
    assert written["stash_version"] == stash.scene(scene_id)["updated_at"]
    assert written["items"] == [rating_key] and written["at"] > 0

    stash.clock.advance(1)  # an edit in Stash that no hook reported
    stash.update_scene(scene_id, title="Renamed in Stash")
    answer = status(stash, scene_id)
    assert answer["state"]["code"] == "changed"
    assert answer["last_written"]["stash_version"] != stash.scene(scene_id)["updated_at"]

    queue_scenes(harness, [scene_id])
    answer = status(stash, scene_id)
    assert answer["state"]["code"] == "queued"
    assert [job["asks"] for job in answer["queue"]] == ["changed in Stash"]
    assert_recorded_queries_valid(stash.queries)


def test_sync_now_writes_the_scene_and_leaves_other_changes_to_the_worker(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(3)
    first, other = sample.scene_ids[:2]
    queue_scenes(harness, [first, other])
    untouched = titles(plex, sample, [other])
    # Sync now's own edits pass; the background worker it starts before answering is held at
    # its first edit (the other scene's), so "untouched" is checked while that write waits.
    own_edits = len(sample.rating_keys[first])
    plex.gate.close("edit", after=own_edits, timeout=HOLD)

    answer = operation(stash, "scene_sync", scene_id=str(first))
    assert answer["outcome"]["written"] is True and answer["outcome"]["error"] is None
    assert answer["outcome"]["summary"].startswith("1 written")
    assert answer["status"]["state"]["code"] == "current"
    assert titles(plex, sample, [first]) == {first: {stash.scene(first)["title"]}}
    # The other queued change is the background worker's, started by the operation.
    plex.gate.wait_held("edit", timeout=DEADLINE)  # the worker's, on the other scene
    assert titles(plex, sample, [other]) == untouched
    plex.gate.open()
    harness.wait_drained()
    assert titles(plex, sample, [other]) == {other: {stash.scene(other)["title"]}}
    assert not plex.gate.expired

    # Again on a current scene: compared with Plex, nothing to send.
    plex.reset_counts()
    answer = operation(stash, "scene_sync", scene_id=str(first))
    assert answer["outcome"]["written"] is True and writes(plex) == {}
    assert answer["status"]["state"]["code"] == "current"
    assert_recorded_queries_valid(stash.queries)


def test_sync_now_takes_over_from_the_busy_background_worker(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(60)
    queue_scenes(harness, sample.scene_ids)
    last = sample.scene_ids[-1]
    # The worker's sixth edit waits for the test: its batch is provably under way when Sync now
    # asks for the queue.
    plex.gate.close("edit", after=5, timeout=HOLD)

    assert harness.hook(sample.scene_ids[0]).returncode == 0  # starts the background worker
    plex.gate.wait_held("edit", timeout=DEADLINE)
    sync_now = Started(harness, {"mode": "scene_sync", "scene_id": str(last)})
    harness.wait_until(lambda: (harness.data_dir / layout.HANDOVER).exists(), DEADLINE,
                       "Sync now asked the worker to hand over")
    assert plex.gate.held("edit") >= 1  # the worker still waits on its edits: mid-batch
    plex.gate.open()
    run = sync_now.finish(DEADLINE)

    assert run.returncode == 0, run.stderr
    assert any("hand over" in text for text in run.messages("info"))
    assert run.result["output"]["outcome"]["written"] is True
    [key] = sample.rating_keys[last]
    assert plex.item(key)["fields"]["title"] == stash.scene(last)["title"]
    harness.wait_drained()
    # Never two writers: every item was written exactly once.
    assert plex.counts["edit"] == sum(len(keys) for keys in sample.rating_keys.values())
    assert not plex.gate.expired


def test_review_not_in_plex_retrying_and_dead_letter(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(3, missing=1)
    [unscanned], refused = sample.missing, sample.scene_ids[0]
    moved = stash.add_scene(title="Moved in Plex", files=[("/data/stash/a/odd-one.mp4", 77_777)])
    moved_key = plex.add_item(sample.section_id, file="/media/plex/b/odd-one.mp4", size=77_777)
    harness.configure(max_retries=0)
    refuse_posters(plex, sample.rating_keys[refused])

    answer = status(stash, unscanned)
    assert answer["state"]["code"] == "not_in_plex"
    assert answer["plex"]["items"] == [] and "/media/plex/" in answer["state"]["detail"]
    answer = operation(stash, "scene_sync", scene_id=str(unscanned))
    assert answer["outcome"]["written"] is False
    state = answer["status"]["state"]
    assert (state["code"], state["error"]) == ("retrying", "not found in Plex yet")
    assert state["retry_at"] > answer["status"]["queue"][0]["enqueued_at"]

    answer = operation(stash, "scene_sync", scene_id=str(moved))
    assert answer["outcome"]["written"] is False
    assert answer["status"]["state"]["code"] == "review"
    [candidate] = answer["status"]["plex"]["candidates"]
    assert candidate == {"rating_key": moved_key, "library": "Scenes",
                         "file": "/media/plex/b/odd-one.mp4", "url": plex_link(plex, moved_key),
                         "reason": "same name and size in another folder"}
    assert plex.item(moved_key)["fields"]["title"] == "odd-one"  # not written

    answer = operation(stash, "scene_sync", scene_id=str(refused))
    assert answer["status"]["state"]["code"] == "dead_letter"
    letter = answer["status"]["dead_letter"]
    assert letter["reason"] == "bad_data:400" and letter["attempts"] == 1
    assert letter["label"] == "Plex refused a value (HTTP 400)"
    assert letter["message"] == POSTER_REFUSED  # no URL, no HTML, no exception type
    assert letter["message"] in answer["status"]["state"]["detail"]

    accept_posters(plex)  # the cause fixed: Sync now writes it and the letter is history
    answer = operation(stash, "scene_sync", scene_id=str(refused))
    assert answer["status"]["state"]["code"] == "current"
    assert answer["status"]["dead_letter"] is None and harness.dead_letters() == []
    assert plex.item(sample.rating_keys[refused][0])["poster_sha1"] is not None
    assert_recorded_queries_valid(stash.queries)


def test_preview_shows_each_field_and_writes_nothing(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(2)
    scene_id = sample.scene_ids[0]
    [rating_key] = sample.rating_keys[scene_id]
    scene = stash.scene(scene_id)
    before = plex.item(rating_key)

    answer = operation(stash, "scene_preview", scene_id=str(scene_id))
    assert writes(plex) == {}
    assert (answer["verdict"], answer["would_change"]) == ("sync", True)
    [item] = answer["items"]
    assert item["url"] == plex_link(plex, rating_key)
    rows = {row["field"]: row for row in item["changes"]}
    assert rows["Title"] == {"field": "Title", "plex": before["fields"]["title"],
                             "stash": scene["title"]}
    genres = [stash.store.tags[t].name for t in scene["tags"]]
    assert rows["Genres"]["stash"] == genres and rows["Genres"]["added"] == genres
    assert "Poster" in rows

    assert operation(stash, "scene_sync", scene_id=str(scene_id))["outcome"]["written"]
    plex.reset_counts()
    answer = operation(stash, "scene_preview", scene_id=str(scene_id))
    assert answer["would_change"] is False and answer["items"][0]["changes"] == []

    plex.set_tags(rating_key, "genre", ["Added in Plex"])  # a person's edit in Plex
    answer = operation(stash, "scene_preview", scene_id=str(scene_id))
    [row] = answer["items"][0]["changes"]
    assert (row["field"], row["removed"], row["added"]) == ("Genres", ["Added in Plex"], genres)
    assert writes(plex) == {}


def test_status_page_lists_dead_letters_by_reason_with_retry_and_purge(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(4)
    refused, broken = sample.scene_ids[:2]
    harness.configure(max_retries=0)
    refuse_posters(plex, sample.rating_keys[refused])
    stash.image_faults[f"/scene/{broken}/screenshot"] = 500
    queue_scenes(harness, [refused, broken])
    assert harness.task("process_queue").returncode == 0

    page = operation(stash, "status_page")
    assert page["dead_letters"]["count"] == 2
    groups = {group["reason"]: group for group in page["dead_letters"]["groups"]}
    assert set(groups) == {"bad_data:400", "error"}
    assert (groups["bad_data:400"]["label"], groups["error"]["label"]) == (
        "Plex refused a value (HTTP 400)", "Other failures")
    [letter] = groups["bad_data:400"]["letters"]
    assert (letter["scene_id"], letter["title"]) == (refused, stash.scene(refused)["title"])
    assert letter["message"] == POSTER_REFUSED
    assert "could not download its cover" in groups["error"]["letters"][0]["message"]
    assert page["headline"].startswith("Queue Status: 0 pending, 2 dead letter(s)")

    accept_posters(plex)
    answer = operation(stash, "dead_letters_retry", reason="bad_data:400")
    assert (answer["moved"], answer["left"]) == (1, 1)
    harness.wait_drained()
    assert plex.item(sample.rating_keys[refused][0])["poster_sha1"] is not None
    answer = operation(stash, "dead_letters_purge", reason="error")
    assert (answer["purged"], answer["left"]) == (1, 0)
    assert harness.dead_letters() == []
    assert operation(stash, "status_page")["dead_letters"]["groups"] == []
    assert_recorded_queries_valid(stash.queries)


def test_errors_are_one_clear_message_and_plex_down_is_a_fact(
        harness: Harness, stash: StashDouble, plex: PlexDouble) -> None:
    sample = harness.build_sample(2)
    scene_id = sample.scene_ids[0]
    assert operation(stash, "scene_sync", scene_id=str(scene_id))["outcome"]["written"]

    with pytest.raises(PluginError, match=r"^Stash has no scene 999 \(deleted\?\)$"):
        operation(stash, "scene_status", scene_id="999")
    with pytest.raises(PluginError, match=r"^scene_id must be a scene's number, got 'x'$"):
        operation(stash, "scene_preview", scene_id="x")

    plex.go_down()
    answer = status(stash, scene_id)  # what PlexSync knows, without Plex
    assert answer["state"]["code"] == "current"
    assert answer["plex"]["reachable"] is False
    assert answer["plex"]["error"].startswith("Plex is unreachable")
    assert [item["rating_key"] for item in answer["plex"]["items"]] == \
        sample.rating_keys[scene_id]
    with pytest.raises(PluginError, match=r"^Plex is unreachable .*Nothing was compared"):
        operation(stash, "scene_preview", scene_id=str(scene_id))
    answer = operation(stash, "scene_sync", scene_id=str(scene_id))
    assert answer["outcome"]["written"] is False
    assert answer["outcome"]["error"].startswith("Plex is unreachable")
    assert "1 queued change(s) are kept" in answer["outcome"]["error"]
    assert answer["status"]["state"]["code"] == "queued"
    harness.kill_drainers()  # it would only wait for Plex

    plex.come_up()
    harness.configure(plex_token="wrong-token")
    with pytest.raises(PluginError, match=r"^Plex rejected the token \(401\)"):
        operation(stash, "scene_sync", scene_id=str(scene_id))
