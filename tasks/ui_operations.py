"""The operations Stash's web UI runs through runPluginOperation (ui/*.js), by mode.

Each answers at once with structured JSON. Health Check, Queue Status and the tasks keep their
own modes (worker/task_modes.py); Sync All and the other long runs stay tasks, started by the
page through runPluginTask so that Stash shows their progress.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable
from typing import Any

from stash import log
from stash.protocol import PluginInput

OPERATIONS = {
    "scene_status": "tasks.scene_status:scene_status",
    "scene_preview": "tasks.scene_status:scene_preview",
    "scene_sync": "tasks.scene_sync:scene_sync",
    "status_page": "tasks.status_page:status_page",
    "dead_letters_retry": "tasks.dead_letter_groups:retry",
    "dead_letters_purge": "tasks.dead_letter_groups:purge",
}


def operation(spec: str) -> Callable[[PluginInput], Any]:
    """Imported when run, like every task; the answer masks any secret PlexSync registered,
    as every log line does (stash/log.py): an answer reaches the browser."""
    module, name = spec.split(":")

    def run(plugin_input: PluginInput) -> Any:
        answer = getattr(importlib.import_module(module), name)(plugin_input)
        return json.loads(log.redact(json.dumps(answer)))
    return run


MODES = {mode: operation(spec) for mode, spec in OPERATIONS.items()}
