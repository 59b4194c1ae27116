"""GET routes other than /graphql and pictures, in Stash's order (internal/api/server.go):
`/plugin/...`, the custom `/css`, `/javascript` and `/customlocales` (empty here: the double has
no custom files), and in UI mode the web app for everything else.
"""

from __future__ import annotations

from pathlib import Path

from .plugin_routes import serve_plugin_path
from .plugins import PluginCatalog
from .ui_files import NOT_FOUND, UI_MISSING, Response, etag, serve, ui_available

# Path prefixes Stash mounts its own routers on; everything else is the web app.
MOUNTS = {"performer", "scene", "gallery", "image", "studio", "group", "tag", "downloads",
          "plugin"}
CUSTOM = {"/css": ("text/css", b""), "/javascript": ("text/javascript", b""),
          "/customlocales": ("application/json", b"{}")}


def is_mounted(path: str) -> bool:
    return path.split("/", 2)[1] in MOUNTS if path.startswith("/") else False


def web_get(catalog: PluginCatalog, ui_build: Path | None, path: str, prefix: str,
            accepts_gzip: bool) -> Response:
    if path.startswith("/plugin/"):
        return serve_plugin_path(catalog, path)
    if path in CUSTOM:
        content_type, body = CUSTOM[path]
        return Response(200, body, {"Content-Type": content_type, "Cache-Control": "no-cache",
                                    "ETag": etag(body)})
    if ui_build is None or is_mounted(path):
        return Response(404, NOT_FOUND, {"Content-Type": "text/plain; charset=utf-8"})
    if not ui_available(ui_build):
        return Response(503, UI_MISSING.encode(), {"Content-Type": "text/plain; charset=utf-8"})
    return serve(ui_build, path, prefix, accepts_gzip, catalog.all())
