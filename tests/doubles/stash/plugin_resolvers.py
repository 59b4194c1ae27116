"""Root fields about plugins and jobs, answered from the double's plugin host.

Stash returns a null list, not an empty one, when no job is queued or no plugin is loaded
(internal/api/resolver_query_job.go and resolver_query_plugin.go build a nil Go slice).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo

from .plugin_host import PluginHost


class PluginFields:
    _host: PluginHost
    _base_url: str

    # --- jobs -------------------------------------------------------------------------

    def jobQueue(self, _info: GraphQLResolveInfo) -> list[dict] | None:
        return [job.graphql() for job in self._host.jobs.queue()] or None

    def findJob(self, _info: GraphQLResolveInfo, input: dict[str, Any]) -> dict | None:
        job = self._host.jobs.get(_atoi(input["id"], ""))
        return job.graphql() if job else None

    def stopJob(self, _info: GraphQLResolveInfo, job_id: str) -> bool:
        self._host.jobs.cancel(_atoi(job_id, "converting id: "))
        return True

    def stopAllJobs(self, _info: GraphQLResolveInfo) -> bool:
        for job in self._host.jobs.queue():
            self._host.jobs.cancel(job.id)
        return True

    def logs(self, _info: GraphQLResolveInfo) -> list[dict]:
        return self._host.log.entries()

    # --- plugins ------------------------------------------------------------------------

    def plugins(self, _info: GraphQLResolveInfo) -> list[dict] | None:
        return [p.graphql(self._base_url) for p in self._host.catalog.all()] or None

    def pluginTasks(self, _info: GraphQLResolveInfo) -> list[dict] | None:
        tasks = []
        for plugin in self._host.catalog.all():
            if plugin.enabled:
                shown = plugin.graphql(self._base_url)
                tasks += [dict(task, plugin=shown) for task in shown["tasks"] or []]
        return tasks or None

    def setPluginsEnabled(self, _info: GraphQLResolveInfo, enabledMap: dict[str, bool]) -> bool:
        for plugin_id, enabled in enabledMap.items():
            if self._host.catalog.get(plugin_id) is not None:
                self._host.catalog.set_enabled(plugin_id, bool(enabled))
        return True

    def reloadPlugins(self, _info: GraphQLResolveInfo) -> bool:
        return True

    def runPluginOperation(self, _info: GraphQLResolveInfo, plugin_id: str,
                           args: dict[str, Any] | None = None) -> Any:
        return self._host.run_operation(plugin_id, args)

    def runPluginTask(self, _info: GraphQLResolveInfo, plugin_id: str,
                      task_name: str | None = None, description: str | None = None,
                      args: list[dict] | None = None,
                      args_map: dict[str, Any] | None = None) -> str:
        # The deprecated list form counts only when args_map is absent, as in Stash.
        chosen = args_map if args_map is not None else _args_from_list(args or [])
        return str(self._host.run_task(plugin_id, task_name, description, chosen))


def _args_from_list(args: list[dict]) -> dict[str, Any]:
    """Stash's toPluginArgs: [PluginArgInput] to a map, nested values included."""
    return {arg["key"]: _value(arg.get("value")) for arg in args}


def _value(value: dict | None) -> Any:
    if value is None:
        return None
    for key in ("str", "i", "b", "f"):
        if value.get(key) is not None:
            return value[key]
    if value.get("o") is not None:
        return _args_from_list(value["o"])
    if value.get("a") is not None:
        return [_value(v) for v in value["a"]]
    return None


def _atoi(value: str, context: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f'{context}strconv.Atoi: parsing "{value}": invalid syntax') from None
