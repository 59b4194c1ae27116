"""The Plex path index a drain matches against, kept up to date one section at a time.

The index lives in plexsync.db (sync_queue/index_cache.py), so a freshly started process lists
nothing until it needs to. Which sections to ask, and how much of each, is decided by
sync/index_refresh.py; this module makes the requests. A process looks at the sections when it
first needs the index (a section Plex scanned since is asked what it added); a scene not found
makes every section be asked again, at most once per pass; an item Plex answers 404 for loses
only its own rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from plex.sections import Section, holding
from stash import log
from sync.index_refresh import (
    Held,
    How,
    filter_ignored,
    how_to_refresh,
    last_look_due,
    newest,
    since,
    trusted,
)
from sync.paths import folder, to_plex
from sync_queue.index_cache import IndexCache
from validation.scene import Scene
from worker.ports import PlexPort


class Index:
    def __init__(self, plex: PlexPort, store: IndexCache,
                 clock: Callable[[], float] = time.time) -> None:
        self._plex = plex
        self._store = store
        self._clock = clock
        self._looked = False  # the sections were looked at in this process
        self._refreshed = False  # a miss asked every section in this pass
        self._told_ignored = False

    def current(self) -> IndexCache:
        if not self._looked:
            self._update(missed=False)
        return self._store

    def refresh(self) -> IndexCache | None:
        """A scene was not found: every section is asked what it added, once per pass; None
        when this pass already did."""
        if self._refreshed:
            return None
        self._refreshed = True
        self._update(missed=True)
        return self._store

    def relist(self) -> IndexCache:
        """Every section listed in full: a person asked to be sure (Health Check, Reconcile)."""
        sections, server = self._sections()
        for section in sections:
            self._full(section, server)
        self._looked = True
        return self._store

    def look_up(self, rating_keys: list[str]) -> None:
        """The items scenes' records name, as Plex holds them now: a file renamed or moved and
        picked up on the same item keeps its addedAt, which no delta sees."""
        found = self._plex.item_parts(rating_keys)
        chosen = {section.key for section in self._plex.sections()}
        kept = [item for item in found.values() if item.section_id in chosen]
        self._store.forget(key for key in rating_keys if key not in found)
        self._store.put(kept, self._store.stamp())

    def last_look(self, plex_paths: Iterable[str]) -> bool:
        """Before scenes are parked as not found: the sections whose folders hold their files
        listed in full, each at most once an hour. True when one was."""
        sections, server = self._sections()
        listed = False
        for section in {s for path in plex_paths if (s := holding(sections, path))}:
            if last_look_due(self._store.held(section.key), self._clock()):
                log.info(f"listing Plex library {section.title} in full before giving up on "
                         "a scene not found there")
                self._full(section, server)
                listed = True
        return listed

    def forget(self, rating_keys: list[str]) -> None:
        """Plex answered 404 for these items: their rows go, and a miss may ask Plex again."""
        self._store.forget(rating_keys)
        self._refreshed = False

    def stale(self) -> None:
        """A matched item disappeared while being written: a miss may ask Plex again."""
        self._refreshed = False

    def new_pass(self) -> None:
        """Jobs due after a pause: a scene looked for in vain before may be in Plex by now (a
        retry, a scan PlexSync asked for), so a miss may ask Plex again."""
        self._refreshed = False

    def _sections(self) -> tuple[list[Section], str]:
        sections = self._plex.sections(refresh=True)
        self._store.keep_only(section.key for section in sections)
        return sections, self._plex.machine_identifier()

    def _update(self, missed: bool) -> None:
        sections, server = self._sections()
        for section in sections:
            held = self._store.held(section.key)
            how = how_to_refresh(held, server_id=server, locations=section.locations,
                                 scanned_at=section.scanned_at, now=self._clock(),
                                 missed=missed)
            if how is How.FULL or held is None:
                self._full(section, server)
            elif how is How.DELTA:
                self._delta(section, server, held)
        self._looked = True

    def _full(self, section: Section, server: str) -> None:
        started, cursor, items = self._store.stamp(), None, 0
        for page in self._plex.listing(section):
            self._store.put(page, started, whole=True)
            cursor, items = newest(cursor, page), items + len(page)
        self._store.finish_full(section.key, started, Held(
            server, section.locations, section.scanned_at, cursor, self._clock()))
        log.debug(f"listed Plex library {section.title} in full: {items} items")

    def _delta(self, section: Section, server: str, held: Held) -> None:
        asked, started = since(held.cursor), self._store.stamp()
        cursor, whole, items = held.cursor, False, 0
        for page in self._plex.listing(section, asked):
            whole = whole or filter_ignored(asked, page)
            self._store.put(page, started)
            cursor, items = newest(cursor, page), items + len(page)
        if whole:  # Plex answered the whole section: as good as a full listing
            self._tell_ignored()
            self._store.finish_full(section.key, started, Held(
                server, section.locations, section.scanned_at, cursor, self._clock()))
            return
        plex_count, held_items = self._plex.count(section), self._store.items(section.key)
        if trusted(plex_count, held_items):
            self._store.note(section.key, held._replace(scanned_at=section.scanned_at,
                                                        cursor=cursor))
            log.debug(f"Plex library {section.title}: {items} item(s) listed as added since "
                      f"{asked}, {plex_count} in all")
            return
        log.info(f"Plex library {section.title} holds {plex_count} items, PlexSync's index "
                 f"{held_items}: listing it in full")
        self._full(section, server)

    def _tell_ignored(self) -> None:
        if not self._told_ignored:
            self._told_ignored = True
            log.info("this Plex server ignores the addedAt filter, so PlexSync lists a whole "
                     "library each time Plex scans it")


def ask_scan(plex: PlexPort, scene: Scene, path_map: list[tuple[str, str]]) -> None:
    """Ask Plex to scan the folder of a scene Stash just created (trigger_plex_scan)."""
    if not scene.files:
        return
    target = folder(to_plex(scene.files[0].path, path_map))
    try:
        if plex.scan(target):
            log.info(f"asked Plex to scan {target} for new scene {scene.id}")
    except Exception as exc:  # a scan is a courtesy: the retry schedule still applies
        log.warning(f"could not ask Plex to scan {target}: {log.redact(str(exc))}")
