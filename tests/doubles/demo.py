"""`./dev demo`: PlexSync run exactly as Stash runs it, against the two doubles.

Builds a 25-scene sample (Plex sees the files under another prefix than Stash), runs the
"Sync All Scenes" task as a child process with Stash's JSON on stdin, then edits one scene in
Stash and runs the Scene.Update.Post hook, whose background worker writes the change to Plex.
`--keep` leaves both doubles running afterwards for a person to point real clients at.
"""

from __future__ import annotations

import argparse
import json
import secrets
import signal
import sys
import tempfile
import textwrap
import threading
import time
import traceback
from pathlib import Path

from tests.doubles.plex import PlexDouble
from tests.doubles.sample import Sample
from tests.doubles.stash import StashDouble
from tests.harness import Harness, readable
from tests.plugin_run import PluginRun

SCENES = 25
COLUMNS = (("scene", 5), ("title", 30), ("studio", 18), ("genres", 26), ("actors", 26),
           ("poster", 8))
LOG_LINES = 12


class DemoFailed(RuntimeError):
    """A step went wrong; the message says which and what was seen."""


class Demo:
    def __init__(self, stash: StashDouble, plex: PlexDouble, tmp: Path) -> None:
        self.stash = stash
        self.plex = plex
        self.harness = Harness(stash, plex, tmp)
        self.problems: list[str] = []

    def run(self) -> None:
        sample = self.harness.build_sample(SCENES, stash_prefix="/data/stash",
                                           plex_prefix="/media/plex")
        shown = self._shown(sample)
        print(f"Sample: {SCENES} scenes in Stash under /data/stash, the same files in Plex under "
              f"/media/plex (path_map {sample.path_map!r}).")
        self._table("Before: Plex as a fresh scan left it", shown)
        self._sync_all()
        self._table("After Sync All Scenes", shown)
        print(f"\nRequests during the task: {_requests(self.stash, self.plex)}")
        self._edit_and_hook(shown)

    # --- steps -----------------------------------------------------------------------------

    def _sync_all(self) -> None:
        self.stash.reset_counts()
        self.plex.reset_counts()
        started = time.monotonic()
        run = self.harness.task("sync_all")
        seconds = time.monotonic() - started
        _heading(f"Task 'Sync All Scenes' (mode sync_all): exit {run.returncode}, {seconds:.1f}s")
        _show_run(run)
        self._check(run, "the sync_all task")

    def _edit_and_hook(self, shown: list[tuple[int, str]]) -> None:
        scene_id, rating_key = next(
            ((sid, rk) for sid, rk in shown if self.stash.scene(sid)["tags"]), shown[0]
        )
        scene = self.stash.scene(scene_id)
        title = f"{scene['title']} (edited)"
        tags = scene["tags"][1:]
        removed = self.stash.store.tags[scene["tags"][0]].name if scene["tags"] else None
        # Stash stamps updated_at to the second; a person's edit comes later than the sync.
        self.stash.clock.advance(1)
        self.stash.update_scene(scene_id, title=title, tags=tags)
        _heading(f"Edit in Stash: scene {scene_id} retitled {title!r}"
                 + (f", tag {removed!r} removed" if removed else ""))
        self.stash.reset_counts()
        self.plex.reset_counts()
        started = time.monotonic()
        run = self.harness.hook(scene_id, input={"id": str(scene_id), "title": title,
                                                 "tag_ids": [str(t) for t in tags]})
        hook_seconds = time.monotonic() - started
        print(f"Hook Scene.Update.Post: exit {run.returncode}, returned to Stash after "
              f"{hook_seconds * 1000:.0f} ms (the time a user's Save waits for PlexSync)")
        _show_run(run)
        if not self._check(run, "the Scene.Update.Post hook"):
            return
        try:
            self.harness.wait_drained(timeout=30)
        except TimeoutError as exc:
            self.problems.append(f"the background worker did not finish: {exc}")
            return
        seconds = time.monotonic() - started
        self._table(f"Plex {seconds:.1f}s after the Save (hook {hook_seconds * 1000:.0f} ms, "
                    "then the background worker)", [(scene_id, rating_key)])
        print(f"\nRequests for this edit: {_requests(self.stash, self.plex)}")
        log = self.harness.drainer_log().strip()
        if log:
            print("Background worker log:")
            _show_lines([readable(line) for line in log.splitlines()])
        item = self.plex.item(rating_key)
        if item["fields"]["title"] != title:
            self.problems.append(f"Plex item {rating_key} still has the title "
                                 f"{item['fields']['title']!r}, not {title!r}")

    # --- helpers ---------------------------------------------------------------------------

    def _check(self, run: PluginRun, what: str) -> bool:
        try:
            error = run.result.get("error")
        except ValueError:
            error = f"stdout is not one JSON object: {run.stdout[:200]!r}"
        if run.returncode != 0 or error:
            self.problems.append(f"{what} failed (exit {run.returncode}): {error}")
            return False
        return True

    def _shown(self, sample: Sample) -> list[tuple[int, str]]:
        """Three items worth looking at: the two-file scene, then scenes with tags and cast."""
        rich = [sid for sid in sample.synced_ids()
                if self.stash.scene(sid)["tags"] and self.stash.scene(sid)["performers"]]
        first = [sample.two_file_scene] if sample.two_file_scene else []
        picks = sorted(list(dict.fromkeys(first + rich))[:3])
        return [(sid, sample.rating_keys[sid][0]) for sid in picks]

    def _table(self, title: str, shown: list[tuple[int, str]]) -> None:
        _heading(title)
        print("  ".join(name.ljust(width) for name, width in COLUMNS))
        for scene_id, rating_key in shown:
            item = self.plex.item(rating_key)
            cells = (str(scene_id), item["fields"]["title"] or "", item["fields"]["studio"] or "-",
                     ", ".join(item["tags"]["genre"]) or "-",
                     ", ".join(a["tag"] for a in item["actors"]) or "-",
                     (item["poster_sha1"] or "-")[:8])
            widths = [width for _, width in COLUMNS]
            print("  ".join(_cell(text, w) for text, w in zip(cells, widths, strict=True)))


