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
        self.edit(kind, object_id, name=name)

    def edit(self, kind: str, object_id: int, **changes: Any) -> None:
        """Edits a performer, studio, tag or group: only that object's updated_at moves, as in
        Stash, so no scene looks changed to an updated_at watermark."""
        table = self._table(kind)
        with self.lock:
            current = self._require(table, object_id, kind)
            table[object_id] = dataclasses.replace(
                current, updated_at=self.clock.now_text(), **changes
            )

    def _table(self, kind: str) -> dict[int, Any]:
        return {"performer": self.performers, "studio": self.studios, "tag": self.tags,
                "group": self.groups}[kind]

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

    def destroy(self, kind: str, object_id: int) -> None:
        """Deletes a performer, studio, tag or group. Its scenes lose it without their
        updated_at moving: Stash drops join rows by foreign key (on delete CASCADE, a studio
        ON DELETE SET NULL; stashapp/stash pkg/sqlite/migrations)."""
        table = self._table(kind)
        with self.lock:
            self._require(table, object_id, kind)
            for scene_id, scene in list(self.scenes.items()):
                self.scenes[scene_id] = dataclasses.replace(scene, **_without(scene, kind,
                                                                              object_id))
            del table[object_id]

    def merge_performers(self, sources: Sequence[int], destination: int) -> None:
        """Stash's performerMerge: join rows move to the destination and the sources go, no
        scene's updated_at moves and no hook fires (pkg/sqlite/performer.go Merge;
        internal/api/resolver_mutation_performer.go PerformerMerge)."""
        with self.lock:
            self._require(self.performers, destination, "performer")
            for scene_id, scene in list(self.scenes.items()):
                moved = (destination if p in sources else p for p in scene.performers)
                self.scenes[scene_id] = dataclasses.replace(
                    scene, performers=tuple(dict.fromkeys(moved)))
            for source in sources:
                del self.performers[source]

    def merge_scenes(self, sources: Sequence[int], destination: int, values: dict) -> None:
        """Stash's sceneMerge: the sources' files move to the destination, which takes the
        merge's values and a new updated_at; the sources are deleted; no hook fires
        (pkg/scene/merge.go; internal/api/resolver_mutation_scene.go SceneMerge)."""
        with self.lock:
            dest = self._require(self.scenes, destination, "scene")
            files = list(dest.files)
            for source in sources:
                files += self._require(self.scenes, source, "scene").files
                del self.scenes[source]
            self.scenes[destination] = dataclasses.replace(
                dest, files=tuple(files), updated_at=self.clock.now_text(),
                **self._normalise(values, previous_files=dest.files))

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


def _without(scene: Scene, kind: str, object_id: int) -> dict[str, Any]:
    """The scene's fields with one object taken out."""
    if kind == "studio":
        return {"studio": None} if scene.studio == object_id else {}
    if kind == "group":
        return {"groups": tuple(g for g in scene.groups if g[0] != object_id)}
    key = {"performer": "performers", "tag": "tags"}[kind]
    return {key: tuple(i for i in getattr(scene, key) if i != object_id)}
