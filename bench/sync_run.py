"""`bench sync`: a first full sync of N scenes, then a second one with nothing changed."""

from __future__ import annotations

from typing import Any

from bench import targets, traffic
from bench.library import Library, library
from bench.process import Measured, cpu_seconds

DEFAULT_CONCURRENCY = 4  # the plugin's own default for plex_concurrency
VERIFY_SAMPLE = 200  # scenes whose Plex items are checked after the first sync


class RunFailed(RuntimeError):
    """A plugin run failed or left Plex wrong: the numbers would not mean anything."""


def run_sync(n: int, *, covers: bool, latency: float,
             concurrency: int | None = None) -> dict[str, Any]:
    with library(n, covers=covers, latency=latency, concurrency=concurrency) as lib:
        first = _phase(lib, "first sync")
        checked = _verify(lib)
        second = _phase(lib, "no-op sync")
        items, covered = lib.items(), lib.covered_items()
    limit = concurrency or DEFAULT_CONCURRENCY
    checks = (targets.cpu(n, first, second)
              + targets.first_sync(n, first, items=items, covered_items=covered, sections=1)
              + targets.noop_sync(n, second) + [targets.concurrency(first, limit)])
    return {"n": n, "covers": covers, "latency_s": latency, "plex_concurrency": limit,
            "plex_items": items, "covered_items": covered, "verified_scenes": checked,
            "cpu_ms_per_changed_scene": targets.cpu_ms_per_changed_scene(n, first, second),
            "first": first, "second": second, "targets": [t.as_dict() for t in checks]}


def _phase(lib: Library, what: str) -> dict[str, Any]:
    traffic.reset(lib.stash, lib.plex)
    lib.load.reset()
    doubles_before, plugin_before = cpu_seconds()
    measured = lib.task("sync_all")
    doubles_after, plugin_after = cpu_seconds()
    if measured.failure:
        raise RunFailed(f"{what} failed: {measured.failure}")
    return {**_describe(measured, lib, n=len(lib.sample.scene_ids)),
            # Which side the CPUs were busy with: the plugin, or the doubles standing in for
            # Stash and Plex (which a real installation runs elsewhere).
            "plugin_cpu_s": round(plugin_after - plugin_before, 2),
            "doubles_cpu_s": round(doubles_after - doubles_before, 2)}


def _describe(measured: Measured, lib: Library, *, n: int) -> dict[str, Any]:
    """What one task run cost, per run and per scene."""
    seen = traffic.read(lib.stash, lib.plex)
    return {
        "wall_s": round(measured.wall, 3),
        "ms_per_scene": round(measured.wall * 1000 / n, 3),
        "reply": measured.reply.get("output"),
        "peak_mb": round(measured.peak_kb / 1024, 1),
        "traffic": seen.as_dict(),
        "plex_per_scene": round(seen.plex_total / n, 3),
        "peak_plex_in_flight": lib.load.peak_in_flight,
        "peak_plex_per_second": lib.load.peak_per_second,
    }


def _verify(lib: Library) -> int:
    """Plex holds what Stash has (titles of a spread of scenes); nothing is left queued."""
    synced = lib.sample.synced_ids()
    picks = synced[:: max(1, len(synced) // VERIFY_SAMPLE)]
    wrong = [sid for sid in picks for rk in lib.sample.rating_keys[sid]
             if lib.plex.item(rk)["fields"]["title"] != lib.stash.scene(sid)["title"]]
    if wrong:
        raise RunFailed(f"after the first sync, Plex items of scenes {wrong[:10]} do not hold "
                        "the Stash title")
    counts = lib.harness.queue_counts()
    dead = len(lib.harness.dead_letters())
    if counts["waiting"] or counts["taken"] or dead:
        raise RunFailed(f"after the first sync the queue holds {counts} and {dead} dead letters")
    return len(picks)
