import pytest
from pydantic import ValidationError

from validation.scene import Scene

BASE = "http://127.0.0.1:9999"


def stash_scene(**overrides):
    data = {
        "id": "42",
        "title": "A Scene",
        "code": "ABC-1",
        "details": "Line one.\n\nLine two.",
        "director": None,
        "urls": ["https://example.org/a"],
        "date": "2024-03-05",
        "rating100": 80,
        "organized": True,
        "created_at": "2024-03-06T10:00:00+01:00",
        "updated_at": "2024-03-07T11:12:13+01:00",
        "studio": {"id": "3", "name": "Studio X", "parent_studio": {"id": "1", "name": "Net"}},
        "performers": [
            {"id": "7", "name": "Jane", "disambiguation": "",
             "image_path": f"{BASE}/performer/7/image?t=1700000000"},
            {"id": "8", "name": "John", "disambiguation": "II",
             "image_path": f"{BASE}/performer/8/image?t=1700000000&default=true"},
        ],
        "tags": [{"id": "1", "name": "Outdoor"}, {"id": "2", "name": "outdoor"}],
        "groups": [
            {"group": {"id": "5", "name": "Second"}, "scene_index": 2},
            {"group": {"id": "4", "name": "First"}, "scene_index": 1},
        ],
        "files": [
            {"path": "/data/a/scene.mp4", "basename": "scene.mp4", "size": 1234},
            {"path": "/data/b/scene.mkv", "basename": "scene.mkv", "size": None},
        ],
        "paths": {"screenshot": f"{BASE}/scene/42/screenshot?t=1700000000"},
    }
    data.update(overrides)
    return data


def test_a_clean_scene_is_read_completely():
    scene = Scene.from_stash(stash_scene())
    assert scene.id == 42
    assert scene.title == "A Scene"
    assert scene.details == "Line one.\n\nLine two."
    assert scene.date == "2024-03-05"
    assert scene.rating100 == 80
    assert scene.organized is True
    assert scene.created_at == "2024-03-06T10:00:00+01:00"
    assert scene.updated_at == "2024-03-07T11:12:13+01:00"
    assert scene.studio == "Studio X"
    assert [(p.id, p.name, p.image_url) for p in scene.performers] == [
        ("7", "Jane", f"{BASE}/performer/7/image?t=1700000000"),
        ("8", "John", None),  # Stash's placeholder image is no photo
    ]
    assert scene.tags == ["Outdoor"]
    assert scene.groups == ["First", "Second"]
    assert [(f.path, f.size) for f in scene.files] == [
        ("/data/a/scene.mp4", 1234), ("/data/b/scene.mkv", None),
    ]
    assert scene.screenshot_url == f"{BASE}/scene/42/screenshot?t=1700000000"
    assert scene.problems == []


@pytest.mark.parametrize("date", ["2024", "2024-03", "2024-03-05", " 2024-03 "])
def test_three_date_precisions_are_accepted(date):
    scene = Scene.from_stash(stash_scene(date=date))
    assert scene.date == date.strip()
    assert scene.problems == []


@pytest.mark.parametrize(
    "date", ["2024-02-30", "2024-13", "24-03-05", "2024/03/05", "2024-03-05T10:00:00Z",
             "yesterday", "0000", 20240305, ["2024"], "9" * 100_000],
)
def test_junk_dates_are_dropped_with_a_note(date):
    scene = Scene.from_stash(stash_scene(date=date))
    assert scene.date is None
    assert len(scene.problems) == 1 and scene.problems[0].startswith("date:")
    assert len(scene.problems[0]) < 200


@pytest.mark.parametrize("rating", [0, 101, -5, 50.5, "80", True])
def test_bad_ratings_are_dropped_with_a_note(rating):
    scene = Scene.from_stash(stash_scene(rating100=rating))
    assert scene.rating100 is None
    assert scene.problems[0].startswith("rating100:")


def test_a_whole_float_rating_is_accepted():
    assert Scene.from_stash(stash_scene(rating100=80.0)).rating100 == 80


def test_nulls_everywhere_give_an_empty_scene_not_an_error():
    keys = ["title", "details", "date", "rating100", "created_at", "updated_at", "studio",
            "performers", "tags", "groups", "files", "paths"]
    scene = Scene.from_stash(stash_scene(**dict.fromkeys(keys)))
    assert scene.title == "" and scene.details == "" and scene.studio is None
    assert scene.performers == [] and scene.tags == [] and scene.groups == []
    assert scene.files == [] and scene.screenshot_url is None
    assert scene.problems == []


