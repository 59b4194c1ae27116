"""Run-time switchable misbehaviour: latency, maintenance, random 500s, hanging requests,
garbage answers, refused values, something that is not Plex at all, and refused long requests."""

from __future__ import annotations

import random
import threading
import time

from .routes import Response, error

MAINTENANCE_BODY = (
    '<Response code="503" title="Maintenance" '
    'status="Plex Media Server is currently running database migrations."/>'
)
# What a broken Plex, or something else listening at plex_url, may answer with HTTP 200.
GARBAGE = {
    "xml": '<MediaContainer size="1"><Video ratingKey="1" title="cut off',
    "empty": "",
    "html": "<!DOCTYPE html><html><head><title>Sign in</title></head>"
            "<body><p>Please sign in to continue<br></body></html>",
}

# What answers at plex_url when it points at something that is not Plex: every request, /identity
# included, gets the same answer. A web page (a NAS or router admin page, a proxy's sign-in page),
# another service (Jellyfin and most others answer JSON), a plain web server's 404, an empty body,
# an answer cut off in the middle. Plex itself answers /identity with
# <MediaContainer machineIdentifier=...> (pkkid/python-plexapi: plexapi/server.py Identity).
IMPOSTORS: dict[str, tuple[int, str, str]] = {
    "web_page": (200, GARBAGE["html"], "text/html"),
    "other_service": (200, '{"ServerName": "media", "Version": "10.9.11", "Id": "4d2b"}',
                      "application/json"),
    "not_found": (404, "<html><head><title>404 Not Found</title></head><body><h1>Not Found"
                  "</h1></body></html>", "text/html"),
    "empty": (200, "", "text/xml"),
    "cut_off": (200, GARBAGE["xml"], "text/xml"),
}
# A request line longer than the server or a proxy in front of it accepts. nginx answers 414
# when it exceeds one of large_client_header_buffers (default 4 8k; nginx.org/en/docs/http/
# ngx_http_core_module.html#large_client_header_buffers), Apache 414 beyond LimitRequestLine
# (8190), aiohttp 400 "LineTooLong" beyond 8190 (CSCfi/swift-browser-ui#504). Plex's own limit is
# not documented.
LONG_LINE_STATUSES = (414, 400)


class Faults:
    """Fault switches, flipped from the test thread and read by request threads."""

    def __init__(self) -> None:
        self.latency = 0.0
        self.maintenance = False
        self.error_rate = 0.0
        # Request kind (as counted by PlexDouble.counts) -> body answered with 200 instead.
        self.garbage: dict[str, str] = {}
        # Parameter values an edit PUT is refused for with 500, as PMS refuses data it cannot
        # store; the rest of the server behaves.
        self.refused_values: set[str] = set()
        # One of IMPOSTORS: the double stops being Plex and answers every request with it.
        self.impostor: str | None = None
        # Request lines (method, target, version) longer than this are refused with
        # long_line_status, before any other handling; None accepts any length.
        self.max_request_line: int | None = None
        self.long_line_status = 414
        self._rng = random.Random(0)
        self._rng_lock = threading.Lock()
        self._released = threading.Event()
        self._released.set()

    @property
    def hang(self) -> bool:
        return not self._released.is_set()

    @hang.setter
    def hang(self, value: bool) -> None:
        if value:
            self._released.clear()
        else:
            self._released.set()

    def seed(self, value: int) -> None:
        with self._rng_lock:
            self._rng.seed(value)

    def delay(self) -> None:
        """Block while hung, then add the configured latency."""
        self._released.wait()
        if self.latency > 0:
            time.sleep(self.latency)

    def fails(self) -> bool:
        """One seeded draw: whether this request answers 500."""
        if self.error_rate <= 0:
            return False
        with self._rng_lock:
            return self._rng.random() < self.error_rate

    def imposture(self) -> Response | None:
        """What something that is not Plex answers, when the double plays one."""
        if self.impostor is None:
            return None
        status, body, content_type = IMPOSTORS[self.impostor]
        return Response(status, body, content_type)

    def too_long(self, request_line: str) -> Response | None:
        if self.max_request_line is None or len(request_line) <= self.max_request_line:
            return None
        if self.long_line_status not in LONG_LINE_STATUSES:
            raise ValueError(f"long_line_status must be one of {LONG_LINE_STATUSES}")
        return error(self.long_line_status)

    def override(self, kind: str, params: list[tuple[str, str]]) -> Response | None:
        """The answer a garbage or refused-value fault gives this request, if any."""
        if kind in self.garbage:
            body = self.garbage[kind]
            return Response(200, body, "text/html" if "<html" in body else "text/xml")
        if kind == "edit" and any(value in self.refused_values for _, value in params):
            return error(500)
        return None
