"""What Plex should hold for a scene, and what the Plex double holds, for end-to-end tests to
compare: under the default settings (expected_item, held_item, stale_scenes) or the settings a
test chose (expected, observed, assert_synced); titles and whole items; the requests that wrote."""

from __future__ import annotations

import hashlib
from typing import Any

from tests.doubles.plex import PlexDouble
from tests.doubles.sample import Sample
from tests.doubles.stash import StashDouble
from validation import clean


def expected_item(stash: StashDouble, scene_id: int) -> dict[str, Any]:
    """What every Plex item of a scene holds after a sync with the default settings."""
    scene = stash.scene(scene_id)
    store = stash.store
    studio = store.studios[scene["studio"]].name if scene["studio"] else None
    date = scene["date"]
    collections = ([studio] if studio else []) + [store.groups[g].name for g, _ in scene["groups"]]
    return {
        "title": clean.line(scene["title"]) if scene["title"] else None,
        "summary": clean.text(scene["details"]) or None if scene["details"] else None,
        "studio": studio,
        "originallyAvailableAt": date if date and len(date) == 10 else None,
        "year": int(date[:4]) if date else None,
        "genre": sorted(store.tags[t].name for t in scene["tags"]),
        "actors": sorted(store.performers[p].name for p in scene["performers"]),
        "collection": sorted(collections),
        "poster_sha1": hashlib.sha1(scene["cover"]).hexdigest() if scene["cover"] else None,
    }


def held_item(plex: PlexDouble, rating_key: str) -> dict[str, Any]:
    """The same view of what a Plex item holds now."""
    item = plex.item(rating_key)
    fields = item["fields"]
    return {
        "title": fields["title"],
        "summary": fields["summary"],
        "studio": fields["studio"],
        "originallyAvailableAt": fields["originallyAvailableAt"],
        "year": fields["year"],
        "genre": sorted(item["tags"]["genre"]),
        "actors": sorted(a["tag"] for a in item["actors"]),
        "collection": sorted(item["tags"]["collection"]),
        "poster_sha1": item["poster_sha1"],
    }


def stale_scenes(stash: StashDouble, plex: PlexDouble, sample: Sample,
                 scene_ids: list[int] | None = None) -> dict[str, dict[str, Any]]:
    """Every Plex item that does not hold its scene's current Stash state, with both views.

    A scene without a title keeps whatever title Plex had (PlexSync never blanks it)."""
    stale = {}
    for scene_id in scene_ids if scene_ids is not None else sample.synced_ids():
        want = expected_item(stash, scene_id)
        for rating_key in sample.rating_keys[scene_id]:
            have = held_item(plex, rating_key)
            if want["title"] is None:
                have["title"] = None
            if have != want:
                diff = {k: (have[k], want[k]) for k in want if have[k] != want[k]}
                stale[f"scene {scene_id} / item {rating_key}"] = diff
    return stale


# --- under the settings a test chose ----------------------------------------------------------

WRITE_KINDS = ("edit", "rate", "upload_poster", "upload_art")


def expected(stash: StashDouble, scene_id: int, *, labels: tuple[str, ...] = (),
             content_rating: str | None = None, rating: bool = False) -> dict[str, Any]:
    """The Plex view of a scene under the given settings (defaults otherwise)."""
    scene, store = stash.scene(scene_id), stash.store
    date = scene["date"]
    studio = store.studios[scene["studio"]].name if scene["studio"] else None
    groups = [store.groups[g].name for g, _ in sorted(scene["groups"], key=lambda g: g[1] or 0)]
    cover = scene["cover"]
    return {
        "title": scene["title"],
        "summary": scene["details"],
        "studio": studio,
        "originallyAvailableAt": date if date and len(date) == 10 else None,
        "year": date[:4] if date else None,
        "contentRating": content_rating,
        "userRating": scene["rating100"] / 10 if rating and scene["rating100"] else None,
        "genre": sorted(store.tags[t].name for t in scene["tags"]),
        "actors": [store.performers[p].name for p in scene["performers"]],
        "collection": sorted(n for n in (studio, *groups) if n),
        "label": sorted(labels),
        "poster_sha1": hashlib.sha1(cover).hexdigest() if cover else None,
    }


def observed(plex: PlexDouble, rating_key: str) -> dict[str, Any]:
    """The same shape read from the Plex double."""
    item = plex.item(rating_key)
    fields = item["fields"]

    def text(name: str) -> str | None:
        value = fields[name]
        return None if value in (None, "") else str(value)

    return {
        "title": text("title"), "summary": text("summary"), "studio": text("studio"),
        "originallyAvailableAt": text("originallyAvailableAt"), "year": text("year"),
        "contentRating": text("contentRating"), "userRating": fields["userRating"],
        "genre": sorted(item["tags"]["genre"]),
        "actors": [a["tag"] for a in item["actors"]],
        "collection": sorted(item["tags"]["collection"]),
        "label": sorted(item["tags"]["label"]),
        "poster_sha1": item["poster_sha1"],
    }


def expected_locks(want: dict[str, Any]) -> set[str]:
    """Every field PlexSync wrote into a bare item; a user rating has no lock."""
    names = {"title", "summary", "studio", "originallyAvailableAt", "year", "contentRating",
             "genre", "collection", "label"}
    locks = {name for name in names if want[name]}
    locks |= {"actor"} if want["actors"] else set()
    return locks | ({"thumb"} if want["poster_sha1"] else set())


def assert_synced(stash: StashDouble, plex: PlexDouble, scene_id: int, rating_keys: list[str],
                  **settings: Any) -> None:
    want = expected(stash, scene_id, **settings)
    for rk in rating_keys:
        assert observed(plex, rk) == want, f"scene {scene_id} -> Plex item {rk}"


def write_counts(plex: PlexDouble) -> dict[str, int]:
    return {kind: plex.counts[kind] for kind in WRITE_KINDS}


# --- titles, whole items, writes -------------------------------------------------------------

WRITES = ("edit", "rate", "upload_poster", "upload_art", "refresh")


def writes(plex: PlexDouble) -> dict[str, int]:
    """The Plex requests that change something, by kind (empty: Plex was only read)."""
    return {kind: plex.counts[kind] for kind in WRITES if plex.counts.get(kind)}


def titles(plex: PlexDouble, sample: Sample, scene_ids: list[int]) -> dict[int, set[str]]:
    return {sid: {plex.item(rk)["fields"]["title"] for rk in sample.rating_keys[sid]}
            for sid in scene_ids}


def stash_titles(stash: StashDouble, scene_ids: list[int]) -> dict[int, set[str]]:
    return {sid: {stash.scene(sid)["title"]} for sid in scene_ids}


def snapshots(plex: PlexDouble, sample: Sample, scene_ids: list[int]) -> dict[str, dict]:
    return {rk: plex.item(rk) for sid in scene_ids for rk in sample.rating_keys[sid]}
