"""Write one Stash scene into its Plex items: plan, images, one PUT, record what was written."""

from __future__ import annotations

import copy
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


def _upload_images(edit: Edit, record: dict[str, Any], stash: Images, plex: Writer,
                   result: SceneResult) -> None:
    """Upload each planned image whose bytes changed; record the hash of what Plex now has."""
    slots = record.setdefault("images", {})
    for ref in edit.images:
        slot = dict(slots.get(ref.kind) or {"url": ref.url, "hash": None})
        digest = _upload(ref, slot.get("hash"), edit.rating_key, stash, plex, result)
        slots[ref.kind] = {"url": ref.url, "hash": digest or slot.get("hash")}


def _upload(ref: ImageRef, previous: str | None, rating_key: str, stash: Images,
            plex: Writer, result: SceneResult) -> str | None:
    data = stash.image(ref.url)
    if data is None:  # Stash's default SVG: there is no cover to give Plex
        return None
    digest = hashlib.sha1(data).hexdigest()
    if digest != previous:
        plex.upload(rating_key, ref.kind, data)
        result.uploads += 1
    return digest


def sync_items(scene: Scene, items: list[PlexItem], written: dict[str, Any],
               config: PlexSyncConfig, stash: Images, plex: Writer) -> SceneResult:
    result = SceneResult()
    for item in items:
        last = written.get(item.rating_key)
        edit = plan(scene, item, config, last)
        for note in edit.skipped:
            result.warnings.append(f"scene {scene.id} -> Plex item {item.rating_key}: {note}")
        record = copy.deepcopy(edit.written)
        # Uploads first: Plex locks the poster on upload, and the PUT below sets the final locks.
        _upload_images(edit, record, stash, plex, result)
        if edit.fields or edit.tags or edit.remove or edit.actors is not None or edit.locks:
            rejected = plex.edit(edit)
            result.requests += 1
            for name in rejected:
                result.warnings.append(
                    f"scene {scene.id}: Plex refused the value of {name}; the rest was written")
                # Not ours after all: otherwise preserve_plex_edits would later take the old
                # value for a person's edit.
                record.get("fields", {}).pop(name, None)
                record.get("tags", {}).pop(name, None)
        if edit.rating is not UNSET:
            plex.rate(item.rating_key, edit.rating)
            result.requests += 1
        result.written[item.rating_key] = record
    for warning in result.warnings:
        log.warning(warning)
    return result
