"""PlexClient's reads and writes of items against the Plex double: full fetches, planned edits
under both tag semantics, refused values, ratings and uploads."""

from __future__ import annotations

import dataclasses
import hashlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from plexapi.exceptions import BadRequest, Unauthorized

from plex.client import ITEMS_PER_FETCH, PlexClient
from sync.edit import Edit
from sync.ownership import Owned
from sync.plan import plan
from tests.doubles.plex import PlexDouble
from tests.doubles.plex.render import LISTING_LIMITS
from tests.plex_client import make_client, make_config
from validation.scene import Scene

GENRES = ["Old & Odd", "x,y", "with  spaces", "Outdoor", "50%+1", "AC/DC"]
PHOTO = "http://stash:9999/performer/2/image?t=1700000000&x=a%20b"
ACTORS = ["Jane Roe", "Gone, Jr.", "Old & Bold", "Ann  Lee", "Extra"]


pytestmark = pytest.mark.usefixtures("plexapi_settings")


# Whether an indexed tag list replaces or extends an item's list is unknown for real PMS.
both_tag_modes = pytest.mark.parametrize("tag_mode", ["replace", "append"])


def _seed(plex: PlexDouble) -> str:
    sid = plex.add_section("Scenes", ["/data"])
    return plex.add_item(
        sid, "/data/scene one.mp4", size=5, title="scene one", studio="Kept Studio",
        tags={"genre": GENRES, "collection": ["Keep Me", "Old & Studio, Inc"],
              "label": ["Foreign"]},
        actors=[{"tag": name, "role": "Lead" if name == "Jane Roe" else None}
                for name in ACTORS],
        locked=["studio"],
    )


def _scene(**changes: Any) -> Scene:
    data = {
        "id": "42", "title": "New & Title", "details": "About it.\n\nMore.",
        "date": "2024-03-05", "studio": {"name": "Studio, & Co"},
        "performers": [{"id": "1", "name": "Jane Roe"},
                       {"id": "2", "name": "New Face", "image_path": PHOTO}],
        "tags": [{"name": "outdoor"}, {"name": "Rock & Roll"}],
        "groups": [{"group": {"name": "Series, Part 1"}, "scene_index": 1}],
        "files": [{"path": "/data/scene one.mp4", "size": 5}],
        **changes,
    }
    return Scene.from_stash(data)


# The collection PlexSync wrote last time; the scene no longer names it.
LAST = Owned(tags={"collection": ["Old & Studio, Inc"]})


def _planned(client: PlexClient, rk: str, scene: Scene, last: Owned | None = LAST) -> Edit:
    return plan(scene, client.fetch_items([rk])[rk], client.config, last)


# -- full items ----------------------------------------------------------------------------

def test_fetch_items_chunks_full_items_and_skips_gone_ones(
    plex: PlexDouble, tmp_path: Path
) -> None:
    sid = plex.add_section("Scenes", ["/data"])
    keys = [plex.add_item(sid, f"/data/{i}.mp4", tags={"genre": GENRES},
                          actors=[{"tag": a} for a in ACTORS], locked=["title", "genre"])
            for i in range(2 * ITEMS_PER_FETCH + 1)]
    client = make_client(plex, tmp_path)
    plex.reset_counts()
    items = client.fetch_items([*keys, "999999"])
    assert plex.counts["metadata"] == 3
    assert max(target.count(",") + 1 for _, target in plex.requests) == ITEMS_PER_FETCH
    assert sorted(items) == sorted(keys)
    item = items[keys[-1]]
    assert len(GENRES) > LISTING_LIMITS["genre"] and len(ACTORS) > LISTING_LIMITS["actor"]
    assert item.tags["genre"] == GENRES and [a.tag for a in item.actors] == ACTORS
    assert item.locked == {"title", "genre"} and item.files == [f"/data/{len(keys) - 1}.mp4"]
    for rk in keys[:ITEMS_PER_FETCH]:
        plex.remove_item(rk)
    assert sorted(client.fetch_items(keys)) == sorted(keys[ITEMS_PER_FETCH:])
    assert client.fetch_items(keys[:3]) == {}


# -- edits ---------------------------------------------------------------------------------

@both_tag_modes
def test_planned_edit_lands_exactly_in_one_put(
    plex: PlexDouble, tmp_path: Path, tag_mode: str
) -> None:
    plex.tag_mode = tag_mode
    rk = _seed(plex)
    client = make_client(plex, tmp_path, plex_labels="PlexSync", actor_photos=True)
    scene = _scene()
    edit = _planned(client, rk, scene)
    assert edit.remove["genre"] and edit.remove["actor"] and edit.remove["collection"]
    plex.reset_counts()
    assert client.edit(edit) == []
    assert plex.counts["edit"] == 1 and sum(plex.counts.values()) == 1
    held = plex.item(rk)
    fields = held["fields"]
    assert (fields["title"], fields["summary"]) == ("New & Title", "About it.\n\nMore.")
    assert (fields["studio"], fields["originallyAvailableAt"]) == ("Studio, & Co", "2024-03-05")
    assert fields["year"] == 2024
    assert {g.lower() for g in held["tags"]["genre"]} == {"outdoor", "rock & roll"}
    assert sorted(held["tags"]["collection"]) == ["Keep Me", "Series, Part 1", "Studio, & Co"]
    assert sorted(held["tags"]["label"]) == ["Foreign", "PlexSync"]
    assert sorted(a["tag"] for a in held["actors"]) == ["Jane Roe", "New Face"]
    actors = {a["tag"]: a for a in held["actors"]}
    assert actors["Jane Roe"]["role"] == "Lead" and actors["New Face"]["thumb"] == PHOTO
    planned_locks = {name for name, locked in edit.locks.items() if locked}
    assert held["locked"] == {"studio"} | planned_locks
    assert {"title", "genre", "actor", "collection", "label"} <= planned_locks
    again = _planned(client, rk, scene, edit.written)
    assert (again.fields, again.tags, again.remove, again.actors, again.locks) == (
        {}, {}, {}, None, {})


