"""The double's library: studios, performers, tags, groups and scenes, thread-safe.

Every write takes the lock and replaces a record; readers that need several records to agree
(a whole GraphQL request) hold `store.lock` for the duration.
"""

from __future__ import annotations

import dataclasses
import itertools
import threading
from collections.abc import Iterable, Sequence
from typing import Any

from .clock import StashClock
from .records import Group, Performer, Scene, Studio, Tag, VideoFile

DEFAULT_DURATION = 60.0
SCENE_FIELDS = frozenset(
    {"title", "details", "date", "rating100", "organized", "studio", "performers", "tags",
     "groups", "files", "urls", "code", "director", "cover"}
)


class Store:
    def __init__(self, clock: StashClock) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.studios: dict[int, Studio] = {}
        self.performers: dict[int, Performer] = {}
        self.tags: dict[int, Tag] = {}
        self.groups: dict[int, Group] = {}
        self.scenes: dict[int, Scene] = {}
        self._ids = {kind: itertools.count(1) for kind in
                     ("studio", "performer", "tag", "group", "scene", "file")}

    # --- objects other than scenes ---------------------------------------------

    def add_studio(self, name: str, parent: int | None, image: bytes | None) -> int:
        with self.lock:
            if parent is not None:
                self._require(self.studios, parent, "studio")
            studio = Studio(next(self._ids["studio"]), name, parent, image, self.clock.now_text())
            self.studios[studio.id] = studio
            return studio.id

    def add_performer(self, name: str, image: bytes | None, disambiguation: str | None) -> int:
        with self.lock:
            performer = Performer(next(self._ids["performer"]), name, disambiguation, image,
                                  self.clock.now_text())
            self.performers[performer.id] = performer
            return performer.id

    def add_tag(self, name: str) -> int:
        with self.lock:
            tag = Tag(next(self._ids["tag"]), name, self.clock.now_text())
            self.tags[tag.id] = tag
            return tag.id

    def add_group(self, name: str, image: bytes | None) -> int:
        with self.lock:
            group = Group(next(self._ids["group"]), name, image, self.clock.now_text())
            self.groups[group.id] = group
            return group.id

    def rename(self, kind: str, object_id: int, name: str) -> None:
        """Renames a performer, studio or tag: only that object's updated_at moves, as in
        Stash, so no scene looks changed to an updated_at watermark."""
        table = {"performer": self.performers, "studio": self.studios, "tag": self.tags}[kind]
        with self.lock:
            current = self._require(table, object_id, kind)
            table[object_id] = dataclasses.replace(
                current, name=name, updated_at=self.clock.now_text()
            )

    # --- scenes ---------------------------------------------------------------------

    def add_scene(self, fields: dict) -> int:
        with self.lock:
            now = self.clock.now_text()
            values = {"title": None, "details": None, "date": None, "rating100": None,
                      "organized": False, "studio": None, "performers": (), "tags": (),
                      "groups": (), "files": (), "urls": (), "code": None, "director": None,
                      "cover": None}
            values.update(self._normalise(fields, previous_files=()))
            scene = Scene(id=next(self._ids["scene"]), created_at=now, updated_at=now, **values)
            self.scenes[scene.id] = scene
            return scene.id

    def update_scene(self, scene_id: int, changes: dict) -> None:
        """A user edit: applies the changes and stamps updated_at with the clock's second."""
        with self.lock:
            current = self._require(self.scenes, scene_id, "scene")
            values = self._normalise(changes, previous_files=current.files)
            self.scenes[scene_id] = dataclasses.replace(
                current, updated_at=self.clock.now_text(), **values
            )

    def delete_scene(self, scene_id: int) -> None:
        with self.lock:
            self._require(self.scenes, scene_id, "scene")
            del self.scenes[scene_id]

    def _normalise(self, fields: dict, previous_files: Sequence[VideoFile]) -> dict:
        unknown = set(fields) - SCENE_FIELDS
        if unknown:
            raise TypeError(f"unknown scene fields: {sorted(unknown)}")
        values = dict(fields)
        if values.get("studio") is not None:
            self._require(self.studios, values["studio"], "studio")
        for key, table, kind in (("performers", self.performers, "performer"),
                                 ("tags", self.tags, "tag")):
            if key in values:
                values[key] = tuple(self._require_all(table, values[key], kind))
        if "groups" in values:
            values["groups"] = tuple((self._require_group(g), index) for g, index in
                                     values["groups"])
        if "urls" in values:
            values["urls"] = tuple(values["urls"])
        if "files" in values:
            values["files"] = tuple(self._files(values["files"], previous_files))
        return values

    def _files(self, specs: Iterable[Sequence], previous: Sequence[VideoFile]) -> list[VideoFile]:
        """Builds file records from (path, size[, duration]); a path the scene already had
        keeps its file id, as a rescan of the same file would."""
        known = {f.path: f.id for f in previous}
        files = []
        for spec in specs:
            path, size = spec[0], spec[1]
            duration = float(spec[2]) if len(spec) > 2 else DEFAULT_DURATION
            file_id = known.get(path) or next(self._ids["file"])
            files.append(VideoFile(file_id, path, int(size), duration))
        return files

    # --- lookups ----------------------------------------------------------------------

    def _require_group(self, group_id: int) -> int:
        self._require(self.groups, group_id, "group")
        return group_id

    def _require_all(self, table: dict[int, Any], ids: Iterable[int], kind: str) -> list[int]:
        return [self._require(table, i, kind).id for i in ids]

    @staticmethod
    def _require(table: dict[int, Any], object_id: int, kind: str) -> Any:
        try:
            return table[object_id]
        except KeyError:
            raise KeyError(f"no {kind} with id {object_id}") from None
