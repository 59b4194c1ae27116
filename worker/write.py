"""Write one Stash scene into its Plex items: plan, images, one PUT, record what was written."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from stash import log
from stash.errors import ImageUnavailable
from sync.edit import IMAGE_LOCKS, UNSET, Edit
from sync.item import PlexItem
from sync.ownership import Owned, Picture
from sync.plan import plan
from validation.config import PlexSyncConfig
from validation.scene import Scene
from worker.ports import PlexPort, StashPort


@dataclass
class SceneResult:
    written: dict[str, Owned] = field(default_factory=dict)  # rating key -> what is in Plex now
    requests: int = 0
    uploads: int = 0
    warnings: list[str] = field(default_factory=list)
    placeholders: list[str] = field(default_factory=list)  # kinds Stash had no picture for
    image_errors: list[str] = field(default_factory=list)  # pictures that could not be had


Downloads = dict[str, "bytes | None | ImageUnavailable"]  # one scene's pictures, by URL


def _download(url: str, stash: StashPort, downloads: Downloads) -> bytes | None:
    """A picture once per scene, however many Plex items show it (a scene with two files)."""
    if url not in downloads:
        try:
            downloads[url] = stash.image(url)
        except ImageUnavailable as exc:
            downloads[url] = exc
    got = downloads[url]
    if isinstance(got, ImageUnavailable):
        raise got
    return got


def _upload_images(edit: Edit, record: Owned, stash: StashPort, plex: PlexPort,
                   result: SceneResult, downloads: Downloads) -> dict[str, bool | None]:
    """Upload each planned image whose bytes changed; record the hash of what Plex now has.

    Only an image Plex got is recorded as such: Stash's placeholder is noted as `missing` (the
    real cover may come later), and a download that failed leaves the slot empty, so the next
    attempt downloads it again. Returns, per planned kind, True when uploaded now, False when
    Plex already has the same image, None when Plex got nothing."""
    slots = record.images
    outcomes: dict[str, bool | None] = {}
    for ref in edit.images:
        outcomes[ref.kind] = None
        slots[ref.kind] = Picture(None, ref.known)
        try:
            data = _download(ref.url, stash, downloads)
        except ImageUnavailable as exc:
            result.image_errors.append(str(exc))
            continue
        if data is None:  # Stash's placeholder: there is no cover to give Plex (yet)
            slots[ref.kind].missing = ref.url
            result.placeholders.append(ref.kind)
            continue
        digest = hashlib.sha1(data).hexdigest()
        if digest != ref.known:
            plex.upload(edit.rating_key, ref.kind, data)
            result.uploads += 1
        slots[ref.kind] = Picture(ref.url, digest)
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


def plan_items(scene: Scene, items: list[PlexItem], owned: Mapping[str, Owned],
               config: PlexSyncConfig, *, force: bool = False) -> list[tuple[PlexItem, Edit]]:
    """The edits a writer sends: a cover Stash lacked last time is looked for again."""
    return [(item, plan(scene, item, config, owned.get(item.rating_key), force=force,
                        recheck_missing=True))
            for item in items]


def write_items(scene: Scene, edits: list[tuple[PlexItem, Edit]], config: PlexSyncConfig,
                stash: StashPort, plex: PlexPort) -> SceneResult:
    result = SceneResult()
    downloads: Downloads = {}
    for item, edit in edits:
        for note in edit.skipped:
            result.warnings.append(f"scene {scene.id} -> Plex item {item.rating_key}: {note}")
        record = edit.written  # the plan made it for this write (sync/plan.py copies the last)
        # Uploads first: Plex locks the poster on upload, and the PUT below sets the final locks.
        outcomes = _upload_images(edit, record, stash, plex, result, downloads)
        edit = _final_image_locks(edit, outcomes, item.locked, config.lock_fields)
        if edit.fields or edit.tags or edit.remove or edit.actors is not None or edit.locks:
            rejected = plex.edit(edit)
            result.requests += 1
            for name in rejected:
                result.warnings.append(
                    f"scene {scene.id}: Plex refused the value of {name}; the rest was written")
                record.disown(name)
        if edit.rating is not UNSET:
            plex.rate(item.rating_key, edit.rating)
            result.requests += 1
        result.written[item.rating_key] = record
    for warning in result.warnings:
        log.warning(warning)
    return result
