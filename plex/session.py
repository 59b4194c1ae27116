"""Connecting to Plex: a stable client identity, a timeout on every request, no stray config.

plexapi reads its settings from the environment once, at import, so they are set first.
"""

from __future__ import annotations

import ipaddress
import os
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from sync_queue import layout
from validation.config import ANY_CERTIFICATE, PlexSyncConfig

PRODUCT = "PlexSync"


def client_identifier(data_dir: Path) -> str:
    """Kept in the data folder: a changing identifier shows up in Plex as a new device."""
    path = data_dir / layout.CLIENT_ID
    try:
        value = path.read_text().strip()
        if value:
            return value
    except FileNotFoundError:
        pass
    value = f"plexsync-{uuid.uuid4().hex}"
    path.write_text(value)
    return value


def _is_local(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _prepare_plexapi(config: PlexSyncConfig, data_dir: Path) -> None:
    identifier = client_identifier(data_dir)
    os.environ["PLEXAPI_CONFIG_PATH"] = str(data_dir / layout.PLEXAPI_INI)  # a user's own stays out
    os.environ["PLEXAPI_HEADER_IDENTIFIER"] = identifier
    os.environ["PLEXAPI_HEADER_PRODUCT"] = PRODUCT
    os.environ["PLEXAPI_HEADER_DEVICE_NAME"] = PRODUCT
    # Reading an empty attribute of a partial object would silently cost a GET.
    os.environ["PLEXAPI_PLEXAPI_AUTORELOAD"] = "false"
    os.environ["PLEXAPI_PLEXAPI_TIMEOUT"] = str(config.plex_timeout)
    import plexapi

    # Already imported (the settings above came too late): change the shared dict in place.
    plexapi.BASE_HEADERS["X-Plex-Client-Identifier"] = identifier
    plexapi.BASE_HEADERS["X-Plex-Product"] = PRODUCT
    plexapi.BASE_HEADERS["X-Plex-Device-Name"] = PRODUCT


def _verify(config: PlexSyncConfig) -> str | bool | None:
    """What requests checks Plex's certificate against; None: requests' own default."""
    if config.plex_certificate is None:
        return None
    return False if config.plex_certificate == ANY_CERTIFICATE else config.plex_certificate


class PlexSession(requests.Session):
    """requests' session, but plex_certificate decides what the certificate is checked against
    even where REQUESTS_CA_BUNDLE from the environment would otherwise override it."""

    pinned: str | bool | None = None

    def merge_environment_settings(self, *args: Any, **kwargs: Any) -> Any:
        merged = super().merge_environment_settings(*args, **kwargs)
        if self.pinned is not None:
            merged["verify"] = self.pinned
        return merged


def session(config: PlexSyncConfig, data_dir: Path) -> PlexSession:
    """The HTTP session every Plex request goes through; sends nothing yet."""
    _prepare_plexapi(config, data_dir)
    from requests.adapters import HTTPAdapter

    http = PlexSession()
    # A proxy from the environment must not sit between PlexSync and a Plex on this machine.
    http.trust_env = not _is_local(config.plex_url)
    http.pinned = _verify(config)
    if http.pinned is not None:
        http.verify = http.pinned
    if http.pinned is False:
        import urllib3

        # The user chose this (plex_certificate = any); a warning per request would flood the log.
        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    adapter = HTTPAdapter(pool_connections=2, pool_maxsize=config.plex_concurrency + 2)
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    return http


def server(config: PlexSyncConfig, http: Any) -> Any:
    """plexapi's PlexServer; connecting sends `GET /` with the token."""
    from plexapi.server import PlexServer

    return PlexServer(config.plex_url, config.plex_token, session=http,
                      timeout=config.plex_timeout)
