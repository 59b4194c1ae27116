"""The Stash double's schema is a faithful subset of Stash's, and what clients send is valid."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema, parse, validate
from stashapi.stashapp import StashInterface

from tests.doubles.stash import StashDouble, full_schema
from tests.doubles.stash.graphql_endpoint import double_schema
from tests.schema_fidelity import (
    assert_recorded_queries_valid,
    assert_valid_against_real_schema,
    real_schema,
    require_real_schema,
    subset_mismatches,
)

SYNC_QUERY = """
query SyncScenes($filter: FindFilterType, $scene_filter: SceneFilterType) {
  findScenes(filter: $filter, scene_filter: $scene_filter) {
    count
    scenes {
      id title code details director urls date rating100 organized updated_at
      studio { name parent_studio { name } }
      performers { name disambiguation image_path }
      tags { name }
      groups { group { name } scene_index }
      files { path basename size duration }
      paths { screenshot }
    }
  }
}
"""


def test_every_declaration_exists_in_stash_with_the_same_type() -> None:
    assert subset_mismatches(double_schema(), require_real_schema()) == []


def test_stashapi_construction_queries_are_valid_for_stash() -> None:
    require_real_schema()
    with StashDouble(api_key="k") as stash:
        StashInterface({**stash.server_connection(), "ApiKey": "k"})
        queries = stash.queries
    assert len(queries) == 3
    assert_recorded_queries_valid(queries)


def test_documented_sync_selection_works_on_double_and_stash() -> None:
    assert validate(double_schema(), parse(SYNC_QUERY)) == []
    assert_valid_against_real_schema(SYNC_QUERY)


def test_invalid_query_is_reported_with_stash_errors() -> None:
    require_real_schema()
    with pytest.raises(AssertionError, match="Cannot query field 'plexKey'"):
        assert_valid_against_real_schema("{ findScene(id: 1) { plexKey } }")


def test_mismatch_finder_catches_each_kind_of_difference() -> None:
    full = build_schema("""
        enum Mode { A B }
        input In { value: String!, extra: Int, needed: ID! }
        type Item { id: ID!, size: Int!, name: String }
        type Query { item(id: ID!, flag: Boolean): Item, mode: Mode }
    """)
    subset = build_schema("""
        enum Mode { A C }
        input In { value: String, extra: Int }
        type Item { id: ID!, size: Float!, colour: String }
        type Extra { x: Int }
        type Query { item(flag: Boolean, other: Int): Item, mode: Mode, fake(i: In): Int }
    """)
    problems = set(subset_mismatches(subset, full))
    assert problems == {
        "enum value Mode.C does not exist",
        "input field In.value is String!",
        "required input field In.needed is missing",
        "field Item.size is Int! in Stash, not Float!",
        "field Item.colour does not exist",
        "type Extra does not exist",
        "argument Query.item(other) does not exist",
        "required argument Query.item(id) is missing",
        "field Query.fake does not exist",
    }


@pytest.mark.parametrize(("ci", "outcome"), [
    (None, pytest.skip.Exception),
    ("true", pytest.fail.Exception),  # CI has ../shared: a skip there would hide the checks
])
def test_missing_real_schema_skips_with_a_clear_reason_but_fails_in_ci(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str | None,
        outcome: type[BaseException]) -> None:
    monkeypatch.setattr(full_schema, "REAL_SCHEMA_DIR", tmp_path / "absent")
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    real_schema.cache_clear()
    try:
        assert real_schema() is None
        with pytest.raises(outcome, match="../shared/stash-schema not found"):
            require_real_schema()
    finally:
        monkeypatch.undo()
        real_schema.cache_clear()
