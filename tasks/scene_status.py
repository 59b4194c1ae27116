"""The Plex tab's two reading operations: one scene's status, and its preview (what Sync now
would change, field by field, writing nothing)."""

from __future__ import annotations

import time
from typing import Any

from stash.protocol import PluginInput, UserError
from sync.item import PlexItem
from sync.plan import plan
from tasks.edit_diff import changes
from tasks.scene_facts import gather, look_in_plex, scene_id_arg, stash_scene
from tasks.scene_state import describe, plex_entry
from tasks.sync import plex_trouble
from validation.scene import Scene
from worker.services import Services, open_services

Answer = dict[str, Any]


def scene_status(plugin_input: PluginInput) -> Answer:
    scene_id = scene_id_arg(plugin_input)
    services = open_services(plugin_input.connection)
    try:
        return status_of(services, scene_id)
    finally:
        services.close()


def status_of(services: Services, scene_id: int) -> Answer:
    return describe(gather(services, scene_id), services.config.plex_url, time.time())


def scene_preview(plugin_input: PluginInput) -> Answer:
    scene_id = scene_id_arg(plugin_input)
    services = open_services(plugin_input.connection)
    try:
        scene = stash_scene(services.stash, scene_id)
        try:
            return preview_of(services, scene)
        except Exception as exc:
            trouble = plex_trouble(services.stores.queue, exc)  # Plex down reading the items
            if trouble is None:
                raise
            raise trouble from None
    finally:
        services.close()


def preview_of(services: Services, scene: Scene) -> Answer:
    """Each matched Plex item with the rows its edit would change, planned as a writer plans
    it against what PlexSync last wrote there."""
    config = services.config
    view = look_in_plex(services, scene)
    if view.error:
        raise UserError(f"{view.error}. Nothing was compared")
    answer: Answer = {"scene_id": scene.id, "verdict": view.verdict, "items": [],
                      "would_change": False}
    if view.verdict != "sync" or view.match is None:
        return answer
    record = services.stores.state.get_many([scene.id]).get(scene.id)
    fetched = services.plex.fetch_items([entry.rating_key for entry in view.match.items])
    for entry in view.match.items:
        shown = plex_entry(entry, view, config.plex_url)
        item = fetched.get(entry.rating_key)
        if not isinstance(item, PlexItem):  # gone since the index, or unreadable
            answer["items"].append({**shown, "changes": [], "kept": [],
                                    "error": str(item) if item else "Plex item disappeared"})
            continue
        edit = plan(scene, item, config, record.owned(entry.rating_key) if record else None)
        rows = changes(item, edit)
        answer["items"].append({**shown, "changes": rows, "kept": edit.skipped})
        answer["would_change"] = answer["would_change"] or bool(rows)
    return answer
