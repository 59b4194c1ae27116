"""UI mode's root: the double's own fields, plus what Stash's web UI needs to start.

Everything else the UI asks falls back to type-correct defaults (full_schema.py).
"""

from __future__ import annotations

import copy
from typing import Any

from graphql import GraphQLResolveInfo

from .resolvers import Root

# App.tsx shows the release notes above every page while ui.lastNoteSeen is older than the
# newest note's date (YYYYMMDD), so "seen" is set beyond any release.
UI_DEFAULTS = {"lastNoteSeen": 99991231}


class UiRoot(Root):
    def __init__(self, *args: Any, ui_config: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._ui_config = ui_config

    def configuration(self, info: GraphQLResolveInfo) -> dict[str, Any]:
        answer = super().configuration(info)
        answer["ui"] = copy.deepcopy(self._ui_config)
        return answer

    def configureUI(self, _info: GraphQLResolveInfo, input: dict | None = None,
                    partial: dict | None = None) -> dict[str, Any]:
        """Stash replaces the UI settings with `input`, then merges `partial` into them,
        nested maps key by key (pkg/utils/map.go MergeMaps)."""
        if input is not None:
            self._ui_config.clear()
            self._ui_config.update(copy.deepcopy(input))
        if partial is not None:
            merge_maps(self._ui_config, copy.deepcopy(partial))
        return copy.deepcopy(self._ui_config)


def merge_maps(dest: dict[str, Any], src: dict[str, Any]) -> None:
    for key, value in src.items():
        if isinstance(value, dict) and isinstance(dest.get(key), dict):
            merge_maps(dest[key], value)
        else:
            dest[key] = value
