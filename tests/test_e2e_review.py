"""End to end: renames in Stash, Reconcile, Preview and Health Check.

A rename of a performer, studio or tag changes no scene's updated_at: the rename hooks queue the
scenes showing it, and Reconcile and Preview plan every scene against its Plex item without
trusting timestamps, so they also see a value typed into Plex by hand. Health Check names what
is wrong and how to fix it.
"""

from __future__ import annotations

import dataclasses
import json
import socket

import pytest

from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble
from tests.e2e import assert_replied, last_line, run_task
from tests.harness import Harness
from tests.plex_views import snapshots, stash_titles, titles, writes
from tests.plugin_run import run_plugin
from tests.schema_fidelity import assert_recorded_queries_valid


def _performer_of(stash: StashDouble, scene_ids: list[int]) -> tuple[int, list[int]]:
    """A performer of the first scene that has one, and the scenes showing them."""
    performer = next(p for sid in scene_ids for p in stash.scene(sid)["performers"])
    return performer, [sid for sid in scene_ids if performer in stash.scene(sid)["performers"]]


# --- renames in Stash: the hooks ------------------------------------------------------------------

def merge_tags(stash: StashDouble, source: int, destination: int) -> None:
    """Stash's tagsMerge: scenes tagged source are tagged destination and source is deleted;
    as in Stash, only the join rows change, so no scene's updated_at moves."""
    store = stash.store
    with store.lock:
        for scene_id, scene in list(store.scenes.items()):
            if source in scene.tags:
                tags = tuple(dict.fromkeys(destination if t == source else t for t in scene.tags))
                store.scenes[scene_id] = dataclasses.replace(scene, tags=tags)
        del store.tags[source]


def _scenes_with(stash: StashDouble, ids: list[int], key: str, object_id: int) -> list[int]:
    def holds(scene: dict) -> bool:
        value = scene[key]
        return object_id in value if isinstance(value, list) else value == object_id
    return [sid for sid in ids if holds(stash.scene(sid))]


def _most_used(stash: StashDouble, ids: list[int], key: str) -> list[int]:
    counts: dict[int, int] = {}
    for sid in ids:
        value = stash.scene(sid)[key]
        for object_id in value if isinstance(value, list) else [value]:
            if object_id is not None:
                counts[object_id] = counts.get(object_id, 0) + 1
    return sorted(counts, key=lambda object_id: -counts[object_id])


def _plex_names(item: dict, kind: str) -> list[str]:
    if kind == "performer":
        return [actor["tag"] for actor in item["actors"]]
    if kind == "studio":
        return [item["fields"]["studio"], *item["tags"]["collection"]]
    return item["tags"]["genre"]


@pytest.mark.parametrize(("kind", "hook_type"), [
    ("performer", "Performer.Update.Post"),
    ("studio", "Studio.Update.Post"),
    ("tag", "Tag.Update.Post"),
    ("merge", "Tag.Merge.Post"),
])
def test_a_rename_in_stash_reaches_every_plex_item_showing_it(
    harness: Harness, stash: StashDouble, plex: PlexDouble, kind: str, hook_type: str
) -> None:
    sample = harness.build_sample(15)
    ids = sample.scene_ids
    assert_replied(harness, run_task(harness, "Sync All Scenes"))
    key = {"performer": "performers", "studio": "studio"}.get(kind, "tags")
    first, second = _most_used(stash, ids, key)[:2]
    changed = _scenes_with(stash, ids, key, first)
    old_name = getattr(stash.store, f"{kind}s" if kind != "merge" else "tags")[first].name
    stamps = {sid: stash.scene(sid)["updated_at"] for sid in ids}
    if kind == "merge":
        target, new_name = second, stash.store.tags[second].name
        shown = sorted(set(changed) | set(_scenes_with(stash, ids, key, second)))
        merge_tags(stash, first, second)
        sent = {"source": [str(first)], "destination": str(second)}
    else:
        target, new_name, shown = first, f"Renamed {kind} ✓", changed
        getattr(stash, f"rename_{kind}")(first, new_name)
        sent = {"id": str(first), "name": new_name}
    before = snapshots(plex, sample, ids)
    plex.reset_counts()

    hook = harness.hook(target, hook_type, input=sent)
    assert hook.returncode == 0, hook.stderr
    assert hook.result["output"] == f"queued {len(shown)} scene(s) for Plex"
    harness.wait_drained()

    assert {sid: stash.scene(sid)["updated_at"] for sid in ids} == stamps
    for sid in changed:
        for rk in sample.rating_keys[sid]:
            names = _plex_names(plex.item(rk), kind)
            assert new_name in names and old_name not in names, (sid, names)
    others = [rk for sid in ids if sid not in changed for rk in sample.rating_keys[sid]]
    assert {rk: plex.item(rk) for rk in others} == {rk: before[rk] for rk in others}
    assert writes(plex).get("edit") == sum(len(sample.rating_keys[sid]) for sid in changed)
    assert_recorded_queries_valid(stash.queries)


