"""End to end: the Sync All task writes each Stash scene exactly into its Plex items, cheaply.

plexsync.py runs as Stash runs it (child processes through the Harness) against both doubles;
every assertion is about what Plex holds afterwards and what the servers were asked.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble, tiny_png
from tests.doubles.stash.clock import unix_seconds
from tests.e2e import ok
from tests.harness import Harness
from tests.plex_views import WRITE_KINDS, assert_synced, expected, expected_locks, write_counts
from tests.schema_fidelity import assert_recorded_queries_valid

# --- what Plex should hold, computed from the Stash double alone -------------------------------


def _put_keys(plex: PlexDouble) -> dict[str, set[str]]:
    """The parameter names of each edit PUT since the last reset, by item."""
    sent: dict[str, set[str]] = {}
    for method, target in plex.requests:
        if method == "PUT" and "/all?" in target:
            params = parse_qsl(urlsplit(target).query, keep_blank_values=True)
            keys = {key for key, _ in params if key != "X-Plex-Token"}
            sent[dict(params)["id"]] = keys
    return sent


# --- the tests -----------------------------------------------------------------------------------

def test_sync_all_writes_every_scene_exactly_and_locks_what_it_wrote(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(25)
    output = ok(harness.task("sync_all"))
    assert "25 written" in output
    items = 0
    for scene_id in sample.synced_ids():
        assert_synced(stash, plex, scene_id, sample.rating_keys[scene_id])
        for rk in sample.rating_keys[scene_id]:
            items += 1
            assert plex.item(rk)["locked"] == expected_locks(expected(stash, scene_id))
    assert len(sample.rating_keys[sample.two_file_scene]) == 2  # both items checked above
    # The coverless scene's screenshot is Stash's default SVG: no poster for Plex.
    coverless = plex.item(sample.rating_keys[sample.coverless_scene][0])
    assert coverless["poster_sha1"] is None and coverless["uploads"]["poster"] == 0
    assert plex.counts["edit"] == items == 26  # one PUT per item, the two-file scene has two
    assert plex.counts["upload_poster"] == items - 1 and plex.counts["upload_art"] == 0
    assert plex.counts["listing"] == 1 and plex.counts["metadata"] == 1
    assert plex.counts["rate"] == 0  # sync_rating is off by default
    assert_recorded_queries_valid(stash.queries)


def test_optional_mappings_rating_content_rating_labels_art_and_actor_photos(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(10)
    labels = ("From Stash", "Café ✨")
    harness.configure(sync_rating=True, content_rating="R18", plex_labels=", ".join(labels),
                      sync_art=True, actor_photos=True)
    ok(harness.task("sync_all"))
    rated = 0
    for scene_id in sample.synced_ids():
        scene = stash.scene(scene_id)
        assert_synced(stash, plex, scene_id, sample.rating_keys[scene_id], labels=labels,
                      content_rating="R18", rating=True)
        rated += len(sample.rating_keys[scene_id]) if scene["rating100"] else 0
        for rk in sample.rating_keys[scene_id]:
            item = plex.item(rk)
            # Art is the same screenshot image as the poster, never a frame of the video.
            assert item["art_sha1"] == item["poster_sha1"]
            assert {"label", "contentRating"} <= item["locked"]
            assert ("art" in item["locked"]) == (scene["cover"] is not None)
            for actor, performer_id in zip(item["actors"], scene["performers"], strict=True):
                assert actor["thumb"] == _photo(stash, performer_id)
            # Photo URLs reach Plex, and so must carry no credential.
            assert not {"sess-secret", "apikey", plex.token} & set(_words(str(item)))
    assert plex.counts["rate"] == rated > 0
    assert plex.counts["upload_art"] == plex.counts["upload_poster"] > 0
    assert_recorded_queries_valid(stash.queries)


def _words(text: str) -> list[str]:
    return re.findall(r"[\w-]+", text)


def _photo(stash: StashDouble, performer_id: int) -> str | None:
    """A performer's Stash picture URL as Plex should hold it; none for the silhouette."""
    performer = stash.store.performers[performer_id]
    if performer.image is None:
        return None
    return f"{stash.url}/performer/{performer_id}/image?t={unix_seconds(performer.updated_at)}"


def test_lock_fields_off_locks_nothing(harness: Harness, stash: StashDouble,
                                       plex: PlexDouble) -> None:
    sample = harness.build_sample(6)
    harness.configure(lock_fields=False, sync_art=True)
    ok(harness.task("sync_all"))
    for scene_id in sample.synced_ids():
        assert_synced(stash, plex, scene_id, sample.rating_keys[scene_id])
        for rk in sample.rating_keys[scene_id]:
            assert plex.item(rk)["locked"] == set()


