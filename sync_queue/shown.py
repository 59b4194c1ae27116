"""Which scenes Plex still shows a deleted Stash object on, from PlexSync's own record.

Deleting a tag, performer, studio or group removes it from its scenes without touching their
updated_at (join rows go by ON DELETE CASCADE, a studio by ON DELETE SET NULL: stashapp/stash
pkg/sqlite/migrations), and the destroy hook carries only the id (internal/api/
resolver_mutation_tag.go and siblings: ExecutePostHooks(ctx, id, …DestroyPost, input) with
input = {id} or the list of ids). The id no longer matches anything in a Stash filter, so the
destroy hooks read the scene_objects table SyncState keeps in plexsync.db (sync/state.py): the
objects each scene showed when PlexSync last wrote it.

Standard library only: the hook reads it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sync_queue import db, layout

_SCENES = (
    "SELECT o.scene_id, s.stash_updated_at FROM scene_objects o "
    "LEFT JOIN sync_state s ON s.scene_id = o.scene_id "
    "WHERE o.kind = ? AND o.object_id = ? ORDER BY o.scene_id"
)


def scenes_showing(data_dir: Path, kind: str, object_id: int) -> list[tuple[int, str | None]]:
    """(scene id, Stash updated_at last written) of every scene last written with the object;
    empty before the first write (no database yet)."""
    path = data_dir / layout.STATE_DB
    if not path.exists():
        return []
    conn = db.connect(path)
    try:
        return [(int(sid), stamp) for sid, stamp in conn.execute(_SCENES, (kind, object_id))]
    except sqlite3.OperationalError:  # written by a version without this table
        return []
    finally:
        conn.close()
