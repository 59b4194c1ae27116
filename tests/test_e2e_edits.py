"""End to end: edits made in Stash after a sync reach Plex through the Scene.Update.Post hook.

Each hook is plexsync.py run as Stash runs it; the detached drainer it starts does the writing,
and the test waits for the queue to drain (never a sleep) before looking at Plex.
"""

from __future__ import annotations

import pytest

from tests.doubles.plex import PlexDouble
from tests.doubles.sample import Sample
from tests.doubles.stash import StashDouble, tiny_png
from tests.e2e import ok
from tests.harness import Harness
from tests.plex_views import assert_synced
from tests.schema_fidelity import assert_recorded_queries_valid


def _synced_sample(harness: Harness, n: int = 6) -> Sample:
    sample = harness.build_sample(n)
    ok(harness.task("sync_all"))
    return sample


def _single_file_scene(stash: StashDouble, sample: Sample) -> tuple[int, str]:
    """A scene with one Plex item, a cover, two or more tags and a performer."""
    scene_id = next(sid for sid in sample.synced_ids() if len(sample.rating_keys[sid]) == 1
                    and len(stash.scene(sid)["tags"]) >= 2 and stash.scene(sid)["performers"]
                    and stash.scene(sid)["cover"])
    return scene_id, sample.rating_keys[scene_id][0]


def _edit_and_hook(harness: Harness, scene_id: int, **changes: object) -> None:
    harness.stash.update_scene(scene_id, **changes)
    ok(harness.hook(scene_id, input={"id": str(scene_id)},
                    input_fields=["id", *sorted(changes)]))


@pytest.mark.parametrize("tag_mode", ["replace", "append"])
def test_hook_edits_converge_in_plex(harness: Harness, stash: StashDouble, plex: PlexDouble,
                                     tag_mode: str) -> None:
    plex.tag_mode = tag_mode
    sample = _synced_sample(harness)
    scene_id, rk = _single_file_scene(stash, sample)
    tags = stash.scene(scene_id)["tags"]
    removed = stash.store.tags[tags[0]].name
    stash.clock.advance(1)
    _edit_and_hook(harness, scene_id, title="Retitled in Stash", tags=tags[1:])
    harness.wait_drained()
    assert_synced(stash, plex, scene_id, [rk])
    assert removed not in plex.item(rk)["tags"]["genre"]

    plex.reset_counts()
    cover = tiny_png("a brand new cover")
    newcomer = stash.add_performer("Newcomer Ñ")
    stash.clock.advance(1)
    _edit_and_hook(harness, scene_id, performers=[newcomer], cover=cover)
    harness.wait_drained()
    assert_synced(stash, plex, scene_id, [rk])
    assert [a["tag"] for a in plex.item(rk)["actors"]] == ["Newcomer Ñ"]
    assert plex.counts["upload_poster"] == 1 and plex.counts["edit"] == 1
    assert harness.dead_letters() == []
    assert_recorded_queries_valid(stash.queries)


@pytest.mark.parametrize("preserve", [True, False])
def test_preserve_plex_edits_keeps_what_a_person_changed_in_plex(
    harness: Harness, stash: StashDouble, plex: PlexDouble, preserve: bool
) -> None:
    sample = _synced_sample(harness)
    harness.configure(preserve_plex_edits=preserve)
    scene_id, rk = _single_file_scene(stash, sample)
    plex.set_field(rk, "title", "Title a person chose in Plex")
    stash.clock.advance(1)
    _edit_and_hook(harness, scene_id, title="Title from Stash", details="New details.")
    harness.wait_drained()
    item = plex.item(rk)
    assert item["fields"]["summary"] == "New details."
    if preserve:
        assert item["fields"]["title"] == "Title a person chose in Plex"
    else:
        assert_synced(stash, plex, scene_id, [rk])
    assert {"title", "summary"} <= item["locked"]


def test_three_rapid_edits_last_one_wins(harness: Harness, stash: StashDouble,
                                         plex: PlexDouble) -> None:
    sample = _synced_sample(harness)
    scene_id, rk = _single_file_scene(stash, sample)
    tags = stash.scene(scene_id)["tags"]
    for n, kept in enumerate((tags, tags[:1], tags[1:2]), start=1):
        _edit_and_hook(harness, scene_id, title=f"Edit {n}", tags=kept)
    harness.wait_drained()
    assert plex.item(rk)["fields"]["title"] == "Edit 3"
    assert_synced(stash, plex, scene_id, [rk])


@pytest.mark.parametrize("clock", ["advanced", "frozen"])
def test_an_edit_while_the_drainer_writes_that_scene_is_synced_too(
    harness: Harness, stash: StashDouble, plex: PlexDouble, clock: str
) -> None:
    sample = _synced_sample(harness)
    scene_id, rk = _single_file_scene(stash, sample)
    stash.clock.advance(1)
    if clock == "frozen":  # both edits carry the same updated_at second
        stash.clock.freeze()
    plex.reset_counts()
    plex.gate.close("edit", timeout=300)  # the drainer's write of the first version waits
    _edit_and_hook(harness, scene_id, title="First version")
    plex.gate.wait_held("edit")  # the drainer read the first version and is writing it
    assert harness.queue_counts()["taken"] == 1
    if clock == "advanced":
        stash.clock.advance(1)
    _edit_and_hook(harness, scene_id, title="Second version", details="Written later.")
    plex.gate.open()
    harness.wait_drained()
    assert plex.item(rk)["fields"]["title"] == "Second version"
    assert plex.counts["edit"] == 2  # the first version was written, then the second
    assert_synced(stash, plex, scene_id, [rk])
    assert harness.queue_counts()["waiting"] == 0 and harness.dead_letters() == []
