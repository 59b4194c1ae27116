"""`bench rescan`: one new file in a large Plex library; how much of Plex is listed to find it.

Stash and Plex hold N scenes. First PlexSync lists Plex once (one scene is edited and its hook's
background worker writes it, building and caching the path index), and that worker is stopped.
Then the measured part, as a person adding one file lives it: Stash scans a new file (a new
scene, with its cover), the Scene.Create.Post hook queues it, and the background worker does
not find it in Plex, asks Plex to scan its folder (trigger_plex_scan), and finds it once the
scan has added it. Plex's double adds the file only when asked to scan that folder, as Plex does,
and the scan moves the section's scannedAt.

Reported: the Plex items returned by section listings during the measured part (read from the
double: every `<Video>` a /library/sections/N/all answer carried), the listing requests, Plex's
scans, and the time from the hook until Plex holds the new scene's title. The target (issue 15)
is a listing proportional to what changed, not to N.
"""

from __future__ import annotations

import time
from typing import Any

from bench import traffic
from bench.hooks_run import POLL, REACH_DEADLINE, _checked
from bench.library import Library, library
from bench.sync_run import RunFailed
from bench.targets import Target
from tests.doubles.stash.images import tiny_png
from tests.harness import readable

NEW_STASH_FILE = "/data/stash/bench-new/fresh scene.mp4"
NEW_PLEX_FILE = "/media/plex/bench-new/fresh scene.mp4"
NEW_SIZE = 123_456_789
SCAN_DELAY = 0.2  # seconds Plex's double takes to "scan" the folder once asked
# Items listed to find one new file: the new item and an overlap margin, never a whole library.
ITEMS_LIMIT = 50


class ListedItems:
    """Counts the items the Plex double's section listings hand out (its store's page())."""

    def __init__(self, lib: Library) -> None:
        self.items = 0
        self.pages = 0
        store = lib.plex.store
        page = store.page

        def counted(*args: Any, **kwargs: Any) -> Any:
            total, items = page(*args, **kwargs)
            self.items += len(items)
            self.pages += 1
            return total, items

        store.page = counted  # type: ignore[method-assign]


def run_rescan(n: int, *, latency: float, concurrency: int | None = None) -> dict[str, Any]:
    with library(n, covers=False, latency=latency, concurrency=concurrency) as lib:
        listed = ListedItems(lib)
        _prime(lib)
        prime_items = listed.items
        listed.items = listed.pages = 0
        traffic.reset(lib.stash, lib.plex)
        scene_id = lib.stash.add_scene(title="Bench fresh scene", details="Scanned just now.",
                                       files=[(NEW_STASH_FILE, NEW_SIZE)],
                                       cover=tiny_png("bench-rescan"))
        lib.plex.add_pending(lib.sample.section_id, NEW_PLEX_FILE, NEW_SIZE, delay=SCAN_DELAY)
        started = time.monotonic()
        _checked(lib.run({"hookContext": {"id": scene_id, "type": "Scene.Create.Post",
                                          "input": None}}))
        reached = _reach_new(lib, "Bench fresh scene", started)
        lib.harness.wait_drained(timeout=REACH_DEADLINE)
        seen = traffic.read(lib.stash, lib.plex)
    target = Target("Plex items listed to find 1 new file", ITEMS_LIMIT, listed.items)
    return {"n": n, "latency_s": latency, "prime_items_listed": prime_items,
            "items_listed": listed.items, "listing_pages": listed.pages,
            "plex_scans": seen.plex.get("refresh", 0), "hook_to_plex_s": round(reached, 3),
            "traffic": seen.as_dict(), "targets": [target.as_dict()]}


def _prime(lib: Library) -> None:
    """PlexSync lists Plex once and caches the index: one edited scene, written by the hook's
    background worker, which is then asked to stop."""
    scene_id = lib.sample.synced_ids()[0]
    lib.stash.update_scene(scene_id, title="Bench prime")
    started = time.monotonic()
    _checked(lib.hook(scene_id, "Bench prime"))
    deadline = started + REACH_DEADLINE + n_seconds(len(lib.sample.scene_ids))
    while not all(lib.plex.item(rk)["fields"]["title"] == "Bench prime"
                  for rk in lib.sample.rating_keys[scene_id]):
        if time.monotonic() >= deadline:
            raise RunFailed("the priming edit did not reach Plex")
        time.sleep(POLL)
    lib.harness.wait_drained(timeout=REACH_DEADLINE)


def n_seconds(n: int) -> float:
    """Listing a library of n items takes a while on a loaded machine: allow for it."""
    return n / 1000


def _reach_new(lib: Library, title: str, started: float) -> float:
    deadline = started + REACH_DEADLINE + n_seconds(len(lib.sample.scene_ids)) * 2
    section = lib.plex.store.sections[lib.sample.section_id]
    while True:
        # The scan appends the new item to its section (a look at one item, not all N).
        newest = section.rating_keys[-1]
        item = lib.plex.item(newest)
        if item["files"] == [NEW_PLEX_FILE] and item["fields"]["title"] == title:
            return time.monotonic() - started
        if time.monotonic() >= deadline:
            tail = "\n".join(readable(line)
                             for line in lib.harness.drainer_log().splitlines()[-20:])
            raise RunFailed(f"the new scene is not in Plex; drainer.log tail:\n{tail}")
        time.sleep(POLL * 20)
