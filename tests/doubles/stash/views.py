"""GraphQL output objects: records seen through one request (its base URL, the store).

graphql-core's default resolver reads attributes, so each view exposes schema field names as
attributes; plain scalar fields fall through to the record.
"""

from __future__ import annotations

from typing import Any

from .clock import unix_seconds
from .records import Group, Performer, Scene, Studio, Tag
from .store import Store


def image_url(base_url: str, route: str, updated_at: str, has_image: bool) -> str:
    """Stash's picture URL: `t` busts caches; `default=true` marks the placeholder."""
    url = f"{base_url}/{route}?t={unix_seconds(updated_at)}"
    return url if has_image else url + "&default=true"


class _View:
    def __init__(self, record: Any, store: Store, base_url: str) -> None:
        self._record = record
        self._store = store
        self._base_url = base_url

    def __getattr__(self, name: str) -> Any:
        return getattr(self._record, name)


class StudioView(_View):
    _record: Studio

    @property
    def parent_studio(self) -> StudioView | None:
        parent = self._record.parent
        if parent is None:
            return None
        return StudioView(self._store.studios[parent], self._store, self._base_url)

    @property
    def image_path(self) -> str:
        studio = self._record
        return image_url(self._base_url, f"studio/{studio.id}/image", studio.updated_at,
                         studio.image is not None)


class PerformerView(_View):
    _record: Performer

    @property
    def image_path(self) -> str:
        performer = self._record
        return image_url(self._base_url, f"performer/{performer.id}/image",
                         performer.updated_at, performer.image is not None)


class GroupView(_View):
    _record: Group

    @property
    def front_image_path(self) -> str:
        group = self._record
        return image_url(self._base_url, f"group/{group.id}/frontimage", group.updated_at,
                         group.image is not None)


class SceneView(_View):
    _record: Scene

    @property
    def studio(self) -> StudioView | None:
        studio = self._record.studio
        if studio is None:
            return None
        return StudioView(self._store.studios[studio], self._store, self._base_url)

    @property
    def performers(self) -> list[PerformerView]:
        return [PerformerView(self._store.performers[p], self._store, self._base_url)
                for p in self._record.performers]

    @property
    def tags(self) -> list[Tag]:
        return [self._store.tags[t] for t in self._record.tags]

    @property
    def groups(self) -> list[dict]:
        return [{"group": GroupView(self._store.groups[g], self._store, self._base_url),
                 "scene_index": index}
                for g, index in self._record.groups]

    @property
    def urls(self) -> list[str]:
        return list(self._record.urls)

    @property
    def files(self) -> list:
        return list(self._record.files)

    @property
    def paths(self) -> dict[str, str]:
        scene = self._record
        # Stash builds the screenshot URL even when there is no cover; the route then
        # serves the placeholder SVG, and the URL never carries default=true.
        screenshot = f"{self._base_url}/scene/{scene.id}/screenshot"
        return {"screenshot": f"{screenshot}?t={unix_seconds(scene.updated_at)}",
                "preview": f"{self._base_url}/scene/{scene.id}/preview"}
