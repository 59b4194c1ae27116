"""The plugin zip and index a Stash user installs from, and its requirements file."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import yaml

from sync_queue import packages
from tests.plugin_run import ROOT


def build(out: Path) -> None:
    subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--out", str(out),
                    "--date", "2026-11-25 00:00:00"], check=True, capture_output=True)


def test_index_lists_the_zip_with_its_checksum(tmp_path: Path) -> None:
    build(tmp_path)
    (entry,) = yaml.safe_load((tmp_path / "index.yml").read_text())
    assert entry["id"] == "plexsync" and entry["path"] == "plexsync.zip"
    assert {"name", "version", "date", "metadata", "requires", "sha256"} <= entry.keys()
    digest = hashlib.sha256((tmp_path / "plexsync.zip").read_bytes()).hexdigest()
    assert entry["sha256"] == digest


def test_zip_is_reproducible_and_runs_unpacked(tmp_path: Path) -> None:
    build(tmp_path / "a")
    build(tmp_path / "b")
    assert (tmp_path / "a" / "plexsync.zip").read_bytes() == (
        tmp_path / "b" / "plexsync.zip").read_bytes()
    plugin = tmp_path / "plugins" / "plexsync"
    with zipfile.ZipFile(tmp_path / "a" / "plexsync.zip") as archive:
        names = archive.namelist()
        archive.extractall(plugin)
    assert {"plexsync.yml", "plexsync.py", "requirements.txt"} <= set(names)
    assert not any(name.startswith(("tests/", "bench/")) for name in names)
    # Run from Stash's working directory, as Stash does: the unpacked plugin is self-contained.
    run = subprocess.run([sys.executable, str(plugin / "plexsync.py")], input="not json",
                         capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert run.returncode == 1 and "stdin is not JSON" in json.loads(run.stdout)["error"]


def test_requirements_match_the_declared_dependencies() -> None:
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text()
             .splitlines()]
    assert sorted(filter(None, lines)) == sorted(packages.REQUIRED.values())


def test_zip_holds_every_ui_file_the_manifest_lists(tmp_path: Path) -> None:
    build(tmp_path)
    ui = yaml.safe_load((ROOT / "plexsync.yml").read_text())["ui"]
    with zipfile.ZipFile(tmp_path / "plexsync.zip") as archive:
        names = set(archive.namelist())
    assert set(ui["javascript"] + ui["css"]) <= names
    assert all((ROOT / name).is_file() for name in ui["javascript"] + ui["css"])
