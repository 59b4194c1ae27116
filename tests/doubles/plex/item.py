"""One library item (a personal-media clip) and the changes edits and uploads make to it."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from .edits import FIELDS, TAG_TYPES, EditPlan
from .tags import Tagging, merge_taggings

IMAGE_KINDS = ("poster", "art")
# The item attribute (and lock name) each image kind drives.
IMAGE_FIELD = {"poster": "thumb", "art": "art"}


@dataclass
class Part:
    id: int
    file: str
    size: int


@dataclass
class Image:
    """An entry of an item's poster or art list."""

    rating_key: str
    sha1: str | None
    url: str | None


@dataclass
class Item:
    rating_key: str
    section_id: int
    parts: list[Part]
    added_at: int
    fields: dict[str, Any] = field(default_factory=lambda: dict.fromkeys(FIELDS))
    tags: dict[str, list[Tagging]] = field(default_factory=lambda: {t: [] for t in TAG_TYPES})
    locked: set[str] = field(default_factory=set)
    images: dict[str, list[Image]] = field(default_factory=lambda: {k: [] for k in IMAGE_KINDS})
    selected: dict[str, Image | None] = field(default_factory=lambda: dict.fromkeys(IMAGE_KINDS))
    uploads: dict[str, int] = field(default_factory=lambda: dict.fromkeys(IMAGE_KINDS, 0))
    thumb: str | None = None
    art: str | None = None
    updated_at: int = 0

    def default_title(self) -> str:
        """Plex titles an unmatched clip after its file name without extension."""
        name = self.parts[0].file.replace("\\", "/").rsplit("/", 1)[-1]
        return name.rsplit(".", 1)[0] if "." in name else name


def apply_plan(item: Item, plan: EditPlan, *, replace: bool, people: dict[str, str]) -> None:
    """Apply a validated edit to one item; `people` maps lower-cased actor name to photo URL."""
    for name, value in plan.values.items():
        item.fields[name] = item.default_title() if name == "title" and value is None else value
    for name, locked in plan.locks.items():
        (item.locked.add if locked else item.locked.discard)(name)
    for kind in set(plan.tags) | set(plan.removals) | plan.clears:
        entries = plan.tags.get(kind, [])
        added = [Tagging(e.tag, e.role if kind == "actor" else None) for e in entries]
        item.tags[kind] = merge_taggings(
            item.tags[kind],
            added,
            plan.removals.get(kind, []),
            replace=replace,
            clear=kind in plan.clears,
        )
        # A person's photo lives on the shared tag, so it changes for every item crediting them.
        people.update({e.tag.lower(): e.thumb for e in entries if e.thumb is not None})


def record_upload(item: Item, kind: str, data: bytes | None, url: str | None, stamp: int) -> None:
    """Add (or re-select) an uploaded image, point the item at it and lock the field."""
    sha1 = hashlib.sha1(data).hexdigest() if data else None
    rating_key = f"upload://{kind}s/{sha1}" if sha1 else str(url)
    images = item.images[kind]
    image = next((i for i in images if i.rating_key == rating_key), None)
    if image is None:
        image = Image(rating_key, sha1, url)
        images.append(image)
    item.selected[kind] = image
    item.uploads[kind] += 1
    attr = IMAGE_FIELD[kind]
    setattr(item, attr, f"/library/metadata/{item.rating_key}/{attr}/{stamp}")
    item.locked.add(attr)


def snapshot(item: Item, people: dict[str, str]) -> dict[str, Any]:
    """Plain-data copy of an item for test assertions."""
    poster, art = item.selected["poster"], item.selected["art"]
    return {
        "ratingKey": item.rating_key,
        "sectionId": item.section_id,
        "fields": dict(item.fields),
        "tags": {k: [t.tag for t in v] for k, v in item.tags.items() if k != "actor"},
        "actors": [
            {"tag": t.tag, "role": t.role, "thumb": people.get(t.tag.lower())}
            for t in item.tags["actor"]
        ],
        "locked": set(item.locked),
        "poster_sha1": poster.sha1 if poster else None,
        "art_sha1": art.sha1 if art else None,
        "poster_url": poster.url if poster else None,
        "art_url": art.url if art else None,
        "uploads": dict(item.uploads),
        "thumb": item.thumb,
        "art": item.art,
        "files": [p.file for p in item.parts],
    }
