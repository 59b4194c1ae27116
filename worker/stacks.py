"""Which scenes of a batch match a Plex item that another Stash scene claims too.

The other scene may be in the same batch (a Sync All meets both) or on record from an earlier
run; a record is checked against the scene Stash has now, so a scene whose file moved elsewhere
no longer holds an item back.
"""

from __future__ import annotations

from typing import Any

from sync.matching import Lookups, Match, Recommendation
from sync.stacks import holds_part, partly_held
from sync.state import SyncState
from validation.scene import Scene
from worker.ports import StashPort


def shared(matched: list[tuple[Scene, Match]], index: Lookups,
           path_map: list[tuple[str, str]], state: SyncState,
           stash: StashPort) -> dict[int, dict[str, Any]]:
    """Scene id -> the review detail of each scene that must not be written."""
    partly = {scene.id: held for scene, match in matched
              if (held := partly_held(match, scene.files, path_map, index))}
    if not partly:
        return {}
    keys = sorted({key for held in partly.values() for key in held})
    in_batch: dict[str, set[int]] = {}
    for scene, match in matched:
        if match.recommendation is Recommendation.HIGH:
            for entry in match.items:
                in_batch.setdefault(entry.rating_key, set()).add(scene.id)
    on_record = state.claimants(keys)
    batch_ids = {scene.id for scene, _ in matched}
    current = _current(stash, {sid for ids in on_record.values() for sid in ids} - batch_ids)
    details: dict[int, dict[str, Any]] = {}
    for scene_id, held in partly.items():
        for key, stack in held.items():
            others = in_batch.get(key, set()) | {
                sid for sid in on_record.get(key, ()) - batch_ids
                if sid in current and holds_part(current[sid].files, path_map, stack)}
            others.discard(scene_id)
            if others:
                details[scene_id] = {"shared": {"rating_key": key, "files": stack,
                                                "scenes": sorted(others | {scene_id})}}
                break
    return details


def _current(stash: StashPort, scene_ids: set[int]) -> dict[int, Scene]:
    if not scene_ids:
        return {}
    fetched = stash.scenes_by_id(sorted(scene_ids))
    return {sid: Scene.from_stash(raw) for sid, raw in fetched.found.items()}
