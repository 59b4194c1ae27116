"""HTTP routes of the double: /graphql (and its websocket), the picture routes, the login page,
plugin files and, in UI mode, Stash's web app."""

from __future__ import annotations

import json
import re
import time
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, quote, urlsplit

from .auth import GRAPHQL_PATH, Verdict, authorize
from .graphql_endpoint import handle_graphql
from .graphql_ws import PROTOCOL, GraphQLWebSocketSession
from .images import DEFAULT_SVG, SVG_TYPE, content_type
from .sessions import COOKIE, first_cookie
from .ui_files import Response
from .web_routes import is_mounted, web_get
from .websocket import WebSocket, accept_key

if TYPE_CHECKING:
    from .server import StashDouble

LOGIN_PATH = "/login"
LOGIN_PAGE = b"<!doctype html><html><head><title>Login</title></head><body>" \
             b"<form method=post><input name=username><input name=password type=password>" \
             b"</form></body></html>"

# (route kind, last path segment) -> (counter name, store table, attribute holding the bytes)
IMAGE_ROUTES = {
    ("scene", "screenshot"): ("screenshot", "scenes", "cover"),
    ("performer", "image"): ("performer_image", "performers", "image"),
    ("studio", "image"): ("studio_image", "studios", "image"),
    ("group", "frontimage"): ("group_image", "groups", "image"),
}
_IMAGE_PATH = re.compile(r"^/(\w+)/(\d+)/(\w+)$")


