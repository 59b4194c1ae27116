"""Connecting the real plexapi client to a double, without a developer's plexapi config.

plexapi reads its config file once, at import, so this module points it at an empty file first.
If plexapi was imported earlier (say by a conftest), set PLEXAPI_CONFIG_PATH there instead.
"""

from __future__ import annotations

import os

os.environ["PLEXAPI_CONFIG_PATH"] = os.devnull

import requests  # noqa: E402
from plexapi.server import PlexServer  # noqa: E402

from .server import PlexDouble  # noqa: E402


def loopback_session() -> requests.Session:
    """A session that ignores HTTP(S)_PROXY: the double is on 127.0.0.1."""
    session = requests.Session()
    session.trust_env = False
    return session


def connect(plex: PlexDouble, token: str | None = None, timeout: float = 30) -> PlexServer:
    """A real PlexServer talking to the double (sends `GET /`)."""
    return PlexServer(plex.url, token or plex.token, session=loopback_session(), timeout=timeout)
