"""SyncState: success times, outcomes, what was written, migration and concurrent writers."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from sync import SyncState
from sync.ownership import Owned
from sync.state import NOT_FOUND, REVIEW, SYNCED
from sync_queue import db
from tests.plugin_run import ROOT


def opened(path: Path) -> tuple[SyncState, sqlite3.Connection]:
    """SyncState on its own connection, as a process opens plexsync.db."""
    conn = db.connect(path)
    return SyncState(conn), conn


def test_success_is_recorded_and_unknown_scenes_have_none(tmp_path: Path) -> None:
    state, conn = opened(tmp_path / "s.db")
    state.update_success(123, "/library/123")
    records = state.get_many([123, 999])
    assert records[123].last_success_at is not None and 999 not in records
    conn.close()


def test_failures_do_not_count_as_success_and_keep_the_last_write(tmp_path: Path) -> None:
    state, conn = opened(tmp_path / "s.db")
    state.update_status(7, NOT_FOUND, {"files": ["/x.mp4"]})
    assert state.get_many([7])[7].last_success_at is None
    state.update_success(7, "101", stash_updated_at="2026-01-01T00:00:00+01:00",
                         scene_hash="h1", written={"101": Owned(fields={"title": "A"})})
    first = state.get_many([7])[7].last_success_at
    state.update_status(7, REVIEW, {"candidates": ["102"]})
    record = state.get_many([7]).get(7)
    assert record is not None
    assert record.status == REVIEW and record.detail == {"candidates": ["102"]}
    assert record.last_success_at == first is not None
    assert record.owned("101").fields == {"title": "A"} and record.scene_hash == "h1"
    assert state.counts() == {REVIEW: 1}
    conn.close()


def test_state_survives_reopening(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    state, conn = opened(path)
    state.update_success(1, "11,12", scene_hash="abc", written={"11": Owned(), "12": Owned()})
    conn.close()
    reopened, conn = opened(path)
    record = reopened.get_many([1]).get(1)
    assert record is not None and record.plex_item_keys == ["11", "12"]
    assert record.status == SYNCED and reopened.get_many([1, 2]).keys() == {1}
    conn.close()


def test_first_schema_is_migrated_keeping_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE sync_state (scene_id INTEGER PRIMARY KEY, last_synced_at REAL NOT NULL, "
        "last_sync_status TEXT NOT NULL, plex_item_key TEXT, updated_at REAL NOT NULL)"
    )
    conn.execute("INSERT INTO sync_state VALUES (5, 100.0, 'success', '/library/5', 100.0)")
    conn.commit()
    conn.close()
    state, conn = opened(path)
    (record,) = state.get_many([5]).values()
    assert record.last_success_at == 100.0 and record.plex_item_keys == ["/library/5"]
    conn.close()


def test_concurrent_processes_can_all_write(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    opened(path)[1].close()
    script = (
        "import sys; sys.path.insert(0, sys.argv[1]); from pathlib import Path\n"
        "from sync.state import SyncState; from sync_queue import db\n"
        "s = SyncState(db.connect(Path(sys.argv[2]))); base = int(sys.argv[3])\n"
        "for i in range(50): s.update_success(base + i, str(base + i))\n"
    )
    procs = [subprocess.Popen([sys.executable, "-c", script, str(ROOT), str(path), str(n * 100)])
             for n in range(6)]
    assert [p.wait(timeout=60) for p in procs] == [0] * 6
    state, conn = opened(path)
    assert state.counts() == {SYNCED: 300}
    conn.close()


def test_the_objects_a_written_scene_showed_are_found_by_object(tmp_path: Path) -> None:
    from sync_queue.layout import STATE_DB
    from sync_queue.shown import scenes_showing

    assert scenes_showing(tmp_path, "tag", 1) == []  # no database yet
    state, conn = opened(tmp_path / STATE_DB)
    state.update_success(7, "101", stash_updated_at="v7", refs=[("tag", 1), ("studio", 3)])
    state.update_success(8, "102", stash_updated_at="v8", refs=[("tag", 1)])
    assert scenes_showing(tmp_path, "tag", 1) == [(7, "v7"), (8, "v8")]
    state.update_success(7, "101", stash_updated_at="v7b", refs=[("studio", 3)])  # tag removed
    assert scenes_showing(tmp_path, "tag", 1) == [(8, "v8")]
    assert scenes_showing(tmp_path, "studio", 3) == [(7, "v7b")]
    assert scenes_showing(tmp_path, "group", 3) == []
    conn.close()
