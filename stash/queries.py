"""Every GraphQL document PlexSync sends, the hook's included.

Each is checked against the real Stash schema by tests/test_plugin_queries.py. Selections are
explicit: stashapi's generated fragments lack studio and performer names. Plain strings: the
hook imports this module.
"""

SCENE_FIELDS = """
  id title code details director urls date rating100 organized created_at updated_at
  studio { id name parent_studio { id name } }
  performers { id name disambiguation image_path }
  tags { id name }
  groups { group { id name } scene_index }
  files { path basename size }
  paths { screenshot }
"""

PLUGIN_SETTINGS = 'query PlexSyncSettings { configuration { plugins(include: ["plexsync"]) } }'

# A run's first request: Stash's version (checked once per run), its API key (a drain can
# outlive the session cookie; kept in memory only) and PlexSync's settings, in one round trip.
START = (
    "query PlexSyncStart { version { version } "
    'configuration { general { apiKey } plugins(include: ["plexsync"]) } }'
)
# When Stash refuses the start query: is it too old for PlexSync, or something else?
VERSION = "query PlexSyncVersion { version { version } }"

# The hook's: Stash's version rides along in the same request, so a too-old Stash is named at
# once, for free.
_hook_settings = 'version { version } configuration { plugins(include: ["plexsync"]) }'
HOOK_SETTINGS = "query PlexSyncHookSettings { " + _hook_settings + " }"
HOOK_SCENE = (
    "query PlexSyncHook($id: ID) { " + _hook_settings + " findScene(id: $id) { id updated_at } }"
)
# A rename of a performer, studio, tag or group changes no scene's updated_at: the hook queues
# every scene that shows the renamed object.
HOOK_RELATED = (
    "query PlexSyncRelated($f: SceneFilterType) { " + _hook_settings
    + " findScenes(scene_filter: $f, filter: {per_page: -1}) { scenes { id updated_at } } }"
)

CONFIGURE_PLUGIN = (
    "mutation PlexSyncConfigure($plugin_id: ID!, $input: Map!) "
    "{ configurePlugin(plugin_id: $plugin_id, input: $input) }"
)

SCENES_BY_ID = (
    "query PlexSyncScenes($ids: [ID!]) { findScenes(ids: $ids, filter: {per_page: -1}) "
    "{ count scenes {" + SCENE_FIELDS + "} } }"
)

# Which of some ids still exist: a filter never fails on a deleted id, unlike findScenes(ids:).
SCENE_IDS = (
    "query PlexSyncExisting($f: SceneFilterType) { findScenes(scene_filter: $f, "
    "filter: {per_page: -1}) { scenes { id } } }"
)

SCENE_BY_ID = "query PlexSyncScene($id: ID) { findScene(id: $id) {" + SCENE_FIELDS + "} }"

SCENES_PAGE = (
    "query PlexSyncScenePage($filter: FindFilterType) { findScenes(filter: $filter) "
    "{ count scenes {" + SCENE_FIELDS + "} } }"
)

# A page of (id, updated_at) at a time, by id: stash/client.py asks for the next page after the
# last id seen, so a scene deleted meanwhile shifts nothing.
SCENE_VERSIONS = (
    "query PlexSyncVersions($scene_filter: SceneFilterType, $per_page: Int) { findScenes("
    "scene_filter: $scene_filter, filter: {per_page: $per_page, sort: \"id\", "
    "direction: ASC}) { count scenes { id updated_at } } }"
)

LATEST_UPDATE = (
    "query PlexSyncLatest { findScenes(filter: {per_page: 1, sort: \"updated_at\", "
    "direction: DESC}) { scenes { updated_at } } }"
)


def ids_filter(ids: list[int], ranges: int = 4) -> dict:
    """A SceneFilterType matching every id in `ids` (and any between them): at most `ranges`
    id BETWEEN criteria joined by OR, cut at the widest gaps, so the answer stays close to
    the ids asked for. (Stash joins a sub-filter's OR to the criteria beside it:
    stashapp/stash pkg/sqlite/filter.go; BETWEEN is inclusive: pkg/sqlite/sql.go.)"""
    ordered = sorted(set(ids))
    widest = sorted(range(1, len(ordered)), key=lambda i: ordered[i - 1] - ordered[i])
    starts = [0, *sorted(widest[:ranges - 1])]
    ends = [*starts[1:], len(ordered)]
    combined: dict = {}
    for start, end in reversed(list(zip(starts, ends, strict=True))):
        criterion = {"modifier": "BETWEEN", "value": ordered[start], "value2": ordered[end - 1]}
        combined = {"id": criterion, **({"OR": combined} if combined else {})}
    return combined
