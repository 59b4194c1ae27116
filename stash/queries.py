"""Every GraphQL document PlexSync sends (the hook's own two live in worker/hook.py).

Each is checked against the real Stash schema by tests/test_schema_fidelity.py. Selections are
explicit: stashapi's generated fragments lack studio and performer names.
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

CONFIGURE_PLUGIN = (
    "mutation PlexSyncConfigure($plugin_id: ID!, $input: Map!) "
    "{ configurePlugin(plugin_id: $plugin_id, input: $input) }"
)

SCENES_BY_ID = (
    "query PlexSyncScenes($ids: [ID!]) { findScenes(ids: $ids, filter: {per_page: -1}) "
    "{ count scenes {" + SCENE_FIELDS + "} } }"
)

SCENE_BY_ID = "query PlexSyncScene($id: ID) { findScene(id: $id) {" + SCENE_FIELDS + "} }"

SCENES_PAGE = (
    "query PlexSyncScenePage($filter: FindFilterType) { findScenes(filter: $filter) "
    "{ count scenes {" + SCENE_FIELDS + "} } }"
)

SCENE_VERSIONS = (
    "query PlexSyncVersions($scene_filter: SceneFilterType) { findScenes("
    "scene_filter: $scene_filter, filter: {per_page: -1, sort: \"id\", direction: ASC}) "
    "{ count scenes { id updated_at } } }"
)

LATEST_UPDATE = (
    "query PlexSyncLatest { findScenes(filter: {per_page: 1, sort: \"updated_at\", "
    "direction: DESC}) { scenes { updated_at } } }"
)
