"""End-to-end: secrets stay secret, and a drainer outlives the session cookie (issue 5).

The Plex token, Stash's API key and the session cookie get recognisable values; after a
representative set of runs (syncs, hooks and their drainer, a refused value, garbage, an
outage, a rejected token, the status and housekeeping tasks) every byte PlexSync produced is
searched: every run's stdout and stderr, the drainer's log and notices, every file in the data
dir (the SQLite files included, as bytes), and the drainer's command line and environment.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from sync_queue import layout
from tests.doubles.plex import PlexDouble
from tests.doubles.plex.faults import GARBAGE
from tests.doubles.stash import StashDouble
from tests.e2e import edit_scene
from tests.harness import Harness
from tests.plex_views import stale_scenes
from tests.plugin_run import PluginRun
from tests.queue_rows import queue_every_scene, queue_rows

TOKEN = "PLEXTOKEN-e2e-5ec7e7-a1"
NEW_TOKEN = "PLEXTOKEN-e2e-5ec7e7-b2"  # after the user changes their Plex password
API_KEY = "STASHAPIKEY-e2e-5ec7e7-c3"
COOKIE = "SESSIONCOOKIE-e2e-5ec7e7-d4"
SECRETS = (TOKEN, NEW_TOKEN, API_KEY, COOKIE)
HOLD = 300.0  # the Plex double's gate holds a request no longer, even if a test goes wrong
WAIT = 90.0  # generous deadlines: under heavy load a fresh interpreter takes seconds to start


@dataclass
class Setup:
    harness: Harness
    stash: StashDouble
    plex: PlexDouble
    outputs: list[str] = field(default_factory=list)
    seen: list[str] = field(default_factory=list)  # drainer command lines and environments

    def keep(self, run: PluginRun) -> PluginRun:
        self.outputs += [run.stdout, run.stderr]
        return run

    def task(self, mode: str, **args: object) -> PluginRun:
        return self.keep(self.harness.task(mode, **args))

    def hook(self, scene_id: int) -> PluginRun:
        return self.keep(self.harness.hook(scene_id))

    def look_at_drainer(self) -> None:
        """What other users of the machine could read about the running drainer."""
        pid = self.harness.drainer_pid()
        assert pid is not None, "no drainer to look at"
        for part in ("cmdline", "environ"):
            self.seen.append(Path(f"/proc/{pid}/{part}").read_bytes().decode(errors="replace"))

    def leaks(self) -> dict[str, list[str]]:
        """Every place a secret was found, by secret."""
        places: dict[str, list[str]] = {}
        files = sorted(p for p in self.harness.data_dir.rglob("*") if p.is_file())
        stores = {layout.QUEUE_DB, layout.STATE_DB, layout.DEAD_LETTERS_DB, layout.DRAINER_LOG}
        assert stores <= {p.name for p in files}, "the search must cover the stores"
        texts = [(f"run output {i}", text) for i, text in enumerate(self.outputs)]
        texts += [(f"drainer process {i}", text) for i, text in enumerate(self.seen)]
        for secret in SECRETS:
            found = [name for name, text in texts if secret in text]
            found += [str(p) for p in files if secret.encode() in p.read_bytes()]
            if found:
                places[secret] = found
        return places


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[Setup]:
    stash = StashDouble(api_key=API_KEY, session=COOKIE).start()
    plex = PlexDouble(token=TOKEN).start()
    harness = Harness(stash, plex, tmp_path)
    yield Setup(harness, stash, plex)
    harness.kill_drainers()
    plex.stop()
    stash.stop()


def test_the_drainer_keeps_syncing_after_the_session_expires(setup: Setup) -> None:
    harness, stash, plex = setup.harness, setup.stash, setup.plex
    sample = harness.build_sample(80)
    queue_every_scene(harness, stash, sample.scene_ids)
    # The drainer waits at its 11th edit: most covers are fetched from Stash after the expiry.
    plex.gate.close("edit", after=10, timeout=HOLD)

    assert setup.hook(sample.scene_ids[0]).returncode == 0
    plex.gate.wait_held("edit", timeout=WAIT)
    setup.look_at_drainer()
    fetched = stash.counts.get("screenshot", 0)
    stash.expire_session()  # Stash's session max age passed: the cookie is refused from now on
    plex.gate.open()
    harness.wait_drained()

    assert stash.counts.get("screenshot", 0) > fetched  # it kept asking Stash, by API key
    assert stale_scenes(stash, plex, sample) == {}
    assert queue_rows(harness) == [] and harness.dead_letters() == []
    assert setup.leaks() == {}


def test_no_secret_in_any_output_or_stored_byte(setup: Setup) -> None:
    harness, stash, plex = setup.harness, setup.stash, setup.plex
    sample = harness.build_sample(6)
    rng = random.Random(9)
    first, second, third = sample.scene_ids[:3]

    assert setup.task("sync_all").returncode == 0
    edit_scene(stash, rng, first, "hooked")
    plex.gate.close("edit", timeout=HOLD)  # the drainer stays alive to be looked at
    assert setup.hook(first).returncode == 0
    plex.gate.wait_held("edit", timeout=WAIT)
    setup.look_at_drainer()
    plex.gate.open()
    harness.wait_drained()

    plex.faults.refused_values = {"Refused by Plex"}  # a warning naming the scene and field
    stash.update_scene(second, title="Second, retitled", details="Refused by Plex")
    plex.faults.garbage = {"metadata": GARBAGE["html"]}  # dead letters with their reason
    harness.configure(max_retries=0)
    edit_scene(stash, rng, third, "garbage")
    assert setup.hook(third).returncode == 0
    harness.wait_drained()
    assert harness.dead_letters()
    plex.faults.garbage = {}

    plex.maintenance = True  # the breaker and the last error are stored
    edit_scene(stash, rng, first, "maintenance")
    assert "Plex is unavailable (HTTP 503" in setup.task("sync_all").stdout
    plex.maintenance = False
    harness.kill_drainers()

    plex.token = NEW_TOKEN  # 401: the task and the drainer stop with the jobs kept
    assert "Plex rejected the token" in setup.task("process_queue").stdout
    harness.configure(plex_token=NEW_TOKEN)
    for mode in ("queue_status", "health_check", "dlq_retry"):  # the last one starts a drainer
        assert setup.task(mode).returncode == 0, mode
    harness.wait_drained()

    assert stale_scenes(stash, plex, sample, [first, third]) == {}
    assert setup.leaks() == {}