def test_wrong_types_are_dropped_field_by_field():
    scene = Scene.from_stash(stash_scene(
        title=123, details={"x": 1}, organized="yes", studio="Studio X", performers="Jane",
        tags=[{"name": None}, "Loose", {"name": "Kept"}], groups=[{"group": None}],
        files=[{"path": None}, {"path": "/x.mp4", "size": -1}, {"path": "/y.mp4", "size": "9"}],
        paths={"screenshot": "javascript:alert(1)"}, updated_at=5,
    ))
    assert scene.title == "" and scene.details == "" and scene.organized is False
    assert scene.studio is None and scene.performers == []
    assert scene.tags == ["Loose", "Kept"]
    assert scene.groups == []
    assert [(f.path, f.size) for f in scene.files] == [("/x.mp4", None), ("/y.mp4", 9)]
    assert scene.screenshot_url is None and scene.updated_at is None
    assert len(scene.problems) == 11


def test_control_characters_emoji_and_huge_strings():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    scene = Scene.from_stash(stash_scene(
        title=f"  Hello\x00 {family}\n", details="x" * 100_000, studio={"name": "S" * 300},
    ))
    assert scene.title == f"Hello {family}"
    assert len(scene.details) == 20_000
    assert scene.studio == "S" * 255
    assert any("title: removed control characters" in p for p in scene.problems)
    assert any("details: shortened from 100000" in p for p in scene.problems)


def test_performers_without_names_are_dropped():
    scene = Scene.from_stash(stash_scene(performers=[{"id": "1", "name": " "}, None]))
    assert scene.performers == []
    assert len(scene.problems) == 2


def test_a_missing_id_is_the_only_fatal_problem():
    for bad in (None, "", "abc", 0, -3, True, "1.5"):
        with pytest.raises(ValueError):
            Scene.from_stash(stash_scene(id=bad))
    with pytest.raises(ValueError):
        Scene.from_stash(["not", "a", "dict"])  # type: ignore[arg-type]
    assert Scene.from_stash(stash_scene(id=7)).id == 7


def test_direct_construction_keeps_the_invariants():
    with pytest.raises(ValidationError):
        Scene(id=1, date="2024-1-1")
    with pytest.raises(ValidationError):
        Scene(id=1, rating100=0)


def test_groups_without_index_come_last_in_stash_order():
    groups = [
        {"group": {"name": "NoIndexA"}, "scene_index": None},
        {"group": {"name": "Three"}, "scene_index": 3},
        {"group": {"name": "NoIndexB"}},
        {"group": {"name": "One"}, "scene_index": 1},
    ]
    assert Scene.from_stash(stash_scene(groups=groups)).groups == [
        "One", "Three", "NoIndexA", "NoIndexB",
    ]


def test_content_hash_ignores_timestamps_but_sees_every_synced_value():
    base = Scene.from_stash(stash_scene())
    same = Scene.from_stash(stash_scene(updated_at="2030-01-01T00:00:00Z", created_at=None))
    assert base.content_hash() == same.content_hash()
    changes = [
        {"title": "Other"}, {"details": "x"}, {"date": "2024"}, {"rating100": 81},
        {"studio": None}, {"tags": []}, {"groups": []}, {"performers": []},
        {"files": [{"path": "/other.mp4", "size": 1}]},
        {"paths": {"screenshot": f"{BASE}/scene/42/screenshot?t=1800000000"}},
    ]
    hashes = {Scene.from_stash(stash_scene(**change)).content_hash() for change in changes}
    assert base.content_hash() not in hashes
    assert len(hashes) == len(changes)


def test_content_hash_survives_lone_surrogates_in_paths():
    scene = Scene.from_stash(stash_scene(files=[{"path": "/data/\udcff.mp4", "size": 1}]))
    assert len(scene.content_hash()) == 64


def test_refs_name_every_object_the_scene_shows_and_are_not_hashed():
    scene = Scene.from_stash(stash_scene())
    assert scene.refs == [("studio", 3), ("performer", 7), ("performer", 8), ("tag", 1),
                          ("tag", 2), ("group", 5), ("group", 4)]
    odd = Scene.from_stash(stash_scene(studio=None, tags=[{"id": "x", "name": "A"}, "junk"],
                                       performers=[{"name": "No Id"}], groups="junk"))
    assert odd.refs == []
    renumbered = stash_scene(tags=[{"id": "91", "name": "Outdoor"},
                                   {"id": "92", "name": "outdoor"}])
    assert Scene.from_stash(renumbered).content_hash() == scene.content_hash()
