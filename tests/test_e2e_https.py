"""End-to-end: a Stash served over HTTPS with the user's self-signed certificate (issue 10, §2).

Stash serves HTTPS as soon as stash.crt and stash.key are in its config folder and then hands
plugins `"Scheme": "https"` (stashapp/stash internal/manager/config/config.go InitTLS,
pkg/plugin/plugins.go makeServerConnection); the certificate is for the user's name for the
machine, and the plugin connects to the bind address. Hooks (the light client), tasks and the
background worker (stashapi, covers) must all get through; a certificate that is not Stash's
must stop them with one message naming the file.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble
from tests.doubles.stash.tls import certificate_pair
from tests.e2e import edit_scene
from tests.harness import Harness
from tests.plex_views import stale_scenes
from tests.queue_rows import queue_rows
from tests.schema_fidelity import assert_recorded_queries_valid


def _https_harness(tmp_path: Path, plex: PlexDouble, **mode: object) -> Iterator[Harness]:
    stash = StashDouble(**mode).start()  # type: ignore[arg-type]
    harness = Harness(stash, plex, tmp_path)
    yield harness
    harness.kill_drainers()
    stash.stop()


@pytest.fixture(params=[{"tls": "config"}, {"tls": "elsewhere"},
                        {"tls": "config", "cert_expired": True}],
                ids=["cert-in-config-folder", "cert-elsewhere", "cert-expired"])
def https(request: pytest.FixtureRequest, tmp_path: Path, plex: PlexDouble) -> Iterator[Harness]:
    yield from _https_harness(tmp_path, plex, **request.param)


def test_hooks_tasks_and_the_background_worker_over_https(https: Harness,
                                                          plex: PlexDouble) -> None:
    stash = https.stash
    sample = https.build_sample(8)

    synced = https.task("sync_all")
    assert synced.returncode == 0, synced.stderr
    assert stale_scenes(stash, plex, sample) == {}
    assert plex.counts["upload_poster"] > 0  # covers came from Stash over HTTPS too

    edited = sample.scene_ids[:3]
    for scene_id in edited:
        edit_scene(stash, random.Random(scene_id), scene_id, "over https")
        hooked = https.hook(scene_id)
        assert hooked.returncode == 0, hooked.stderr
        assert hooked.result["output"] == "queued 1 scene(s) for Plex"
    https.wait_drained()

    assert stale_scenes(stash, plex, sample) == {}
    assert queue_rows(https) == [] and https.dead_letters() == []
    outputs = synced.stderr + hooked.stderr + https.drainer_log()
    assert "Unverified HTTPS" not in outputs and "Traceback" not in outputs
    assert_recorded_queries_valid(stash.queries)


@pytest.fixture
def https_in_config(tmp_path: Path, plex: PlexDouble) -> Iterator[Harness]:
    yield from _https_harness(tmp_path, plex, tls="config")


def test_a_certificate_that_is_not_stashs_stops_every_run_with_one_message(
        https_in_config: Harness) -> None:
    harness = https_in_config
    sample = harness.build_sample(2)
    stale = Path(harness.stash.config_dir) / "stash.crt"
    stale.write_bytes(certificate_pair(common_name="an-old-certificate")[0])

    hooked = harness.hook(sample.scene_ids[0])
    task = harness.task("sync_all")

    for run in (hooked, task):
        assert run.returncode == 1
        assert "Stash serves another HTTPS certificate than" in run.result["error"]
        assert str(stale) in run.result["error"]
        assert len(run.messages("error")) == 1, run.stderr
    assert harness.queue_counts()["waiting"] == 0  # nothing could be read, nothing queued
