"""When PlexSync lists a Plex library section again, and how much of it: pure decisions over
what the index holds about a section and what Plex says about it now (issue 15).

Plex stamps a section's scannedAt at the end of every scan, PlexSync's partial scans included,
and an item's addedAt (Unix seconds, Plex's own clock) when a scan creates it. A listing can be
narrowed to the items added after a time: `addedAt>>=<t>`, strictly after (python-plexapi
`plexapi/library.py` `_validateFilterField`; Kometa `modules/plex.py` `modifier_translation`),
and a size-0 page answers how many items a section holds (`totalSize`, python-plexapi
`LibrarySection.totalViewSize`). So a changed section is refreshed by a delta: the items added
since the newest addedAt seen (the cursor: Plex's stamps only, so the two clocks may differ),
checked by comparing Plex's count with the items held. A full listing of that one section is
left for when the delta cannot be trusted: nothing held yet, another server or other folders, a
day since the last full listing, a count that disagrees, or a Plex that ignored the filter (an
unknown filter is answered with the whole section: detected by items older than asked for).
Renamed files keep their item and its addedAt: the delta cannot see them (worker/finding.py
looks them up through the item PlexSync last wrote).
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import NamedTuple

from sync.matching import IndexEntry

# Seconds of addedAt asked again: an item a running scan stamped just before the last listing
# but published after it. Rows are replaced by rating key, so an overlap costs only its items.
OVERLAP = 60
FULL_EVERY = 86_400.0  # a section is listed in full at least once a day, whatever else says
LAST_LOOK_EVERY = 3_600.0  # before a scene is parked as not found, its section at most hourly


class ListedItem(NamedTuple):
    """One item of a listing (or of a full item): its parts, and when Plex added it."""

    rating_key: str
    section_id: int
    added_at: int | None
    parts: tuple[IndexEntry, ...]


class Held(NamedTuple):
    """What the index knows about a section since its last trusted listing."""

    server_id: str
    locations: tuple[str, ...]
    scanned_at: str
    cursor: int | None  # the newest addedAt listed (Plex's clock)
    full_at: float  # when it was last listed in full (this machine's clock)


class How(Enum):
    KEEP = "keep"    # the rows as they are: 0 requests
    DELTA = "delta"  # the items added since the cursor, then the count check
    FULL = "full"    # the whole section


def how_to_refresh(held: Held | None, *, server_id: str, locations: tuple[str, ...],
                   scanned_at: str, now: float, missed: bool) -> How:
    """missed: a scene was not found, so even an unchanged section is asked what it added (a
    scan publishes items before it stamps scannedAt)."""
    if held is None or held.server_id != server_id or held.locations != locations:
        return How.FULL
    if not 0 <= now - held.full_at <= FULL_EVERY:  # too old, or this clock went back
        return How.FULL
    if missed or held.scanned_at != scanned_at:
        return How.DELTA
    return How.KEEP


def since(cursor: int | None) -> int:
    """The addedAt a delta asks for items strictly after."""
    return (cursor or 0) - OVERLAP


def filter_ignored(asked_since: int, items: Iterable[ListedItem]) -> bool:
    """Whether an answer holds items the filter excludes: Plex answered the whole section."""
    return any(item.added_at is None or item.added_at <= asked_since for item in items)


def newest(cursor: int | None, items: Iterable[ListedItem]) -> int | None:
    stamps = [item.added_at for item in items if item.added_at is not None]
    return max([*stamps, *([cursor] if cursor is not None else [])], default=None)


def trusted(plex_count: int, held_items: int) -> bool:
    """After a delta: Plex holds exactly the items the index holds. More in Plex: items the
    delta could not see (an addedAt edited into the past, a clock set back); fewer: items
    deleted. Either way the section is listed in full."""
    return plex_count == held_items


def last_look_due(held: Held | None, now: float) -> bool:
    return held is None or not 0 <= now - held.full_at < LAST_LOOK_EVERY
