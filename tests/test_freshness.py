"""Is a Stash version already in Plex (sync/freshness.py): the one rule, as the worker asks it of a
scene at hand and as Sync All asks it of 100,000 listed versions inside SQLite."""

from __future__ import annotations

import itertools
from pathlib import Path

from sync import SyncState, freshness
from sync.state import NOT_FOUND, SYNCED, Recorded
from sync_queue import db

SETTINGS = "f" * 16
STAMP = freshness.stamp("c0ffee", SETTINGS)


def test_a_complete_write_under_the_same_settings_is_current() -> None:
    record = Recorded(SYNCED, "2026-01-01", STAMP)
    assert freshness.in_plex(record, settings=SETTINGS, content="c0ffee")
    assert freshness.in_plex(record, settings=SETTINGS, updated_at="2026-01-01")
    assert not freshness.in_plex(record, settings=SETTINGS, content="beef")  # other content
    assert not freshness.in_plex(record, settings=SETTINGS, updated_at="2026-02-02")
    assert not freshness.in_plex(record, settings="0" * 16, content="c0ffee")  # settings moved


def test_no_record_another_status_or_no_stamp_is_not_current() -> None:
    assert not freshness.in_plex(None, settings=SETTINGS, updated_at="2026-01-01")
    for record in (Recorded(NOT_FOUND, "2026-01-01", STAMP),
                   Recorded(SYNCED, "2026-01-01", None),  # written, its cover still missing
                   Recorded(SYNCED, "2026-01-01", "no-separator")):
        assert not freshness.in_plex(record, settings=SETTINGS, updated_at="2026-01-01")


def test_sync_all_compares_in_sqlite_by_the_same_rule(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "plexsync.db")
    state = SyncState(conn)
    statuses = (SYNCED, NOT_FOUND, None)
    written = ("2026-01-01", "2026-02-02")
    stamps = (STAMP, freshness.stamp("c0ffee", "0" * 16), None)
    cases = list(itertools.product(statuses, written, stamps, written))
    for scene_id, (status, updated, stamp, _) in enumerate(cases, 1):
        if status is not None:
            state.update_success(scene_id, "1", stash_updated_at=updated, scene_hash=stamp)
            if status != SYNCED:
                state.update_status(scene_id, status, {})
    listed = [(scene_id, version) for scene_id, (*_, version) in enumerate(cases, 1)]
    records = state.get_many([scene_id for scene_id, _ in listed])

    def current(recorded: Recorded | None, updated_at: str) -> bool:
        return freshness.in_plex(recorded, settings=SETTINGS, updated_at=updated_at)

    total, stale = state.stale_versions([listed[:20], listed[20:]], current)
    assert total == len(cases)
    assert stale == [(sid, version) for sid, version in listed
                     if not current(records[sid].recorded if sid in records else None, version)]
    assert 0 < len(stale) < total
    # The temporary table is emptied: a second Sync All in the same process starts afresh.
    assert state.stale_versions([[(1, "x")]], current) == (1, [(1, "x")])
    conn.close()


def test_sync_all_compares_100k_versions_page_by_page(tmp_path: Path) -> None:
    conn = db.connect(tmp_path / "plexsync.db")
    state = SyncState(conn)
    stamp = "2026-01-01T00:00:00+00:00"
    with conn:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO sync_state (scene_id, last_synced_at, last_sync_status, updated_at, "
            "stash_updated_at, scene_hash) VALUES (?, 0, ?, 0, ?, ?)",
            [(i, SYNCED, stamp, STAMP) for i in range(100_000)])
    pages = [[(i, stamp) for i in range(start, start + 10_000)]
             for start in range(0, 100_000, 10_000)]
    pages[-1][-1] = (99_999, "2026-02-02T00:00:00+00:00")  # one scene changed since
    total, stale = state.stale_versions(pages, lambda recorded, updated_at: freshness.in_plex(
        recorded, settings=SETTINGS, updated_at=updated_at))
    assert (total, stale) == (100_000, [(99_999, "2026-02-02T00:00:00+00:00")])
    conn.close()
