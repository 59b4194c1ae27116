"""One benchmark installation: both doubles with a sample library, and PlexSync configured."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.plex_load import PlexLoad
from bench.process import Measured, run_measured
from tests.doubles.plex import PlexDouble
from tests.doubles.sample import Sample
from tests.doubles.stash import StashDouble
from tests.harness import Harness

RUN_TIMEOUT = 3600.0  # a 100,000-scene sync on a slow machine, and a bit more


@dataclass
class Library:
    stash: StashDouble
    plex: PlexDouble
    harness: Harness
    sample: Sample
    load: PlexLoad
    plexapi_config: Path

    def run(self, args: dict[str, Any]) -> Measured:
        """plexsync.py as Stash runs it: a task ({"mode": ...}) or a hook ({"hookContext"})."""
        # An empty plexapi config: a developer's ~/.config/plexapi must not change the client.
        env = {"PLEXAPI_CONFIG_PATH": str(self.plexapi_config)}
        return run_measured(self.harness.payload(args), env, RUN_TIMEOUT)

    def task(self, mode: str) -> Measured:
        return self.run({"mode": mode})

    def hook(self, scene_id: int, title: str) -> Measured:
        """Scene.Update.Post as Stash sends it after a person retitled the scene."""
        context = {"id": scene_id, "type": "Scene.Update.Post",
                   "input": {"id": str(scene_id), "title": title},
                   "inputFields": ["id", "title"]}
        return self.run({"hookContext": context})

    def items(self) -> int:
        return sum(len(keys) for keys in self.sample.rating_keys.values())

    def covered_items(self) -> int:
        """Plex items whose scene has a cover of its own (Stash's placeholder is no cover)."""
        return sum(len(self.sample.rating_keys[sid]) for sid in self.sample.synced_ids()
                   if self.stash.store.scenes[sid].cover is not None)


@contextlib.contextmanager
def library(n: int, *, covers: bool, latency: float,
            concurrency: int | None = None) -> Iterator[Library]:
    """n scenes in Stash, their items in Plex (as a fresh scan left them), Plex slowed down."""
    with tempfile.TemporaryDirectory(prefix="plexsync-bench-") as tmp:
        stash = StashDouble().start()
        plex = PlexDouble().start()
        harness = Harness(stash, plex, Path(tmp))
        try:
            sample = harness.build_sample(n, covers=covers)
            if concurrency is not None:
                harness.configure(plex_concurrency=concurrency)
            plex.latency = latency
            config = Path(tmp) / "bench-plexapi.ini"
            config.touch()
            yield Library(stash, plex, harness, sample, PlexLoad.attach(plex), config)
        finally:
            harness.kill_drainers()
            plex.stop()
            stash.stop()
