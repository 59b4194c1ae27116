"""`bench hooks`: a person edits scenes in Stash; how long Save waits, and until Plex has it.

After a first full sync (Plex then holds every scene), each sequential round retitles one scene
in the Stash double, runs the Scene.Update.Post hook as Stash does, and polls the Plex double
until the item carries the new title. The hook's wall time is what a person's Save waits for;
hook-to-Plex is from starting the hook until Plex holds the value. The first hook starts the
background drainer, so its latency includes a cold start; later ones find it running. A burst
then retitles several scenes and runs their hooks all at once, as a bulk edit would.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from bench import stats, targets, traffic
from bench.library import Library, library
from bench.process import HighWater, Measured
from bench.sync_run import DEFAULT_CONCURRENCY, RunFailed
from tests.harness import readable

REACH_DEADLINE = 30.0  # a change not in Plex by then counts as lost, and the run fails
POLL = 0.005


def run_hooks(n: int, *, hooks: int, burst: int, latency: float,
              concurrency: int | None = None) -> dict[str, Any]:
    with library(n, covers=True, latency=latency, concurrency=concurrency) as lib:
        scenes = lib.sample.synced_ids()
        if burst > len(scenes):
            raise ValueError(f"a burst of {burst} needs at least that many scenes in Plex")
        setup = lib.task("sync_all")
        if setup.failure:
            raise RunFailed(f"the first sync failed: {setup.failure}")
        lib.stash.clock.advance(1)  # Stash stamps to the second: edits come after the sync
        with HighWater(lambda: [lib.harness.drainer_pid()]) as drainer:
            sequential = _sequential(lib, [scenes[i % len(scenes)] for i in range(hooks)])
            bursting = _burst(lib, scenes[-burst:]) if burst else None
            lib.harness.wait_drained(timeout=REACH_DEADLINE)
    result = {"n": n, "latency_s": latency,
              "plex_concurrency": concurrency or DEFAULT_CONCURRENCY,
              "sequential": sequential, "burst": bursting,
              "drainer_peak_mb": round(drainer.max_kb / 1024, 1)}
    result["targets"] = [t.as_dict() for t in targets.hooks(sequential)]
    return result


def _sequential(lib: Library, scene_ids: list[int]) -> dict[str, Any]:
    traffic.reset(lib.stash, lib.plex)
    runs, latencies = [], []
    for i, scene_id in enumerate(scene_ids):
        title = f"Bench edit {i + 1}"
        lib.stash.update_scene(scene_id, title=title)
        started = time.monotonic()
        runs.append(_checked(lib.hook(scene_id, title)))
        latencies.append(_reach(lib, {scene_id: title}, started)[scene_id])
    summary = _summary(lib, runs, latencies)
    # The first hook starts the background drainer: a cold start the later ones do not pay.
    summary["first_hook_to_plex_s"] = round(latencies[0], 4) if latencies else None
    return summary


def _burst(lib: Library, scene_ids: list[int]) -> dict[str, Any]:
    traffic.reset(lib.stash, lib.plex)
    titles = {scene_id: f"Bench burst {scene_id}" for scene_id in scene_ids}
    for scene_id, title in titles.items():
        lib.stash.update_scene(scene_id, title=title)
    started = time.monotonic()
    with ThreadPoolExecutor(len(titles)) as pool:
        futures = [pool.submit(lib.hook, scene_id, title) for scene_id, title in titles.items()]
        reached = _reach(lib, titles, started)
        runs = [_checked(future.result()) for future in futures]
    return _summary(lib, runs, list(reached.values()))


def _summary(lib: Library, runs: list[Measured], latencies: list[float]) -> dict[str, Any]:
    seen = traffic.read(lib.stash, lib.plex)
    count = max(1, len(runs))
    return {
        "hooks": len(runs),
        "hook_wall_s": _rounded(stats.summary([run.wall for run in runs])),
        "hook_to_plex_s": _rounded(stats.summary(latencies)),
        "hook_peak_mb": round(max((run.peak_kb for run in runs), default=0) / 1024, 1),
        "plex_per_hook": round(seen.plex_total / count, 2),
        "stash_per_hook": round(seen.stash_total / count, 2),
        "traffic": seen.as_dict(),
    }


def _rounded(summary: dict[str, Any]) -> dict[str, Any]:
    return {k: round(v, 4) if isinstance(v, float) else v for k, v in summary.items()}


def _checked(measured: Measured) -> Measured:
    if measured.failure:
        raise RunFailed(f"a hook failed: {measured.failure}")
    return measured


def _reach(lib: Library, titles: dict[int, str], started: float) -> dict[int, float]:
    """Seconds from `started` until each scene's Plex items all hold its new title."""
    reached: dict[int, float] = {}
    deadline = started + REACH_DEADLINE
    while len(reached) < len(titles):
        for scene_id, title in titles.items():
            if scene_id not in reached and all(
                    lib.plex.item(rk)["fields"]["title"] == title
                    for rk in lib.sample.rating_keys[scene_id]):
                reached[scene_id] = time.monotonic() - started
        if time.monotonic() >= deadline and len(reached) < len(titles):
            log = lib.harness.drainer_log().splitlines()[-20:]
            tail = "\n".join(readable(line) for line in log)
            raise RunFailed(f"{len(titles) - len(reached)} edit(s) not in Plex after "
                            f"{REACH_DEADLINE:g}s; drainer.log tail:\n{tail}")
        time.sleep(POLL)
    return dict(sorted(reached.items()))
