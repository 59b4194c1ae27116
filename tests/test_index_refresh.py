"""When a Plex section is listed again, and how much of it (sync/index_refresh.py): pure."""

from __future__ import annotations

import pytest

from sync.index_refresh import (
    FULL_EVERY,
    LAST_LOOK_EVERY,
    OVERLAP,
    Held,
    How,
    ListedItem,
    filter_ignored,
    how_to_refresh,
    last_look_due,
    newest,
    since,
    trusted,
)

NOW = 1_800_000_000.0
HELD = Held("server-a", ("/data",), "1700", cursor=1_650, full_at=NOW - 3_600)


def decide(held: Held | None = HELD, *, server_id: str = "server-a",
           locations: tuple[str, ...] = ("/data",), scanned_at: str = "1700",
           now: float = NOW, missed: bool = False) -> How:
    return how_to_refresh(held, server_id=server_id, locations=locations,
                          scanned_at=scanned_at, now=now, missed=missed)


def item(added_at: int | None, key: str = "1") -> ListedItem:
    return ListedItem(key, 1, added_at, ())


def test_an_unchanged_section_is_kept_as_it_is() -> None:
    assert decide() is How.KEEP


@pytest.mark.parametrize("why", ["scanned", "missed"])
def test_a_scan_or_a_scene_not_found_asks_what_was_added(why: str) -> None:
    assert decide(scanned_at="1800" if why == "scanned" else "1700",
                  missed=why == "missed") is How.DELTA


@pytest.mark.parametrize("change", [
    {"held": None},                                    # nothing held yet
    {"server_id": "server-b"},                         # another server behind the same URL
    {"locations": ("/data", "/more")},                 # the section's folders changed
    {"now": HELD.full_at + FULL_EVERY + 1},            # a day since the last full listing
    {"now": HELD.full_at - 60},                        # this machine's clock went back
], ids=["nothing-held", "other-server", "other-folders", "a-day-old", "clock-back"])
def test_a_section_is_listed_in_full_when_its_rows_cannot_be_trusted(change: dict) -> None:
    assert decide(**{"missed": True, "scanned_at": "1800", **change}) is How.FULL


def test_a_delta_asks_again_for_the_overlap_before_the_cursor() -> None:
    assert since(1_650) == 1_650 - OVERLAP
    assert since(None) == -OVERLAP  # nothing was listed: everything is newer


def test_an_answer_holding_items_the_filter_excludes_was_the_whole_section() -> None:
    asked = since(1_650)
    assert not filter_ignored(asked, [item(asked + 1), item(1_700)])
    assert filter_ignored(asked, [item(1_700), item(asked)])  # strictly after: asked is out
    assert filter_ignored(asked, [item(None)])  # no addedAt: nothing to trust the filter by
    assert not filter_ignored(asked, [])


def test_the_cursor_is_the_newest_added_at_seen() -> None:
    assert newest(1_650, [item(1_600), item(1_700), item(None)]) == 1_700
    assert newest(1_650, []) == 1_650
    assert newest(None, [item(None)]) is None


def test_only_an_equal_count_is_trusted() -> None:
    assert trusted(10, 10)
    assert not trusted(11, 10)  # an item the delta could not see (addedAt edited, clock)
    assert not trusted(9, 10)   # an item deleted


def test_a_last_look_lists_a_section_at_most_hourly() -> None:
    assert last_look_due(None, NOW)
    assert not last_look_due(HELD._replace(full_at=NOW - LAST_LOOK_EVERY + 5), NOW)
    assert last_look_due(HELD._replace(full_at=NOW - LAST_LOOK_EVERY), NOW)
    assert last_look_due(HELD._replace(full_at=NOW + 60), NOW)  # clock went back
