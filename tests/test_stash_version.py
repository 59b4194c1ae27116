"""The oldest Stash PlexSync supports: the check, and the double's older releases.

The minimum was found by validating every document PlexSync sends against the schema of each
Stash release (stashapp/stash graphql/schema at tags v0.24.0 ... v0.30.1): all validate from
v0.27.0 (`Scene.groups`, #5017), none of the scene queries before it; `findScenes(ids:)` needs
v0.25.0 (#4563). The double's older releases drop exactly those declarations.
"""

from __future__ import annotations

import pytest
import requests
from graphql import parse, validate

from stash import queries
from stash.version import MINIMUM, MINIMUM_TEXT, too_old
from stash.version import parse as parse_version
from tests.documents import DOCUMENTS
from tests.doubles.stash import StashDouble
from tests.doubles.stash.graphql_endpoint import double_schema


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("v0.30.1", (0, 30, 1)),
        ("v0.26.2-15-gcf3489ef", (0, 26, 2)),  # a development build: git describe --tags
        ("0.27.0", (0, 27, 0)),
        ("", None),  # a build without a version
        (None, None),
        ("unknown", None),
    ],
)
def test_parse(text: str | None, expected: tuple[int, int, int] | None) -> None:
    assert parse_version(text) == expected


def test_too_old_names_both_versions_and_gives_unknown_the_benefit_of_the_doubt() -> None:
    message = too_old("v0.26.2")
    assert message is not None and "v0.26.2" in message and MINIMUM_TEXT in message
    assert too_old("v0.27.0") is None and too_old("v1.0.0") is None
    assert too_old("") is None and too_old(None) is None


def test_every_document_validates_from_the_minimum_and_the_scene_queries_not_before() -> None:
    for name, document in DOCUMENTS.items():
        assert validate(double_schema(MINIMUM), parse(document)) == [], name
    older = double_schema((0, 26, 2))
    refused = {name for name, document in DOCUMENTS.items() if validate(older, parse(document))}
    assert refused == {"SCENES_BY_ID", "SCENE_BY_ID", "SCENES_PAGE"}
    assert validate(double_schema((0, 24, 3)), parse(queries.SCENE_VERSIONS)) == []


def test_an_older_double_answers_its_version_and_refuses_what_came_later() -> None:
    with StashDouble() as stash:
        stash.version = "v0.24.3"

        def post(query: str) -> requests.Response:
            return requests.post(f"{stash.url}/graphql", json={"query": query}, timeout=30,
                                 cookies={"session": "sess-secret"})

        assert post("{ version { version } }").json()["data"]["version"]["version"] == "v0.24.3"
        answer = post("{ findScenes(ids: [\"1\"]) { count } }")
        assert answer.status_code == 422
        assert "Unknown argument 'ids'" in answer.json()["errors"][0]["message"]
        answer = post("{ findScene(id: 1) { groups { scene_index } } }")
        assert answer.status_code == 422
        assert "Cannot query field 'groups'" in answer.json()["errors"][0]["message"]
        stash.version = "v0.27.0"
        assert post("{ findScenes(ids: [\"1\"]) { count } }").status_code == 200
