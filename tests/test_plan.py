import dataclasses
import json

import pytest

from sync.edit import UNSET, Edit, ImageRef
from sync.item import Actor, PlexItem
from sync.ownership import Owned, Picture
from sync.plan import plan
from validation.config import PlexSyncConfig
from validation.scene import Scene

SHOT = "http://stash:9999/scene/42/screenshot?t=1700000000"
PHOTO = "http://stash:9999/performer/7/image?t=1700000000"
BASE_CONFIG = PlexSyncConfig(
    plex_url="http://127.0.0.1:32400", plex_token="token", sync_rating=True, sync_art=True,
)
EMPTY_FIELDS = dict.fromkeys(
    ("title", "titleSort", "studio", "summary", "contentRating", "originallyAvailableAt",
     "year", "userRating"), "",
)


def config(**changes) -> PlexSyncConfig:
    return BASE_CONFIG.model_copy(update=changes)


def scene(**overrides) -> Scene:
    data = {
        "id": "42", "title": "Real Title", "details": "Para one.\n\nPara two.",
        "date": "2024-03-05", "rating100": 80, "organized": True,
        "studio": {"name": "Studio X"},
        "performers": [
            {"id": "7", "name": "Jane", "image_path": PHOTO},
            {"id": "8", "name": "John", "image_path": None},
        ],
        "tags": [{"name": "Outdoor"}, {"name": "Blonde"}],
        "groups": [{"group": {"name": "Series A"}, "scene_index": 1}],
        "files": [{"path": "/stash/a/my_scene.mp4", "size": 10}],
        "paths": {"screenshot": SHOT},
    }
    data.update(overrides)
    return Scene.from_stash(data)


def item(*, locked=(), tags=None, actors=(), **fields) -> PlexItem:
    return PlexItem(
        rating_key="101", section_id=3,
        fields={**EMPTY_FIELDS, "title": "my_scene", **fields},
        tags={"genre": [], "collection": [], "label": [], **(tags or {})},
        actors=list(actors), locked=frozenset(locked), files=["/plex/a/my_scene.mp4"],
    )


def merge(current, added, removed, replace):
    """An indexed tag list under either server semantic: replace or append."""
    base = [] if replace and added else list(current)
    seen = {name.lower() for name in base}
    base += [name for name in added if name.lower() not in seen]
    gone = {name.lower() for name in removed}
    return [name for name in base if name.lower() not in gone]


def apply(target: PlexItem, edit: Edit, *, replace=True) -> PlexItem:
    """What a server makes of the edit, as plain data."""
    fields = {**target.fields, **edit.fields}
    if edit.rating is not UNSET:
        fields["userRating"] = "" if edit.rating is None else str(edit.rating)
    tags = {
        kind: merge(names, edit.tags.get(kind, []), edit.remove.get(kind, []), replace)
        for kind, names in target.tags.items()
    }
    actors = target.actors
    if edit.actors is not None or "actor" in edit.remove:
        by_name = {a.tag.lower(): a for a in [*target.actors, *(edit.actors or [])]}
        names = merge([a.tag for a in target.actors], [a.tag for a in edit.actors or []],
                      edit.remove.get("actor", []), replace)
        actors = [by_name[name.lower()] for name in names]
    locked = {k for k, v in edit.locks.items() if v} | (target.locked - set(edit.locks))
    return dataclasses.replace(target, fields=fields, tags=tags, actors=actors,
                               locked=frozenset(locked))


def sync(target: PlexItem, stash: Scene, settings: PlexSyncConfig, last=None, replace=True):
    edit = plan(stash, target, settings, last)
    json.dumps(edit.written.to_json())  # the record must be storable as it is
    return edit, apply(target, edit, replace=replace)


# -- first sync, idempotence --------------------------------------------------------------