class StashRequestHandler(BaseHTTPRequestHandler):
    server_version = "stash-double"
    # Stash is Go's net/http server (stashapp/stash internal/api/server.go: a plain http.Server,
    # keep-alives left on, no idle timeout), which keeps connections open between requests and
    # sends with TCP_NODELAY (Go's default for every TCP connection). HTTP/1.0, the base class's
    # default, would close each connection and make every client pay a new one per request;
    # keep-alive without no-delay would stall each answer on the client's delayed ACK.
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    @property
    def double(self) -> StashDouble:
        return self.server.double  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: test output should show the tests, not an access log."""

    def do_POST(self) -> None:
        self._serve("POST")

    def do_GET(self) -> None:
        self._serve("GET")

    def _serve(self, method: str) -> None:
        if self.request_version == "HTTP/1.0":
            # Go answers in the request's version (net/http: the status line is HTTP/1.0 for
            # a 1.0 request), and such a client gets its answer on a connection that closes.
            self.protocol_version = "HTTP/1.0"
            self.close_connection = True
        if self.double.latency > 0:
            time.sleep(self.double.latency)
        url = urlsplit(self.path)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if url.path == LOGIN_PATH:
            self._send(200, LOGIN_PAGE, "text/html; charset=utf-8")
            return
        verdict = self._authorize(url.path, parse_qs(url.query))
        if not verdict.allowed:
            self._refuse(verdict)
            return
        extra = self._refreshed_cookie() if verdict is Verdict.ALLOW_BY_SESSION else {}
        if url.path == GRAPHQL_PATH and self._wants_websocket():
            self._websocket()
        elif url.path == GRAPHQL_PATH and method == "POST":
            self._graphql(body, extra)
        elif method == "GET" and _IMAGE_PATH.match(url.path) and is_mounted(url.path):
            self._image(url.path, extra)
        elif method == "GET":
            self._respond(web_get(self.double.plugins, self.double.ui_build, url.path,
                                  self.headers.get("X-Forwarded-Prefix") or "",
                                  "gzip" in (self.headers.get("Accept-Encoding") or "")))
        else:
            self._send(404, b"404 page not found\n", "text/plain; charset=utf-8")

    def _authorize(self, path: str, query: dict[str, list[str]]) -> Verdict:
        sent_key = self.headers.get("ApiKey") or (query.get("apikey") or [None])[0]
        session = self.double.sessions.valid(self._session())
        return authorize(self.double.api_key, sent_key, session, path, self.double.credentials)

    def _refuse(self, verdict: Verdict) -> None:
        self.double.traffic.count("rejected")
        if verdict is Verdict.LOGIN_REDIRECT:
            self._send(302, b"", "text/html; charset=utf-8",
                       {"Location": f"{LOGIN_PATH}?returnURL={quote(self.path, safe='')}"})
        else:
            self._send(401, b"", "text/plain; charset=utf-8",
                       {"WWW-Authenticate": "FormBased"})

    def _graphql(self, body: bytes, extra: dict[str, str]) -> None:
        double = self.double
        execution = double.execution(self._base_url())
        status, payload = handle_graphql(body, execution.make_root(), double.traffic,
                                         double.store.lock, execution.schema,
                                         execution.field_resolver)
        self._send(status, json.dumps(payload).encode(), "application/json", extra)

    def _wants_websocket(self) -> bool:
        connection = (self.headers.get("Connection") or "").lower()
        upgrade = (self.headers.get("Upgrade") or "").lower()
        return upgrade == "websocket" and "upgrade" in connection

    def _websocket(self) -> None:
        offered = [p.strip() for p in (self.headers.get("Sec-WebSocket-Protocol") or "")
                   .split(",")]
        key = self.headers.get("Sec-WebSocket-Key")
        if not key or PROTOCOL not in offered:
            self._send(400, f"websocket needs sub-protocol {PROTOCOL}\n".encode(),
                       "text/plain; charset=utf-8")
            return
        self.send_response(101)  # HTTP/1.1, as RFC 6455 wants
        for name, value in (("Upgrade", "websocket"), ("Connection", "Upgrade"),
                            ("Sec-WebSocket-Accept", accept_key(key)),
                            ("Sec-WebSocket-Protocol", PROTOCOL)):
            self.send_header(name, value)
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        session = GraphQLWebSocketSession(WebSocket(self.rfile, self.wfile),
                                          self.double.execution(self._base_url()))
        self.double.track_session(session, self.connection)
        try:
            session.run()
        finally:
            self.double.untrack_session(session)

    def _respond(self, response: Response) -> None:
        content = response.headers.get("Content-Type", "application/octet-stream")
        others = {k: v for k, v in response.headers.items() if k != "Content-Type"}
        self._send(response.status, response.body, content, others)

    def _image(self, path: str, extra: dict[str, str]) -> None:
        kind, object_id, leaf = _IMAGE_PATH.match(path).groups()  # type: ignore[union-attr]
        route = IMAGE_ROUTES.get((kind, leaf))
        record = getattr(self.double.store, route[1]).get(int(object_id)) if route else None
        if route is None or record is None:
            self._send(404, b"404 page not found\n", "text/plain; charset=utf-8")
            return
        self.double.traffic.count(route[0])
        fault = self.double.image_faults.get(path)
        if fault == 302:
            self._refuse(Verdict.LOGIN_REDIRECT)
            return
        if fault is not None:
            self._send(fault, b"", "text/plain; charset=utf-8")
            return
        data = getattr(record, route[2])
        if data is None:
            self._send(200, DEFAULT_SVG, SVG_TYPE, extra)
        else:
            self._send(200, data, content_type(data), extra)

    def _session(self) -> str | None:
        return first_cookie(self.headers.get("Cookie"), COOKIE)

    def _refreshed_cookie(self) -> dict[str, str]:
        """Stash saves the session again on every request it authenticates, extending it."""
        sessions = self.double.sessions
        value = sessions.refreshed(self._session() or "")
        return {"Set-Cookie": sessions.set_cookie(value)}

    def _base_url(self) -> str:
        if self.double.external_host:
            return self.double.external_host.rstrip("/")
        # Stash builds picture URLs with the scheme it was reached by (internal/api/server.go)
        host = self.headers.get("Host") or f"127.0.0.1:{self.server.server_address[1]}"
        return f"{self.double.scheme}://{host}"

    def _send(self, status: int, body: bytes, ctype: str,
              headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
