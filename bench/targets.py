"""The issue's performance targets, checked against measured results (pure functions)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

# Wall-time and memory targets the issue sets for particular library sizes.
FIRST_SYNC_WALL = {10_000: 90.0, 100_000: 900.0}
NOOP_SYNC_WALL = {10_000: 10.0}
PEAK_MEMORY_MB = {100_000: 300.0}
HOOK_WALL_P95 = 0.150
HOOK_TO_PLEX_P95 = 2.0
# Plex items listed to find one new file after a scan (`bench rescan`): the new item and those
# in the delta's overlap minute (sync/index_refresh.py OVERLAP), never the library.
RESCAN_ITEMS = 50


@dataclass(frozen=True)
class Target:
    name: str
    limit: float
    actual: float

    @property
    def met(self) -> bool:
        return self.actual <= self.limit

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "met": self.met}


def first_sync(n: int, phase: dict[str, Any], *, items: int, covered_items: int,
               sections: int) -> list[Target]:
    """Every item changes on a first sync: one write each, one upload per item with a cover."""
    traffic = phase["traffic"]
    targets = [
        Target("Plex writes <= 1 per changed item", items, traffic["plex_writes"]),
        Target("Plex uploads <= 1 per new cover", covered_items, traffic["plex_uploads"]),
        Target("Plex listings <= N/500 + sections", math.ceil(n / 500) + sections,
               traffic["plex_listings"]),
        Target("Stash requests <= N/500 + image downloads",
               math.ceil(n / 500) + traffic["stash_images"], traffic["stash_total"]),
    ]
    if n in FIRST_SYNC_WALL:
        targets.insert(0, Target("first sync wall time (s)", FIRST_SYNC_WALL[n], phase["wall_s"]))
    if n in PEAK_MEMORY_MB:
        targets.append(Target("first sync: peak memory of the plugin (MB)", PEAK_MEMORY_MB[n],
                              phase["peak_mb"]))
    return targets


def noop_sync(n: int, phase: dict[str, Any]) -> list[Target]:
    traffic = phase["traffic"]
    targets = [
        Target("no-op sync: Plex writes", 0, traffic["plex_writes"]),
        Target("no-op sync: Plex uploads", 0, traffic["plex_uploads"]),
        Target("no-op sync: Stash image downloads", 0, traffic["stash_images"]),
    ]
    if n in NOOP_SYNC_WALL:
        targets.insert(0, Target("no-op sync wall time (s)", NOOP_SYNC_WALL[n], phase["wall_s"]))
    if n in PEAK_MEMORY_MB:
        targets.append(Target("no-op sync: peak memory of the plugin (MB)", PEAK_MEMORY_MB[n],
                              phase["peak_mb"]))
    return targets


def concurrency(phase: dict[str, Any], limit: int) -> Target:
    return Target("Plex requests in flight <= plex_concurrency", limit,
                  phase["peak_plex_in_flight"])


def hooks(sequential: dict[str, Any]) -> list[Target]:
    return [
        Target("hook process wall time p95 (s)", HOOK_WALL_P95, sequential["hook_wall_s"]["p95"]),
        Target("hook-to-Plex latency p95 (s)", HOOK_TO_PLEX_P95,
               sequential["hook_to_plex_s"]["p95"]),
    ]


def rescan(items_listed: int) -> Target:
    return Target("Plex items listed to find 1 new file", RESCAN_ITEMS, items_listed)
