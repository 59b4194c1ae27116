"""Sync All's light list of (id, updated_at), a page at a time by id (stash/client.py
scene_versions), against the Stash double."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from stash import client as stash_client
from stash.client import StashClient
from stash.protocol import parse_connection
from tests.doubles.stash import StashDouble
from tests.schema_fidelity import assert_recorded_queries_valid


@pytest.fixture
def stash() -> Iterator[StashDouble]:
    with StashDouble() as double:
        yield double


def test_pages_follow_the_last_id_so_a_deletion_shifts_nothing(
        stash: StashDouble, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stash_client, "VERSIONS_PAGE", 3)
    ids = [stash.add_scene(title=f"S{i}") for i in range(7)]
    pages = StashClient(parse_connection(stash.server_connection())).scene_versions()
    first = next(pages)
    assert [i for i, _ in first] == ids[:3]
    stash.delete_scene(ids[1])  # deleted while Sync All pages: later pages are not shifted
    rest = list(pages)
    assert [[i for i, _ in page] for page in rest] == [ids[3:6], ids[6:]]
    assert all(updated == stash.scene(i)["updated_at"] for page in rest for i, updated in page)
    assert_recorded_queries_valid(stash.queries)


def test_a_filter_is_kept_beside_the_paging(stash: StashDouble,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stash_client, "VERSIONS_PAGE", 2)
    ids = [stash.add_scene(title=f"S{i}", files=[(f"/data/{'ab'[i % 2]}/{i}.mp4", 1)])
           for i in range(5)]
    client = StashClient(parse_connection(stash.server_connection()))
    in_a = {"path": {"value": "/data/a/", "modifier": "INCLUDES"}}
    assert [i for page in client.scene_versions(in_a) for i, _ in page] == ids[::2]
    own_ids = {"id": {"value": ids[2], "modifier": "LESS_THAN"}}
    assert [i for page in client.scene_versions(own_ids) for i, _ in page] == ids[:2]
    assert list(client.scene_versions({"path": {"value": "/x/", "modifier": "INCLUDES"}})) == []
    assert_recorded_queries_valid(stash.queries)
