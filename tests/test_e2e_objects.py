"""End to end: changes to Stash's other objects that change what Plex shows, yet no scene.

- A group rename fires Group.Update.Post (stashapp/stash internal/api/resolver_mutation_group.go);
  group names are Plex collections, so the hook queues the group's scenes.
- Deleting a tag, performer, studio or group fires <Kind>.Destroy.Post with the id alone
  (resolver_mutation_tag.go and siblings); the scenes lose it without their updated_at moving
  and the id no longer matches anything in a Stash filter: the hook queues the scenes PlexSync
  last wrote with it, from its own record.
- Performer and scene merges fire no hook (resolver_mutation_performer.go PerformerMerge,
  resolver_mutation_scene.go SceneMerge): Reconcile catches them.
"""

from __future__ import annotations

import pytest

from sync_queue import layout
from sync_queue.lock import FileLock
from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble
from tests.e2e import ok
from tests.harness import Harness
from tests.plex_views import assert_synced, expected, observed, snapshots
from tests.schema_fidelity import assert_recorded_queries_valid

KEYS = {"tag": "tags", "performer": "performers", "studio": "studio", "group": "groups"}


def _ids(value: object) -> list[int]:
    if isinstance(value, list):
        return [v[0] if isinstance(v, list) else v for v in value]  # groups: [id, index]
    return [value] if value is not None else []


def _most_used(stash: StashDouble, scene_ids: list[int], kind: str) -> tuple[int, list[int]]:
    """The object of `kind` shown on most scenes, and those scenes."""
    counts: dict[int, list[int]] = {}
    for sid in scene_ids:
        for object_id in _ids(stash.scene(sid)[KEYS[kind]]):
            counts.setdefault(object_id, []).append(sid)
    best = max(counts, key=lambda object_id: len(counts[object_id]))
    return best, counts[best]


def _stamps(stash: StashDouble, scene_ids: list[int]) -> dict[int, str]:
    return {sid: stash.scene(sid)["updated_at"] for sid in scene_ids}


def test_a_group_rename_reaches_the_collections_of_its_scenes(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(15)
    ids = sample.scene_ids
    ok(harness.task("sync_all"))
    group, in_group = _most_used(stash, ids, "group")
    old = stash.store.groups[group].name
    stamps, before = _stamps(stash, ids), snapshots(plex, sample, ids)
    stash.rename_group(group, "Renamed Series ✓")
    plex.reset_counts()

    output = ok(harness.hook(group, "Group.Update.Post",
                             input={"id": str(group), "name": "Renamed Series ✓"}))

    assert output == f"queued {len(in_group)} scene(s) for Plex"
    harness.wait_drained()
    assert _stamps(stash, ids) == stamps
    for sid in in_group:
        for rk in sample.rating_keys[sid]:
            collections = plex.item(rk)["tags"]["collection"]
            assert "Renamed Series ✓" in collections and old not in collections
    others = [rk for sid in ids if sid not in in_group for rk in sample.rating_keys[sid]]
    assert {rk: plex.item(rk) for rk in others} == {rk: before[rk] for rk in others}
    assert plex.counts["edit"] == sum(len(sample.rating_keys[sid]) for sid in in_group)
    assert_recorded_queries_valid(stash.queries)


@pytest.mark.parametrize("kind", ["tag", "performer", "studio", "group"])
def test_deleting_an_object_in_stash_takes_it_off_its_plex_items(
    harness: Harness, stash: StashDouble, plex: PlexDouble, kind: str
) -> None:
    sample = harness.build_sample(15)
    ids = sample.scene_ids
    ok(harness.task("sync_all"))
    target, carriers = _most_used(stash, ids, kind)
    stamps, before = _stamps(stash, ids), snapshots(plex, sample, ids)
    stash.destroy(kind, target)
    assert _stamps(stash, ids) == stamps  # Stash changes no scene's updated_at

    # With a drainer at work the hook only queues: what the hook itself asks is countable.
    harness.data_dir.mkdir(exist_ok=True)
    held = FileLock(harness.data_dir / layout.DRAINER_LOCK)
    assert held.acquire(0)
    stash.reset_counts()
    # A single delete sends its input {id}; a bulk delete the list of ids, per id.
    sent = {"id": str(target)} if kind != "performer" else [str(target), "999"]
    run = harness.hook(target, f"{kind.title()}.Destroy.Post", input=sent, input_fields=[])
    held.release()

    assert ok(run) == f"queued {len(carriers)} scene(s) for Plex"
    assert stash.counts == {"graphql": 1, "version": 1, "configuration": 1}  # one request
    assert harness.queue_counts()["waiting"] == len(carriers)
    plex.reset_counts()
    ok(harness.task("process_queue"))
    for sid in ids:
        assert_synced(stash, plex, sid, sample.rating_keys[sid])
    others = [rk for sid in ids if sid not in carriers for rk in sample.rating_keys[sid]]
    assert {rk: plex.item(rk) for rk in others} == {rk: before[rk] for rk in others}
    assert plex.counts["edit"] == sum(len(sample.rating_keys[sid]) for sid in carriers)
    assert_recorded_queries_valid(stash.queries)


def test_a_deleted_object_no_scene_was_written_with_queues_nothing(
    harness: Harness, stash: StashDouble
) -> None:
    harness.build_sample(3)  # never synced: PlexSync has no record yet
    tag = next(iter(stash.store.tags))
    stash.destroy("tag", tag)
    assert ok(harness.hook(tag, "Tag.Destroy.Post", input={"id": str(tag)})) == \
        "queued 0 scene(s) for Plex"


def test_reconcile_catches_performer_and_scene_merges_which_fire_no_hook(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(12)
    ok(harness.task("sync_all"))
    ids = sample.synced_ids()
    source, credited = _most_used(stash, ids, "performer")
    destination = next(p for p in stash.store.performers if p != source)
    single = [sid for sid in ids if len(sample.rating_keys[sid]) == 1]
    kept, merged = single[-1], single[-2]
    stash.merge_performers([source], destination)
    # Stash's merge dialog offers the union of both scenes' performers and tags.
    union = {key: list(dict.fromkeys(stash.scene(kept)[key] + stash.scene(merged)[key]))
             for key in ("performers", "tags")}
    stash.merge_scenes([merged], kept, **union)
    ids.remove(merged)

    output = ok(harness.task("reconcile"))

    assert output.startswith("reconcile: ")
    for sid in ids:
        if sid != kept:
            assert_synced(stash, plex, sid, sample.rating_keys[sid])
    # The merged scene's own item, and the one its absorbed file already had in Plex.
    want = expected(stash, kept)
    for rk in sample.rating_keys[kept] + sample.rating_keys[merged]:
        seen = observed(plex, rk)
        for name in ("title", "genre", "actors", "poster_sha1"):
            assert seen[name] == want[name], (rk, name)
    name = stash.store.performers[destination].name
    for sid in credited:
        for rk in sample.rating_keys[sid]:
            assert name in [a["tag"] for a in plex.item(rk)["actors"]]