@both_tag_modes
def test_a_refused_value_costs_only_itself(plex: PlexDouble, tmp_path: Path, tag_mode: str) -> None:
    plex.tag_mode = tag_mode
    rk = _seed(plex)
    client = make_client(plex, tmp_path)
    edit = _planned(client, rk, _scene())
    bad = dataclasses.replace(edit, fields={"year": "abc", "title": "Good"})
    plex.reset_counts()
    assert client.edit(bad) == ["year"]
    held = plex.item(rk)
    assert held["fields"]["title"] == "Good" and held["fields"]["year"] is None
    assert {g.lower() for g in held["tags"]["genre"]} == {"outdoor", "rock & roll"}
    assert sorted(a["tag"] for a in held["actors"]) == ["Jane Roe", "New Face"]
    assert "title" in held["locked"] and "genre" in held["locked"]
    assert "year" not in held["locked"]
    # The whole PUT, then one per part: title, year (twice: a refusal must repeat before it
    # counts), each tag type, the actors (with their removals), other locks.
    kinds = (set(bad.tags) | set(bad.remove)) - {"actor"}
    assert plex.counts["edit"] == 1 + 3 + len(kinds) + 1 + 1


def test_an_edit_plex_refuses_entirely_is_refused_not_an_outage(
    plex: PlexDouble, tmp_path: Path
) -> None:
    rk = _seed(plex)
    client = make_client(plex, tmp_path)
    edit = _planned(client, rk, _scene())
    bad = dataclasses.replace(edit, fields={"year": "abc"}, tags={}, remove={}, actors=None,
                              locks={"year": True})
    assert client.edit(bad) == ["year"]  # Plex answers otherwise: the value is refused
    assert plex.item(rk)["fields"]["year"] is None
    plex.error_rate = 1.0  # every request fails: that is an outage, raised as such
    with pytest.raises(BadRequest, match=r"^\(500\)"):
        client.edit(bad)
    plex.error_rate = 0.0


def test_refusals_that_are_not_about_values_are_not_split(
    plex: PlexDouble, tmp_path: Path
) -> None:
    rk = _seed(plex)
    client = make_client(plex, tmp_path)
    edit = _planned(client, rk, _scene())
    before = plex.item(rk)
    plex.reset_counts()
    plex.maintenance = True
    with pytest.raises(BadRequest, match=r"^\(503\)"):
        client.edit(edit)
    plex.maintenance = False
    plex.token = "rotated"
    with pytest.raises(Unauthorized):
        client.edit(edit)
    assert plex.counts["edit"] == 2 and plex.item(rk) == before


def test_concurrent_edits_through_one_client_all_land(plex: PlexDouble, tmp_path: Path) -> None:
    sid = plex.add_section("Scenes", ["/data"])
    keys = [plex.add_item(sid, f"/data/{i}.mp4", tags={"genre": ["Old"]}) for i in range(24)]
    client = make_client(plex, tmp_path, plex_concurrency=4)
    items = client.fetch_items(keys)
    edits = [plan(_scene(title=f"Title {rk}"), items[rk], client.config, None) for rk in keys]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(client.edit, edits)) == [[]] * len(keys)
    assert plex.counts["edit"] == len(keys)
    for rk in keys:
        held = plex.item(rk)
        assert held["fields"]["title"] == f"Title {rk}"
        assert sorted(held["tags"]["genre"]) == ["Rock & Roll", "outdoor"]


@pytest.mark.parametrize("key", ["", " ", "1,2", "abc", "12a"])
def test_an_edit_without_a_valid_rating_key_sends_nothing(
    plex: PlexDouble, tmp_path: Path, key: str
) -> None:
    rk = _seed(plex)
    client = make_client(plex, tmp_path)
    edit = _planned(client, rk, _scene())
    before = plex.item(rk)
    plex.reset_counts()
    with pytest.raises(ValueError, match="ratingKey"):
        client.edit(dataclasses.replace(edit, rating_key=key))
    with pytest.raises(ValueError, match="ratingKey"):
        client.rate(key, 5)
    assert sum(plex.counts.values()) == 0 and plex.item(rk) == before


# -- ratings and images --------------------------------------------------------------------

def test_rating_is_set_and_cleared(plex: PlexDouble, tmp_path: Path) -> None:
    rk = _seed(plex)
    client = make_client(plex, tmp_path)
    client.rate(rk, 7.5)
    assert plex.item(rk)["fields"]["userRating"] == 7.5
    client.rate(rk, None)
    assert plex.item(rk)["fields"]["userRating"] is None
    assert plex.counts["rate"] == 2


def test_poster_and_art_bytes_land(plex: PlexDouble, tmp_path: Path) -> None:
    rk = _seed(plex)
    client = PlexClient(make_config(plex.url), tmp_path)
    poster, art = b"\x89PNG poster bytes", b"\xff\xd8 art bytes"
    client.upload(rk, "poster", poster)
    client.upload(rk, "art", art)
    held = plex.item(rk)
    assert held["poster_sha1"] == hashlib.sha1(poster).hexdigest()
    assert held["art_sha1"] == hashlib.sha1(art).hexdigest()
    assert held["uploads"] == {"poster": 1, "art": 1}
    assert (plex.counts["upload_poster"], plex.counts["upload_art"]) == (1, 1)
