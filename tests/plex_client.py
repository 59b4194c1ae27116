"""PlexSync's PlexClient on the Plex double, in the test process: its settings (conftest's `plex`
takes TOKEN), and plexapi's process-wide settings restored afterwards."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import plexapi
import pytest

from plex.client import PlexClient
from tests.doubles.plex import PlexDouble
from validation.config import PlexSyncConfig

TOKEN = "s3cret-plex-token-abc"


PLEXAPI_ENV = (
    "PLEXAPI_CONFIG_PATH", "PLEXAPI_HEADER_IDENTIFIER", "PLEXAPI_HEADER_PRODUCT",
    "PLEXAPI_HEADER_DEVICE_NAME", "PLEXAPI_PLEXAPI_AUTORELOAD", "PLEXAPI_PLEXAPI_TIMEOUT",
)


CLIENT_HEADERS = ("X-Plex-Client-Identifier", "X-Plex-Product", "X-Plex-Device-Name")


def restore_plexapi_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PLEXAPI_ENV:
        # setenv first records the original value (or its absence) for undo at teardown.
        monkeypatch.setenv(name, os.environ.get(name, ""))
        if name == "PLEXAPI_CONFIG_PATH":
            monkeypatch.setenv(name, os.devnull)  # a developer's own config.ini stays out
        else:
            monkeypatch.delenv(name)
    for header in CLIENT_HEADERS:
        monkeypatch.setitem(plexapi.BASE_HEADERS, header, plexapi.BASE_HEADERS[header])


def make_config(url: str, **settings: Any) -> PlexSyncConfig:
    return PlexSyncConfig.from_settings({"plex_url": url, "plex_token": TOKEN, **settings})


def make_client(plex: PlexDouble, data_dir: Path, **settings: Any) -> PlexClient:
    return PlexClient(make_config(plex.url, **settings), data_dir)
