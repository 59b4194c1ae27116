"""Scene filters, sorting and paging of the Stash double."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from stashapi.stashapp import StashInterface

from tests.doubles.stash import StashDouble
from tests.doubles.stash.filters import (
    UnsupportedFilter,
    multi_matches,
    ordered_matches,
    path_matches,
    studio_descendants,
)
from tests.doubles.stash.find_filter import search_words
from tests.schema_fidelity import assert_recorded_queries_valid, real_schema


def test_ordered_matches_compares_text_as_text() -> None:
    stored = "2026-01-02T10:00:00+01:00"
    assert ordered_matches(stored, {"value": "2026-01-02T09:59:59+01:00",
                                    "modifier": "GREATER_THAN"})
    assert ordered_matches(stored, {"value": "2026-01-02", "modifier": "GREATER_THAN"})
    assert not ordered_matches(stored, {"value": stored, "modifier": "GREATER_THAN"})
    assert ordered_matches(stored, {"value": "2026-01-02T09:30:00Z", "modifier": "GREATER_THAN"})
    assert ordered_matches(stored, {"value": "2026-01-01", "value2": "2026-01-03",
                                    "modifier": "BETWEEN"})
    assert ordered_matches(stored, {"value": "2026-01-03", "value2": "2026-01-04",
                                    "modifier": "NOT_BETWEEN"})
    assert ordered_matches(stored, {"value": stored, "modifier": "EQUALS"})
    assert ordered_matches(4, {"value": 5, "modifier": "LESS_THAN"})
    with pytest.raises(UnsupportedFilter):
        ordered_matches(4, {"value": 5, "modifier": "INCLUDES"})


def test_multi_matches_modifiers() -> None:
    def check(actual: set[int], modifier: str, value: list[str],
              excludes: list[str] | None = None) -> bool:
        return multi_matches(actual, {"value": value, "modifier": modifier,
                                      "excludes": excludes})

    assert check({1, 2}, "INCLUDES", ["2", "9"])
    assert not check({1}, "INCLUDES", ["2"])
    assert check({1, 2, 3}, "INCLUDES_ALL", ["1", "3"])
    assert not check({1}, "INCLUDES_ALL", ["1", "3"])
    assert check({1}, "EXCLUDES", ["2"]) and not check({1, 2}, "EXCLUDES", ["2"])
    assert check(set(), "IS_NULL", []) and check({1}, "NOT_NULL", [])
    assert not check({1, 2}, "INCLUDES", ["1"], excludes=["2"])


def test_studio_depth() -> None:
    parents = {1: None, 2: 1, 3: 2, 4: None}
    assert studio_descendants({1}, 0, parents) == {1}
    assert studio_descendants({1}, None, parents) == {1}
    assert studio_descendants({1}, 1, parents) == {1, 2}
    assert studio_descendants({1}, -1, parents) == {1, 2, 3}


def test_path_matches_like_sql_like() -> None:
    paths = ["/Media/Clips/Beach.mp4"]
    assert path_matches(paths, {"value": "/media/clips", "modifier": "INCLUDES"})
    assert path_matches(paths, {"value": "/media/clips/beach.MP4", "modifier": "EQUALS"})
    assert path_matches(paths, {"value": "hill", "modifier": "EXCLUDES"})
    assert path_matches(paths, {"value": r"Beach\.mp4$", "modifier": "MATCHES_REGEX"})
    assert path_matches([], {"value": "", "modifier": "IS_NULL"})


def test_search_words_keep_quoted_phrases() -> None:
    assert search_words('beach "summer day" 2024') == ["beach", "summer day", "2024"]
    assert search_words(None) == []


@pytest.fixture
def library() -> Iterator[tuple[StashDouble, StashInterface, dict[str, int]]]:
    stash = StashDouble().start()
    stash.clock.freeze()
    ids = {"net": stash.add_studio("Net")}
    ids["sub"] = stash.add_studio("Sub", parent=ids["net"])
    ids["jane"], ids["john"] = stash.add_performer("Jane"), stash.add_performer("John")
    ids["red"], ids["blue"] = stash.add_tag("Red"), stash.add_tag("Blue")
    ids["a"] = stash.add_scene(title="Zeta", studio=ids["net"], performers=[ids["jane"]],
                               tags=[ids["red"]], files=[("/lib/one/zeta.mp4", 1)])
    stash.clock.advance(10)
    ids["b"] = stash.add_scene(title="alpha", studio=ids["sub"],
                               performers=[ids["jane"], ids["john"]], tags=[ids["blue"]],
                               files=[("/lib/two/alpha.mp4", 1)], details="summer day")
    stash.clock.advance(10)
    ids["c"] = stash.add_scene(title="Mid", files=[("/lib/one/mid.mkv", 1)])
    yield stash, StashInterface(stash.server_connection()), ids
    queries = stash.queries
    stash.stop()
    if real_schema() is not None:
        assert_recorded_queries_valid(queries)


def found(client: StashInterface, scene_filter: dict, q: str = "",
          **find_filter: object) -> list[int]:
    # stashapi overwrites filter["q"] with its own q argument, so q travels separately.
    page_filter = {"per_page": -1, "sort": "id", **find_filter}
    scenes = client.find_scenes(f=scene_filter, filter=page_filter, q=q, fragment="id")
    return [int(s["id"]) for s in scenes]


def test_performer_criteria(library) -> None:
    _stash, client, ids = library
    jane, john = str(ids["jane"]), str(ids["john"])
    assert found(client, {"performers": {"value": [john], "modifier": "INCLUDES"}}) == [ids["b"]]
    assert found(client, {"performers": {"value": [jane, john],
                                         "modifier": "INCLUDES_ALL"}}) == [ids["b"]]
    assert found(client, {"performers": {"value": [jane], "modifier": "EXCLUDES"}}) == [ids["c"]]


def test_studio_criterion_with_depth(library) -> None:
    _stash, client, ids = library
    net = str(ids["net"])
    assert found(client, {"studios": {"value": [net], "modifier": "INCLUDES"}}) == [ids["a"]]
    assert found(client, {"studios": {"value": [net], "modifier": "INCLUDES",
                                      "depth": -1}}) == [ids["a"], ids["b"]]


def test_tag_path_and_id_criteria(library) -> None:
    _stash, client, ids = library
    assert found(client, {"tags": {"value": [str(ids["red"])], "modifier": "INCLUDES",
                                   "depth": 0}}) == [ids["a"]]
    assert found(client, {"path": {"value": "/lib/one/", "modifier": "INCLUDES"}}) == [
        ids["a"], ids["c"]]
    assert found(client, {"id": {"value": ids["a"], "modifier": "GREATER_THAN"}}) == [
        ids["b"], ids["c"]]


def test_and_or_not(library) -> None:
    _stash, client, ids = library
    one = {"path": {"value": "/lib/one/", "modifier": "INCLUDES"}}
    john = {"performers": {"value": [str(ids["john"])], "modifier": "INCLUDES"}}
    assert found(client, {**one, "OR": john}) == [ids["a"], ids["b"], ids["c"]]
    assert found(client, {**one, "AND": {"id": {"value": ids["c"], "modifier": "EQUALS"}}}) == [
        ids["c"]]
    assert found(client, {**one, "NOT": {"tags": {"value": [str(ids["red"])],
                                                  "modifier": "INCLUDES"}}}) == [ids["c"]]


def test_created_at_between(library) -> None:
    stash, client, ids = library
    low, high = stash.scene(ids["b"])["created_at"], stash.scene(ids["c"])["created_at"]
    assert found(client, {"created_at": {"value": low, "value2": high,
                                         "modifier": "BETWEEN"}}) == [ids["b"], ids["c"]]


def test_sorting_and_search(library) -> None:
    stash, client, ids = library
    stash.clock.advance(10)
    stash.update_scene(ids["a"], details="edited")
    assert found(client, {}, sort="updated_at", direction="DESC") == [ids["a"], ids["c"], ids["b"]]
    assert found(client, {}, sort="title") == [ids["b"], ids["c"], ids["a"]]
    assert found(client, {}, sort="id", direction="DESC") == [ids["c"], ids["b"], ids["a"]]
    assert found(client, {}, q='"summer day"') == [ids["b"]]
    assert found(client, {}, q="mkv") == [ids["c"]]


def test_default_page_size_is_25() -> None:
    with StashDouble() as stash:
        for n in range(30):
            stash.add_scene(title=f"S{n:02d}")
        client = StashInterface(stash.server_connection())
        count, scenes = client.find_scenes(f={}, filter={}, fragment="id", get_count=True)
        assert (count, len(scenes)) == (30, 25)


def test_unsupported_sort_is_an_error(library) -> None:
    _stash, client, _ids = library
    with pytest.raises(Exception, match="query failed"):
        found(client, {}, sort="random")
