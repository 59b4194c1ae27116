"""Throw-away prototypes of proposed changes, patched into the plugin process (`./dev bench sync
--prototype NAME`, through bench/profiled.py) or into THIS process by bench/costs.py
(`--prototype NAME`), to measure what a change would save before anyone builds it properly.

Never imported by the plugin; not a design to copy: error handling is only what the bench's
happy path needs. Issue 15's lean-plex and lean-stash prototypes were built for real
(plex/http.py, stash/images.py, stash/pooled.py) and are gone from here.
"""

from __future__ import annotations

from collections.abc import Callable

Undo = Callable[[], None]

PROTOTYPES: dict[str, Callable[[], Undo]] = {}
