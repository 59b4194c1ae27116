"""plexsync.yml is parsed strictly by Stash: any key it does not know stops the plugin loading."""

from __future__ import annotations

import re
from pathlib import Path

from tests.manifest import manifest
from validation.config import PlexSyncConfig

ROOT = Path(__file__).resolve().parent.parent
TOP_KEYS = {"name", "description", "url", "version", "exec", "interface", "errLog", "tasks",
            "hooks", "settings", "ui"}
TASK_KEYS = {"name", "description", "execArgs", "defaultArgs"}
HOOK_KEYS = {"name", "description", "triggeredBy", "execArgs", "defaultArgs"}
SETTING_KEYS = {"displayName", "description", "type"}
OBJECTS = ("Scene", "SceneMarker", "Image", "Gallery", "GalleryChapter", "Group", "Movie",
           "Performer", "Studio")
TRIGGERS = {f"{o}.{a}.Post" for o in OBJECTS for a in ("Create", "Update", "Destroy")} | {
    f"Tag.{a}.Post" for a in ("Create", "Update", "Merge", "Destroy")}


def test_plugin_id_is_the_file_name_and_exec_runs_python3() -> None:
    doc = manifest()
    assert (ROOT / "plexsync.yml").stem == "plexsync"
    assert doc["exec"] == ["python3", "{pluginDir}/plexsync.py"]
    assert doc["interface"] == "raw"


def test_one_version_everywhere() -> None:
    """The manifest's version is what Stash shows and packaging/build.py publishes; the Python
    project declares the same."""
    declared = re.search(r'^version = "([^"]+)"$', (ROOT / "pyproject.toml").read_text(), re.M)
    assert declared is not None
    assert str(manifest()["version"]) == declared.group(1)


def test_only_keys_stash_accepts() -> None:
    doc = manifest()
    assert set(doc) <= TOP_KEYS
    for task in doc["tasks"]:
        assert set(task) <= TASK_KEYS, task
        assert all(isinstance(v, str) for v in task["defaultArgs"].values()), task
        assert isinstance(task["defaultArgs"]["mode"], str)
    for hook in doc["hooks"]:
        assert set(hook) <= HOOK_KEYS, hook
        assert set(hook["triggeredBy"]) <= TRIGGERS, hook
    for name, spec in doc["settings"].items():
        assert set(spec) <= SETTING_KEYS, name
        assert spec["type"] in ("STRING", "NUMBER", "BOOLEAN"), name


def test_scene_hooks_are_declared() -> None:
    triggers = {t for hook in manifest()["hooks"] for t in hook["triggeredBy"]}
    assert {"Scene.Update.Post", "Scene.Create.Post"} <= triggers


def test_required_task_modes_exist() -> None:
    modes = {task["defaultArgs"]["mode"] for task in manifest()["tasks"]}
    assert {"sync_all", "sync_recent", "process_queue", "queue_status"} <= modes


def test_settings_match_the_config_model_one_to_one() -> None:
    settings = manifest()["settings"]
    assert set(settings) == set(PlexSyncConfig.model_fields)
    kinds = {bool: "BOOLEAN", int: "NUMBER"}
    for name, field in PlexSyncConfig.model_fields.items():
        assert settings[name]["type"] == kinds.get(field.annotation, "STRING"), name


def test_every_setting_says_its_default_and_effect() -> None:
    for name, spec in manifest()["settings"].items():
        assert spec["displayName"], name
        text = spec["description"]
        assert ("Default" in text or "Required" in text) and len(text) > 30, name


def test_boolean_descriptions_match_the_real_defaults() -> None:
    settings = manifest()["settings"]
    for name, field in PlexSyncConfig.model_fields.items():
        if field.annotation is bool:
            word = "on" if field.default else "off"
            assert f"Default {word}" in settings[name]["description"], name
