"""PlexSync benchmark: the real plexsync.py, run as Stash runs it, against the two doubles.

The Stash and Plex doubles run in this process (threads); every plugin run is a child process
fed Stash's JSON on stdin, so the plugin shares no interpreter with the doubles. Each scenario
builds a fresh sample library (tests/doubles/sample.py): N scenes curated in Stash, the same
files bare in Plex as a fresh scan leaves them, with covers unless --no-covers. Plex answers
every request after --latency seconds (default 0.002).

Scenarios
  sync   Sync All Scenes on N scenes (the first full sync: every item changes), then again with
         nothing changed (the no-op sync). Reports wall time, time per scene, Plex requests by
         kind and per scene, Stash GraphQL requests and image downloads, the most Plex requests
         in flight at once and per second, the plugin process's peak memory (VmHWM from
         /proc), and CPU seconds spent by the plugin and by the doubles.
  hooks  After a full sync of N scenes, --hooks sequential rounds of: retitle one scene in
         Stash, run the Scene.Update.Post hook, wait until Plex holds the new title. Reports the
         hook process's wall time (what Save waits for) and hook-to-Plex latency (hook start
         until Plex holds the value), p50/p95/max; then a --burst of hooks started at once.
         Peak memory of the hooks and of the background drainer (VmHWM from /proc).
  scale  sync at N=1,000 and 10,000, and 100,000 with --full: time per scene shows whether
         the cost grows linearly.
  all    scale, then hooks.
  rescan After PlexSync has listed Plex once, Stash scans one new file (a new scene, whose
         hook finds it missing in Plex, asks Plex to scan its folder and finds it there):
         the Plex items listed to find it, listing requests (full, added since, count only),
         scans, hook-to-Plex time. Plex's items were added over two years, as in a library
         grown over time. Default N=100,000.

Targets (the issues', issue 15's where it tightened one; printed as ok/MISS with every result)
  plugin CPU per changed scene <= 1.5 ms at N=1,000 and 10,000, defined as (the plugin's CPU
  seconds in the first sync - those in the no-op sync) / N: the no-op sync pays the same
  start-up and per-run requests, so the difference is what the N changed scenes cost;
  first sync at N=10,000 <= 30 s; <= 1 Plex write per changed item and 1 upload per new cover;
  Plex listings <= N/500 + sections; Stash requests <= N/500 + 2 + image downloads (the 2: the
  run's start query, and on the plugin's first run the one-time save of its defaults);
  no-op sync at N=10,000 <= 10 s with no Plex write, upload or image download;
  N=100,000: first sync <= 5 min, no-op sync <= 3 s, plugin peak memory <= 150 MB (first and
  no-op sync); hook wall p95 <= 150 ms, hook-to-Plex p95 <= 2 s; Plex requests in flight <=
  plex_concurrency; rescan: Plex items listed to find one new file <= 50.

Wall times depend on what else the machine runs: the report records the load average at the
start and the end, and the CPU seconds, which depend on it far less.

--json PATH writes {benchmark, date, machine: {nproc, cpu, python, platform, load_at_start,
load_at_end}, command, sync: [one result per N: n, covers, latency_s, plex_concurrency,
plex_items, covered_items, verified_scenes, cpu_ms_per_changed_scene, first, second (wall_s,
ms_per_scene, reply, peak_mb, plugin_cpu_s, doubles_cpu_s, traffic: {plex: requests by kind,
plex_total, plex_writes, plex_uploads, plex_listings, stash_graphql, stash_images,
stash_fields, stash_total}, plex_per_scene, peak_plex_in_flight, peak_plex_per_second),
targets: [{name, limit, actual, met}]], hooks: {n, latency_s, plex_concurrency, sequential,
burst (hooks, hook_wall_s and
hook_to_plex_s as {count, p50, p95, max}, hook_peak_mb, plex_per_hook, stash_per_hook, traffic),
drainer_peak_mb, targets} or null, rescan: {n, latency_s, prime_items_listed, items_listed,
listing_pages, listings: {full, delta, count}, plex_scans, hook_to_plex_s, traffic, targets} or
null}. Times in seconds, memory in MB.

Exit status: 0 when every run completed (missed targets are reported, not fatal), 1 when a
plugin run failed or left Plex without the data it should hold.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import report
from bench.hooks_run import run_hooks
from bench.process import PROFILE_ENV
from bench.rescan_run import run_rescan
from bench.sync_run import RunFailed, run_sync

SCALE = (1_000, 10_000)
SCALE_FULL = (*SCALE, 100_000)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--latency", type=float, default=0.002, metavar="SECONDS",
                        help="delay before the Plex double answers each request (0.002)")
    common.add_argument("--concurrency", type=int, metavar="K",
                        help="the plex_concurrency setting (default: unset, the plugin's 4)")
    common.add_argument("--json", type=Path, metavar="PATH",
                        help="also write the results, machine and date as JSON to PATH")
    common.add_argument("--profile", type=Path, metavar="DIR",
                        help="profile every plugin run into DIR (bench/profiled.py); the "
                        "CPU and wall times then include the profiler's overhead")
    common.add_argument("--profiler", choices=("cprofile", "py-spy"), default="cprofile",
                        help="cprofile: every thread, CPU clock (default); py-spy: sampling")
    covers = argparse.ArgumentParser(add_help=False)
    covers.add_argument("--no-covers", dest="covers", action="store_false",
                        help="scenes without covers (no image downloads or uploads)")
    full = argparse.ArgumentParser(add_help=False)
    full.add_argument("--full", action="store_true", help="also N=100,000 (a few minutes)")
    hooks = argparse.ArgumentParser(add_help=False)
    hooks.add_argument("--hooks", type=int, default=50, help="sequential hooks (50)")
    hooks.add_argument("--burst", type=int, default=10,
                       help="hooks started at once after the sequential ones (10; 0: none)")
    hooks.add_argument("--hook-n", type=int, default=200, metavar="N",
                       help="library size for the hooks scenario in 'all' (200)")
    sub = parser.add_subparsers(dest="scenario", required=True, metavar="SCENARIO")
    sync = sub.add_parser("sync", parents=[common, covers], help="first and no-op full sync")
    sync.add_argument("--n", type=int, default=10_000, help="scenes (10000)")
    hook = sub.add_parser("hooks", parents=[common, hooks], help="hook wall time and latency")
    hook.add_argument("--n", type=int, default=200, help="scenes (200)")
    sub.add_parser("scale", parents=[common, covers, full], help="sync at growing N")
    rescan = sub.add_parser("rescan", parents=[common],
                            help="one new file in a large library: what is listed to find it")
    rescan.add_argument("--n", type=int, default=100_000, help="scenes (100000)")
    sub.add_parser("all", parents=[common, covers, full, hooks], help="scale, then hooks")
    return parser


Results = tuple[list[dict[str, Any]], dict[str, Any] | None, dict[str, Any] | None]


def _run(args: argparse.Namespace) -> Results:
    """(sync results, hooks result, rescan result) of the chosen scenario."""
    options = {"latency": args.latency, "concurrency": args.concurrency}
    if args.scenario == "hooks":
        return [], run_hooks(args.n, hooks=args.hooks, burst=args.burst, **options), None
    if args.scenario == "rescan":
        print(f"rescan N={args.n:,} ...", file=sys.stderr, flush=True)
        return [], None, run_rescan(args.n, **options)
    sizes = [args.n] if args.scenario == "sync" else SCALE_FULL if args.full else SCALE
    sync = []
    for n in sizes:
        print(f"sync N={n:,} ...", file=sys.stderr, flush=True)
        sync.append(run_sync(n, covers=args.covers, **options))
    hooks = None
    if args.scenario == "all":
        print(f"hooks N={args.hook_n:,} ...", file=sys.stderr, flush=True)
        hooks = run_hooks(args.hook_n, hooks=args.hooks, burst=args.burst, **options)
    return sync, hooks, None


def _instrument(args: argparse.Namespace) -> Callable[[], None]:
    """--profile for this run; returns what undoes it."""
    undo: list[Callable[[], None]] = []
    if args.profile:
        os.environ[PROFILE_ENV] = f"{args.profiler}:{args.profile.resolve()}"
    undo.append(lambda: os.environ.pop(PROFILE_ENV, None))
    return lambda: [step() for step in reversed(undo)]  # type: ignore[func-returns-value]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    undo = _instrument(args)
    try:
        return _main(args, argv)
    finally:
        undo()


def _main(args: argparse.Namespace, argv: list[str] | None) -> int:
    load_at_start = report.load_average()
    try:
        sync, hooks, rescan = _run(args)
    except RunFailed as exc:
        print(f"benchmark run failed: {exc}", file=sys.stderr)
        return 1
    doc = report.document(sys.argv[1:] if argv is None else argv, sync, hooks, load_at_start,
                          rescan)
    print(report.render(doc))
    if args.json:
        report.write_json(doc, args.json)
    return 0


if __name__ == "__main__":
    sys.exit(main())
