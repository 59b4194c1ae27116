"""What a PlexSync run works with, built for real in this one place: the settings, the data
folder's stores, a Stash port and a Plex port (worker/ports.py).

Not a service locator: a run opens its services here and hands each function the parts it uses.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from plex.client import PlexClient
from stash import log
from stash.client import StashClient
from stash.protocol import Connection
from sync.state import SyncState
from sync_queue import db, layout, notices
from sync_queue.datadir import resolve_data_dir
from sync_queue.dead_letters import DeadLetters
from sync_queue.health import HealthStore
from sync_queue.index_cache import IndexCache
from sync_queue.jobs import JobQueue
from sync_queue.storage import JobStorage
from validation.config import BOOLEAN_SETTINGS, PlexSyncConfig
from worker.ports import Notify, PlexPort, StashPort


@dataclass
class Stores:
    """The data folder's stores one run uses. state, health and index_cache are tables of
    plexsync.db and share one connection (state_db), which the stores do not close."""

    queue: JobStorage
    dead: DeadLetters
    state_db: sqlite3.Connection
    state: SyncState
    health: HealthStore
    index_cache: IndexCache

    def close(self) -> None:
        for store in (self.queue, self.dead, self.state_db):
            store.close()


@dataclass
class Services:
    config: PlexSyncConfig
    data_dir: Path
    stores: Stores
    stash: StashPort
    plex: PlexPort
    notify: Notify

    def close(self) -> None:
        self.stores.close()


def open_stores(data_dir: Path) -> Stores:
    state_db = db.connect(data_dir / layout.STATE_DB)  # once per process, for all three
    return Stores(JobQueue(str(data_dir)), DeadLetters(str(data_dir)), state_db,
                  SyncState(state_db), HealthStore(state_db), IndexCache(state_db))


def stash_port(connection: Connection) -> StashClient:
    return StashClient(connection)


def plex_port(config: PlexSyncConfig, data_dir: Path) -> PlexClient:
    return PlexClient(config, data_dir)


def notifier(data_dir: Path, detached: bool) -> Notify:
    """Stash's log; the detached worker's log reaches no one, so its messages also go to the
    notices the next hook or task relays."""
    def notify(level: str, message: str) -> None:
        {"error": log.error, "warning": log.warning}.get(level, log.info)(message)
        if detached:
            notices.post(data_dir, level, message)
    return notify


def load_config(stash: StashClient) -> PlexSyncConfig:
    settings = stash.settings_at_start
    log.register_secret(settings.get("plex_token") if isinstance(settings, dict) else None)
    _write_back_defaults(stash, settings)
    config = PlexSyncConfig.from_settings(settings)
    log.register_secret(config.plex_token)
    config.log_config()  # at debug level, token redacted: what this run works with
    return config


def _write_back_defaults(stash: StashClient, settings: dict[str, Any]) -> None:
    """Stash shows a never-saved BOOLEAN as off: save the real defaults so the page tells the
    truth. configurePlugin replaces the whole map, so the user's values are merged in."""
    if not isinstance(settings, dict):
        return
    # Only never-saved ones: a value the user saved, even an invalid one, is theirs to fix.
    missing = {name: PlexSyncConfig.model_fields[name].default for name in BOOLEAN_SETTINGS
               if settings.get(name) is None}
    if not missing:
        return
    try:
        stash.save_plugin_settings({**settings, **missing})
        log.info(f"saved PlexSync's defaults for {', '.join(sorted(missing))} so the settings "
                 "page shows them")
    except Exception as exc:  # cosmetic: the defaults apply in code either way
        log.debug(f"could not save default settings: {exc}")


def open_services(connection: Connection, *, detached: bool = False) -> Services:
    stash = stash_port(connection)
    config = load_config(stash)
    data_dir = resolve_data_dir(config.data_dir, connection.config_dir)
    if not detached:  # a task runs in Stash: show what the background worker could not
        notices.relay(data_dir)
    stores = open_stores(data_dir)
    return Services(config, data_dir, stores, stash, plex_port(config, data_dir),
                    notifier(data_dir, detached))
