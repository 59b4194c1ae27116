"""The Plex path index a drain matches against, and the scan that makes a new file known.

The index is kept between runs (sync_queue/index_cache.py) so a freshly started worker need not list
Plex again: trusted while young and while no section was scanned since. A scene not found is
usually a file Plex lacks, so a miss rebuilds it from Plex, at most once per pass.
"""

from __future__ import annotations

from stash import log
from sync.matching import PathIndex
from sync.paths import folder, to_plex
from sync_queue.index_cache import IndexCache
from validation.scene import Scene
from worker.ports import PlexPort


class Index:
    def __init__(self, plex: PlexPort, cache: IndexCache) -> None:
        self._plex = plex
        self._cache = cache
        self._index: PathIndex | None = None
        self._refreshed = False

    def build(self, force: bool = False) -> PathIndex:
        """From the cache when it is still good (unless force), else listed from Plex."""
        sections = self._plex.sections(refresh=True)
        signatures = [section.signature for section in sections]
        if not force:
            cached = self._cache.load(signatures)
            if cached is not None:
                return PathIndex(cached)
        entries = self._plex.listing(sections)
        self._cache.store(signatures, entries)
        return PathIndex(entries)

    def current(self) -> PathIndex:
        if self._index is None:
            self._index = self.build(force=self._refreshed)
        return self._index

    def refresh(self) -> PathIndex | None:
        """Rebuilt from Plex, once per pass; None when this pass already did."""
        if self._refreshed:
            return None
        self._refreshed = True
        self._index = self.build(force=True)
        return self._index

    def invalidate(self) -> None:
        """A matched item disappeared: neither this index nor the cached one holds."""
        self._index = None
        self._refreshed = False
        self._cache.clear()

    def new_pass(self) -> None:
        """Jobs due after a pause: a scene looked for in vain before may be in Plex by now (a
        retry, a scan PlexSync asked for), so a miss may list Plex again."""
        self._refreshed = False


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
