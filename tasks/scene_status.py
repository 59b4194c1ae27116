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
from validation.scene import Scene
from worker.context import Context, open_context
from worker.foreground import plex_trouble

Answer = dict[str, Any]


def scene_status(plugin_input: PluginInput) -> Answer:
    scene_id = scene_id_arg(plugin_input)
    ctx = open_context(plugin_input.connection)
    try:
        return status_of(ctx, scene_id)
    finally:
        ctx.close()


def status_of(ctx: Context, scene_id: int) -> Answer:
    return describe(gather(ctx, scene_id), ctx.config.plex_url, time.time())


def scene_preview(plugin_input: PluginInput) -> Answer:
    scene_id = scene_id_arg(plugin_input)
    ctx = open_context(plugin_input.connection)
    try:
        scene = stash_scene(ctx, scene_id)
        try:
            return preview_of(ctx, scene)
        except Exception as exc:
            trouble = plex_trouble(ctx, exc)  # Plex down while reading the items
            if trouble is None:
                raise
            raise trouble from None
    finally:
        ctx.close()


def preview_of(ctx: Context, scene: Scene) -> Answer:
    """Each matched Plex item with the rows its edit would change, planned as a writer plans
    it against what PlexSync last wrote there."""
    view = look_in_plex(ctx, scene)
    if view.error:
        raise UserError(f"{view.error}. Nothing was compared")
    answer: Answer = {"scene_id": scene.id, "verdict": view.verdict, "items": [],
                      "would_change": False}
    if view.verdict != "sync" or view.match is None:
        return answer
    record = ctx.state.get(scene.id)
    written = record.written if record else {}
    fetched = ctx.plex.fetch_items([entry.rating_key for entry in view.match.items])
    for entry in view.match.items:
        shown = plex_entry(entry, view, ctx.config.plex_url)
        item = fetched.get(entry.rating_key)
        if not isinstance(item, PlexItem):  # gone since the index, or unreadable
            answer["items"].append({**shown, "changes": [], "kept": [],
                                    "error": str(item) if item else "Plex item disappeared"})
            continue
        edit = plan(scene, item, ctx.config, written.get(entry.rating_key))
        rows = changes(item, edit)
        answer["items"].append({**shown, "changes": rows, "kept": edit.skipped})
        answer["would_change"] = answer["would_change"] or bool(rows)
    return answer
