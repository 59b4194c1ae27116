import sqlite3
import time
from collections.abc import Iterable

from sync.index_refresh import ListedItem
from sync.matching import (
    EXACT,
    SAME_NAME_AND_SIZE,
    IndexEntry,
    Recommendation,
    decide,
    match,
    name_key,
)
from sync_queue.index_cache import IndexCache
from validation.scene import SceneFile

MAP = [("/stash", "/plex")]


def path_index(entries: Iterable[IndexEntry]) -> IndexCache:
    """The path index PlexSync keeps (sync_queue/index_cache.py), in a database of its own in
    memory, holding these parts (an item's parts in the order given)."""
    items: dict[str, list[IndexEntry]] = {}
    for part in entries:
        items.setdefault(part.rating_key, []).append(part)
    index = IndexCache(sqlite3.connect(":memory:", isolation_level=None))
    index.put([ListedItem(key, parts[0].section_id, None, tuple(parts))
               for key, parts in items.items()], seen=1)
    return index


def entry(key, path, size=100, section=1):
    return IndexEntry(rating_key=key, section_id=section, file=path, size=size)


def test_exact_mapped_path_is_high():
    index = path_index([entry("1", "/plex/a/x.mp4"), entry("2", "/plex/b/x.mp4")])
    found = match([SceneFile(path="/stash/a/x.mp4", size=100)], MAP, index)
    assert found.recommendation is Recommendation.HIGH
    assert [e.rating_key for e in found.items] == ["1"]
    assert [(c.distance, c.reason) for c in found.candidates] == [(0.0, EXACT)]


def test_the_same_file_in_two_sections_gives_two_items():
    index = path_index([
        entry("1", "/plex/a/x.mp4", section=1), entry("9", "/plex/a/x.mp4", section=2),
    ])
    found = match([SceneFile(path="/stash/a/x.mp4", size=100)], MAP, index)
    assert found.recommendation is Recommendation.HIGH
    assert {(e.rating_key, e.section_id) for e in found.items} == {("1", 1), ("9", 2)}


def test_every_file_of_the_scene_is_looked_up():
    index = path_index([entry("5", "/plex/b/y.mkv")])
    files = [SceneFile(path="/stash/a/x.mp4", size=1), SceneFile(path="/stash/b/y.mkv", size=2)]
    found = match(files, MAP, index)
    assert found.recommendation is Recommendation.HIGH
    assert [e.rating_key for e in found.items] == ["5"]


def test_one_item_with_two_matching_parts_is_listed_once():
    index = path_index([entry("5", "/plex/a/x.mp4"), entry("5", "/plex/a/x2.mp4")])
    files = [SceneFile(path="/stash/a/x.mp4", size=1), SceneFile(path="/stash/a/x2.mp4", size=2)]
    assert [e.rating_key for e in match(files, MAP, index).items] == ["5"]


def test_windows_plex_paths_match_in_any_case_and_spelling():
    index = path_index([entry("3", "\\\\?\\D:\\Media\\Studio\\Scene.MP4")])
    found = match([SceneFile(path="/stash/studio/scene.mp4", size=100)],
                  [("/stash", "D:\\Media")], index)
    assert found.recommendation is Recommendation.HIGH


def test_posix_paths_are_case_sensitive():
    index = path_index([entry("3", "/plex/Studio/Scene.mp4", size=None)])
    found = match([SceneFile(path="/stash/studio/scene.mp4", size=100)], MAP, index)
    assert found.recommendation is Recommendation.NONE


def test_same_name_and_size_elsewhere_is_low_with_reasons():
    index = path_index([
        entry("1", "/elsewhere/deep/Studio/X.mp4"),
        entry("2", "/other/Studio/x.mp4"),
        entry("3", "/plex/a/x.mp4", size=999),  # same name, other size: not a candidate
    ])
    found = match([SceneFile(path="/stash/Studio/x.mp4", size=100)], MAP, index)
    assert found.recommendation is Recommendation.LOW
    assert {c.entry.rating_key for c in found.candidates} == {"1", "2"}
    assert all(c.reason == SAME_NAME_AND_SIZE and c.distance > 0 for c in found.candidates)
    distances = [c.distance for c in found.candidates]
    assert distances == sorted(distances)
    assert [e.rating_key for e in found.items] == [found.candidates[0].entry.rating_key]


def test_closer_folders_make_a_better_candidate():
    index = path_index([
        entry("far", "/x/y/z/x.mp4"), entry("near", "/mnt/old/Studio/Sub/x.mp4"),
    ])
    found = match([SceneFile(path="/stash/Studio/Sub/x.mp4", size=100)], MAP, index)
    assert [e.rating_key for e in found.items] == ["near"]
    assert found.candidates[0].distance < found.candidates[1].distance


def test_equally_good_candidates_are_all_items():
    index = path_index([entry("1", "/a/x.mp4"), entry("2", "/b/x.mp4")])
    found = match([SceneFile(path="/stash/c/x.mp4", size=100)], MAP, index)
    assert found.recommendation is Recommendation.LOW
    assert {e.rating_key for e in found.items} == {"1", "2"}


