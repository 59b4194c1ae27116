"""Stash did not answer as expected; the message is safe to log (no credentials in it)."""


class StashError(RuntimeError):
    pass


class ImageUnavailable(RuntimeError):
    """One picture could not be had from Stash: that scene's failure, never an outage."""