def _cell(text: str, width: int) -> str:
    return (text if len(text) <= width else text[: width - 1] + "…").ljust(width)


def _heading(text: str) -> None:
    print(f"\n== {text}")


def _show_run(run: PluginRun) -> None:
    print(f"Result on stdout: {run.stdout.strip() or '(nothing)'}")
    lines = [f"{level}: {text}" for level, text in run.logs if level != "progress"]
    if lines:
        print("Log lines on stderr:")
        _show_lines(lines)


def _show_lines(lines: list[str]) -> None:
    for line in lines[-LOG_LINES:]:
        print(textwrap.shorten(line, 110, placeholder=" …"))
    if len(lines) > LOG_LINES:
        print(f"  ({len(lines) - LOG_LINES} earlier line(s) not shown)")


def _requests(stash: StashDouble, plex: PlexDouble) -> str:
    stash_counts = stash.counts
    plex_counts = dict(plex.counts)
    plex_kinds = ", ".join(f"{k} {v}" for k, v in sorted(plex_counts.items()))
    return (f"Stash {stash_counts.get('graphql', 0)} GraphQL; "
            f"Plex {sum(plex_counts.values())} ({plex_kinds or 'none'})")


def _keep(stash: StashDouble, plex: PlexDouble, harness: Harness) -> None:
    payload = harness.payload({"mode": "queue_status"})
    cookie = payload["server_connection"]["SessionCookie"]["Value"]
    print("\nThe doubles keep running (Ctrl-C stops them):")
    print(f"  Stash: {stash.url}/graphql  (Cookie: session={cookie}; no API key)")
    if stash.ui:
        print(f"  Stash's web UI: {stash.url}/  (open it in a browser)")
    print(f"  Plex:  {plex.url}  (X-Plex-Token: {plex.token})")
    print(f"  PlexSync data_dir: {harness.data_dir}")
    print(f"  Run a task as Stash would: echo '{json.dumps(payload)}' | python3 plexsync.py")
    # Stopped with SIGTERM as well as Ctrl-C, the demo still removes its temporary files.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.doubles.demo", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true",
                        help="leave the doubles running and print their URLs and tokens")
    parser.add_argument("--ui", action="store_true",
                        help="Stash's web UI on the Stash double (needs ../shared/stash-ui); "
                             "implies --keep")
    args = parser.parse_args(argv)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="plexsync-demo-") as tmp:
        stash = StashDouble(ui=args.ui).start()
        plex = PlexDouble(token=secrets.token_hex(10)).start()
        demo = Demo(stash, plex, Path(tmp))
        try:
            demo.run()
            if args.keep or args.ui:
                _keep(stash, plex, demo.harness)
        except Exception as exc:  # a broken step: show where, then say plainly what failed
            traceback.print_exc()
            demo.problems.append(f"the demo stopped: {type(exc).__name__}: {exc}")
        finally:
            demo.harness.kill_drainers()
            stash.stop()
            plex.stop()
    return _verdict(demo.problems, time.monotonic() - started)


def _verdict(problems: list[str], seconds: float) -> int:
    if problems:
        print(f"\nDEMO INCOMPLETE after {seconds:.1f}s; what went wrong:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"\nDemo finished in {seconds:.1f}s.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
