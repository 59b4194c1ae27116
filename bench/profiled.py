"""plexsync.py under a profiler, for the benchmark only (`--profile DIR`): never in the plugin.

Run as a script in place of plexsync.py (bench/process.py picks the command):

    python bench/profiled.py cprofile DIR plexsync.py [args...]
    python bench/profiled.py py-spy DIR plexsync.py [args...]

cprofile: cProfile in EVERY thread (the write path runs in a thread pool, which a plain
`python -m cProfile` would miss), each thread timed by its own CPU clock (time.thread_time), so
time spent waiting for Plex or Stash does not count and the numbers are CPU seconds. The threads'
profiles are merged into DIR/<pid>.pstats when the plugin exits; DIR/<pid>.threads.txt lists
each thread's CPU seconds. cProfile's own overhead inflates many-call functions (2-3x on the
plugin's total): compare functions with each other, and take absolute per-scene costs from the
bench's unprofiled CPU seconds.

py-spy: samples every thread 250 times a second (native, about 1% overhead), counting only
samples where a thread is on the CPU (--idle off), into DIR/<pid>.speedscope.json and a
collapsed-stack text DIR/<pid>.folded for `python -m bench.profiled top`. Needs `py-spy`
(pip install py-spy into .venv) and ptrace rights (root, or ptrace_scope 0).

    python -m bench.profiled top DIR/<file> [--limit 40]

prints the hotspots of a .pstats (own and cumulative time) or of a .folded file (own and
inclusive samples).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import runpy
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve()


def command(profiler: str, target: str, entry: Path) -> list[str]:
    """The argv that runs `entry` (plexsync.py) under `profiler`, writing into the folder
    `target`."""
    Path(target).mkdir(parents=True, exist_ok=True)
    return [sys.executable, str(HERE), profiler, target, str(entry)]


def _run_entry(entry: str, args: list[str]) -> None:
    # As `python plexsync.py`: the entry's folder first on sys.path (not bench/), its argv.
    sys.path[0] = os.path.dirname(os.path.abspath(entry))
    sys.argv = [entry, *args]
    runpy.run_path(entry, run_name="__main__")


def _cprofile(out_dir: Path, entry: str, args: list[str]) -> None:
    profiles: list[tuple[str, cProfile.Profile]] = []
    lock = threading.Lock()
    original = threading.Thread.run

    def run(thread: threading.Thread) -> None:
        profile = cProfile.Profile(time.thread_time)
        with lock:
            profiles.append((thread.name, profile))
        profile.enable()
        try:
            original(thread)
        finally:
            profile.disable()

    threading.Thread.run = run  # type: ignore[method-assign]
    main = cProfile.Profile(time.thread_time)
    profiles.append(("main", main))
    main.enable()
    try:
        _run_entry(entry, args)
    finally:
        main.disable()
        _dump(out_dir, profiles)


def _dump(out_dir: Path, profiles: list[tuple[str, cProfile.Profile]]) -> None:
    pid = os.getpid()
    merged: pstats.Stats | None = None
    lines = []
    for name, profile in profiles:
        profile.create_stats()
        if not profile.stats:  # type: ignore[attr-defined]
            continue
        stats = pstats.Stats(profile)
        lines.append(f"{name}\t{stats.total_tt:.3f}")  # type: ignore[attr-defined]
        merged = stats if merged is None else merged.add(stats) or merged
    if merged is not None:
        merged.dump_stats(str(out_dir / f"{pid}.pstats"))
    (out_dir / f"{pid}.threads.txt").write_text("\n".join(lines) + "\n")


def _py_spy(out_dir: Path, entry: str, args: list[str]) -> int:
    """py-spy starts the plugin (so no start-up is missed) but prints to stdout, which Stash's
    reply owns: py-spy's stdout goes to stderr, and the plugin gets the real stdout back as an
    extra descriptor that `stdout-fd` puts in place before running plexsync.py."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    reply = os.dup(1)
    folded = out_dir / f"{os.getpid()}.folded"
    return subprocess.call(
        [spy, "record", "--rate", "250", "--threads", "--nonblocking", "--format", "raw",
         "-o", str(folded), "--", sys.executable, str(HERE), "stdout-fd", str(reply), entry,
         *args], stdout=sys.stderr, pass_fds=(reply,))


def _stdout_fd(fd: str, entry: str, args: list[str]) -> None:
    os.dup2(int(fd), 1)
    os.close(int(fd))
    _run_entry(entry, args)


def top(path: Path, limit: int) -> str:
    if path.suffix == ".folded":
        return _top_folded(path, limit)
    stats = pstats.Stats(str(path))
    out = [f"{path.name}: {stats.total_tt:.3f} s CPU in total"]  # type: ignore[attr-defined]
    rows = stats.stats  # type: ignore[attr-defined]
    for key, title in (("tottime", "own time"), ("cumtime", "cumulative time")):
        index = 2 if key == "tottime" else 3
        ranked = sorted(rows.items(), key=lambda kv: kv[1][index], reverse=True)[:limit]
        out.append(f"\n-- by {title} --\n{'own s':>8} {'cum s':>8} {'calls':>9}  function")
        for (file, line, func), (_cc, calls, own, cum, _callers) in ranked:
            out.append(f"{own:8.3f} {cum:8.3f} {calls:9d}  {_short(file)}:{line} {func}")
    return "\n".join(out)


def _short(file: str) -> str:
    for marker in ("site-packages/", "/lib/python3"):
        if marker in file:
            return file.split(marker, 1)[1]
    return file.replace(str(HERE.parent.parent) + "/", "")


def _top_folded(path: Path, limit: int) -> str:
    own: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        total += n
        frames = [f for f in stack.split(";") if not f.startswith(("process ", "thread "))]
        if frames:
            own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    out = [f"{path.name}: {total} samples on CPU"]
    for title, counter in (("own", own), ("inclusive", inclusive)):
        out.append(f"\n-- by {title} samples --")
        for frame, n in counter.most_common(limit):
            out.append(f"{n:7d} {100 * n / max(total, 1):5.1f}%  {_short(frame)}")
    return "\n".join(out)


def main() -> int:
    if sys.argv[1:2] == ["top"]:
        parser = argparse.ArgumentParser(prog="python -m bench.profiled top")
        parser.add_argument("path", type=Path)
        parser.add_argument("--limit", type=int, default=40)
        args = parser.parse_args(sys.argv[2:])
        print(top(args.path, args.limit))
        return 0
    profiler, out_dir, entry, *rest = sys.argv[1:]
    if profiler == "stdout-fd":  # inside py-spy: out_dir is the reply's descriptor
        _stdout_fd(out_dir, entry, rest)
        return 0
    if profiler == "py-spy":
        return _py_spy(Path(out_dir), entry, rest)
    _cprofile(Path(out_dir), entry, rest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
