"""The benchmark's results: a table for people, a JSON document for machines."""

from __future__ import annotations

import json
import os
import platform
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from bench.traffic import PLEX_LISTINGS, PLEX_UPLOADS, PLEX_WRITES

LABEL = 28
COLUMN = 12


def machine(load_at_start: float) -> dict[str, Any]:
    """Where the numbers come from; a busy machine slows every one of them."""
    return {"nproc": len(os.sched_getaffinity(0)), "cpu": _cpu_model(),
            "python": platform.python_version(), "platform": platform.platform(),
            "load_at_start": load_at_start, "load_at_end": load_average()}


def load_average() -> float:
    """The 1-minute load average (other work on the machine competes for the CPUs)."""
    return round(os.getloadavg()[0], 2)


def _cpu_model() -> str | None:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
    except OSError:
        return platform.processor() or None
    return next((line.split(":", 1)[1].strip() for line in lines
                 if line.startswith("model name")), None)


def document(command: list[str], sync: list[dict[str, Any]], hooks: dict[str, Any] | None,
             load_at_start: float, rescan: dict[str, Any] | None = None) -> dict[str, Any]:
    date = datetime.now(timezone.utc).isoformat(timespec="seconds")
    return {"benchmark": "PlexSync", "date": date, "machine": machine(load_at_start),
            "command": command, "sync": sync, "hooks": hooks, "rescan": rescan}


