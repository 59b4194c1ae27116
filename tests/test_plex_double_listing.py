"""The Plex double's section listings as issue 15's incremental index reads them: date filters as
python-plexapi sends them, the count-only answer, the sort by addedAt, what a scan stamps, and
the switchable modes (filters ignored, Plex's clock off). Sources: tests/doubles/plex/listing.py.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import pytest
from plexapi.server import PlexServer

from tests.doubles.plex import PlexDouble
from tests.doubles.plex.client import connect


@pytest.fixture
def server(plex: PlexDouble) -> PlexServer:
    return connect(plex)


def _section(plex: PlexDouble, count: int, start: int = 1_000_000) -> tuple[int, list[str]]:
    """A section whose items were added (and last updated) one a minute, from `start` on."""
    sid = plex.add_section("Scenes", ["/data"])
    keys = [plex.add_item(sid, f"/data/clip{i:03}.mp4", size=i) for i in range(count)]
    for i, rk in enumerate(keys):
        plex.set_added_at(rk, start + 60 * i)
        plex.store.items[rk].updated_at = start + 60 * i
    return sid, keys


def _list(server: PlexServer, sid: int, size: int | None = None, **params: object
          ) -> tuple[int, list[str]]:
    """(totalSize, ratingKeys) of one answer, the parameters encoded as plexapi encodes a
    filter: `urlencode({"addedAt>>": value})` -> `addedAt%3E%3E=value`."""
    query = urlencode({"type": 1, **params})
    headers = {"X-Plex-Container-Start": "0"}
    if size is not None:
        headers["X-Plex-Container-Size"] = str(size)
    container = server.query(f"/library/sections/{sid}/all?{query}", headers=headers)
    return int(container.get("totalSize")), [v.get("ratingKey") for v in container.iter("Video")]


def test_added_after_is_strict_and_filters_combine(plex: PlexDouble, server: PlexServer) -> None:
    sid, keys = _section(plex, 5)
    assert _list(server, sid, **{"addedAt>>": 1_000_120}) == (2, keys[3:])  # strictly after
    assert _list(server, sid, **{"addedAt<<": 1_000_120}) == (2, keys[:2])  # strictly before
    both = {"addedAt>>": 1_000_000, "addedAt<<": 1_000_240}
    assert _list(server, sid, **both) == (3, keys[1:4])
    assert _list(server, sid, **{"addedAt>>": 2_000_000}) == (0, [])


def test_count_only_answers_the_filtered_total_and_no_item(plex: PlexDouble,
                                                           server: PlexServer) -> None:
    sid, _ = _section(plex, 5)
    assert _list(server, sid, size=0) == (5, [])
    assert _list(server, sid, size=0, **{"addedAt>>": 1_000_060}) == (3, [])


def test_sort_by_added_at_and_updated_at_filter(plex: PlexDouble, server: PlexServer) -> None:
    sid, keys = _section(plex, 4)
    plex.set_added_at(keys[0], 2_000_000)  # edited: now the newest
    assert _list(server, sid, sort="addedAt")[1] == [*keys[1:], keys[0]]
    assert _list(server, sid, sort="addedAt:desc")[1] == [keys[0], *reversed(keys[1:])]
    assert _list(server, sid)[1] == keys  # unsorted: the order of adding
    stamp = plex.store.now()
    plex.set_field(keys[2], "title", "Edited")  # an edit stamps updatedAt, not addedAt
    assert _list(server, sid, **{"updatedAt>>": stamp - 1})[1] == [keys[2]]


def test_an_unknown_filter_is_ignored_and_a_bad_number_refused(plex: PlexDouble,
                                                                server: PlexServer) -> None:
    sid, keys = _section(plex, 3)
    assert _list(server, sid, **{"updatedAt>=": 5})[1] == keys  # not a known key: ignored
    with pytest.raises(Exception, match="400"):
        _list(server, sid, **{"addedAt>>": "yesterday"})


def test_a_plex_that_ignores_date_filters_answers_the_whole_section(
        plex: PlexDouble, server: PlexServer) -> None:
    sid, keys = _section(plex, 4)
    plex.ignores_date_filters = True
    assert _list(server, sid, **{"addedAt>>": 1_000_100}) == (4, keys)
    assert _list(server, sid, size=0, **{"addedAt>>": 1_000_100}) == (4, [])


def test_listings_are_counted_by_kind_and_items(plex: PlexDouble, server: PlexServer) -> None:
    sid, _ = _section(plex, 5)
    plex.reset_counts()
    _list(server, sid, size=2)
    _list(server, sid, **{"addedAt>>": 1_000_120})
    _list(server, sid, size=0)
    assert plex.listings == {"full": 1, "delta": 1, "count": 1}
    assert plex.listed_items == 2 + 2
    assert (plex.counts["listing"], plex.counts["listing_count"]) == (2, 1)
    plex.reset_counts()
    assert plex.listings == {"full": 0, "delta": 0, "count": 0} and plex.listed_items == 0


def _scanned_at(server: PlexServer, sid: int) -> int:
    sections = server.query("/library/sections")
    return int(next(d for d in sections.iter("Directory") if d.get("key") == str(sid))
               .get("scannedAt"))


def test_a_scan_that_finds_nothing_still_stamps_scanned_at(plex: PlexDouble,
                                                            server: PlexServer) -> None:
    sid, _ = _section(plex, 1)
    assert _scanned_at(server, sid) == 0  # never scanned
    server.query(f"/library/sections/{sid}/refresh?path=/data/none")
    assert abs(_scanned_at(server, sid) - time.time()) < 5


def test_a_moved_file_keeps_its_item_and_stamps_scanned_at(plex: PlexDouble,
                                                            server: PlexServer) -> None:
    sid, keys = _section(plex, 2)
    before = plex.store.items[keys[1]].updated_at
    plex.move_part(keys[1], "/data/moved/clip001.mp4")
    item = server.query(f"/library/metadata/{keys[1]}").find("Video")
    assert item is not None and item.find("Media/Part").get("file") == "/data/moved/clip001.mp4"
    assert int(item.get("addedAt")) == int(item.get("updatedAt")) == before == 1_000_060
    assert _scanned_at(server, sid) > 0
    plex.store.sections[sid].scanned_at = 1
    plex.remove_item(keys[0], scanned=True)
    assert _scanned_at(server, sid) > 1 and _list(server, sid)[1] == [keys[1]]


@pytest.mark.parametrize("offset", [3600, -3600])
def test_plex_clock_offset_shifts_every_stamp(plex: PlexDouble, server: PlexServer,
                                              offset: int) -> None:
    plex.clock_offset = offset
    sid = plex.add_section("Scenes", ["/data"])
    rk = plex.add_item(sid, "/data/a.mp4")
    server.query(f"/library/sections/{sid}/refresh?path=/data")
    video = server.query(f"/library/metadata/{rk}").find("Video")
    assert video is not None
    now = time.time()
    for stamp in (int(video.get("addedAt")), int(video.get("updatedAt")),
                  _scanned_at(server, sid)):
        assert abs(stamp - (now + offset)) < 5


def test_age_spreads_added_at_over_a_span_in_the_order_of_adding(plex: PlexDouble,
                                                                 server: PlexServer) -> None:
    sid = plex.add_section("Scenes", ["/data"])
    keys = [plex.add_item(sid, f"/data/{i}.mp4") for i in range(4)]
    plex.age(400)
    now = plex.store.now()
    stamps = [plex.store.items[rk].added_at for rk in keys]
    assert [s - (now - 400) for s in stamps] in ([0, 100, 200, 300], [-1, 99, 199, 299])
    assert _list(server, sid, **{"addedAt>>": stamps[2]})[1] == keys[3:]
