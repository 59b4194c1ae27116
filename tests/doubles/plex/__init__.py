"""A Plex Media Server test double that the real plexapi client talks to over HTTP."""

from .server import PlexDouble

__all__ = ["PlexDouble"]
