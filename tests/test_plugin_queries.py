"""Every GraphQL document PlexSync sends validates against the real Stash schema, and so do the
variables it sends with them: the Python side's (stash/queries.py) and the web UI's (the gql`...`
documents in ui/*.js)."""

from __future__ import annotations

import pytest
from graphql import OperationDefinitionNode, parse
from graphql.execution.values import get_variable_values

from stash import queries
from tests.documents import DOCUMENTS, ui_documents
from tests.schema_fidelity import assert_valid_against_real_schema, require_real_schema


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_is_valid_for_real_stash(name: str) -> None:
    assert_valid_against_real_schema(DOCUMENTS[name])


def _coerce(document: str, variables: dict) -> None:
    schema = require_real_schema()
    operation = next(d for d in parse(document).definitions
                     if isinstance(d, OperationDefinitionNode))
    result = get_variable_values(schema, operation.variable_definitions or (), variables)
    assert not isinstance(result, list), [str(e) for e in result]


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        (queries.HOOK_SCENE, {"id": "5"}),
        (queries.HOOK_RELATED, {"f": {"performers": {"value": ["3"], "modifier": "INCLUDES"}}}),
        (queries.HOOK_RELATED,
         {"f": {"studios": {"value": ["3"], "modifier": "INCLUDES", "depth": 0}}}),
        (queries.HOOK_RELATED,
         {"f": {"tags": {"value": ["3"], "modifier": "INCLUDES", "depth": 0}}}),
        (queries.HOOK_RELATED,
         {"f": {"groups": {"value": ["3"], "modifier": "INCLUDES", "depth": 0}}}),
        (queries.SCENES_BY_ID, {"ids": ["1", "2"]}),
        (queries.SCENE_BY_ID, {"id": "1"}),
        (queries.SCENE_IDS, {"f": queries.ids_filter([1, 2, 50, 900, 901, 4000, 70000])}),
        (queries.SCENES_PAGE, {"filter": {"page": 2, "per_page": 1000, "sort": "id",
                                          "direction": "ASC"}}),
        (queries.SCENE_VERSIONS, {"per_page": 50_000, "scene_filter": {
            "id": {"value": 4000, "modifier": "GREATER_THAN"}, "AND": {"updated_at": {
                "value": "2026-11-24T12:58:00+01:00", "modifier": "GREATER_THAN"}}}}),
        (queries.CONFIGURE_PLUGIN, {"plugin_id": "plexsync", "input": {"plex_url": "http://x"}}),
    ],
)
def test_variables_fit_the_real_input_types(document: str, variables: dict) -> None:
    _coerce(document, variables)


def test_ids_filter_covers_every_id_in_at_most_four_ranges_cut_at_the_widest_gaps() -> None:
    assert queries.ids_filter([7]) == {"id": {"modifier": "BETWEEN", "value": 7, "value2": 7}}
    combined = queries.ids_filter([900, 1, 2, 3, 100, 101, 5000, 7000, 7001, 9000, 2])
    spans = []
    while combined:
        spans.append((combined["id"]["value"], combined["id"]["value2"]))
        combined = combined.get("OR")
    # Gaps 4100, 2000 and 1999 are the widest three.
    assert spans == [(1, 900), (5000, 5000), (7000, 7001), (9000, 9000)]


# --- the web UI's documents ---------------------------------------------------------------------

def test_the_web_ui_sends_these_documents() -> None:
    assert sorted(ui_documents()) == ["PlexSyncOperation", "PlexSyncStashVersion", "PlexSyncTask"]


@pytest.mark.parametrize("name", sorted(ui_documents()))
def test_web_ui_document_is_valid_for_real_stash(name: str) -> None:
    assert_valid_against_real_schema(ui_documents()[name])


@pytest.mark.parametrize(("name", "variables"), [
    ("PlexSyncOperation", {"plugin_id": "plexsync",
                           "args": {"mode": "scene_sync", "scene_id": "5"}}),
    ("PlexSyncTask", {"plugin_id": "plexsync", "task_name": "Process Queue"}),
    ("PlexSyncStashVersion", {}),
])
def test_web_ui_variables_fit_the_real_input_types(name: str, variables: dict) -> None:
    _coerce(ui_documents()[name], variables)
