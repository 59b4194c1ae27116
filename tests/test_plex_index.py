"""The path index kept section by section (worker/index.py, sync_queue/index_cache.py) against the
Plex double: what each situation costs in items listed, and that the index holds what Plex
holds afterwards. The decisions alone: test_index_refresh.py."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from plex.client import PlexClient
from sync.index_refresh import FULL_EVERY
from sync_queue import db, layout
from sync_queue.index_cache import IndexCache
from tests.doubles.plex import PlexDouble
from tests.plex_client import make_client
from tests.polling import wait_until
from worker.index import Index

pytestmark = pytest.mark.usefixtures("plexapi_settings")
DAY = 86_400


@pytest.fixture
def state_db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    conn = db.connect(tmp_path / layout.STATE_DB)
    yield conn
    conn.close()


class Library:
    """A Plex library of `n` files added ten minutes apart over the past days, and PlexSync's
    index of it. A delta asks again for the minute before the newest item it saw
    (sync/index_refresh.py OVERLAP), so it lists that newest item again each time."""

    def __init__(self, plex: PlexDouble, tmp_path: Path, state_db: sqlite3.Connection,
                 n: int = 30, **settings: str) -> None:
        self.plex, self.tmp_path, self.state_db, self.settings = plex, tmp_path, state_db, settings
        self.sid = plex.add_section("Scenes", ["/data"])
        self.keys = [plex.add_item(self.sid, f"/data/clip{i:03}.mp4", size=i) for i in range(n)]
        start = int(time.time()) - 3 * DAY
        for i, rk in enumerate(self.keys):
            plex.set_added_at(rk, start + 600 * i)

    def client(self) -> PlexClient:
        return make_client(self.plex, self.tmp_path, **self.settings)

    def index(self, clock: Callable[[], float] = time.time) -> Index:
        """A new process's index: a new client, the same plexsync.db."""
        return Index(self.client(), IndexCache(self.state_db), clock)

    def scan_new(self, file: str, size: int = 7) -> None:
        """A file Plex finds when asked to scan its folder; waits until the scan stamped."""
        self.plex.add_pending(self.sid, file, size)
        client = self.client()
        before = client.sections(refresh=True)[0].scanned_at
        client.scan(file.rsplit("/", 1)[0])
        wait_until(lambda: client.sections(refresh=True)[0].scanned_at != before
                   and any(i["files"] == [file] for i in self.plex.items()), what="the scan")

    def holds(self) -> set[tuple[str, str]]:
        return {(e.rating_key, e.file) for e in IndexCache(self.state_db)._entries(
            "SELECT rating_key, section_id, file, size FROM plex_parts", ())}

    def truth(self) -> set[tuple[str, str]]:
        return {(i["ratingKey"], f) for i in self.plex.items() for f in i["files"]}


@pytest.fixture
def library(plex: PlexDouble, tmp_path: Path, state_db: sqlite3.Connection) -> Library:
    return Library(plex, tmp_path, state_db)


def test_the_first_use_lists_each_section_once_then_the_index_is_kept(library: Library) -> None:
    plex = library.plex
    assert len(library.index().current()) == 30
    assert plex.listings == {"full": 1, "delta": 0, "count": 0} and plex.listed_items == 30
    plex.reset_counts()
    index = library.index()  # another process: nothing scanned since
    assert index.current().by_path("/data/clip007.mp4")
    assert plex.listed_items == 0 and sum(plex.listings.values()) == 0
    assert index.refresh() is not None and index.refresh() is None  # a miss: once per pass
    assert plex.listings == {"full": 0, "delta": 1, "count": 1} and plex.listed_items == 1
    index.new_pass()
    index.refresh()
    assert plex.listings["delta"] == 2


def test_a_scanned_file_is_listed_alone(library: Library) -> None:
    library.index().current()
    library.scan_new("/data/new/fresh.mp4")
    library.plex.reset_counts()
    found = library.index().current().by_path("/data/new/fresh.mp4")
    assert found and found[0].size == 7
    assert library.plex.listings == {"full": 0, "delta": 1, "count": 1}
    assert library.plex.listed_items == 2  # the new item, and the newest one again
    assert library.holds() == library.truth()