@pytest.mark.parametrize("replace", [True, False])
def test_first_sync_writes_everything_then_nothing(replace):
    edit, after = sync(item(), scene(), config(), replace=replace)
    assert edit.fields == {
        "title": "Real Title", "summary": "Para one.\n\nPara two.", "studio": "Studio X",
        "originallyAvailableAt": "2024-03-05", "year": "2024",
    }
    assert edit.tags == {"genre": ["Outdoor", "Blonde"], "collection": ["Studio X", "Series A"]}
    assert edit.remove == {}
    assert edit.actors == [Actor("Jane"), Actor("John")]
    assert edit.rating == 8.0
    assert edit.images == [ImageRef(SHOT, "poster"), ImageRef(SHOT, "art")]
    assert edit.locks == dict.fromkeys(
        ["title", "summary", "studio", "originallyAvailableAt", "year", "genre", "actor",
         "collection", "thumb", "art"], True)
    assert edit.written.to_json()["images"] == {
        "poster": {"url": SHOT, "hash": None}, "art": {"url": SHOT, "hash": None},
    }
    assert edit.skipped == [] and not edit.empty

    again = plan(scene(), after, config(), edit.written)
    assert again.empty, again
    assert again.written == edit.written


def test_the_record_survives_a_json_round_trip():
    edit, after = sync(item(), scene(), config())
    stored = json.loads(json.dumps(edit.written.to_json()))
    assert plan(scene(), after, config(), Owned.read(stored)).empty


def test_unchanged_values_compare_cleaned():
    target = item(title="Real Title", summary="Para one.\r\n\r\nPara two.  ",
                  studio="studio x", originallyAvailableAt="2024-03-05 00:00:00", year="2024",
                  userRating="8.0", locked={"title", "summary", "originallyAvailableAt", "year"},
                  tags={"genre": ["blonde", "OUTDOOR"], "collection": ["Series A", "studio X"]},
                  actors=[Actor("john"), Actor("Jane")])
    edit = plan(scene(), target, config(sync_poster=False, sync_art=False), None)
    assert edit.fields == {"studio": "Studio X"}  # a field value's case is not a tag's
    assert edit.tags == {} and edit.actors is None and edit.rating is UNSET
    assert edit.locks == {"studio": True, "genre": True, "actor": True, "collection": True}


# -- titles, clearing, dates ------------------------------------------------------------------

def test_an_empty_stash_title_never_blanks_plex():
    edit = plan(scene(title=""), item(title="Plex Title"), config(), None)
    assert "title" not in edit.fields and "title" not in edit.locks


def test_missing_stash_values_leave_foreign_plex_values_alone():
    target = item(summary="From elsewhere", studio="Other", originallyAvailableAt="2020-01-01",
                  year="2020", userRating="3.0")
    edit = plan(scene(details=None, studio=None, date=None, rating100=None), target, config(),
                None)
    for name in ("summary", "studio", "originallyAvailableAt", "year"):
        assert name not in edit.fields and name not in edit.locks
    assert edit.rating is UNSET


def test_missing_stash_values_clear_what_plexsync_wrote():
    first, after = sync(item(), scene(), config())
    gone = scene(details="", studio=None, date=None, rating100=None)
    edit, cleared = sync(after, gone, config(), first.written)
    assert {k: edit.fields[k] for k in ("summary", "studio", "originallyAvailableAt", "year")} \
        == dict.fromkeys(("summary", "studio", "originallyAvailableAt", "year"), "")
    assert edit.rating is None
    assert "Studio X" not in cleared.tags["collection"]
    assert plan(gone, cleared, config(), edit.written).empty


def test_a_value_changed_in_plex_after_our_write_is_no_longer_ours_to_clear():
    first, after = sync(item(), scene(), config())
    edited = dataclasses.replace(after, fields={**after.fields, "studio": "Person's Studio"})
    edit = plan(scene(studio=None), edited, config(), first.written)
    assert "studio" not in edit.fields
    assert "studio" not in edit.written.fields


@pytest.mark.parametrize("partial", ["2024", "2024-03"])
def test_a_partial_date_sets_the_year_and_clears_our_day(partial):
    first, after = sync(item(), scene(date="2023-01-02"), config())
    edit = plan(scene(date=partial), after, config(), first.written)
    assert edit.fields["year"] == "2024"
    assert edit.fields["originallyAvailableAt"] == ""


def test_a_partial_date_keeps_a_foreign_day():
    edit = plan(scene(date="2024"), item(originallyAvailableAt="1999-09-09"), config(), None)
    assert edit.fields == {"title": "Real Title", "summary": "Para one.\n\nPara two.",
                           "studio": "Studio X", "year": "2024"}


# -- tags, actors, collections, labels ---------------------------------------------------------

