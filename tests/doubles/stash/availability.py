"""Whether UI mode can run here: it reads Stash's full schema and built web UI from ../shared
at run time (AGPL data, never copied into the project). Tests skip with these reasons."""

from __future__ import annotations

from .full_schema import SCHEMA_MISSING, real_schema
from .ui_files import UI_MISSING, ui_available


def ui_mode_missing(need_web_ui: bool = True) -> str | None:
    """Why UI mode cannot run, or None. need_web_ui=False: the full-schema GraphQL suffices."""
    if real_schema() is None:
        return SCHEMA_MISSING
    if need_web_ui and not ui_available():
        return UI_MISSING
    return None
