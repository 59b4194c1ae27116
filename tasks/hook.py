"""The hook path: record the change, make sure a drainer runs, return at once.

Stash's Save waits for this process, so it makes one GraphQL call (Stash's version, the settings
and what changed), one queue write, and no Plex call; it imports nothing heavy (no plexapi,
requests or pydantic). A deleted object's scenes come from PlexSync's own record of what it wrote
(sync_queue/shown).
"""

from __future__ import annotations

from stash import light, log
from stash.protocol import HookEvent, PluginInput, ProtocolError, UserError
from stash.queries import HOOK_RELATED, HOOK_SCENE, HOOK_SETTINGS
from stash.version import too_old
from sync_queue import notices, packages, shown
from sync_queue.datadir import resolve_data_dir
from sync_queue.job import CHANGED, NEW_SCENE
from sync_queue.jobs import JobQueue
from worker import deps
from worker.spawn import ensure_drainer

# The scene filter that finds the scenes showing a renamed object. (Stash fires Movie.Update.Post
# beside Group.Update.Post, internal/api/resolver_mutation_group.go: only the Group hooks are
# subscribed.)
_RELATED_FILTER = {
    "Performer": "performers",
    "Studio": "studios",
    "Tag": "tags",
    "Group": "groups",
}
Scenes = list[tuple[int, "str | None"]]


def _related_filter(event: HookEvent) -> dict[str, object]:
    criterion: dict[str, object] = {"value": [str(event.id)], "modifier": "INCLUDES"}
    key = _RELATED_FILTER[event.type.split(".")[0]]
    if key != "performers":
        criterion["depth"] = 0
    return {key: criterion}


def _destroyed(event: HookEvent) -> bool:
    return event.type.endswith(".Destroy.Post")


def _fetch(plugin_input: PluginInput,
           event: HookEvent) -> tuple[dict, Scenes | None, str | None]:
    """Settings, the scenes to queue (None for a destroy: the data folder knows them) and
    Stash's version."""
    conn = plugin_input.connection
    scenes: Scenes | None = None
    try:
        if event.type.startswith("Scene."):
            data = light.call(conn, HOOK_SCENE, {"id": str(event.id)})
            found = [data["findScene"]] if data.get("findScene") else []
        elif _destroyed(event):
            data, found = light.call(conn, HOOK_SETTINGS), []
        else:
            data = light.call(conn, HOOK_RELATED, {"f": _related_filter(event)})
            found = (data.get("findScenes") or {}).get("scenes") or []
    except light.StashUnavailable as exc:
        raise UserError(f"{exc}; scene change not queued, run 'Sync Recent Scenes'") from None
    if not _destroyed(event):
        scenes = [(int(scene["id"]), scene.get("updated_at")) for scene in found]
    settings = ((data.get("configuration") or {}).get("plugins") or {}).get("plexsync") or {}
    return settings, scenes, (data.get("version") or {}).get("version")


def handle_hook(plugin_input: PluginInput) -> str:
    event = plugin_input.hook
    assert event is not None
    if event.id is None:
        raise ProtocolError(f"{event.type} hook without an object id")
    settings, scenes, version = _fetch(plugin_input, event)
    data_dir = resolve_data_dir(settings.get("data_dir"), plugin_input.connection.config_dir)
    notices.relay(data_dir)
    old_stash = too_old(version)
    if old_stash:
        log.warning(f"{old_stash}; changes are queued until then")
    elif not settings.get("plex_url") or not settings.get("plex_token"):
        log.warning("PlexSync is not configured yet: set the Plex URL and token in "
                    "Settings > Plugins; changes are queued until then")
    if scenes is None:  # deleted: its id matches nothing in Stash any more
        kind = event.type.split(".")[0].lower()
        scenes = shown.scenes_showing(data_dir, kind, event.id)
    intent = NEW_SCENE if event.type == "Scene.Create.Post" else CHANGED
    queue = JobQueue(str(data_dir))
    try:
        queued = queue.enqueue_many(scenes, intent)
    finally:
        queue.close()
    absent = packages.use_own_packages(data_dir)
    if absent:
        # The change is safe in the queue; a worker could only die on its first import.
        log.warning(deps.missing_message(absent, data_dir) + "; changes are queued until then")
    elif not old_stash:  # a worker would only stop with the same message
        ensure_drainer(data_dir, plugin_input.connection)
    if event.type.startswith("Scene.") and not scenes:
        return f"scene {event.id} no longer exists in Stash; nothing to queue"
    if absent:
        return f"queued {queued} scene(s); PlexSync's Python packages are not installed yet"
    return f"queued {queued} scene(s) for Plex"
