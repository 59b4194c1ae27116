"""runPluginOperation and runPluginTask, as Stash runs them.

- Operation (stashapp/stash pkg/plugin/plugins.go Cache.RunPlugin): the plugin runs at once,
  outside the job queue, with exactly the given args; its `output` is the answer, its `error`
  becomes the GraphQL error.
- Task (internal/manager/task_plugin.go): a job "Running plugin task: <description, else task
  name, else plugin id>" is queued; it runs with the task's defaultArgs under the given args,
  its `\\x01p\\x02` lines move the job's progress. A plugin that answers an error does NOT fail
  the job: Stash logs "Plugin returned error: ..." and the job ends FINISHED. Only a task that
  cannot start (unknown plugin or task name, disabled plugin) ends FAILED.
- Every stderr line goes to Stash's log as "[Plugin / <name>] text".
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from .jobs import JobControl, JobManager
from .plugin_runner import PluginProcess, PluginResult, plugin_args
from .plugins import Plugin, PluginCatalog
from .server_log import ServerLog

Connection = Callable[[Plugin], dict[str, Any]]


class PluginError(RuntimeError):
    """An error Stash reports for a plugin run (GraphQL error or job error)."""


class PluginHost:
    def __init__(self, catalog: PluginCatalog, jobs: JobManager, log: ServerLog,
                 connection: Connection) -> None:
        self.catalog = catalog
        self.jobs = jobs
        self.log = log
        self._connection = connection
        self._running: set[PluginProcess] = set()
        self._lock = threading.Lock()

    def run_operation(self, plugin_id: str, args: dict[str, Any] | None) -> Any:
        plugin = self._plugin(plugin_id)
        result = self._run(plugin, None, args or {}, self._logger(plugin))
        if result.error is not None:
            raise PluginError(result.error)
        return result.output

    def run_task(self, plugin_id: str, task_name: str | None = None,
                 description: str | None = None, args: dict[str, Any] | None = None) -> int:
        shown = description or task_name or plugin_id
        return self.jobs.add(f"Running plugin task: {shown}",
                             lambda control: self._task(control, plugin_id, task_name, args))

    def stop_all(self) -> None:
        with self._lock:
            running = list(self._running)
        for process in running:
            process.stop()

    # --- internals ------------------------------------------------------------------------

    def _task(self, control: JobControl, plugin_id: str, task_name: str | None,
              args: dict[str, Any] | None) -> Any:
        try:
            plugin = self._plugin(plugin_id)
            task = None
            if task_name is not None:
                task = plugin.task(task_name)
                if task is None:
                    raise PluginError(f"no task with name {task_name} in plugin {plugin.name}")
        except PluginError as error:
            raise PluginError(f"Error creating plugin task: {error}") from None
        logger = self._logger(plugin)

        def log(level: str, text: str) -> None:
            control.log(level, text)
            logger(level, text)

        result = self._run(plugin, task, args or {}, log, control)
        if result.error is not None:
            self.log.add("error", f"Plugin returned error: {result.error}")
        return result

    def _plugin(self, plugin_id: str) -> Plugin:
        plugin = self.catalog.get(plugin_id)
        if plugin is None:
            raise PluginError(f"no plugin with ID {plugin_id}")
        if not plugin.enabled:
            raise PluginError(f"plugin {plugin_id} is disabled")
        return plugin

    def _run(self, plugin: Plugin, task: dict[str, Any] | None, args: dict[str, Any],
             log: Callable[[str, str], None], control: JobControl | None = None) -> PluginResult:
        stdin = {"server_connection": self._connection(plugin), "args": plugin_args(task, args)}
        process = PluginProcess(plugin, task, stdin, log,
                                control.progress if control is not None else None)
        if control is not None:
            control.on_stop = process.stop
        with self._lock:
            self._running.add(process)
        try:
            process.start()
            if control is not None and control.stopping.is_set():
                process.stop()  # stopped while starting
            return process.wait()
        finally:
            with self._lock:
                self._running.discard(process)

    def _logger(self, plugin: Plugin) -> Callable[[str, str], None]:
        prefix = f"[Plugin / {plugin.name}] "
        return lambda level, text: self.log.add(level, prefix + text)
