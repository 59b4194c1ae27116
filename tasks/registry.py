"""Stash tasks (Settings > Tasks): each mode is one function; unknown modes are refused first."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from stash.errors import StashError
from stash.protocol import PluginInput, UserError

Task = Callable[[PluginInput], Any]


def _registry() -> dict[str, Task]:
    # Imported lazily so an unknown mode is refused before any heavy import or network call.
    from tasks import sync

    return sync.MODES


def run_task(plugin_input: PluginInput) -> Any:
    mode = plugin_input.mode or ""
    modes = _registry()
    if mode not in modes:
        known = ", ".join(sorted(modes))
        raise UserError(f"unknown task mode {mode!r} (known: {known})")
    try:
        return modes[mode](plugin_input)
    except StashError as exc:  # its message is meant for the user and safe to show
        raise UserError(str(exc)) from None