# --- Reconcile ------------------------------------------------------------------------------------

def test_reconcile_finds_and_writes_what_timestamps_cannot_show(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(10, missing=1)
    ids, [absent] = sample.synced_ids(), sample.missing
    run = run_task(harness, "Reconcile")
    assert assert_replied(harness, run).startswith(
        "reconcile: 9 scene(s) differ from Plex and were queued; 1 have no Plex item; 9 written")
    absent_path = stash.scene(absent)["files"][0]["path"]
    assert f"scene {absent} has no Plex item: [{absent_path!r}]" in run.messages("info")
    assert titles(plex, sample, ids) == stash_titles(stash, ids)

    performer, credited = _performer_of(stash, ids)
    stash.rename_performer(performer, "Renamed Without A Hook")  # no scene's updated_at moves
    typed = next(sid for sid in ids if sid not in credited)
    typed_rk = sample.rating_keys[typed][0]
    plex.set_field(typed_rk, "title", "Typed into Plex by hand")
    stamps = {sid: stash.scene(sid)["updated_at"] for sid in ids}
    plex.reset_counts()

    differing = sorted({typed, *credited})
    output = assert_replied(harness, run_task(harness, "Reconcile"))
    assert output.startswith(f"reconcile: {len(differing)} scene(s) differ from Plex and were "
                             f"queued; 1 have no Plex item; {len(differing)} written")
    assert {sid: stash.scene(sid)["updated_at"] for sid in ids} == stamps
    assert plex.item(typed_rk)["fields"]["title"] == stash.scene(typed)["title"]
    for sid in credited:
        for rk in sample.rating_keys[sid]:
            assert "Renamed Without A Hook" in [a["tag"] for a in plex.item(rk)["actors"]]
    edited_items = 1 + sum(len(sample.rating_keys[sid]) for sid in credited)
    assert writes(plex) == {"edit": edited_items}

    plex.reset_counts()
    output = assert_replied(harness, run_task(harness, "Reconcile"))
    assert output.startswith("reconcile: 0 scene(s) differ from Plex and were queued; "
                             "1 have no Plex item; 0 written")
    assert writes(plex) == {}
    assert_recorded_queries_valid(stash.queries)


# --- Preview --------------------------------------------------------------------------------------

def test_preview_writes_nothing_and_counts_the_changes_per_field(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(8)
    ids = sample.scene_ids
    assert_replied(harness, run_task(harness, "Sync All Scenes"))
    retitled = ids[3]
    stash.clock.advance(60)  # a later edit: Stash stamps updated_at to the second
    stash.update_scene(retitled, title="Retitled in Stash")
    tag = stash.scene(ids[0])["tags"][0]
    tagged = [sid for sid in ids if tag in stash.scene(sid)["tags"]]
    stash.rename_tag(tag, "Renamed Genre")
    before = plex.items()
    plex.reset_counts()

    run = run_task(harness, "Preview")
    report = assert_replied(harness, run)
    assert writes(plex) == {} and plex.items() == before
    assert harness.queue_counts()["waiting"] == 0
    changed = {retitled, *tagged}
    assert report["would_change"] == len(changed)
    assert report["matches"] == {"high": 8, "low": 0, "none": 0}
    # The retitled scene's cover URL changed with its updated_at: its poster is looked at again.
    assert report["by_field"] == {"title": 1, "genre": len(tagged), "poster": 1}
    assert report["examples"]["title"] == [f"scene {retitled}: title -> 'Retitled in Stash'"]
    assert all("'Renamed Genre'" in example for example in report["examples"]["genre"])
    assert last_line(run) == (f"Preview (nothing written): {len(changed)} of 8 scenes would "
                              "change; 0 have no Plex item, 0 only a low-confidence match")
    assert [text for level, text in run.logs if level == "info"][-len(report["summary"]):] \
        == report["summary"]

    # Nothing was marked as written either: Sync All still finds the retitled scene.
    output = assert_replied(harness, run_task(harness, "Sync All Scenes"))
    assert output.startswith("7 of 8 scene(s) already current in Plex; 1 written")
    assert_recorded_queries_valid(stash.queries)


# --- Health Check ---------------------------------------------------------------------------------

def _checks(report: dict) -> dict[str, tuple[bool, str]]:
    return {check["check"]: (check["ok"], check["detail"]) for check in report["checks"]}


def test_health_check_passes_when_everything_is_in_place(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    harness.build_sample(5)
    run = run_task(harness, "Health Check")
    report = assert_replied(harness, run)
    checks = _checks(report)
    assert report["ok"] is True
    assert list(checks) == ["stash", "settings", "packages", "workers", "plex", "token",
                            "libraries", "path_map", "shared_items"]
    assert all(ok for ok, _ in checks.values())
    assert checks["stash"][1] == f"Stash v0.30.1 answers at {stash.url}"
    assert checks["libraries"][1] == "Scenes (/media/plex)"
    assert checks["path_map"][1] == "all 5 sampled Stash files are known to Plex"
    assert last_line(run) == "Health check: everything is in place"
    assert writes(plex) == {}
    assert_recorded_queries_valid(stash.queries)


def test_health_check_names_a_wrong_path_map_and_where_plex_has_the_file(
    harness: Harness, stash: StashDouble
) -> None:
    sample = harness.build_sample(5)
    harness.configure(path_map="/data/stash=/media/plexx")
    run = run_task(harness, "Health Check")
    report = assert_replied(harness, run)
    ok, detail = _checks(report)["path_map"]
    first = stash.scene(sample.scene_ids[0])["files"][0]["path"]
    in_plex = first.replace("/data/stash", "/media/plex")
    assert report["ok"] is False and ok is False
    assert detail.startswith(f"0 of 5 sampled Stash files found in Plex; e.g. {first!r} maps "
                             f"to {first.replace('/data/stash', '/media/plexx')!r}, which Plex "
                             "does not know")
    assert f"Plex has a file of that name and size at {in_plex!r}" in detail
    assert f"[FAIL] path_map: {detail}" in run.messages("error")
    assert last_line(run) == "Health check: see the FAIL lines above"
    assert_recorded_queries_valid(stash.queries)


@pytest.mark.parametrize(("fault", "failed", "detail"), [
    ("plex down", "plex", "Plex is unreachable (Connection refused)"),
    ("wrong token", "token", "Plex rejected the token (401)"),
    ("unknown library", "libraries",
     "Plex has no movie library named Nope (plex_library); its movie libraries: Scenes"),
])
def test_health_check_names_each_failure(
    harness: Harness, stash: StashDouble, plex: PlexDouble, fault: str, failed: str,
    detail: str
) -> None:
    harness.build_sample(3)
    if fault == "plex down":
        plex.go_down()
    elif fault == "wrong token":
        harness.configure(plex_token="not-the-token")
    else:
        harness.configure(plex_library="Nope")
    run = run_task(harness, "Health Check")
    report = assert_replied(harness, run)
    checks = _checks(report)
    assert report["ok"] is False
    assert list(checks)[-1] == failed  # the checks stop at the first Plex failure
    assert [name for name, (ok, _) in checks.items() if not ok] == [failed]
    assert checks[failed][1].startswith(detail)
    assert "not-the-token" not in run.stdout + run.stderr
    assert last_line(run) == "Health check: see the FAIL lines above"
    assert_recorded_queries_valid(stash.queries)


def test_health_check_says_when_stash_itself_is_unreachable(harness: Harness) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    payload = harness.payload({"mode": "health_check"})
    payload["server_connection"]["Port"] = port
    run = run_plugin(payload, timeout=60)
    assert run.returncode == 1
    assert json.loads(run.stdout) == {"output": None,
                                      "error": "Health check: Stash is not reachable"}
    assert any(line.startswith(f"[FAIL] stash: cannot use Stash's API: cannot reach Stash at "
                               f"http://127.0.0.1:{port}") for line in run.messages("error"))
    assert run.messages("error")[-1] == "Health check: Stash is not reachable"