def test_candidates_tied_at_the_closest_distance_go_to_review_even_without_strict():
    # beets' gap rule: with no gap between the best two, which item holds the file is a guess.
    index = path_index([entry("1", "/a/x.mp4"), entry("2", "/b/x.mp4"), entry("3", "/z/z/x.mp4")])
    tied = match([SceneFile(path="/stash/c/x.mp4", size=100)], MAP, index)
    assert tied.ambiguous and decide(tied, strict=False) == "review"
    closer = match([SceneFile(path="/stash/a/x.mp4", size=100)], MAP,
                   path_index([entry("1", "/old/a/x.mp4"), entry("2", "/b/x.mp4")]))
    assert not closer.ambiguous and decide(closer, strict=False) == "sync"


def test_near_misses_of_different_files_of_one_scene_are_not_a_tie():
    index = path_index([entry("1", "/a/x1.mp4"), entry("2", "/b/x2.mp4")])
    files = [SceneFile(path="/stash/c/x1.mp4", size=100), SceneFile(path="/stash/c/x2.mp4",
                                                                     size=100)]
    found = match(files, MAP, index)
    assert not found.ambiguous and {e.rating_key for e in found.items} == {"1", "2"}
    assert decide(found, strict=False) == "sync"


def test_size_mismatch_or_unknown_size_is_none():
    index = path_index([entry("1", "/a/x.mp4", size=100), entry("2", "/b/x.mp4", size=None)])
    assert match([SceneFile(path="/stash/x.mp4", size=101)], MAP, index).recommendation is (
        Recommendation.NONE
    )
    found = match([SceneFile(path="/stash/x.mp4", size=None)], MAP, index)
    assert found == match([], MAP, index)
    assert (found.recommendation, found.items, found.candidates) == (Recommendation.NONE, [], [])


def test_exact_hit_wins_over_near_misses():
    index = path_index([entry("1", "/plex/a/x.mp4"), entry("2", "/other/x.mp4")])
    found = match([SceneFile(path="/stash/a/x.mp4", size=100)], MAP, index)
    assert [e.rating_key for e in found.items] == ["1"]
    assert [c.entry.rating_key for c in found.candidates] == ["1"]


def test_decide_applies_the_strict_policy():
    index = path_index([entry("1", "/plex/a/x.mp4"), entry("2", "/b/y.mp4")])
    high = match([SceneFile(path="/stash/a/x.mp4", size=100)], MAP, index)
    low = match([SceneFile(path="/stash/y.mp4", size=100)], MAP, index)
    none = match([SceneFile(path="/stash/z.mp4", size=100)], MAP, index)
    assert [decide(m, strict=True) for m in (high, low, none)] == ["sync", "review", "not_found"]
    assert [decide(m, strict=False) for m in (high, low, none)] == ["sync", "sync", "not_found"]


def test_index_lookups_and_name_key():
    index = path_index([entry("1", "D:\\Media\\A.mp4"), entry("2", "/m/B.mp4", size=None)])
    assert len(index) == 2
    assert index.by_path("d:/media/a.mp4")[0].rating_key == "1"
    assert index.by_path("/m/B.mp4")[0].rating_key == "2"
    assert index.by_name_size("a.mp4", 100)[0].rating_key == "1"
    assert index.by_name_size("b.mp4", None) == []
    assert name_key("/X/Y/Scene.MP4") == "scene.mp4"


def test_index_of_100k_entries_is_cheap():
    entries = (entry(str(i), f"/plex/s{i % 50}/file{i}.mp4", size=i) for i in range(100_000))
    start = time.process_time()  # CPU time: what the build costs, not how busy the machine is
    index = path_index(entries)
    built = time.process_time() - start
    assert len(index) == 100_000
    assert built < 5.0
    start = time.process_time()
    for i in range(0, 100_000, 100):  # a thousand scenes matched, near misses included
        found = match([SceneFile(path=f"/stash/s{i % 50}/file{i}.mp4", size=i)], MAP, index)
        assert [e.rating_key for e in found.items] == [str(i)]
        match([SceneFile(path=f"/stash/elsewhere/file{i}.mp4", size=i)], MAP, index)
    assert time.process_time() - start < 1.0


def test_a_stacked_item_held_in_part_by_a_scene():
    from sync.stacks import holds_part, partly_held

    index = path_index([entry("7", "/plex/m/Movie - part1.mp4"), entry("8", "/plex/one.mp4"),
                       entry("7", "/plex/m/Movie - part2.mp4")])
    assert [e.file for e in index.stack("7")] == ["/plex/m/Movie - part1.mp4",
                                                  "/plex/m/Movie - part2.mp4"]
    assert index.stack("8") == []
    half = [SceneFile(path="/stash/m/Movie - part1.mp4", size=100)]
    both = half + [SceneFile(path="/stash/m/Movie - part2.mp4", size=100)]
    assert partly_held(match(half, MAP, index), half, MAP, index) == {
        "7": ["/plex/m/Movie - part1.mp4", "/plex/m/Movie - part2.mp4"]}
    assert partly_held(match(both, MAP, index), both, MAP, index) == {}  # one scene, two files
    one = [SceneFile(path="/stash/one.mp4", size=100)]
    assert partly_held(match(one, MAP, index), one, MAP, index) == {}
    other = [SceneFile(path="/stash/m/Movie - part2.mp4", size=1)]
    assert holds_part(other, MAP, [e.file for e in index.stack("7")])
    assert not holds_part(one, MAP, [e.file for e in index.stack("7")])
