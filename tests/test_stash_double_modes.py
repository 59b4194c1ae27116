"""The Stash double's switchable modes, each off by default, each what real Stash does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.doubles.stash import StashDouble, tiny_png
from tests.schema_fidelity import assert_recorded_queries_valid, real_schema

PICTURES = "query($id: ID) { findScene(id: $id) { updated_at paths { screenshot } " \
           "performers { image_path } } }"


@pytest.fixture
def stash() -> Iterator[StashDouble]:
    double = StashDouble().start()
    yield double
    queries = double.queries
    double.stop()
    if real_schema() is not None:
        assert_recorded_queries_valid(queries)


def gql(stash: StashDouble, query: str, variables: dict | None = None) -> dict:
    answer = requests.post(f"{stash.url}/graphql", timeout=5,
                           json={"query": query, "variables": variables or {}}).json()
    assert "errors" not in answer, answer
    return answer["data"]


def test_external_host_is_the_base_of_every_picture_url(stash: StashDouble) -> None:
    jane = stash.add_performer("Jane", image=tiny_png("jane"))
    scene = stash.add_scene(performers=[jane], cover=tiny_png("cover"))
    local = gql(stash, PICTURES, {"id": scene})["findScene"]
    assert local["paths"]["screenshot"].startswith(f"{stash.url}/scene/{scene}/screenshot?t=")

    stash.external_host = "https://stash.example.com"
    found = gql(stash, PICTURES, {"id": scene})["findScene"]
    screenshot = found["paths"]["screenshot"]
    assert screenshot == local["paths"]["screenshot"].replace(stash.url,
                                                              "https://stash.example.com")
    assert found["performers"][0]["image_path"].startswith(
        f"https://stash.example.com/performer/{jane}/image?t=")


def test_image_faults_answer_a_status_or_the_login_redirect(stash: StashDouble) -> None:
    scene = stash.add_scene(cover=tiny_png("cover"))
    url = f"{stash.url}/scene/{scene}/screenshot"
    assert requests.get(url, timeout=5).content == tiny_png("cover")
    stash.image_faults[f"/scene/{scene}/screenshot"] = 302
    redirect = requests.get(url, timeout=5, allow_redirects=False)
    assert redirect.status_code == 302 and redirect.headers["Location"].startswith("/login?")
    stash.image_faults[f"/scene/{scene}/screenshot"] = 500
    assert requests.get(url, timeout=5).status_code == 500


def test_covers_later_holds_the_cover_back_until_the_cover_task(stash: StashDouble) -> None:
    stash.covers_later = True
    scene = stash.add_scene(title="Scanned", cover=tiny_png("cover"))
    assert stash.scene(scene)["cover"] is None
    before = stash.scene(scene)["updated_at"]
    stash.clock.advance(5)
    assert stash.generate_covers() == [scene] and stash.generate_covers() == []
    after = stash.scene(scene)
    assert after["cover"] == tiny_png("cover") and after["updated_at"] > before
    stash.covers_later = False
    assert stash.scene(stash.add_scene(cover=tiny_png("now")))["cover"] == tiny_png("now")
