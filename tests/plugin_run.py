"""Run plexsync.py exactly as Stash does: a child process, JSON on stdin, JSON back on stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENTRY = ROOT / "plexsync.py"
LEVELS = {"t": "trace", "d": "debug", "i": "info", "w": "warning", "e": "error", "p": "progress"}


@dataclass
class PluginRun:
    returncode: int
    stdout: str
    stderr: str

    @property
    def result(self) -> dict[str, Any]:
        return json.loads(self.stdout)

    @property
    def logs(self) -> list[tuple[str, str]]:
        """(level, text) for every protocol line on stderr; unprefixed lines count as 'raw'."""
        lines = []
        for line in self.stderr.splitlines():
            if len(line) >= 3 and line[0] == "\x01" and line[2] == "\x02":
                lines.append((LEVELS.get(line[1], line[1]), line[3:]))
            elif line.strip():
                lines.append(("raw", line))
        return lines

    def messages(self, level: str) -> list[str]:
        return [text for lvl, text in self.logs if lvl == level]


def plugin_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PLEXAPI_", "PYTEST_"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # Stash appends the plugin's parent to PYTHONPATH; a developer's own must not leak in.
    env["PYTHONPATH"] = str(ROOT.parent)
    env.update(extra or {})
    return env


def run_plugin(payload: dict[str, Any] | str | bytes, *, timeout: float = 120,
               env: dict[str, str] | None = None, args: list[str] | None = None,
               entry: Path = ENTRY, python: str | None = None) -> PluginRun:
    """Bytes in and out as Stash has them: it writes UTF-8 (Go's json.Marshal, no byte order
    mark) and reads the plugin's stdout and stderr as UTF-8 (stashapp/stash pkg/plugin/raw.go,
    pkg/logger/plugin.go). A byte that is not UTF-8 shows as U+FFFD, as in Stash's log.
    python: the interpreter Stash runs (default: the one running the tests)."""
    if isinstance(payload, dict):
        payload = json.dumps(payload, ensure_ascii=False)
    raw = payload.encode("utf-8") if isinstance(payload, str) else payload
    proc = subprocess.run(
        [python or sys.executable, str(entry), *(args or [])],
        input=raw, capture_output=True, timeout=timeout,
        env=plugin_env(env), cwd=str(entry.parent.parent),
    )
    return PluginRun(proc.returncode, proc.stdout.decode("utf-8", "replace"),
                     proc.stderr.decode("utf-8", "replace"))


def install_copy(plugins_dir: Path) -> Path:
    """The plugin as a user installs it (packaging/build.py's zip) unpacked into
    plugins_dir/plexsync, for tests that change its files; returns that folder."""
    with tempfile.TemporaryDirectory() as out:
        subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py"), "--out", out],
                       check=True, capture_output=True)
        with zipfile.ZipFile(Path(out) / "plexsync.zip") as archive:
            archive.extractall(plugins_dir / "plexsync")
    return plugins_dir / "plexsync"
