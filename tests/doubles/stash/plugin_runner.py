"""Running a raw-interface plugin process as Stash does (stashapp/stash pkg/plugin/raw.go,
config.go getExecCommand, plugins.go buildPluginInput, pkg/logger/plugin.go).

- Command: the yml's `exec` plus the task's `execArgs`; `{pluginDir}` is replaced in every
  argument but the first; `python`/`python3` as the first means Stash's own interpreter (here the
  test interpreter) with the plugin's parent folder appended to PYTHONPATH.
- stdin: `{"server_connection": {...}, "args": {...}}`; a task's `defaultArgs` fill the keys the
  caller did not give.
- stderr: one log line each. `\\x01<level>\\x02text` sets the level (text trimmed); other lines
  take the yml's `errLog` level (error by default); `p` lines are progress (tasks only).
- stdout: read to the end; `{"output": ..., "error": ...}` is the result, anything else becomes
  the output as text. A non-zero exit without an error gives "exit status N".
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any, NamedTuple

from tests.plugin_run import ROOT, plugin_env

from .plugins import Plugin

LEVELS = {"t": "trace", "d": "debug", "i": "info", "w": "warning", "e": "error",
          "p": "progress"}
ERR_LOG_LEVELS = {"trace", "debug", "info", "warning", "error", "progress", "none"}
# Go's ExitError text for a process ended by a signal
SIGNAL_NAMES = {signal.SIGKILL: "killed", signal.SIGTERM: "terminated",
                signal.SIGINT: "interrupt"}

LogSink = Callable[[str, str], None]


class PluginResult(NamedTuple):
    output: Any
    error: str | None


def command(plugin: Plugin, task: dict[str, Any] | None) -> list[str]:
    argv = [str(a) for a in plugin.config.get("exec") or []]
    argv += [str(a) for a in (task or {}).get("execArgs") or []]
    if not argv:
        raise RuntimeError("empty exec value")
    directory = str(plugin.directory)
    argv[1:] = [a.replace("{pluginDir}", directory) for a in argv[1:]]
    if argv[0] in ("python", "python3"):
        argv[0] = sys.executable
    elif not argv[0].startswith("/") and (plugin.directory / argv[0]).exists():
        argv[0] = str(plugin.directory / argv[0])
    return argv


def plugin_args(task: dict[str, Any] | None, args: dict[str, Any] | None) -> dict[str, Any]:
    merged = dict(args or {})
    for key, value in ((task or {}).get("defaultArgs") or {}).items():
        merged.setdefault(key, value)
    return merged


def parse_output(stdout: str) -> PluginResult:
    """Go's json.Unmarshal into PluginOutput {Error *string; Output interface{}}: keys match
    case-insensitively; anything that does not decode is the raw text."""
    try:
        data = json.loads(stdout)
    except ValueError:
        return PluginResult(stdout, None)
    if data is None:
        return PluginResult(None, None)
    if not isinstance(data, dict):
        return PluginResult(stdout, None)
    error = _key(data, "error")
    if error is not None and not isinstance(error, str):
        return PluginResult(stdout, None)
    return PluginResult(_key(data, "output"), error)


def _key(data: dict[str, Any], name: str) -> Any:
    if name in data:
        return data[name]
    return next((v for k, v in data.items() if k.casefold() == name), None)


def log_line(line: str, default_level: str) -> tuple[str, str] | None:
    """(level, text) as Stash's plugin logger reads one stderr line; None when dropped."""
    if len(line) >= 4 and line[0] == "\x01" and line[2] == "\x02" and line[1] in LEVELS:
        return LEVELS[line[1]], line[3:].strip()
    return None if default_level == "none" else (default_level, line)


class PluginProcess:
    """One run of a plugin: start() it, then wait() for its result; stop() kills it."""

    def __init__(self, plugin: Plugin, task: dict[str, Any] | None, stdin: dict[str, Any],
                 on_log: LogSink, on_progress: Callable[[float], None] | None = None) -> None:
        self._plugin = plugin
        self._argv = command(plugin, task)
        self._stdin = json.dumps(stdin)
        self._on_log = on_log
        self._on_progress = on_progress
        self._proc: subprocess.Popen[str] | None = None

    def start(self) -> None:
        env = plugin_env({**self._plugin.env, "PYTHONPATH": str(self._plugin.directory.parent)})
        self._proc = subprocess.Popen(
            self._argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=env, cwd=str(ROOT.parent))

    def wait(self) -> PluginResult:
        proc = self._proc
        assert proc is not None and proc.stdin and proc.stdout and proc.stderr
        reader = threading.Thread(target=self._read_stderr, args=(proc.stderr,), daemon=True)
        reader.start()
        try:
            proc.stdin.write(self._stdin)
            proc.stdin.close()
        except BrokenPipeError:
            pass  # Stash only logs a failed write; the exit status tells the rest
        result = parse_output(proc.stdout.read())
        code = proc.wait()
        reader.join()
        if code != 0 and result.error is None:
            result = PluginResult(result.output, _exit_text(code))
        return result

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.kill()

    def _read_stderr(self, stream: Any) -> None:
        default = str(self._plugin.config.get("errLog") or "error")
        if default not in ERR_LOG_LEVELS:
            default = "error"
        for raw in stream:
            line = raw.rstrip("\n")
            parsed = log_line(line, default) if line else None
            if parsed is None:
                continue
            level, text = parsed
            if level == "progress":
                self._progress(text)
            else:
                self._on_log(level, text)

    def _progress(self, text: str) -> None:
        try:
            value = float(text)
        except ValueError:
            self._on_log("error", f"Error parsing progress value '{text}'")
            return
        if self._on_progress is not None:
            self._on_progress(value)


def _exit_text(code: int) -> str:
    if code < 0:
        signum = -code
        name = SIGNAL_NAMES.get(signal.Signals(signum), f"signal {signum}")
        return f"signal: {name}"
    return f"exit status {code}"
