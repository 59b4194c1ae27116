"""Write one Stash scene into its Plex items: plan, images, one PUT, record what was written."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from stash import log
from sync.item import PlexItem
from sync.plan import UNSET, Edit, ImageRef, plan
from validation.config import PlexSyncConfig
from validation.scene import Scene


class Images(Protocol):
    def image(self, url: str) -> bytes | None: ...


class Writer(Protocol):
    def edit(self, edit: Edit) -> list[str]: ...
    def rate(self, rating_key: str, rating: float | None) -> None: ...
    def upload(self, rating_key: str, kind: str, data: bytes) -> None: ...


@dataclass
class SceneResult:
    written: dict[str, Any] = field(default_factory=dict)   # rating key -> what is now in Plex
    requests: int = 0
    uploads: int = 0
    warnings: list[str] = field(default_factory=list)


def _images(edit: Edit, last: dict[str, Any], stash: Images, plex: Writer,
            result: SceneResult) -> dict[str, Any]:
    """Upload the images whose bytes changed; returns the image slots for the written record."""
    slots: dict[str, Any] = {}
    for ref in edit.images:
        slots[ref.kind] = _image(ref, last.get(ref.kind) or {}, edit.rating_key, stash, plex,
                                 result)
    return slots


def _image(ref: ImageRef, previous: dict[str, Any], rating_key: str, stash: Images,
           plex: Writer, result: SceneResult) -> dict[str, Any]:
    data = stash.image(ref.url)
    if data is None:  # Stash's default SVG: there is no cover to give Plex
        return {"url": ref.url, "sha1": previous.get("sha1")}
    digest = hashlib.sha1(data).hexdigest()
    if digest != previous.get("sha1"):
        plex.upload(rating_key, ref.kind, data)
        result.uploads += 1
    return {"url": ref.url, "sha1": digest}


def sync_items(scene: Scene, items: list[PlexItem], written: dict[str, Any],
               config: PlexSyncConfig, stash: Images, plex: Writer) -> SceneResult:
    result = SceneResult()
    for item in items:
        last = written.get(item.rating_key)
        edit = plan(scene, item, config, last)
        for note in edit.skipped:
            result.warnings.append(f"scene {scene.id} -> Plex item {item.rating_key}: {note}")
        record = dict(edit.written)
        # Uploads first: Plex locks the poster on upload, and the PUT below sets the final locks.
        record.update(_images(edit, last or {}, stash, plex, result))
        if edit.fields or edit.tags or edit.remove or edit.actors is not None or edit.locks:
            rejected = plex.edit(edit)
            result.requests += 1
            for name in rejected:
                result.warnings.append(
                    f"scene {scene.id}: Plex refused the value of {name}; the rest was written")
                record.pop(name, None)
        if edit.rating is not UNSET:
            plex.rate(item.rating_key, edit.rating)
            result.requests += 1
        result.written[item.rating_key] = record
    for warning in result.warnings:
        log.warning(warning)
    return result
