"""Installed plugins: their manifests (`<id>.yml`) read as Stash reads them.

stashapp/stash pkg/plugin/config.go: the id is the file name without extension; yaml.v2 strict
mode refuses any unknown key (the plugin then fails to load); `ui.javascript` and `ui.css` hold
local files relative to the yml (served concatenated) or http(s) URLs (loaded as they are).
What the `Plugins` query shows follows internal/api/resolver_model_plugin.go.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

TOP_KEYS = {"name", "description", "url", "version", "exec", "interface", "errLog", "tasks",
            "hooks", "ui", "settings"}
TASK_KEYS = {"name", "description", "execArgs", "defaultArgs"}
HOOK_KEYS = TASK_KEYS | {"triggeredBy"}
SETTING_KEYS = {"type", "displayName", "description"}
UI_KEYS = {"requires", "csp", "javascript", "css", "assets"}
CSP_KEYS = {"script-src", "style-src", "connect-src"}


class ManifestError(ValueError):
    """Stash would log "Error loading plugin" and skip this yml."""


@dataclass(frozen=True)
class PluginUI:
    javascript: list[Path] = field(default_factory=list)
    css: list[Path] = field(default_factory=list)
    external_scripts: list[str] = field(default_factory=list)
    external_css: list[str] = field(default_factory=list)
    assets: dict[str, str] = field(default_factory=dict)
    csp: dict[str, list[str]] = field(default_factory=dict)
    requires: list[str] = field(default_factory=list)


@dataclass
class Plugin:
    id: str
    manifest: Path
    config: dict[str, Any]
    ui: PluginUI
    enabled: bool = True
    env: dict[str, str] = field(default_factory=dict)

    @property
    def directory(self) -> Path:
        return self.manifest.parent

    @property
    def name(self) -> str:
        return self.config.get("name") or self.id

    def task(self, name: str) -> dict[str, Any] | None:
        return next((t for t in self.config.get("tasks") or [] if t.get("name") == name), None)

    def graphql(self, base_url: str) -> dict[str, Any]:
        """The `Plugin` object of the Plugins query."""
        config = self.config
        return {
            "id": self.id, "name": self.name, "description": config.get("description"),
            "url": config.get("url"), "version": _text(config.get("version")),
            "enabled": self.enabled, "requires": self.ui.requires or None,
            "tasks": [{"name": t.get("name", ""), "description": t.get("description", "")}
                      for t in config.get("tasks") or []] or None,
            "hooks": [{"name": h.get("name", ""), "description": h.get("description", ""),
                       "hooks": list(h.get("triggeredBy") or [])}
                      for h in config.get("hooks") or []] or None,
            "settings": [{"name": key, "display_name": spec.get("displayName", ""),
                          "description": spec.get("description", ""),
                          "type": spec.get("type") or "STRING"}
                         for key, spec in sorted((config.get("settings") or {}).items())],
            "paths": self.paths(base_url),
        }

    def paths(self, base_url: str) -> dict[str, list[str] | None]:
        """External URLs first, then one route serving every local file."""
        ui = self.ui
        route = f"{base_url}/plugin/{self.id}"
        return {
            "javascript": ui.external_scripts + [f"{route}/javascript"]
            if ui.javascript or ui.external_scripts else None,
            "css": ui.external_css + [f"{route}/css"] if ui.css or ui.external_css else None,
        }


def load_plugin(manifest: Path, env: dict[str, str] | None = None) -> Plugin:
    manifest = Path(manifest).resolve()
    try:
        config = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise ManifestError(f"{manifest}: {error}") from None
    _check_keys(manifest, config)
    return Plugin(manifest.stem, manifest, config, _ui(manifest.parent, config.get("ui") or {}),
                  env=dict(env or {}))


def _check_keys(manifest: Path, config: dict[str, Any]) -> None:
    problems = _unknown(config, TOP_KEYS, "")
    for task in config.get("tasks") or []:
        problems += _unknown(task, TASK_KEYS, "tasks.")
    for hook in config.get("hooks") or []:
        problems += _unknown(hook, HOOK_KEYS, "hooks.")
    for name, spec in (config.get("settings") or {}).items():
        problems += _unknown(spec or {}, SETTING_KEYS, f"settings.{name}.")
    ui = config.get("ui") or {}
    problems += _unknown(ui, UI_KEYS, "ui.") + _unknown(ui.get("csp") or {}, CSP_KEYS, "ui.csp.")
    if problems:
        raise ManifestError(f"{manifest}: field(s) not found in type plugin.Config: "
                            + ", ".join(problems))


def _unknown(mapping: dict[str, Any], known: set[str], where: str) -> list[str]:
    return [where + key for key in mapping if key not in known]


def _ui(directory: Path, ui: dict[str, Any]) -> PluginUI:
    scripts = list(ui.get("javascript") or [])
    styles = list(ui.get("css") or [])
    return PluginUI(
        javascript=[directory / s for s in scripts if not _is_url(s)],
        css=[directory / s for s in styles if not _is_url(s)],
        external_scripts=[s for s in scripts if _is_url(s)],
        external_css=[s for s in styles if _is_url(s)],
        assets={str(k): str(v) for k, v in (ui.get("assets") or {}).items()},
        csp={k: list(v or []) for k, v in (ui.get("csp") or {}).items()},
        requires=list(ui.get("requires") or []),
    )


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


class PluginCatalog:
    """The plugins the double has "installed", by id; disabled ones stay listed."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._plugins: dict[str, Plugin] = {}

    def install(self, manifest: Path, env: dict[str, str] | None = None) -> Plugin:
        plugin = load_plugin(manifest, env)
        with self._lock:
            if plugin.id.casefold() in (known.casefold() for known in self._plugins):
                raise ManifestError(f"plugin id {plugin.id!r} is already installed")
            self._plugins[plugin.id] = plugin
        return plugin

    def get(self, plugin_id: str) -> Plugin | None:
        with self._lock:
            return self._plugins.get(plugin_id)

    def all(self) -> list[Plugin]:
        with self._lock:
            return list(self._plugins.values())

    def set_enabled(self, plugin_id: str, enabled: bool) -> None:
        with self._lock:
            self._plugins[plugin_id].enabled = enabled
