"""Stash did not answer as expected; the message is safe to log (no credentials in it)."""


class StashError(RuntimeError):
    pass


class StashLoginRejected(StashError):
    """Stash answered 401 to the login this run was given: a session cookie lives
    max_session_age after its last use (an hour by default), and an API key can be replaced."""

    def __init__(self) -> None:
        super().__init__("Stash refused PlexSync's login (HTTP 401: the session Stash gave this "
                         "run has expired, or Stash's API key was changed)")


class ImageUnavailable(RuntimeError):
    """One picture could not be had from Stash: that scene's failure, never an outage."""