def test_an_added_at_in_the_past_shows_in_the_count_and_relists_that_section(
        library: Library) -> None:
    other = library.plex.add_section("Other", ["/other"])
    library.plex.add_item(other, "/other/o.mp4", size=1)
    library.index().current()
    library.scan_new("/data/new/backdated.mp4")
    (late,) = [i["ratingKey"] for i in library.plex.items()
               if i["files"] == ["/data/new/backdated.mp4"]]
    library.plex.set_added_at(late, int(time.time()) - 10 * DAY)  # a tool edited its addedAt
    library.plex.reset_counts()
    assert library.index().current().by_path("/data/new/backdated.mp4")
    # The delta missed it, the count did not: that section alone was listed again.
    assert library.plex.listings == {"full": 1, "delta": 1, "count": 1}
    assert library.plex.listed_items == 1 + 31
    assert library.holds() == library.truth()


def test_a_plex_ignoring_the_filter_answers_everything_and_that_is_a_full_listing(
        library: Library) -> None:
    library.index().current()
    library.plex.ignores_date_filters = True
    library.scan_new("/data/new/fresh.mp4")
    library.plex.remove_item(library.keys[3])
    library.plex.reset_counts()
    assert library.index().current().by_path("/data/new/fresh.mp4")
    assert library.plex.listings == {"full": 0, "delta": 1, "count": 0}  # no relist after it
    assert library.holds() == library.truth()  # the removed item's rows went too


def test_a_deleted_item_is_seen_by_the_count(library: Library) -> None:
    library.index().current()
    library.plex.remove_item(library.keys[5], scanned=True)
    library.plex.reset_counts()
    library.index().current()
    assert library.plex.listings == {"full": 1, "delta": 1, "count": 1}
    assert library.holds() == library.truth()


def test_a_clock_set_back_still_lets_a_full_listing_drop_what_it_no_longer_sees(
        library: Library) -> None:
    library.index().current()
    with library.state_db:  # the rows were stamped before this machine's clock went back a day
        for table in ("plex_items", "plex_parts"):
            library.state_db.execute(f"UPDATE {table} SET seen = seen + ?", (DAY * 10**9,))
    library.plex.remove_item(library.keys[5], scanned=True)
    library.index().current()  # the count disagrees: listed in full
    assert library.holds() == library.truth()
    library.plex.reset_counts()
    library.index().refresh()  # and trusted again afterwards
    assert library.plex.listings == {"full": 0, "delta": 1, "count": 1}


def test_forgetting_an_item_drops_its_rows_only(library: Library) -> None:
    index = library.index().current()
    IndexCache(library.state_db).forget([library.keys[2]])
    assert not index.by_path("/data/clip002.mp4") and index.by_path("/data/clip003.mp4")
    assert len(index) == 29 and index.items(library.sid) == 29


def test_a_moved_file_is_looked_up_through_its_item(library: Library) -> None:
    library.index().current()
    library.plex.move_part(library.keys[4], "/data/moved/clip004.mp4")
    library.plex.reset_counts()
    index = library.index()
    assert not index.current().by_path("/data/moved/clip004.mp4")  # no delta sees a rename
    index.look_up([library.keys[4], "999999"])  # its item, and one Plex no longer has
    assert index.current().by_path("/data/moved/clip004.mp4")
    assert not index.current().by_path("/data/clip004.mp4")
    assert library.plex.listed_items == 1  # the scan's delta: the newest item again, no more
    assert library.holds() == library.truth()


def test_a_last_look_lists_the_section_holding_the_file_at_most_hourly(library: Library) -> None:
    now = time.time()
    library.index().current()
    library.plex.reset_counts()
    assert not library.index().last_look(["/data/x/missing.mp4"])  # listed in full just now
    later = library.index(lambda: now + 3_601)
    assert not later.last_look(["/elsewhere/missing.mp4"])  # no section holds it
    assert later.last_look(["/data/x/missing.mp4"])
    assert library.plex.listings == {"full": 1, "delta": 0, "count": 0}


def test_a_day_old_index_another_server_or_library_choice_is_listed_again(
        library: Library) -> None:
    now = time.time()
    library.index().current()
    library.plex.reset_counts()
    library.index(lambda: now + FULL_EVERY + 60).current()
    assert library.plex.listings["full"] == 1
    library.plex.settings.machine_id = "b" * 40  # another server behind the same URL
    library.index().current()
    assert library.plex.listings["full"] == 2
    other = library.plex.add_section("Other", ["/other"])
    library.plex.add_item(other, "/other/o.mp4")
    library.settings = {"plex_library": "Other"}
    index = library.index().current()
    assert index.by_path("/other/o.mp4") and not index.by_path("/data/clip001.mp4")
