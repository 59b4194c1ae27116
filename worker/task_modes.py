"""The task modes PlexSync offers; filled in by the sync engine."""

from __future__ import annotations

from typing import Any

MODES: dict[str, Any] = {}