def test_values_are_cleaned_not_rewritten(harness: Harness, stash: StashDouble,
                                          plex: PlexDouble) -> None:
    section = plex.add_section("Scenes", ["/media/plex"])
    harness.configure(path_map="/data/stash=/media/plex")
    tag = stash.add_tag("Crème 🎬\x07")
    performer = stash.add_performer("Zoë \u200bO'Brien")
    details = ("First line\r\nsecond\x00 line\twith a tab\x1b[0m\n\n"
               "Paragraph two: \"straight\", “curly”, it’s, Ærø, 👩‍🎤 and 🇯🇵.\x7f")
    stash.add_scene(title="  Ti\x08tle\twith “quotes” & émoji 🎬 ", details=details,
                            date="2019", tags=[tag], performers=[performer],
                            files=[("/data/stash/a/noisy.mp4", 10)])
    stash.add_scene(title="", date="2018-07", files=[("/data/stash/a/untitled.mkv", 20)])
    rk_noisy = plex.add_item(section, "/media/plex/a/noisy.mp4", 10)
    rk_untitled = plex.add_item(section, "/media/plex/a/untitled.mkv", 20)
    ok(harness.task("sync_all"))
    item = plex.item(rk_noisy)
    assert item["fields"]["title"] == "Title with “quotes” & émoji 🎬"
    assert item["fields"]["summary"] == (
        "First line\nsecond line\twith a tab[0m\n\n"
        "Paragraph two: \"straight\", “curly”, it’s, Ærø, 👩‍🎤 and 🇯🇵.")
    assert item["tags"]["genre"] == ["Crème 🎬"]
    assert [a["tag"] for a in item["actors"]] == ["Zoë \u200bO'Brien"]
    assert str(item["fields"]["year"]) == "2019" and item["fields"]["originallyAvailableAt"] is None
    # An empty Stash title leaves the title Plex gave the file alone (and unlocked).
    other = plex.item(rk_untitled)
    assert other["fields"]["title"] == "untitled" and "title" not in other["locked"]
    assert str(other["fields"]["year"]) == "2018"
    assert other["fields"]["originallyAvailableAt"] is None
    assert_recorded_queries_valid(stash.queries)


def test_nothing_changed_means_no_plex_write_and_no_download(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    harness.build_sample(12)
    harness.configure(sync_rating=True, sync_art=True, actor_photos=True,
                      plex_labels="Stash", content_rating="R18")
    ok(harness.task("sync_all"))
    plex.reset_counts()
    stash.reset_counts()
    ok(harness.task("sync_all"))  # (sync_all_force rewrites everything: tests/test_e2e_tasks.py)
    assert write_counts(plex) == dict.fromkeys(WRITE_KINDS, 0)
    assert stash.counts.get("screenshot", 0) == 0
    assert_recorded_queries_valid(stash.queries)


def test_one_put_per_changed_scene_and_uploads_only_for_a_new_cover(
    harness: Harness, stash: StashDouble, plex: PlexDouble
) -> None:
    sample = harness.build_sample(12)
    ok(harness.task("sync_all"))
    single = [sid for sid in sample.synced_ids()
              if len(sample.rating_keys[sid]) == 1 and stash.scene(sid)["cover"]]
    retitled, retagged, recovered, unsynced_field = single[:4]
    plex.reset_counts()
    stash.clock.advance(1)
    stash.update_scene(retitled, title="A new title")
    stash.update_scene(retagged, tags=[stash.add_tag("Fresh tag")],
                       performers=[stash.add_performer("New Face"),
                                   *stash.scene(retagged)["performers"][:1]])
    new_cover = tiny_png("new cover")
    stash.update_scene(recovered, cover=new_cover)
    stash.update_scene(unsynced_field, organized=not stash.scene(unsynced_field)["organized"],
                       code="SC-NEW")
    output = ok(harness.task("sync_all"))
    assert "8 of 12 scene(s) already current" in output
    for scene_id in (retitled, retagged, recovered, unsynced_field):
        assert_synced(stash, plex, scene_id, sample.rating_keys[scene_id])
    # Title and tag edits: one PUT each; the new cover: one upload; an edit of a field Plex
    # does not show changes nothing there.
    assert write_counts(plex) == {"edit": 2, "rate": 0, "upload_poster": 1, "upload_art": 0}
    sent = _put_keys(plex)
    assert sent[sample.rating_keys[retitled][0]] == {"type", "id", "title.value", "title.locked"}
    assert {k.split("[")[0].split(".")[0] for k in sent[sample.rating_keys[retagged][0]]} == {
        "type", "id", "genre", "actor"}
    assert plex.item(sample.rating_keys[recovered][0])["uploads"]["poster"] == 2
    assert_recorded_queries_valid(stash.queries)


@pytest.mark.parametrize("tag_mode", ["replace", "append"])
def test_lists_converge_to_exactly_the_stash_set(
    harness: Harness, stash: StashDouble, plex: PlexDouble, tag_mode: str
) -> None:
    plex.tag_mode = tag_mode
    sample = harness.build_sample(8)
    ok(harness.task("sync_all"))
    scene_id = next(sid for sid in sample.synced_ids() if len(stash.scene(sid)["tags"]) >= 2
                    and len(sample.rating_keys[sid]) == 1)
    tags = stash.scene(scene_id)["tags"]
    stash.clock.advance(1)
    stash.update_scene(scene_id, tags=[tags[-1], stash.add_tag("Added")], performers=[],
                       groups=[])
    ok(harness.task("sync_all"))
    assert_synced(stash, plex, scene_id, sample.rating_keys[scene_id])
    item = plex.item(sample.rating_keys[scene_id][0])
    assert len(item["tags"]["genre"]) == 2 and item["actors"] == []
