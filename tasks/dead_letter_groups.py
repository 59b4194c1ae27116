"""Retry and Purge for one group of dead letters (one reason), from the PlexSync page.

Like the Retry and Purge Dead Letters tasks (tasks/housekeeping.py) they need Stash only for the
data folder, not Plex: they work while Plex is down or not set up yet. Without a reason they act
on every dead letter.
"""

from __future__ import annotations

from typing import Any

from stash import log
from stash.protocol import PluginInput
from sync_queue.dead_letters import DeadLetter, DeadLetters
from tasks.housekeeping import data_dir_of, requeue

_ALL = 1_000_000


def _chosen(dead: DeadLetters, plugin_input: PluginInput) -> list[DeadLetter]:
    reason = plugin_input.args.get("reason")
    return [x for x in dead.list(limit=_ALL) if not reason or x.error_class == reason]


def retry(plugin_input: PluginInput) -> dict[str, Any]:
    moved, left, message = requeue(plugin_input, lambda dead, queue: sum(
        dead.retry(letter.id, queue) for letter in _chosen(dead, plugin_input)))
    return {"moved": moved, "left": left, "message": message}


def purge(plugin_input: PluginInput) -> dict[str, Any]:
    dead = DeadLetters(str(data_dir_of(plugin_input)))
    try:
        purged = sum(dead.discard(letter.scene_id) for letter in _chosen(dead, plugin_input))
        left = dead.count()
    finally:
        dead.close()
    message = f"purged {purged} dead letter(s)"
    log.info(message)
    return {"purged": purged, "left": left, "message": message}
