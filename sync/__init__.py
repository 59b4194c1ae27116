"""Sync decisions and their state: what to write to Plex, and what was written."""

from sync.state import SyncState

__all__ = ["SyncState"]
