"""The house rules of the layout: imports flow one way between folders, the hook stays light,
files stay short, and every task mode Stash offers is registered."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tasks.registry import MODES, TASKS
from tests.harness import Harness
from tests.queue_rows import hold_drainer_lock

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("tasks", "worker", "plex", "stash", "sync", "sync_queue", "validation")
ENTRY = "plexsync.py"
# Which folders each folder may import: plexsync.py -> tasks -> worker -> the adapters and the
# data folder -> the decisions -> the models (layout.md).
ALLOWED = {
    ENTRY: {"tasks", "worker"},
    # The hook and the package install talk to Stash through its light, standard-library client;
    # the web UI's answers link into Plex Web (plex/web.py).
    "tasks": {"worker", "plex", "stash", "sync_queue", "sync", "validation"},
    "worker": {"plex", "stash", "sync_queue", "sync", "validation"},
    "plex": {"sync_queue", "sync", "validation"},
    "stash": set(),
    "sync_queue": {"sync", "validation"},
    "sync": {"validation"},
    "validation": set(),
}
# Stash's plugin protocol and its log: the base every folder may use.
BASE = ("stash.log", "stash.protocol")
# Single modules allowed one more folder, and why.
EXCEPTIONS = {
    # The field plan compares Stash's picture URLs by Stash's own rules (standard library only).
    ("sync/plan.py", "stash.urls"),
    # Plex's writes use the same lean HTTP path as Stash's cover downloads: a session's own
    # pool, requests' exceptions (stash/ is the one folder both adapters may reach).
    ("plex/http.py", "stash.pooled"),
}
HEAVY = ("pydantic", "requests", "urllib3", "plexapi", "dataclasses", "persistqueue", "stashapi")
MAX_LINES = 300


def product_files() -> list[Path]:
    return [ROOT / ENTRY] + sorted(p for folder in FOLDERS for p in (ROOT / folder).rglob("*.py"))


def _folder(path: Path) -> str:
    relative = path.relative_to(ROOT)
    return relative.parts[0] if len(relative.parts) > 1 else ENTRY


def _imports(path: Path) -> Iterator[str]:
    """Every module the file imports, at the top or inside a function."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _edges() -> dict[tuple[str, str], set[str]]:
    """(folder, imported folder) -> the imports behind it, base and exceptions left out."""
    edges: dict[tuple[str, str], set[str]] = {}
    for path in product_files():
        source = _folder(path)
        name = str(path.relative_to(ROOT))
        for module in _imports(path):
            target = module.split(".")[0]
            if target not in FOLDERS or target == source:
                continue
            if module.startswith(BASE) or any(name == m and module.startswith(allowed)
                                              for m, allowed in EXCEPTIONS):
                continue
            edges.setdefault((source, target), set()).add(f"{name} imports {module}")
    return edges


def test_imports_between_folders_flow_one_way() -> None:
    wrong = {f"{source} -> {target}": sorted(why) for (source, target), why in _edges().items()
             if target not in ALLOWED[source]}
    assert not wrong, wrong


def test_the_folders_import_no_loop() -> None:
    graph: dict[str, set[str]] = {}
    for source, target in _edges():
        graph.setdefault(source, set()).add(target)
    done: set[str] = set()

    def visit(folder: str, path: tuple[str, ...]) -> None:
        assert folder not in path, f"import loop: {' -> '.join((*path, folder))}"
        if folder in done:
            return
        for target in graph.get(folder, ()):
            visit(target, (*path, folder))
        done.add(folder)

    for folder in graph:
        visit(folder, ())


def test_no_product_file_is_longer_than_the_rule() -> None:
    long = {str(p.relative_to(ROOT)): n for p in product_files()
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long


def test_no_test_module_imports_another() -> None:
    """Shared helpers live in modules of their own, one concept each (tests/e2e.py,
    plex_views.py, queue_rows.py, polling.py, ...); fixtures in conftest.py."""
    tests = ROOT / "tests"
    wrong = {str(p.relative_to(ROOT)): module for p in tests.rglob("*.py")
             if "doubles" not in p.parts
             for module in _imports(p) if module.split(".")[:2][-1].startswith("test_")
             and module.startswith("tests.")}
    assert not wrong, wrong


def test_the_hook_path_imports_nothing_heavy(harness: Harness) -> None:
    """What Stash's Save waits for: a hook run as Stash starts it, every import it makes
    profiled (the worker it would start is kept out: another process)."""
    sample = harness.build_sample(2)
    lock = hold_drainer_lock(harness)
    harness.env["PYTHONPROFILEIMPORTTIME"] = "1"

    run = harness.hook(sample.scene_ids[0])
    lock.release()

    assert run.returncode == 0, run.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines()
                if line.startswith("import time:")}
    assert "stash.light" in imported  # the profile is there
    assert sorted(m for m in imported if m.split(".")[0] in HEAVY) == []


def test_every_task_stash_offers_is_registered_and_found() -> None:
    manifest = yaml.safe_load((ROOT / "plexsync.yml").read_text(encoding="utf-8"))
    offered = {task["defaultArgs"]["mode"] for task in manifest["tasks"]}
    assert offered == set(TASKS)


@pytest.mark.parametrize("mode", sorted(MODES))
def test_a_registered_task_names_a_function(mode: str) -> None:
    module, _, name = MODES[mode].partition(":")
    assert callable(getattr(importlib.import_module(module), name))
