"""Everything one PlexSync run works with: settings, stores, the two servers, the path index."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from stash import log
from stash.client import StashClient
from stash.errors import StashError, StashLoginRejected
from stash.protocol import Connection
from sync.breaker import Breaker
from sync.matching import Match, PathIndex, match
from sync.paths import folder, to_plex
from sync.state import SyncState
from sync_queue import db, layout, notices
from sync_queue.datadir import resolve_data_dir
from sync_queue.dead_letters import DeadLetters
from sync_queue.health import HealthStore
from sync_queue.index_cache import IndexCache
from sync_queue.jobs import JobQueue
from sync_queue.storage import JobStorage
from validation.config import BOOLEAN_SETTINGS, PlexSyncConfig
from validation.scene import Scene
from worker.retry import Failure


class Context:
    def __init__(self, config: PlexSyncConfig, data_dir: Path, stash: Any) -> None:
        self.config = config
        self.data_dir = data_dir
        self.stash = stash
        self.queue: JobStorage = JobQueue(str(data_dir))
        self.dead = DeadLetters(str(data_dir))
        # One connection for the stores that share plexsync.db.
        self._state_db = db.connect(data_dir / layout.STATE_DB)
        self.state = SyncState(self._state_db)
        self.health = HealthStore(self._state_db)
        self.breaker: Breaker = self.health.breaker()
        self.detached = False  # the background drainer: messages also go to notices
        self._plex: Any = None
        self._index: PathIndex | None = None
        self._refreshed = False

    @property
    def plex(self) -> Any:
        if self._plex is None:
            from plex.client import PlexClient

            self._plex = PlexClient(self.config, self.data_dir, IndexCache(self._state_db))
        return self._plex

    # -- matching ------------------------------------------------------------------------
    def index(self) -> PathIndex:
        if self._index is None:
            self._index = self.plex.index(force=self._refreshed)
        return self._index

    def refresh_index(self) -> PathIndex | None:
        """Rebuild the index at most once per drain: a miss is usually a file Plex lacks."""
        if self._refreshed:
            return None
        self._refreshed = True
        self._index = self.plex.index(force=True)
        return self._index

    def invalidate_index(self) -> None:
        self._index = None
        self._refreshed = False
        self.plex.forget_index()

    def new_drain(self) -> None:
        self._refreshed = False

    def match(self, scene: Scene, index: PathIndex) -> Match:
        return match(scene.files, self.config.path_map, index)

    def scan_for(self, scene: Scene) -> None:
        """Ask Plex to scan the folder of a scene Stash just created (trigger_plex_scan)."""
        if not self.config.trigger_plex_scan or not scene.files:
            return
        target = folder(to_plex(scene.files[0].path, self.config.path_map))
        try:
            if self.plex.scan(target):
                log.info(f"asked Plex to scan {target} for new scene {scene.id}")
        except Exception as exc:  # a scan is a courtesy: the retry schedule still applies
            log.warning(f"could not ask Plex to scan {target}: {log.redact(str(exc))}")

    def keep_stash_login(self, now: float) -> None:
        """Waiting for Plex or for retries makes no Stash request; the login must not lapse
        meanwhile. Stash away is the next batch's business; a refused login ends the drain."""
        try:
            self.stash.keep_login(now)
        except StashLoginRejected:
            raise
        except StashError as exc:
            log.debug(f"could not renew the Stash login: {exc}")

    # -- health --------------------------------------------------------------------------
    def breaker_success(self) -> None:
        if self.breaker.state != "closed" or self.breaker.failures:
            self.breaker = self.breaker.success()
            self.health.save(self.breaker, None)

    def breaker_failure(self, failure: Failure, trip: bool = False) -> None:
        """An outage failure; trip: open the breaker at once (the run's first look at Plex)."""
        was_open = self.breaker.state == "open"
        now = time.time()
        self.breaker = self.breaker.trip(now) if trip else self.breaker.failure(now)
        self.health.save(self.breaker, failure.message)
        if self.breaker.state == "open" and not was_open:
            self.notify("warning", f"{failure.message}; pausing the sync until Plex answers "
                        "again. Queued changes are kept.")

    def notify(self, level: str, message: str) -> None:
        """A message the user must see in Stash's log, even from the detached drainer."""
        {"error": log.error, "warning": log.warning}.get(level, log.info)(message)
        if self.detached:
            notices.post(self.data_dir, level, message)

    def close(self) -> None:
        for store in (self.queue, self.dead, self._state_db):
            store.close()


def load_config(stash: Any) -> PlexSyncConfig:
    settings = stash.plugin_settings()
    log.register_secret(settings.get("plex_token") if isinstance(settings, dict) else None)
    _write_back_defaults(stash, settings)
    config = PlexSyncConfig.from_settings(settings)
    log.register_secret(config.plex_token)
    config.log_config()  # at debug level, token redacted: what this run works with
    return config


def _write_back_defaults(stash: Any, settings: dict[str, Any]) -> None:
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


def open_context(connection: Connection, *, detached: bool = False) -> Context:
    stash = StashClient(connection)
    config = load_config(stash)
    data_dir = resolve_data_dir(config.data_dir, connection.config_dir)
    ctx = Context(config, data_dir, stash)
    ctx.detached = detached
    if not detached:  # a task runs in Stash: show what the background worker could not
        notices.relay(data_dir)
    return ctx
