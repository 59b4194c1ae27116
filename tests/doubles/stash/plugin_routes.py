"""`/plugin/<id>/javascript`, `/css` and `/assets/...`: a plugin's UI files, as Stash serves
them (stashapp/stash internal/api/routes_plugin.go and serveFiles in internal/api/server.go).

- An unknown plugin id answers 404; a disabled plugin 400 "plugin disabled".
- javascript and css: every local file listed in the yml, concatenated, each followed by a
  newline; a missing file is only logged by Stash, so it contributes just its newline.
- assets: `ui.assets` maps URL prefixes to folders of the plugin (`/` is the fallback), served
  like Go's http.FileServer; nothing outside the plugin's folder.
"""

from __future__ import annotations

import re
from pathlib import Path

from .plugins import Plugin, PluginCatalog
from .ui_files import CONTENT_TYPES, Response, etag

PLUGIN_PATH = re.compile(r"^/plugin/(?P<id>[^/]+)/(?P<kind>javascript|css|assets)(?P<rest>/.*)?$")
TEXT = "text/plain; charset=utf-8"


def serve_plugin_path(catalog: PluginCatalog, path: str) -> Response:
    match = PLUGIN_PATH.match(path)
    if match is None:
        return Response(404, b"404 page not found\n", {"Content-Type": TEXT})
    plugin = catalog.get(match["id"])
    if plugin is None:
        return Response(404, b"Not Found\n", {"Content-Type": TEXT})
    if not plugin.enabled:
        return Response(400, b"plugin disabled\n", {"Content-Type": TEXT})
    if match["kind"] == "javascript":
        return _concatenated(plugin.ui.javascript, "text/javascript")
    if match["kind"] == "css":
        return _concatenated(plugin.ui.css, "text/css")
    return _asset(plugin, match["rest"] or "")


def _concatenated(files: list[Path], content_type: str) -> Response:
    parts = []
    for file in files:
        try:
            parts.append(file.read_bytes())
        except OSError:
            parts.append(b"")
    body = b"".join(part + b"\n" for part in parts)
    return Response(200, body, {"Content-Type": content_type, "Cache-Control": "no-cache",
                                "ETag": etag(body)})


def asset_location(assets: dict[str, str], url_path: str) -> tuple[str, str | None]:
    """Stash's URLMap.GetFilesystemLocation: (path left after the prefix, mapped folder)."""
    for prefix, folder in assets.items():
        if prefix != "/" and url_path.startswith(prefix):
            return url_path[len(prefix):], folder
    root = assets.get("/")
    return url_path, (root or None)


def _asset(plugin: Plugin, url_path: str) -> Response:
    not_found = Response(404, b"404 page not found\n", {"Content-Type": TEXT})
    rest, folder = asset_location(plugin.ui.assets, url_path)
    if folder is None:
        return not_found
    base = (plugin.directory / folder).resolve()
    if not str(base).startswith(str(plugin.directory)):
        return not_found
    target = (base / rest.lstrip("/")).resolve()
    if target != base and base not in target.parents:
        return not_found
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        return not_found
    content_type = CONTENT_TYPES.get(target.suffix, "application/octet-stream")
    return Response(200, target.read_bytes(), {"Content-Type": content_type})