@pytest.mark.parametrize("replace", [True, False])
def test_genres_mirror_stash_tags(replace):
    target = item(tags={"genre": ["Outdoor", "Old Tag", "blonde"]})
    edit, after = sync(target, scene(), config(), replace=replace)
    assert edit.tags["genre"] == ["Outdoor", "Blonde"]
    assert edit.remove["genre"] == ["Old Tag"]
    assert sorted(name.lower() for name in after.tags["genre"]) == ["blonde", "outdoor"]


def test_an_empty_tag_list_removes_only_our_genres():
    first, after = sync(item(tags={"genre": []}), scene(), config())
    with_foreign = dataclasses.replace(after, tags={**after.tags,
                                                   "genre": [*after.tags["genre"], "Agent"]})
    edit, cleared = sync(with_foreign, scene(tags=[]), config(), first.written)
    assert edit.remove["genre"] == ["Outdoor", "Blonde"]
    assert cleared.tags["genre"] == ["Agent"]
    untouched = plan(scene(tags=[]), item(tags={"genre": ["Agent"]}), config(), None)
    assert "genre" not in untouched.tags and "genre" not in untouched.remove


@pytest.mark.parametrize("replace", [True, False])
def test_actors_mirror_performers_in_order_keeping_roles(replace):
    target = item(actors=[Actor("Old Guy"), Actor("JANE", role="Nurse", thumb="/t/1")])
    edit, after = sync(target, scene(), config(), replace=replace)
    assert edit.actors == [Actor("Jane", role="Nurse"), Actor("John")]
    assert edit.remove["actor"] == ["Old Guy"]
    assert {a.tag.lower() for a in after.actors} == {"jane", "john"}
    reordered = dataclasses.replace(after, actors=list(reversed(after.actors)))
    assert plan(scene(), reordered, config(), edit.written).actors is None


def test_actor_photos_come_from_performer_images():
    settings = config(actor_photos=True)
    edit, after = sync(item(), scene(), settings)
    assert edit.actors == [Actor("Jane", thumb=PHOTO), Actor("John")]
    # Plex may report the photo in its own form; what we sent last time counts as current.
    rewritten = dataclasses.replace(after, actors=[Actor("Jane", thumb="/library/p/1"),
                                                   Actor("John")])
    assert plan(scene(), rewritten, settings, edit.written).actors is None
    # t= moves on any edit of the performer: the same photo, nothing to rewrite.
    newer = PHOTO.replace("t=1700000000", "t=1800000000")
    performers = [{"id": "7", "name": "Jane", "image_path": newer},
                  {"id": "8", "name": "John", "image_path": PHOTO.replace("/7/", "/8/")}]
    assert plan(scene(performers=performers[:1] + [{"id": "8", "name": "John"}]), rewritten,
                settings, edit.written).actors is None
    # A performer who gets a picture is a new photo.
    changed = plan(scene(performers=performers), rewritten, settings, edit.written)
    assert changed.actors == [Actor("Jane", thumb=newer),
                              Actor("John", thumb=PHOTO.replace("/7/", "/8/"))]


def test_actor_photos_at_the_address_plex_reaches_stash_by():
    settings = config(actor_photos=True, stash_url_for_plex="http://nas.lan:9999")
    edit, after = sync(item(), scene(), settings)
    assert edit.actors == [Actor("Jane", thumb="http://nas.lan:9999/performer/7/image?"
                                               "t=1700000000"), Actor("John")]
    assert plan(scene(), after, settings, edit.written).actors is None
    # A new address is a new photo for Plex to fetch.
    moved = config(actor_photos=True, stash_url_for_plex="https://stash.example.com/stash")
    assert plan(scene(), after, moved, edit.written).actors == [
        Actor("Jane", thumb="https://stash.example.com/stash/performer/7/image?t=1700000000"),
        Actor("John")]


def test_collections_are_managed_person_made_ones_stay():
    first, after = sync(item(tags={"collection": ["My Favourites"]}), scene(), config())
    assert after.tags["collection"] == ["My Favourites", "Studio X", "Series A"]
    moved = scene(studio={"name": "Studio Y"}, groups=[])
    edit, later = sync(after, moved, config(), first.written)
    assert edit.tags["collection"] == ["My Favourites", "Studio Y"]
    assert edit.remove["collection"] == ["Studio X", "Series A"]
    assert later.tags["collection"] == ["My Favourites", "Studio Y"]


