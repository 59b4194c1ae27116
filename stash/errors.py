"""Stash did not answer as expected; the message is safe to log (no credentials in it)."""


class StashError(RuntimeError):
    pass
