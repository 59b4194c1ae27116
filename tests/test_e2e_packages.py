"""End to end in a Python like the one in Stash's official Docker image: PlexSync's packages are
missing, pip is there, and the system environment is externally managed (PEP 668).

Stash's image (stashapp/stash docker/ci/x86_64/Dockerfile) installs Alpine's python3 and py3-pip
and needs `pip install --break-system-packages` for its own extras: a plain `pip install`
is refused there, and the image has no git (so CommunityScripts' PythonDepManager, which checks
for git before anything else, cannot run). The bare Python here is a venv made at test time,
told it is not a venv and given an EXTERNALLY-MANAGED marker, so pip refuses it the same way;
like the image, it holds stashapp-tools and requests, installed with --break-system-packages.

Packages come from the wheelhouse `./dev` downloads next to the dev virtualenv; pip is pointed
at it through its own environment variables (PIP_NO_INDEX, PIP_FIND_LINKS, PIP_CONFIG_FILE), so
no test reaches a package index and the plugin has no test-only switch.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from tests.doubles.plex import PlexDouble
from tests.doubles.stash import StashDouble
from tests.e2e import ok
from tests.harness import Harness, readable
from tests.plugin_run import ROOT, plugin_env, run_plugin
from tests.schema_fidelity import assert_recorded_queries_valid

WHEELHOUSE = Path(sys.prefix) / "wheelhouse"
_NOT_A_VENV = "import sys\nsys.base_prefix = sys.prefix\nsys.base_exec_prefix = sys.exec_prefix\n"
_MARKER = "[externally-managed]\nError=managed by the system (a test stand-in for Alpine's)\n"


def _python_says(python: str, code: str) -> str:
    return subprocess.run([python, "-c", code], capture_output=True, text=True, check=True,
                          timeout=60).stdout.strip()


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    home = tmp_path_factory.mktemp("bare-python")
    venv.EnvBuilder(with_pip=True).create(home)  # pip from ensurepip's own wheel: no index
    python = str(home / ("Scripts/python.exe" if os.name == "nt" else "bin/python"))
    purelib = Path(_python_says(python, "import sysconfig; print(sysconfig.get_path('purelib'))"))
    (purelib / "sitecustomize.py").write_text(_NOT_A_VENV)
    stdlib = Path(_python_says(python, "import sysconfig; print(sysconfig.get_path('stdlib'))"))
    (stdlib / "EXTERNALLY-MANAGED").write_text(_MARKER)
    pip = [python, "-m", "pip", "install", "stashapp-tools"]
    env = plugin_env(_offline_pip(WHEELHOUSE))
    refused = subprocess.run(pip, capture_output=True, text=True, env=env, timeout=120)
    assert "externally-managed-environment" in refused.stderr, refused.stderr  # as on Alpine
    # What the image itself installs this way: stashapp-tools, and with it requests.
    subprocess.run([*pip, "--break-system-packages"], capture_output=True, env=env, check=True,
                   timeout=300)
    return python


def _offline_pip(find_links: Path) -> dict[str, str]:
    assert any(WHEELHOUSE.glob("plexapi-*.whl")), (
        f"no wheelhouse at {WHEELHOUSE}: run ./dev test once, it downloads the requirements")
    return {"PIP_CONFIG_FILE": os.devnull, "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(find_links)}


def _packages_folder(harness: Harness, python: str) -> Path:
    tag = _python_says(python, "import sys; print(sys.implementation.cache_tag + '-' + "
                               "sys.platform)")
    return harness.data_dir / "packages" / tag


def _edit_and_hook(harness: Harness, scene_id: int, title: str) -> str:
    harness.stash.clock.advance(1)
    harness.stash.update_scene(scene_id, title=title)
    return ok(harness.hook(scene_id, input={"id": str(scene_id), "title": title}))


def test_docker_python_queues_then_health_check_installs_and_the_worker_syncs(
    harness: Harness, stash: StashDouble, plex: PlexDouble, bare_python: str
) -> None:
    sample = harness.build_sample(4)
    first, second = sample.synced_ids()[:2]
    harness.python = bare_python
    harness.env = _offline_pip(WHEELHOUSE)
    folder = _packages_folder(harness, bare_python)

    # A Save before the packages exist is queued, with one warning saying what to do.
    stash.clock.advance(1)
    stash.update_scene(first, title="Before")
    run = harness.hook(first, input={"id": str(first), "title": "Before"})
    assert run.returncode == 0, run.stderr
    assert run.result["output"] == ("queued 1 scene(s); PlexSync's Python packages are not "
                                    "installed yet")
    command = f"{bare_python} -m pip install --target {folder} -r {ROOT / 'requirements.txt'}"
    assert run.messages("warning") == [
        "PlexSync's Python packages are not installed yet (persist-queue, pydantic, plexapi): run"
        f" Health Check (Settings > Tasks > PlexSync) to install them, or run: {command}; "
        "changes are queued until then"]
    assert harness.queue_counts()["waiting"] == 1
    assert harness.drainer_pid() is None  # a worker would only die on its first import

    # A background worker started anyway says so through the next task instead of dying.
    drain_input = {"server_connection": harness.payload({})["server_connection"],
                   "data_dir": str(harness.data_dir)}
    worker = run_plugin(json.dumps(drain_input), args=["--drain"], python=bare_python,
                        env=harness.env)
    assert worker.returncode == 1 and "Traceback" not in worker.stderr
    assert worker.messages("error")[0].startswith("PlexSync's Python packages are not installed")

    # Health Check installs them into the data folder (from the wheelhouse) and reports OK.
    run = harness.task("health_check")
    assert run.returncode == 0, run.stderr
    checks = {c["check"]: c for c in run.result["output"]["checks"]}
    assert run.result["output"]["ok"] is True, checks
    assert checks["packages"]["detail"].endswith(f"packages: PlexSync's folder {folder}")
    assert f"installed PlexSync's Python packages into {folder}" in run.messages("info")
    assert {p.name for p in folder.parent.iterdir()} == {folder.name}  # nothing partial left
    assert (folder / "plexapi").is_dir() and (folder / "pydantic_core").is_dir()

    # The worker the next Save starts imports from there and writes both changes to Plex.
    assert _edit_and_hook(harness, second, "After") == "queued 1 scene(s) for Plex"
    harness.wait_drained()
    assert plex.item(sample.rating_keys[first][0])["fields"]["title"] == "Before"
    assert plex.item(sample.rating_keys[second][0])["fields"]["title"] == "After"
    log = [readable(line) for line in harness.drainer_log().splitlines()]
    assert not [line for line in log if line.startswith("error")], log
    assert_recorded_queries_valid(stash.queries)


def test_without_a_package_index_one_message_gives_the_exact_command(
    harness: Harness, bare_python: str, tmp_path: Path
) -> None:
    harness.python = bare_python
    nothing = tmp_path / "no-wheels"
    nothing.mkdir()
    harness.env = _offline_pip(nothing)  # what pip sees when no index answers
    folder = _packages_folder(harness, bare_python)

    run = harness.task("queue_status")

    assert run.returncode == 1
    error = run.result["error"]
    assert run.messages("error") == [error]
    command = f"{bare_python} -m pip install --target {folder} -r {ROOT / 'requirements.txt'}"
    assert error == (
        "PlexSync could not install its Python packages (No matching distribution found for "
        "persist-queue<2,>=1.0): check that this machine reaches the Python package index (or "
        "pip's own index and proxy settings), then run Health Check again, or run: "
        f"{command} (for Stash in Docker, inside its container: docker exec -it "
        "<stash container> ...)")
    assert list(folder.parent.iterdir()) == []  # nothing half-installed

    # The command is exact: once it has run (here from the wheelhouse), PlexSync uses its result.
    subprocess.run(shlex.split(command), check=True, capture_output=True, timeout=600,
                   env=plugin_env(_offline_pip(WHEELHOUSE)))
    harness.env = _offline_pip(nothing)
    run = harness.task("queue_status")
    assert run.returncode == 0, run.stderr
    assert not [m for m in run.messages("info") if m.startswith("installing")]