def write_json(doc: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


# --- the table ---------------------------------------------------------------------------------

def render(doc: dict[str, Any]) -> str:
    box = doc["machine"]
    lines = [f"PlexSync benchmark, {doc['date']}: {box['nproc']} CPU(s) ({box['cpu']}), "
             f"Python {box['python']}; load average {box['load_at_start']} at start, "
             f"{box['load_at_end']} at end"]
    if doc["sync"]:
        lines += ["", *_sync_table(doc["sync"]), "", *_growth(doc["sync"])]
    if doc["hooks"]:
        lines += ["", *_hooks_table(doc["hooks"])]
    rescan = doc.get("rescan")
    if rescan:
        lines += ["", *_rescan_table(rescan)]
    checks = [(f"N={r['n']:,}", t) for r in doc["sync"] for t in r["targets"]]
    if doc["hooks"]:
        checks += [(f"hooks N={doc['hooks']['n']:,}", t) for t in doc["hooks"]["targets"]]
    if rescan:
        checks += [(f"rescan N={rescan['n']:,}", t) for t in rescan["targets"]]
    lines += ["", "Targets:", *(_target(scope, t) for scope, t in checks)]
    return "\n".join(lines)


def _row(label: str, cells: list[Any]) -> str:
    return label.ljust(LABEL) + "".join(_cell(c).rjust(COLUMN) for c in cells)


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.2f}" if abs(value) < 100 else f"{value:,.0f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def _sync_table(results: list[dict[str, Any]]) -> list[str]:
    first = results[0]
    phases = [(r, r[key]) for r in results for key in ("first", "second")]
    traffic = [p["traffic"] for _, p in phases]
    plex = [t["plex"] for t in traffic]
    known = set(PLEX_WRITES + PLEX_UPLOADS + PLEX_LISTINGS + ("metadata",))
    return [
        f"Full sync (Sync All Scenes task): Plex latency {first['latency_s'] * 1000:g} ms, "
        f"covers {'on' if first['covers'] else 'off'}, plex_concurrency "
        f"{first['plex_concurrency']}",
        _row("", [f"N={r['n']:,}" if k == "first" else "" for r in results
                  for k in ("first", "second")]),
        _row("", ["first", "no-op"] * len(results)),
        _row("wall time (s)", [p["wall_s"] for _, p in phases]),
        _row("ms per scene", [p["ms_per_scene"] for _, p in phases]),
        _row("CPU s, plugin process", [p["plugin_cpu_s"] for _, p in phases]),
        _row("CPU s, doubles (this process)", [p["doubles_cpu_s"] for _, p in phases]),
        _row("plugin CPU ms / changed scene", [r.get("cpu_ms_per_changed_scene") if k == "first"
                                               else None for r in results
                                               for k in ("first", "second")]),
        _row("Plex requests", [t["plex_total"] for t in traffic]),
        _row("  writes (edit, rate)", [t["plex_writes"] for t in traffic]),
        _row("  uploads", [t["plex_uploads"] for t in traffic]),
        _row("  listings (index)", [t["plex_listings"] for t in traffic]),
        _row("  item fetches (metadata)", [k.get("metadata", 0) for k in plex]),
        _row("  other", [sum(v for n, v in k.items() if n not in known) for k in plex]),
        _row("Plex requests per scene", [p["plex_per_scene"] for _, p in phases]),
        _row("peak Plex requests in flight", [p["peak_plex_in_flight"] for _, p in phases]),
        _row("peak Plex requests / s", [p["peak_plex_per_second"] for _, p in phases]),
        _row("Stash GraphQL requests", [t["stash_graphql"] for t in traffic]),
        _row("  of which findScenes", [t["stash_fields"].get("findScenes", 0) for t in traffic]),
        _row("Stash image downloads", [t["stash_images"] for t in traffic]),
        _row("peak memory, plugin (MB)", [p["peak_mb"] for _, p in phases]),
    ]


def _growth(results: list[dict[str, Any]]) -> list[str]:
    """Linear cost shows as a flat time per scene across N."""
    base = results[0]["first"]["ms_per_scene"]
    parts = [f"N={r['n']:,}: {r['first']['ms_per_scene']:.2f} ms"
             + (f" (x{r['first']['ms_per_scene'] / base:.2f})" if i else "")
             for i, r in enumerate(results)]
    return ["First sync, time per scene: " + ", ".join(parts)]


def _hooks_table(hooks: dict[str, Any]) -> list[str]:
    runs = [hooks["sequential"]] + ([hooks["burst"]] if hooks["burst"] else [])

    def ms(key: str, stat: str) -> list[Any]:
        return [None if r[key][stat] is None else r[key][stat] * 1000 for r in runs]

    first = hooks["sequential"]["first_hook_to_plex_s"]  # the drainer's cold start

    return [
        f"Hooks (Scene.Update.Post after a retitle in Stash): N={hooks['n']:,}, Plex latency "
        f"{hooks['latency_s'] * 1000:g} ms, plex_concurrency {hooks['plex_concurrency']}",
        _row("", ["sequential", "burst"][: len(runs)]),
        _row("hooks", [r["hooks"] for r in runs]),
        _row("hook wall p50 (ms)", ms("hook_wall_s", "p50")),
        _row("hook wall p95 (ms)", ms("hook_wall_s", "p95")),
        _row("hook wall max (ms)", ms("hook_wall_s", "max")),
        _row("hook-to-Plex p50 (ms)", ms("hook_to_plex_s", "p50")),
        _row("hook-to-Plex p95 (ms)", ms("hook_to_plex_s", "p95")),
        _row("hook-to-Plex max (ms)", ms("hook_to_plex_s", "max")),
        _row("first hook-to-Plex (ms)", [None if first is None else first * 1000]),
        _row("Plex requests per hook", [r["plex_per_hook"] for r in runs]),
        _row("Stash requests per hook", [r["stash_per_hook"] for r in runs]),
        _row("peak memory, hook (MB)", [r["hook_peak_mb"] for r in runs]),
        f"peak memory, background drainer: {hooks['drainer_peak_mb']} MB",
    ]


def _rescan_table(rescan: dict[str, Any]) -> list[str]:
    asked = rescan["listings"]
    return [
        f"One new file scanned (Scene.Create.Post, trigger_plex_scan): N={rescan['n']:,}, "
        f"Plex latency {rescan['latency_s'] * 1000:g} ms",
        _row("items listed when priming", [rescan["prime_items_listed"]]),
        _row("Plex items listed", [rescan["items_listed"]]),
        _row("  listing requests: full / added since / count only",
             [f"{asked['full']} / {asked['delta']} / {asked['count']}"]),
        _row("Plex scans asked", [rescan["plex_scans"]]),
        _row("Plex requests", [rescan["traffic"]["plex_total"]]),
        _row("hook-to-Plex (s)", [rescan["hook_to_plex_s"]]),
    ]


def _target(scope: str, target: dict[str, Any]) -> str:
    verdict = "ok  " if target["met"] else "MISS"
    return (f"  {verdict} {scope}: {target['name']}: {_cell(target['actual'])} "
            f"(limit {_cell(target['limit'])})")
