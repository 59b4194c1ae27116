"""`python -m tests.doubles.stash`: run a small Stash double until Ctrl-C, for manual poking.

`--ui` is UI mode: Stash's own web UI (from ../shared/stash-ui) on the double's library, with
PlexSync installed; open the printed URL in a browser. `--plugin some.yml` installs another
plugin, e.g. tests/ui_plugin/uitest.yml.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path

from .images import tiny_png
from .server import StashDouble

ROOT = Path(__file__).resolve().parents[3]


def _populate(stash: StashDouble) -> None:
    parent = stash.add_studio("Parent Network", image=tiny_png("network"))
    studio = stash.add_studio("Studio A", parent=parent)
    jane = stash.add_performer("Jane Doe", image=tiny_png("jane"))
    john = stash.add_performer("John Roe", disambiguation="2010s")
    tag = stash.add_tag("Outdoor")
    group = stash.add_group("Summer Series")
    stash.add_scene(title="Beach Day", details="Sun and sand.", date="2024-05-06",
                    rating100=80, organized=True, studio=studio, performers=[jane, john],
                    tags=[tag], groups=[(group, 1)], urls=["https://example.com/beach"],
                    files=[("/media/beach_day.mp4", 123_456_789, 1800.0)],
                    cover=tiny_png("beach"), code="BD-01", director="Ann Director")
    stash.add_scene(title="Mountain", date="2024-05", studio=studio, performers=[jane],
                    groups=[(group, 2)], files=[("/media/mountain.mkv", 987_654_321)])
    stash.add_scene(date="2023", files=[("/media/untitled.mp4", 1_000)])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.doubles.stash", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--api-key", default=None, help="require this API key (auth on)")
    parser.add_argument("--ui", action="store_true", help="serve Stash's web UI (UI mode)")
    parser.add_argument("--port", type=int, default=0, help="listen here (default: any free)")
    parser.add_argument("--plugin", action="append", default=[], type=Path,
                        help="install this plugin yml as well (repeatable)")
    args = parser.parse_args()
    try:
        stash = StashDouble(api_key=args.api_key, ui=args.ui, port=args.port).start()
    except FileNotFoundError as missing:
        sys.exit(str(missing))
    stash.install_plugin(ROOT / "plexsync.yml")
    for manifest in args.plugin:
        stash.install_plugin(manifest)
    _populate(stash)
    if args.ui:
        print(f"Stash's web UI on the double: {stash.url}/  (a scene: {stash.url}/scenes/1)")
    print(f"Stash double at {stash.url}/graphql")
    print(f"API key: {stash.api_key or '(none: authentication off)'}")
    print("server_connection:", json.dumps(stash.server_connection()))
    print("Ctrl-C to stop.")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        stash.stop()


if __name__ == "__main__":
    main()
