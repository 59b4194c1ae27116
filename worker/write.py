"""Write one Stash scene into its Plex items: plan, images, one PUT, record what was written."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
from dataclasses import dataclass, field
from typing import Any, Protocol

from stash import log
from stash.errors import ImageUnavailable
from sync.edit import IMAGE_LOCKS, UNSET, Edit
from sync.item import PlexItem
from sync.plan import plan, read_written
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
    placeholders: list[str] = field(default_factory=list)  # kinds Stash had no picture for
    image_errors: list[str] = field(default_factory=list)  # pictures that could not be had


def _upload_images(edit: Edit, record: dict[str, Any], stash: Images, plex: Writer,
                   result: SceneResult) -> dict[str, bool | None]:
    """Upload each planned image whose bytes changed; record the hash of what Plex now has.

    Only an image Plex got is recorded as such: Stash's placeholder is noted as `missing` (the
    real cover may come later), and a download that failed leaves the slot empty, so the next
    attempt downloads it again. Returns, per planned kind, True when uploaded now, False when
    Plex already has the same image, None when Plex got nothing."""
    slots = record.setdefault("images", {})
    outcomes: dict[str, bool | None] = {}
    for ref in edit.images:
        outcomes[ref.kind] = None
        slots[ref.kind] = {"url": None, "hash": ref.known}
        try:
            data = stash.image(ref.url)
        except ImageUnavailable as exc:
            result.image_errors.append(str(exc))
            continue
        if data is None:  # Stash's placeholder: there is no cover to give Plex (yet)
            slots[ref.kind]["missing"] = ref.url
            result.placeholders.append(ref.kind)
            continue
        digest = hashlib.sha1(data).hexdigest()
        if digest != ref.known:
            plex.upload(edit.rating_key, ref.kind, data)
            result.uploads += 1
        slots[ref.kind] = {"url": ref.url, "hash": digest}
        outcomes[ref.kind] = digest != ref.known
    return outcomes


def _final_image_locks(edit: Edit, outcomes: dict[str, bool | None], locked: frozenset[str],
                       lock_fields: bool) -> Edit:
    """The plan locks every image it may upload; only the uploads tell what Plex got.

    Plex locks an uploaded image itself, so with lock_fields off the PUT unlocks it again. A lock
    the item already has is not sent again, and none at all when Stash had no image to give
    (locking nothing would only stop Plex choosing its own poster)."""
    locks = dict(edit.locks)
    for kind, uploaded in outcomes.items():
        name = IMAGE_LOCKS[kind]  # type: ignore[index]
        if uploaded and not lock_fields:
            locks[name] = False
        elif uploaded is None or name in locked:
            locks.pop(name, None)
    return dataclasses.replace(edit, locks=locks)


def plan_items(scene: Scene, items: list[PlexItem], written: dict[str, Any],
               config: PlexSyncConfig, *, force: bool = False) -> list[tuple[PlexItem, Edit]]:
    """The edits a writer sends: a cover Stash lacked last time is looked for again."""
    return [(item, plan(scene, item, config, written.get(item.rating_key), force=force,
                        recheck_missing=True))
            for item in items]


def claimed(previous: dict[str, Any] | None, planned: dict[str, Any]) -> dict[str, Any]:
    """What PlexSync may own once a write starts: the old record and the new one together.

    Saved before writing, so a process killed between Plex's answer and the record still knows
    the names it may have written (an emptied tag list must remove them, not take them for names
    Plex got elsewhere). Image hashes stay as they were: only an upload changes them."""
    old = read_written(previous)
    new = read_written(planned)
    tags = dict(old["tags"])
    for kind, names in new["tags"].items():
        tags[kind] = list(dict.fromkeys([*tags.get(kind, []), *names]))
    return {"fields": {**old["fields"], **new["fields"]}, "tags": tags,
            "actor_thumbs": {**old["actor_thumbs"], **new["actor_thumbs"]},
            "images": old["images"]}


def write_items(scene: Scene, edits: list[tuple[PlexItem, Edit]], config: PlexSyncConfig,
                stash: Images, plex: Writer) -> SceneResult:
    result = SceneResult()
    for item, edit in edits:
        for note in edit.skipped:
            result.warnings.append(f"scene {scene.id} -> Plex item {item.rating_key}: {note}")
        record = copy.deepcopy(edit.written)
        # Uploads first: Plex locks the poster on upload, and the PUT below sets the final locks.
        outcomes = _upload_images(edit, record, stash, plex, result)
        edit = _final_image_locks(edit, outcomes, item.locked, config.lock_fields)
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
