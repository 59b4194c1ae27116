"""Run a Plex double by hand: `python -m tests.doubles.plex [--port N] [--token T]`."""

from __future__ import annotations

import argparse
import signal
import threading

from .server import PlexDouble


def _sample(plex: PlexDouble) -> None:
    scenes = plex.add_section("Scenes", ["/data/scenes"])
    plex.add_item(scenes, "/data/scenes/first.mp4", 1_000_000, tags={"genre": ["Drama"]})
    plex.add_item(
        scenes,
        "/data/scenes/second clip.mkv",
        2_000_000,
        studio="Studio A",
        actors=[{"tag": "Jane Doe", "role": "Lead", "thumb": None}],
    )
    plex.add_pending(scenes, "/data/scenes/new/third.mp4", 3_000_000, delay=2.0)
    plex.add_section("Music", ["/data/music"], agent="tv.plex.agents.music", type="artist")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default="plex-token")
    args = parser.parse_args()
    plex = PlexDouble(token=args.token, port=args.port)
    _sample(plex)
    plex.start()
    # Ctrl-C (and SIGTERM) stop it even when it was started from a script's background job,
    # which inherits SIGINT ignored: Python then installs no KeyboardInterrupt of its own.
    for stop in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop, signal.default_int_handler)
    print(f"Plex double at {plex.url} token {args.token} (Ctrl-C stops)", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        plex.stop()


if __name__ == "__main__":
    main()