def test_labels_follow_the_setting_as_a_managed_set():
    settings = config(plex_labels=["Stash", "Synced"])
    first, after = sync(item(tags={"label": ["Kids"]}), scene(), settings)
    assert first.tags["label"] == ["Kids", "Stash", "Synced"]
    edit, later = sync(after, scene(), config(plex_labels=["Stash"]), first.written)
    assert edit.remove["label"] == ["Synced"]
    assert later.tags["label"] == ["Kids", "Stash"]
    edit, final = sync(later, scene(), config(), edit.written)
    assert final.tags["label"] == ["Kids"]


# -- rating, content rating, images -------------------------------------------------------------

def test_rating_is_rating100_over_ten():
    assert plan(scene(rating100=75), item(), config(), None).rating == 7.5
    assert plan(scene(rating100=75), item(userRating="7.5"), config(), None).rating is UNSET


def test_a_foreign_rating_is_not_cleared():
    assert plan(scene(rating100=None), item(userRating="6"), config(), None).rating is UNSET


def test_content_rating_from_the_setting():
    first, after = sync(item(), scene(), config(content_rating="XXX"))
    assert first.fields["contentRating"] == "XXX"
    edit = plan(scene(), after, config(), first.written)
    assert edit.fields["contentRating"] == ""
    foreign = plan(scene(), item(contentRating="R"), config(), None)
    assert "contentRating" not in foreign.fields


def test_images_are_planned_only_when_the_url_changes():
    first, after = sync(item(), scene(), config())
    record = first.written.copy()
    record.images["poster"].hash = "abc"  # what the writer fills in
    assert plan(scene(), after, config(), record).images == []
    newer = SHOT.replace("t=1700000000", "t=1800000000")
    edit = plan(scene(paths={"screenshot": newer}), after, config(), record)
    assert edit.images == [ImageRef(newer, "poster", "abc"), ImageRef(newer, "art")]
    assert edit.written.images["poster"] == Picture(newer, "abc")
    assert edit.locks == {"thumb": True, "art": True}


def test_a_cover_stash_lacked_is_looked_for_again_only_by_a_writer():
    # What the writer records after Stash served its placeholder: the previous upload stays.
    record = Owned.read({"images": {"poster": {"url": None, "hash": "abc", "missing": SHOT}}})
    settings = config(sync_art=False)
    assert plan(scene(), item(), settings, record).images == []  # Reconcile, Preview
    again = plan(scene(), item(), settings, record, recheck_missing=True)
    assert again.images == [ImageRef(SHOT, "poster", "abc")]
    newer = SHOT.replace("t=1700000000", "t=1800000000")
    moved = plan(scene(paths={"screenshot": newer}), item(), settings, record)
    assert moved.images == [ImageRef(newer, "poster", "abc")]
    # A download that failed left no URL: the next plan downloads again.
    failed = Owned.read({"images": {"poster": {"url": None, "hash": None}}})
    assert plan(scene(), item(), settings, failed).images == [ImageRef(SHOT, "poster")]


def test_no_screenshot_or_image_toggles_off_means_no_images():
    assert plan(scene(paths={"screenshot": None}), item(), config(), None).images == []
    edit = plan(scene(), item(), config(sync_poster=False, sync_art=False), None)
    assert edit.images == [] and "thumb" not in edit.locks and "art" not in edit.locks
    only_poster = plan(scene(), item(), config(sync_art=False), None)
    assert only_poster.images == [ImageRef(SHOT, "poster")]


# -- locks ---------------------------------------------------------------------------------------

def test_a_matching_unlocked_field_gets_just_the_lock():
    edit = plan(scene(), item(title="Real Title"), config(), None)
    assert "title" not in edit.fields and edit.locks["title"] is True
    locked = plan(scene(), item(title="Real Title", locked={"title"}), config(), None)
    assert "title" not in locked.locks


def test_lock_fields_off_locks_nothing():
    edit = plan(scene(), item(), config(lock_fields=False), None)
    assert edit.locks == {} and edit.fields and edit.images


# -- preserve_plex_edits ------------------------------------------------------------------------

def test_preserve_keeps_a_person_edited_field():
    settings = config(preserve_plex_edits=True)
    target = item(title="Edited By Hand", summary="Hand summary", locked={"title", "summary"})
    edit = plan(scene(), target, settings, None)
    assert "title" not in edit.fields and "summary" not in edit.fields
    assert "studio" in edit.fields  # empty in Plex, so written
    assert any(note.startswith("title:") for note in edit.skipped)
    assert any(note.startswith("summary:") for note in edit.skipped)


