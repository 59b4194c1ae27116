"""The task modes PlexSync offers under Settings > Tasks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stash.protocol import PluginInput, UserError
from sync.state import SYNCED
from sync_queue.job import CHANGED, REWRITE, Intent
from worker.context import Context
from worker.foreground import run_draining
from worker.recent import recent_filter


def _queue_versions(ctx: Context, versions: list[tuple[int, str]], intent: Intent) -> str:
    """Queue the scenes whose current version is not yet in Plex (all of them when the intent
    is to recheck)."""
    total = len(versions)
    if not intent.recheck:
        known = ctx.state.versions([scene_id for scene_id, _ in versions])
        fingerprint = ctx.config.plan_fingerprint()

        def current(scene_id: int, updated_at: str) -> bool:
            status, synced_version, scene_hash = known.get(scene_id, ("", None, None))
            return (status == SYNCED and synced_version == updated_at
                    and (scene_hash or "").endswith(f":{fingerprint}"))

        versions = [(sid, upd) for sid, upd in versions if not current(sid, upd)]
    ctx.queue.enqueue_many(versions, intent)
    return f"{total - len(versions)} of {total} scene(s) already current in Plex"


def sync_all(plugin_input: PluginInput, *, force: bool = False) -> str:
    def enqueue(ctx: Context) -> str:
        return _queue_versions(ctx, ctx.stash.scene_versions(), REWRITE if force else CHANGED)

    return run_draining(plugin_input, enqueue)


def sync_recent(plugin_input: PluginInput) -> str:
    raw_hours = plugin_input.args.get("hours", 24)
    try:
        hours = float(raw_hours)
    except (TypeError, ValueError):
        raise UserError(f"hours must be a number, got {raw_hours!r}") from None
    if not 0 < hours <= 24 * 365:
        raise UserError(f"hours must be between 0 and 8760, got {hours:g}")

    def enqueue(ctx: Context) -> str:
        scene_filter = recent_filter(ctx.stash.latest_update(), hours)
        versions = ctx.stash.scene_versions(scene_filter) if scene_filter else []
        return _queue_versions(ctx, versions, CHANGED)

    return run_draining(plugin_input, enqueue)


def process_queue(plugin_input: PluginInput) -> str:
    return run_draining(plugin_input, None)


def _lazy(module: str, name: str) -> Callable[[PluginInput], Any]:
    def run(plugin_input: PluginInput) -> Any:
        import importlib

        return getattr(importlib.import_module(module), name)(plugin_input)
    return run


MODES: dict[str, Callable[[PluginInput], Any]] = {
    "sync_all": sync_all,
    "sync_all_force": lambda plugin_input: sync_all(plugin_input, force=True),
    "sync_recent": sync_recent,
    "process_queue": process_queue,
    "queue_status": _lazy("worker.status", "status_report"),
    "dlq_retry": _lazy("worker.maintenance", "dlq_retry"),
    "dlq_purge": _lazy("worker.maintenance", "dlq_purge"),
    "clear_queue": _lazy("worker.maintenance", "clear_queue"),
    "reconcile": _lazy("worker.review", "reconcile"),
    "preview": _lazy("worker.review", "preview"),
    "health_check": _lazy("worker.health_check", "health_check"),
}
