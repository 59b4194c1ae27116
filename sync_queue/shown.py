"""Which Stash objects each scene showed when PlexSync last wrote it to Plex.

Deleting a tag, performer, studio or group removes it from its scenes without touching their
updated_at (join rows go by ON DELETE CASCADE, a studio by ON DELETE SET NULL: stashapp/stash
pkg/sqlite/migrations), and the destroy hook carries only the id (internal/api/
resolver_mutation_tag.go and siblings: ExecutePostHooks(ctx, id, …DestroyPost, input) with
input = {id} or the list of ids). The id no longer matches anything in a Stash filter, so the
destroy hooks ask this table which scenes Plex still shows the object on.

Kept in the state database (plexsync.db) beside sync_state, written with each successful
write. Standard library only: the hook reads it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from sync_queue import layout

_CREATE = (
    "CREATE TABLE IF NOT EXISTS scene_objects (kind TEXT NOT NULL, object_id INTEGER NOT NULL, "
    "scene_id INTEGER NOT NULL, PRIMARY KEY (kind, object_id, scene_id)) WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS scene_objects_scene ON scene_objects (scene_id)",
)
_SCENES = (
    "SELECT o.scene_id, s.stash_updated_at FROM scene_objects o "
    "LEFT JOIN sync_state s ON s.scene_id = o.scene_id "
    "WHERE o.kind = ? AND o.object_id = ? ORDER BY o.scene_id"
)


def create(conn: sqlite3.Connection) -> None:
    for statement in _CREATE:
        conn.execute(statement)


def replace(conn: sqlite3.Connection, scene_id: int, refs: Iterable[tuple[str, int]]) -> None:
    """The scene's objects as of this write; call inside the write's transaction."""
    conn.execute("DELETE FROM scene_objects WHERE scene_id = ?", (scene_id,))
    conn.executemany("INSERT OR IGNORE INTO scene_objects (kind, object_id, scene_id) "
                     "VALUES (?, ?, ?)", [(kind, int(oid), scene_id) for kind, oid in refs])


def scenes_showing(data_dir: Path, kind: str, object_id: int) -> list[tuple[int, str | None]]:
    """(scene id, Stash updated_at last written) of every scene last written with the object;
    empty before the first write (no database yet)."""
    path = data_dir / layout.STATE_DB
    if not path.exists():
        return []
    conn = sqlite3.connect(path, timeout=30)
    try:
        return [(int(sid), stamp) for sid, stamp in conn.execute(_SCENES, (kind, object_id))]
    except sqlite3.OperationalError:  # written by a version without this table
        return []
    finally:
        conn.close()
