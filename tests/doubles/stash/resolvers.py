"""Root query and mutation fields of the double, answered from the store.

One `Root` serves one request: it knows the request's base URL, which Stash uses to build
image URLs.
"""

from __future__ import annotations

import copy
from typing import Any

from graphql import GraphQLResolveInfo

from .filters import scene_matches
from .find_filter import apply_find_filter
from .plugin_host import PluginHost
from .plugin_resolvers import PluginFields
from .records import Scene, Tag
from .store import Store
from .views import PerformerView, SceneView, StudioView

VERSION = "v0.30.1"  # what `version { version }` answers: `git describe --tags` at build time
BUILD = {"hash": "b23b026", "build_time": "2025-12-18 10:00:00"}
APP_SCHEMA = 75


class Root(PluginFields):
    def __init__(self, store: Store, plugin_settings: dict[str, dict], api_key: str | None,
                 base_url: str, host: PluginHost, version: str = VERSION) -> None:
        self._version = version
        self._store = store
        self._settings = plugin_settings
        self._api_key = api_key
        self._base_url = base_url
        self._host = host

    # --- server -----------------------------------------------------------------------

    def version(self, _info: GraphQLResolveInfo) -> dict[str, str]:
        return {"version": self._version, **BUILD}

    def systemStatus(self, _info: GraphQLResolveInfo) -> dict[str, Any]:
        return {"status": "OK", "appSchema": APP_SCHEMA}

    def configuration(self, _info: GraphQLResolveInfo) -> dict[str, Any]:
        return {"general": {"apiKey": self._api_key or ""}, "plugins": self._plugins}

    def _plugins(self, _info: GraphQLResolveInfo, include: list[str] | None = None) -> dict:
        # Plugins never configured are simply absent, as in Stash's config file.
        chosen = self._settings if include is None else {
            plugin_id: values for plugin_id, values in self._settings.items()
            if plugin_id in include
        }
        return copy.deepcopy(dict(chosen))

    def configurePlugin(self, _info: GraphQLResolveInfo, plugin_id: str,
                        input: dict) -> dict:
        self._settings[plugin_id] = copy.deepcopy(input)
        return copy.deepcopy(input)

    # --- scenes -------------------------------------------------------------------------

    def findScene(self, _info: GraphQLResolveInfo, id: str | None = None):
        scene = self._store.scenes.get(_to_int(id)) if id is not None else None
        return self._scene_view(scene) if scene else None

    def findScenes(self, _info: GraphQLResolveInfo, scene_filter: dict | None = None,
                   scene_ids: list[int] | None = None, ids: list[str] | None = None,
                   filter: dict | None = None) -> dict[str, Any]:
        wanted = [_to_int(i) for i in ids] if ids else list(scene_ids or ())
        if wanted:
            # Stash loads listed ids directly: filters and paging are ignored, order is
            # kept, and one unknown id fails the whole query.
            scenes = [self._scene_by_id(i) for i in wanted]
            return {"count": len(scenes), "scenes": [self._scene_view(s) for s in scenes]}
        parents = {s.id: s.parent for s in self._store.studios.values()}
        matching = [s for s in self._all_scenes() if scene_matches(s, scene_filter, parents)]
        count, page = apply_find_filter(matching, filter)
        return {"count": count, "scenes": [self._scene_view(s) for s in page]}

    # --- other objects --------------------------------------------------------------------

    def findPerformer(self, _info: GraphQLResolveInfo, id: str):
        performer = self._store.performers.get(_to_int(id))
        return PerformerView(performer, self._store, self._base_url) if performer else None

    def findStudio(self, _info: GraphQLResolveInfo, id: str):
        studio = self._store.studios.get(_to_int(id))
        return StudioView(studio, self._store, self._base_url) if studio else None

    def findTag(self, _info: GraphQLResolveInfo, id: str) -> Tag | None:
        return self._store.tags.get(_to_int(id))

    # --- helpers ---------------------------------------------------------------------------

    def _all_scenes(self) -> list[Scene]:
        return sorted(self._store.scenes.values(), key=lambda s: s.id)

    def _scene_by_id(self, scene_id: int) -> Scene:
        scene = self._store.scenes.get(scene_id)
        if scene is None:
            raise LookupError(f"scene with id {scene_id} not found")
        return scene

    def _scene_view(self, scene: Scene) -> SceneView:
        return SceneView(scene, self._store, self._base_url)


def _to_int(value: str | int) -> int:
    """Stash parses IDs with strconv.Atoi and reports the failure as a GraphQL error."""
    try:
        return int(value)
    except ValueError:
        raise ValueError(f'strconv.Atoi: parsing "{value}": invalid syntax') from None
