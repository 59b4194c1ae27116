"""A Stash server double that the real stashapi client talks to unmodified."""

from .clock import StashClock
from .images import tiny_png
from .server import StashDouble

__all__ = ["StashClock", "StashDouble", "tiny_png"]
