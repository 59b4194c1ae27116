"""Run plexsync.py exactly as Stash does: a child process, JSON on stdin, JSON back on stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


def run_plugin(payload: dict[str, Any] | str, *, timeout: float = 120,
               env: dict[str, str] | None = None, args: list[str] | None = None,
               python: str | None = None) -> PluginRun:
    """python: the interpreter Stash runs (default: the one running the tests)."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    proc = subprocess.run(
        [python or sys.executable, str(ENTRY), *(args or [])],
        input=text, capture_output=True, text=True, timeout=timeout,
        env=plugin_env(env), cwd=str(ROOT.parent),
    )
    return PluginRun(proc.returncode, proc.stdout, proc.stderr)
