"""Stash tasks (Settings > Tasks): one registry, each mode naming the function that runs it.

A task's module is imported only when the task runs, so an unknown mode is refused before any
heavy import or network call.
"""

from __future__ import annotations

import importlib
from typing import Any

from stash.errors import StashError
from stash.protocol import PluginInput, UserError

MODES = {
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


def run_task(plugin_input: PluginInput) -> Any:
    mode = plugin_input.mode or ""
    if mode not in MODES:
        known = ", ".join(sorted(MODES))
        raise UserError(f"unknown task mode {mode!r} (known: {known})")
    module, _, name = MODES[mode].partition(":")
    task = getattr(importlib.import_module(module), name)
    try:
        return task(plugin_input)
    except StashError as exc:  # its message is meant for the user and safe to show
        raise UserError(str(exc)) from None
