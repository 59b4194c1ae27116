"""End to end as on Windows: Python decodes and encodes its pipes with the ANSI code page.

Stash writes the plugin's input as UTF-8 (Go's json.Marshal) and reads stdout and stderr as
UTF-8, and it sets no PYTHONUTF8 (stashapp/stash pkg/plugin/raw.go, pkg/logger/plugin.go,
pkg/python/env.go). Python on Windows gives a pipe the ANSI code page, cp1252 on a western
install: `”` (E2 80 9D) and most kana hold bytes cp1252 cannot decode, so reading stdin as text
crashes the hook and the edit is lost. PYTHONIOENCODING=cp1252 gives Python the same pipes here.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sync_queue import layout
from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble
from tests.e2e import ok
from tests.harness import Harness
from tests.plex_views import assert_synced

ANSI_PIPES = {"PYTHONIOENCODING": "cp1252"}
TITLE = "”Quoted” ひらがなとカタカナ 日本語"
DETAILS = "“Curly” and ”closing” quotes — 夏の夜、東京タワーの下で。"
LABELS = ("Sammlung ”Ü”", "日本")


@pytest.fixture
def ansi(harness: Harness) -> Harness:
    harness.env = dict(ANSI_PIPES)
    return harness


def test_non_ascii_edit_reaches_plex_through_ansi_pipes(ansi: Harness, stash: StashDouble,
                                                        plex: PlexDouble) -> None:
    sample = ansi.build_sample(4)
    ansi.configure(plex_labels=", ".join(LABELS))
    ok(ansi.task("sync_all"))
    scene_id = sample.synced_ids()[0]
    stash.clock.advance(1)
    stash.update_scene(scene_id, title=TITLE, details=DETAILS)
    run = ansi.hook(scene_id, input={"id": str(scene_id), "title": TITLE, "details": DETAILS},
                    input_fields=["details", "id", "title"])
    assert ok(run) == "queued 1 scene(s) for Plex"
    ansi.wait_drained()
    assert_synced(stash, plex, scene_id, sample.rating_keys[scene_id], labels=LABELS)
    assert plex.item(sample.rating_keys[scene_id][0])["fields"]["title"] == TITLE
    # The background worker logs its settings to drainer.log: UTF-8 too, like every log line.
    worker_log = (ansi.data_dir / layout.DRAINER_LOG).read_bytes().decode("utf-8")
    assert f"setting plex_labels = {list(LABELS)!r}" in worker_log


def test_log_lines_and_reply_are_utf8_through_ansi_pipes(ansi: Harness,
                                                        stash: StashDouble) -> None:
    sample = ansi.build_sample(3)
    stash.update_scene(sample.synced_ids()[0], title=TITLE)
    run = ansi.task("preview")
    assert run.returncode == 0, run.stderr
    assert any(TITLE in line for line in run.messages("info")), run.stderr
    assert any(TITLE in example for example in run.result["output"]["examples"]["title"])


def test_config_folder_with_non_ascii_name(plex: PlexDouble, tmp_path: Path) -> None:
    """Stash's config folder (server_connection Dir) holds the default data folder."""
    with StashDouble(config_name="Stash 設定 ”Ü” ") as stash:
        harness = Harness(stash, plex, tmp_path)
        harness.configure(data_dir=None)
        harness.data_dir = Path(stash.config_dir) / "plexsync"
        harness.env = dict(ANSI_PIPES)
        try:
            sample = harness.build_sample(4)
            ok(harness.task("sync_all"))
            assert (harness.data_dir / layout.STATE_DB).is_file()  # not in a mojibake twin
            for scene_id in sample.synced_ids():
                assert_synced(stash, plex, scene_id, sample.rating_keys[scene_id])
            scene_id = sample.synced_ids()[0]
            stash.clock.advance(1)
            stash.update_scene(scene_id, title=TITLE)
            ok(harness.hook(scene_id, input={"id": str(scene_id), "title": TITLE},
                            input_fields=["id", "title"]))
            harness.wait_drained()
            assert_synced(stash, plex, scene_id, sample.rating_keys[scene_id])
        finally:
            harness.kill_drainers()
