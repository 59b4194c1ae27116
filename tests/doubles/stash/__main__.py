"""`python -m tests.doubles.stash`: run a small Stash double until Ctrl-C, for manual poking."""

from __future__ import annotations

import argparse
import json
import threading

from .images import tiny_png
from .server import StashDouble


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
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--api-key", default=None, help="require this API key (auth on)")
    args = parser.parse_args()
    stash = StashDouble(api_key=args.api_key).start()
    _populate(stash)
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
