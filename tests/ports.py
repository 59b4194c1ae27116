"""In-memory Stash and Plex ports (worker/ports.py) for running a batch or a drain in-process, in
the spirit of huey's immediate mode: the real loop, batch, stores and queue on a temporary data
folder, with Stash and Plex replaced by plain data that a test sets up and then reads back.

Failures are raised as the real adapters raise them (requests, plexapi, stash/errors.py), so the
real classification (worker/outage.py) decides what each one means.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from plex.sections import Section
from stash.client import SceneFetch
from sync.edit import UNSET, Edit
from sync.index_refresh import ListedItem
from sync.item import PlexItem
from sync.matching import IndexEntry
from validation.config import PlexSyncConfig
from worker.services import Services, open_stores

SECTION = Section(1, "Scenes", "movie", ("/data",), "1")
COVER = b"\x89PNG a cover"


def scene(scene_id: int, path: str, *, title: str = "From Stash", size: int | None = 10,
          updated_at: str = "2026-01-01T00:00:00Z", **fields: Any) -> dict[str, Any]:
    """A scene as Stash's GraphQL answers it (stash/queries.py SCENE_FIELDS)."""
    return {"id": str(scene_id), "title": title, "updated_at": updated_at,
            "files": [{"path": path, "size": size}],
            "paths": {"screenshot": f"http://stash.invalid/scene/{scene_id}/screenshot?t=1"},
            **fields}


class MemoryStash:
    def __init__(self) -> None:
        self.scenes: dict[int, dict[str, Any]] = {}
        self.broken: dict[int, str] = {}  # scenes Stash fails on, with its message
        self.covers: dict[str, bytes | None] = {}  # URL -> bytes; None: Stash's placeholder
        self.failure: Exception | None = None  # raised by every scene query
        self.image_failure: Exception | None = None
        self.silent_since: float | None = None

    def add(self, raw: dict[str, Any]) -> int:
        self.scenes[int(raw["id"])] = raw
        return int(raw["id"])

    def scenes_by_id(self, ids: list[int]) -> SceneFetch:
        if self.failure is not None:
            raise self.failure
        return SceneFetch({i: self.scenes[i] for i in ids if i in self.scenes},
                          {i: self.broken[i] for i in ids if i in self.broken})

    def image(self, url: str) -> bytes | None:
        if self.image_failure is not None:
            raise self.image_failure
        return self.covers.get(url, COVER)

    def keep_login(self, now: float) -> None:
        return None

    def scene_versions(self, scene_filter: dict[str, Any] | None = None
                       ) -> Iterator[list[tuple[int, str]]]:
        yield [(i, raw["updated_at"]) for i, raw in sorted(self.scenes.items())]

    def latest_update(self) -> str | None:
        return max((raw["updated_at"] for raw in self.scenes.values()), default=None)

    def iter_scenes(self, page_size: int = 1000) -> Iterator[dict[str, Any]]:
        yield from (self.scenes[i] for i in sorted(self.scenes))


class MemoryPlex:
    def __init__(self) -> None:
        self.items: dict[str, PlexItem] = {}
        self.sizes: dict[str, int | None] = {}  # file -> size, as a listing reports it
        self.failure: Exception | None = None  # raised by every request
        self.check_failure: Exception | None = None  # raised by the run's first look only
        self.edit_failure: Exception | None = None
        self.edits: list[Edit] = []
        self.uploads: list[tuple[str, str]] = []
        self.scans: list[str] = []
        # Listing requests by what they asked (full, delta, count), as the Plex double counts.
        self.listings: Counter[str] = Counter()
        self.added: dict[str, int] = {}  # rating key -> addedAt: one a second, as added
        self._clock = itertools.count(1_000_000)
        self._lock = threading.Lock()

    def add(self, rating_key: str, *files: str, size: int | None = 10, **fields: str) -> str:
        self.items[rating_key] = PlexItem(rating_key, SECTION.key, {"title": "", **fields}, {},
                                          [], frozenset(), list(files))
        self.sizes.update(dict.fromkeys(files, size))
        self.added[rating_key] = next(self._clock) * 100  # far apart: no delta overlap
        return rating_key

    def title(self, rating_key: str) -> str:
        return self.items[rating_key].fields.get("title", "")

    def _answer(self) -> None:
        if self.failure is not None:
            raise self.failure

    def check(self) -> str:
        self._answer()
        if self.check_failure is not None:
            raise self.check_failure
        return "1.40.0"

    def sections(self, refresh: bool = False) -> list[Section]:
        self._answer()
        return [SECTION]

    def listing(self, section: Section, since: int | None = None
                ) -> Iterator[list[ListedItem]]:
        self._answer()
        self.listings["full" if since is None else "delta"] += 1
        yield [self._listed(key) for key in self.items
               if since is None or self.added[key] > since]

    def count(self, section: Section) -> int:
        self._answer()
        self.listings["count"] += 1
        return len(self.items)

    def item_parts(self, rating_keys: list[str]) -> dict[str, ListedItem]:
        self._answer()
        return {key: self._listed(key) for key in rating_keys if key in self.items}

    def _listed(self, key: str) -> ListedItem:
        item = self.items[key]
        return ListedItem(key, item.section_id, self.added[key], tuple(
            IndexEntry(key, item.section_id, file, self.sizes.get(file)) for file in item.files))

    def fetch_items(self, rating_keys: list[str]) -> dict[str, PlexItem | Exception]:
        self._answer()
        return {key: self.items[key] for key in rating_keys if key in self.items}

    def edit(self, edit: Edit) -> list[str]:
        self._answer()
        if self.edit_failure is not None:
            raise self.edit_failure
        with self._lock:
            self.edits.append(edit)
            item = self.items[edit.rating_key]
            locked = {name for name, on in edit.locks.items() if on}
            self.items[edit.rating_key] = dataclasses.replace(
                item, fields={**item.fields, **edit.fields}, tags={**item.tags, **edit.tags},
                actors=item.actors if edit.actors is None else edit.actors,
                locked=frozenset(item.locked | locked))
        return []

    def rate(self, rating_key: str, rating: float | None) -> None:
        self._answer()
        item = self.items[rating_key]
        value = "" if rating is None or rating is UNSET else str(rating)
        self.items[rating_key] = dataclasses.replace(
            item, fields={**item.fields, "userRating": value})

    def upload(self, rating_key: str, kind: str, data: bytes) -> None:
        self._answer()
        with self._lock:
            self.uploads.append((rating_key, kind))

    def scan(self, plex_folder: str) -> bool:
        self._answer()
        self.scans.append(plex_folder)
        return True

    def identify(self) -> str:
        return self.check()

    def can_edit(self) -> bool:
        return True

    def machine_identifier(self) -> str:
        return "ab" * 20


class Notices(list):
    """What the user was told: (level, message)."""

    def __call__(self, level: str, message: str) -> None:
        self.append((level, message))


def open_memory_services(data_dir: Path, stash: MemoryStash, plex: MemoryPlex,
                         **settings: Any) -> Services:
    """Real stores on `data_dir`, the in-memory ports, and these settings."""
    config = PlexSyncConfig(plex_url="http://plex.invalid:32400", plex_token="token",
                            **settings)
    data_dir.mkdir(parents=True, exist_ok=True)
    return Services(config, data_dir, open_stores(data_dir), stash, plex, Notices())
