"""What Stash may ask PlexSync to do, by mode: one registry, each mode naming the function that
runs it. The tasks of Settings > Tasks (plexsync.yml), and the operations Stash's web UI runs
through runPluginOperation (ui/*.js), which answer at once with structured JSON; long runs
(Sync All and the others) stay tasks, started by the page so that Stash shows their progress.

A mode's module is imported only when it runs, so an unknown mode is refused before any heavy
import or network call.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

from stash import log
from stash.errors import StashError
from stash.protocol import PluginInput, UserError

TASKS = {
    "sync_all": "tasks.sync:sync_all",
    "sync_all_force": "tasks.sync:sync_all_force",
    "sync_recent": "tasks.sync:sync_recent",
    "process_queue": "tasks.sync:process_queue",
    "reconcile": "tasks.compare:reconcile",
    "preview": "tasks.compare:preview",
    "queue_status": "tasks.status:status_report",
    "health_check": "tasks.health_check:health_check",
    "dlq_retry": "tasks.housekeeping:dlq_retry",
    "dlq_purge": "tasks.housekeeping:dlq_purge",
    "clear_queue": "tasks.housekeeping:clear_queue",
}
OPERATIONS = {
    "scene_status": "tasks.scene_status:scene_status",
    "scene_preview": "tasks.scene_status:scene_preview",
    "scene_sync": "tasks.scene_sync:scene_sync",
    "status_page": "tasks.status_page:status_page",
    "dead_letters_retry": "tasks.dead_letter_groups:retry",
    "dead_letters_purge": "tasks.dead_letter_groups:purge",
}
MODES = {**TASKS, **OPERATIONS}


def run_task(plugin_input: PluginInput) -> Any:
    mode = plugin_input.mode or ""
    if mode not in MODES:
        known = ", ".join(sorted(MODES))
        raise UserError(f"unknown task mode {mode!r} (known: {known})")
    module, _, name = MODES[mode].partition(":")
    task = getattr(importlib.import_module(module), name)
    try:
        answer = task(plugin_input)
    except StashError as exc:  # its message is meant for the user and safe to show
        raise UserError(str(exc)) from None
    if mode in OPERATIONS:
        # An operation's answer reaches the browser: every secret PlexSync registered is
        # masked in it, as in every log line (stash/log.py).
        return json.loads(log.redact(json.dumps(answer)))
    return answer
