"""The Stash double's switchable modes, each off by default, each what real Stash does."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from tests.doubles.stash import StashDouble, tiny_png
from tests.schema_fidelity import assert_recorded_queries_valid, real_schema

PICTURES = "query($id: ID) { findScene(id: $id) { updated_at paths { screenshot } " \
           "performers { image_path } } }"


@pytest.fixture(autouse=True)
def _held_to_stashs_schema(stash: StashDouble) -> Iterator[None]:
    """Whatever was asked of conftest's double must be valid for real Stash."""
    yield
    if real_schema() is not None:
        assert_recorded_queries_valid(stash.queries)


def gql(stash: StashDouble, query: str, variables: dict | None = None) -> dict:
    answer = requests.post(f"{stash.url}/graphql", timeout=30,
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
    assert requests.get(url, timeout=30).content == tiny_png("cover")
    stash.image_faults[f"/scene/{scene}/screenshot"] = 302
    redirect = requests.get(url, timeout=30, allow_redirects=False)
    assert redirect.status_code == 302 and redirect.headers["Location"].startswith("/login?")
    stash.image_faults[f"/scene/{scene}/screenshot"] = 500
    assert requests.get(url, timeout=30).status_code == 500


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


def _library(stash: StashDouble) -> dict[str, int]:
    ids = {"studio": stash.add_studio("S"), "jane": stash.add_performer("Jane"),
           "john": stash.add_performer("John"), "tag": stash.add_tag("T"),
           "group": stash.add_group("G")}
    ids["a"] = stash.add_scene(studio=ids["studio"], performers=[ids["jane"], ids["john"]],
                               tags=[ids["tag"]], groups=[(ids["group"], 1)],
                               files=[("/a.mp4", 1)])
    ids["b"] = stash.add_scene(performers=[ids["jane"]], files=[("/b.mp4", 2)])
    return ids


@pytest.mark.parametrize(("kind", "key", "left"), [
    ("studio", "studio", None), ("performer", "performers", ["john"]), ("tag", "tags", []),
    ("group", "groups", [])])
def test_deleting_an_object_leaves_its_scenes_updated_at(stash: StashDouble, kind: str,
                                                         key: str, left: object) -> None:
    ids = _library(stash)
    before = stash.scene(ids["a"])["updated_at"]
    stash.clock.advance(60)
    stash.destroy(kind, ids[kind if kind != "performer" else "jane"])
    scene = stash.scene(ids["a"])
    assert scene["updated_at"] == before
    assert scene[key] == ([ids[n] for n in left] if isinstance(left, list) and left else left)


def test_groups_filter_and_group_rename(stash: StashDouble) -> None:
    ids = _library(stash)
    query = "query($f: SceneFilterType) { findScenes(scene_filter: $f) { scenes { id " \
            "groups { group { name } } } } }"
    found = gql(stash, query, {"f": {"groups": {"value": [str(ids["group"])],
                                                "modifier": "INCLUDES", "depth": 0}}})
    assert [s["id"] for s in found["findScenes"]["scenes"]] == [str(ids["a"])]
    stash.rename_group(ids["group"], "G2")
    assert gql(stash, query)["findScenes"]["scenes"][0]["groups"] == [{"group": {"name": "G2"}}]


def test_merges_fire_nothing_and_move_what_stash_moves(stash: StashDouble) -> None:
    ids = _library(stash)
    before = stash.scene(ids["b"])["updated_at"]
    stash.clock.advance(60)
    stash.merge_performers([ids["jane"]], ids["john"])
    assert stash.scene(ids["a"])["performers"] == [ids["john"]]
    assert stash.scene(ids["b"])["performers"] == [ids["john"]]
    assert stash.scene(ids["b"])["updated_at"] == before and ids["jane"] not in \
        stash.store.performers
    stash.merge_scenes([ids["b"]], ids["a"], title="Merged")
    merged = stash.scene(ids["a"])
    assert [f["path"] for f in merged["files"]] == ["/a.mp4", "/b.mp4"]
    assert merged["title"] == "Merged" and merged["updated_at"] > before
    assert stash.scene_ids() == [ids["a"]]