def test_preserve_treats_the_file_name_title_as_empty():
    settings = config(preserve_plex_edits=True)
    for plex_title in ("my_scene", "My Scene"):
        target = item(title=plex_title, locked={"title"})
        assert plan(scene(), target, settings, None).fields["title"] == "Real Title"


def test_preserve_writes_an_unlocked_field_without_history():
    target = item(summary="Agent text")
    edit = plan(scene(), target, config(preserve_plex_edits=True), None)
    assert edit.fields["summary"] == "Para one.\n\nPara two."


def test_preserve_updates_our_own_old_value_but_not_a_later_edit():
    settings = config(preserve_plex_edits=True)
    first, after = sync(item(), scene(), settings)
    edit = plan(scene(title="New Title"), after, settings, first.written)
    assert edit.fields == {"title": "New Title"}
    edited = dataclasses.replace(after, fields={**after.fields, "title": "Hand Title"})
    kept = plan(scene(title="New Title"), edited, settings, first.written)
    assert "title" not in kept.fields and kept.skipped
    assert kept.written.fields["title"] == "Real Title"


def test_preserve_keeps_hand_edited_genres_and_removed_collections():
    settings = config(preserve_plex_edits=True)
    first, after = sync(item(), scene(), settings)
    edited = dataclasses.replace(after, tags={
        **after.tags, "genre": ["Outdoor", "Hand Added"], "collection": ["Studio X"],
    })
    edit = plan(scene(tags=[{"name": "Indoor"}]), edited, settings, first.written)
    assert "genre" not in edit.tags
    assert "collection" not in edit.tags  # Series A was removed by a person: not re-added
    assert len(edit.skipped) == 2


def test_preserve_keeps_a_poster_chosen_in_plex():
    edit = plan(scene(), item(locked={"thumb"}), config(preserve_plex_edits=True), None)
    assert [ref.kind for ref in edit.images] == ["art"]


def test_preserve_keeps_a_hand_set_rating():
    edit = plan(scene(), item(userRating="2"), config(preserve_plex_edits=True), None)
    assert edit.rating is UNSET


def test_without_preserve_stash_wins():
    target = item(title="Edited By Hand", locked={"title"})
    assert plan(scene(), target, config(), None).fields["title"] == "Real Title"


# -- toggles, robustness ---------------------------------------------------------------------------

def test_every_toggle_off_gives_an_empty_plan():
    settings = config(**dict.fromkeys(
        ["sync_title", "sync_summary", "sync_studio", "sync_date", "sync_tags",
         "sync_performers", "sync_collections", "sync_rating", "sync_poster", "sync_art"],
        False))
    edit = plan(scene(), item(), settings, None)
    assert edit.empty
    assert edit.written.fields == {} and edit.written.images == {}


@pytest.mark.parametrize(
    ("toggle", "names"),
    [("sync_title", {"title"}), ("sync_summary", {"summary"}), ("sync_studio", {"studio"}),
     ("sync_date", {"originallyAvailableAt", "year"})],
)
def test_a_field_toggle_leaves_its_field_alone(toggle, names):
    edit = plan(scene(), item(), config(**{toggle: False}), None)
    assert not names & set(edit.fields) and not names & set(edit.locks)


def test_list_toggles_leave_their_lists_alone():
    target = item(tags={"genre": ["X"], "collection": ["Y"]}, actors=[Actor("Z")])
    edit = plan(scene(), target, config(sync_tags=False, sync_performers=False,
                                        sync_collections=False, sync_rating=False), None)
    assert edit.tags == {} and edit.remove == {} and edit.actors is None
    assert edit.rating is UNSET


def test_bad_values_do_not_fail_the_scene():
    target = item(userRating="n/a", year="abc")
    last = {"fields": {"title": 5, "summary": None}, "tags": "junk", "images": {"poster": 1}}
    edit = plan(scene(), target, config(), Owned.read(last))
    assert edit.rating == 8.0 and edit.fields["year"] == "2024"
    assert any("userRating" in note for note in edit.skipped)
    assert Owned.read("garbage") == Owned.read(None) == Owned()
