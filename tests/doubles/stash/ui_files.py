"""UI mode: Stash's own built web UI, read from ../shared/stash-ui/build/ and served as Stash
serves it (stashapp/stash internal/api/server.go, the "/*" route, and pkg/utils/http.go).

- A path without an extension (and `/`, `/index.html`) is the React app: index.html with
  `%COLOR%` replaced by the theme colour and `<base href="/"` given the X-Forwarded-Prefix.
- Any other path is a file of the build. The build keeps only `name.gz` for text files; like
  Stash's statigz server, `name` is answered from `name.gz` with `Content-Encoding: gzip`
  (decompressed for a client that does not accept gzip).
- Pages carry Stash's Content-Security-Policy, widened for each enabled plugin's `ui.csp` and
  external scripts and styles, so a plugin's script meets the same limits as in Stash.

The build is AGPL data: it is read from ../shared at run time and never copied here.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from .plugins import Plugin

REPO_ROOT = Path(__file__).resolve().parents[3]
UI_BUILD = REPO_ROOT.parent / "shared" / "stash-ui" / "build"
UI_MISSING = ("../shared/stash-ui/build not found: UI mode needs Stash's built web UI beside "
              "the repository (see ../shared/stash-ui/README.md)")
THEME_COLOR = "#202b33"  # Stash's default theme colour (config GetThemeColor)

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8", ".json": "application/json",
    ".svg": "image/svg+xml", ".md": "text/markdown; charset=utf-8", ".png": "image/png",
    ".ico": "image/x-icon", ".gif": "image/gif", ".woff2": "font/woff2",
}
NOT_FOUND = b"404 page not found\n"


class Response(NamedTuple):
    status: int
    body: bytes
    headers: dict[str, str]


def ui_available(build: Path | None = None) -> bool:
    return ((build or UI_BUILD) / "index.html").is_file()


def app_page(build: Path, prefix: str) -> bytes:
    """index.html as Stash serves it for every app path."""
    html = (build / "index.html").read_text(encoding="utf-8")
    html = html.replace("%COLOR%", THEME_COLOR)
    return html.replace('<base href="/"', f'<base href="{prefix.rstrip("/")}/"', 1).encode()


def is_app_path(path: str) -> bool:
    leaf = path.rsplit("/", 1)[-1]
    return path in ("/", "/index.html") or "." not in leaf


def serve(build: Path, path: str, prefix: str, accepts_gzip: bool,
          plugins: Iterable[Plugin]) -> Response:
    """The answer of Stash's catch-all route for `path`."""
    suffix = Path(path).suffix
    headers = page_security_headers(plugins) if suffix in ("", ".html") else {}
    if is_app_path(path):
        headers |= {"Content-Type": CONTENT_TYPES[".html"], "Cache-Control": "no-cache"}
        body = app_page(build, prefix)
        return Response(200, body, headers | {"ETag": etag(body)})
    headers["Cache-Control"] = ("public, max-age=31536000, immutable"
                                if path.startswith("/assets/") else "no-cache")
    return static_file(build, path, accepts_gzip, headers)


def static_file(build: Path, path: str, accepts_gzip: bool,
                headers: dict[str, str]) -> Response:
    target = _inside(build, path)
    if target is None:
        return Response(404, NOT_FOUND, {"Content-Type": "text/plain; charset=utf-8"})
    headers = headers | {"Content-Type": CONTENT_TYPES.get(target.suffix,
                                                           "application/octet-stream")}
    if target.is_file():
        return Response(200, target.read_bytes(), headers)
    packed = target.with_name(target.name + ".gz").read_bytes()
    if accepts_gzip:
        return Response(200, packed, headers | {"Content-Encoding": "gzip",
                                                "Vary": "Accept-Encoding"})
    return Response(200, gzip.decompress(packed), headers | {"Vary": "Accept-Encoding"})


def _inside(build: Path, path: str) -> Path | None:
    """The build file (or its .gz twin) for a URL path; None outside the build or missing."""
    root = build.resolve()
    target = (root / path.lstrip("/")).resolve()
    if root not in target.parents:
        return None
    if target.is_file() or target.with_name(target.name + ".gz").is_file():
        return target
    return None


def etag(body: bytes) -> str:
    return '"' + hashlib.md5(body).hexdigest() + '"'  # an ETag, as Stash's


def page_security_headers(plugins: Iterable[Plugin]) -> dict[str, str]:
    """Stash's setPageSecurityHeaders: a fixed policy plus what enabled plugins declare."""
    connect = ["data:", "'self'", "ws:", "wss:"]
    script = ["'self'", "http://www.gstatic.com", "https://www.gstatic.com", "'unsafe-inline'",
              "'unsafe-eval'"]
    style = ["'self'", "'unsafe-inline'"]
    for plugin in plugins:
        if not plugin.enabled:
            continue
        script += plugin.ui.external_scripts + plugin.ui.csp.get("script-src", [])
        style += plugin.ui.external_css + plugin.ui.csp.get("style-src", [])
        connect += plugin.ui.csp.get("connect-src", [])
    policy = (f"default-src data: 'self' 'unsafe-inline'; connect-src {' '.join(connect)}; "
              f"img-src data: *; script-src {' '.join(script)}; style-src {' '.join(style)}; "
              "media-src blob: 'self'; worker-src blob:; child-src 'none'; "
              "object-src 'none'; form-action 'self';")
    return {"Referrer-Policy": "same-origin", "Content-Security-Policy": policy}
