"""What can go wrong with Plex that PlexSync names itself, beyond what plexapi raises."""

from __future__ import annotations

from stash.protocol import UserError

TOKEN_REJECTED = ("Plex rejected the token (401): set plex_token (Settings > Plugins > PlexSync) "
                  "to a valid X-Plex-Token")


class PlexSettingError(UserError):
    """A setting is wrong and nothing will work until it is fixed: a run stops at the first one
    and keeps every job. The message names the setting and says what to do."""


class UnreadableAnswer(Exception):
    """A Plex that identified itself answered one request with a body that is not usable XML
    (cut off, invalid, empty). `scoped`: the request was about particular items, so the failure
    belongs to their scenes; otherwise (sections, listings) to no scene in particular."""

    def __init__(self, what: str, scoped: bool) -> None:
        super().__init__(f"Plex answered {what} with XML that cannot be read (cut off or "
                         "invalid)")
        self.scoped = scoped


def not_plex(url: str, path: str, answer: str) -> PlexSettingError:
    return PlexSettingError(
        f"plex_url {url} does not lead to Plex Media Server: {path} answered {answer}. Set "
        "plex_url to your Plex server's address as PlexSync reaches it, e.g. "
        "http://192.168.1.10:32400")


def read_only_token(status: int) -> PlexSettingError:
    return PlexSettingError(
        f"Plex refused an edit ({status}) although the token can read the libraries: plex_token "
        "belongs to a shared or managed user, who can watch but not edit. Set plex_token to the "
        "server owner's token")
