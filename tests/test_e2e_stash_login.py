"""End-to-end: a password and no API key, and Stash failures told apart from Plex's (issue 10, §3).

Without an API key PlexSync works on the session cookie each run is handed. Stash renews a
session on every request it authenticates and refuses it max_session_age after its last use
(stashapp/stash pkg/session/session.go; the double models it on its own clock, see
tests/doubles/stash/sessions.py). A background worker whose login lapsed must end cleanly, jobs
kept, so that the next hook, which brings a fresh login, starts a worker; Stash failing is never
Plex being down.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble
from tests.e2e import edit_scene
from tests.harness import Harness
from tests.plex_views import stale_scenes
from tests.queue_rows import breaker_state, queue_rows

AGE = 3600


@pytest.fixture
def password_only(tmp_path: Path, plex: PlexDouble) -> Iterator[Harness]:
    stash = StashDouble(credentials=True, session="SESSION-pw", session_max_age=AGE).start()
    harness = Harness(stash, plex, tmp_path)
    yield harness
    harness.kill_drainers()
    stash.stop()


def _outputs(*runs: object) -> str:
    return "".join(getattr(run, "stdout", "") + getattr(run, "stderr", "") for run in runs)


def test_edits_converge_across_a_lapsed_login(password_only: Harness, plex: PlexDouble) -> None:
    harness, stash = password_only, password_only.stash
    sample = harness.build_sample(6, missing=1)
    first, second, third = sample.scene_ids[:3]
    rng = random.Random(3)
    # A scene Plex does not have yet is looked for again in 15 s: the worker stays alive.
    assert harness.hook(sample.missing[0]).returncode == 0
    harness.wait_until(lambda: harness.drainer_pid() is not None, what="the worker started")
    worker = harness.drainer_pid()
    edit_scene(stash, rng, first, "before")
    assert harness.hook(first).returncode == 0
    harness.wait_until(lambda: stale_scenes(stash, plex, sample, [first]) == {},
                       what="the first edit in Plex")

    stash.clock.advance(AGE + 1)  # an hour without a request: the worker's login has lapsed
    edit_scene(stash, rng, second, "after")
    during = harness.hook(second)  # the worker is still there: this job is left to it
    harness.wait_until(lambda: harness.drainer_pid() != worker and not harness.drainer_running(),
                       what="the worker with the lapsed login ended")

    tries = {job["scene_id"]: (job["attempts"], job["looks"]) for _, job in queue_rows(harness)}
    # Kept, and not counted against them: the one look for the missing scene was before.
    assert tries == {second: (0, 0), sample.missing[0]: (0, 1)}
    assert harness.dead_letters() == [] and breaker_state(harness) == "closed"
    assert "Stash refused PlexSync's login" in harness.drainer_log()

    edit_scene(stash, rng, third, "fresh login")
    after = harness.hook(third)  # brings a fresh login: a new worker writes both edits
    assert after.returncode == 0, after.stderr
    assert any("Stash refused PlexSync's login" in t for t in after.messages("warning"))
    harness.wait_until(lambda: stale_scenes(stash, plex, sample, [first, second, third]) == {},
                       30, "every edit in Plex")
    assert "Plex is unreachable" not in _outputs(during, after) + harness.drainer_log()


def test_a_task_on_a_password_only_login_syncs_everything(password_only: Harness,
                                                          plex: PlexDouble) -> None:
    sample = password_only.build_sample(8)
    run = password_only.task("sync_all")
    assert run.returncode == 0, run.stderr
    assert stale_scenes(password_only.stash, plex, sample) == {}


def test_stash_failing_is_not_taken_for_plex_being_down(harness: Harness, stash: StashDouble,
                                                         plex: PlexDouble) -> None:
    sample = harness.build_sample(12)
    harness.configure(max_retries=0)  # each failure goes straight to the dead letters
    # Every cover download fails, as when Stash's generated files sit on a disk that went away:
    # Stash's failure, each scene's own (issue 11), never Plex being down.
    for scene_id in sample.synced_ids():
        stash.image_faults[f"/scene/{scene_id}/screenshot"] = 500

    run = harness.task("sync_all")

    assert "Plex is unreachable" not in _outputs(run) + harness.drainer_log()
    assert breaker_state(harness) == "closed"
    letters = harness.dead_letters()
    assert letters and all("from Stash" in letter.message for letter in letters), letters
    stash.image_faults.clear()
    assert run_ok(harness.task("dlq_retry"))
    harness.wait_drained()
    assert stale_scenes(stash, plex, sample) == {}
    assert "Plex is unreachable" not in harness.drainer_log()


def run_ok(run: object) -> bool:
    return getattr(run, "returncode", 1) == 0
