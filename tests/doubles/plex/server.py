"""The HTTP side of the Plex double: request handler and the `PlexDouble` tests drive."""

from __future__ import annotations

import collections
import contextlib
import re
import secrets
import socket
import ssl
import threading
import time
import traceback
from collections.abc import Iterable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from ..tls import Certificate
from .faults import MAINTENANCE_BODY, Faults
from .gate import Gate
from .routes import Handler, Request, Response, Settings, error, resolve
from .store import Store

TAG_MODES = ("replace", "append")
# What a shared or managed user's token may not do: edit, upload, scan, and read /library, which
# "only the owner has access to" (pkkid/python-plexapi: plexapi/server.py PlexServer.library, and
# issue #174: a shared server's /library fails while /library/sections answers). Which status PMS
# answers a refused edit with is not documented: 401 by default, 403 switchable. Ratings are
# per user, so a shared user may rate.
OWNER_ONLY = frozenset({"library", "edit", "upload_poster", "upload_art", "refresh"})
READ_ONLY_STATUSES = (401, 403)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: paging 100 000 items needs no reconnects
    # Headers and body go out in two writes; Nagle plus delayed ACK would add 40 ms to each.
    disable_nagle_algorithm = True
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.server.double._connections.add(self.connection)

    def finish(self) -> None:
        self.server.double._connections.discard(self.connection)
        super().finish()

    def do_GET(self) -> None:
        self._serve()

    do_PUT = do_POST = do_DELETE = do_GET

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        double = self.server.double
        response = double.faults.too_long(self.requestline)
        if response is not None:
            double._count("too_long", self.command, self.path)
        else:
            response = double._answer(self.command, self.path, self.headers, body)
        payload = response.body.encode()
        self.send_response(response.status)
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `PlexDouble.requests` instead."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, double: PlexDouble, tls: ssl.SSLContext | None) -> None:
        self.double = double
        self.tls = tls
        super().__init__(("127.0.0.1", port), _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        """With TLS, the handshake runs on the request's own thread: a client that refuses the
        certificate (as requests does with an unknown one) costs only its own connection."""
        if self.tls is None:
            super().finish_request(request, client_address)
            return
        try:
            request = self.tls.wrap_socket(request, server_side=True)
        except (ssl.SSLError, OSError):
            return
        try:
            super().finish_request(request, client_address)
        finally:
            request.close()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Connections cut by go_down()/stop() are expected; stay quiet."""


class _FaultSwitch:
    """A PlexDouble attribute that reads and writes the same-named switch of its Faults."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: PlexDouble, owner: type | None = None) -> Any:
        return getattr(obj.faults, self.name)

    def __set__(self, obj: PlexDouble, value: Any) -> None:
        setattr(obj.faults, self.name, value)


class _StoreSwitch(_FaultSwitch):
    """A PlexDouble attribute that reads and writes the same-named attribute of its Store."""

    def __get__(self, obj: PlexDouble, owner: type | None = None) -> Any:
        return getattr(obj.store, self.name)

    def __set__(self, obj: PlexDouble, value: Any) -> None:
        setattr(obj.store, self.name, value)


class PlexDouble:
    """A Plex Media Server stand-in on 127.0.0.1 that real plexapi clients talk to."""

    def __init__(self, token: str = "plex-token", tag_mode: str = "replace", port: int = 0,
                 tls: Certificate | None = None) -> None:
        self.token = token
        # A shared or managed user's token: reads what the owner shares, may not edit (OWNER_ONLY).
        self.read_only_token: str | None = None
        self.read_only_status = 401
        self._tls = tls.server_context() if tls is not None else None
        self.store = Store()
        self.faults = Faults()
        self.gate = Gate()  # holds chosen requests until the test releases them
        self.settings = Settings(secrets.token_hex(20), "1.41.3.9314-a0bfb8370", "PlexDouble")
        self.tag_mode = tag_mode
        self.counts: collections.Counter[str] = collections.Counter()
        self.requests: collections.deque[tuple[str, str]] = collections.deque(maxlen=1000)
        self._log_lock = threading.Lock()
        self._port = port
        self._httpd: _Server | None = None
        self._connections: set[socket.socket] = set()

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> PlexDouble:
        self._listen()
        return self

    def stop(self) -> None:
        self.faults.hang = False
        self.gate.open()
        self.go_down()

    def go_down(self) -> None:
        """Close the listening socket and cut open connections: clients get refused."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None
        for conn in list(self._connections):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def come_up(self) -> None:
        """Listen again on the same port."""
        if self._httpd is None:
            self._listen()

    def _listen(self) -> None:
        self._httpd = _Server(self._port, self, self._tls)
        self._port = self._httpd.server_address[1]
        threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            daemon=True,
            name=f"plex-double-{self._port}",
        ).start()

    def __enter__(self) -> PlexDouble:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"{'https' if self._tls else 'http'}://127.0.0.1:{self._port}"

    # -- settings and faults --------------------------------------------------------------
    @property
    def tag_mode(self) -> str:
        return "replace" if self.settings.replace else "append"

    @tag_mode.setter
    def tag_mode(self, mode: str) -> None:
        if mode not in TAG_MODES:
            raise ValueError(f"tag_mode must be one of {TAG_MODES}")
        self.settings.replace = mode == "replace"

    latency = _FaultSwitch()
    maintenance = _FaultSwitch()
    error_rate = _FaultSwitch()
    hang = _FaultSwitch()
    impostor = _FaultSwitch()
    # Real-world modes of the library's listings, off by default (store.py, listing.py).
    clock_offset = _StoreSwitch()
    ignores_date_filters = _StoreSwitch()

    def seed(self, value: int) -> None:
        self.faults.seed(value)

    def reset_counts(self) -> None:
        with self._log_lock:
            self.counts.clear()
            self.requests.clear()
        with self.store.lock:
            self.store.listed_items = 0
            self.store.listings = dict.fromkeys(self.store.listings, 0)

    @property
    def listed_items(self) -> int:
        """Items handed out by section listings since the last reset_counts."""
        return self.store.listed_items

    @property
    def listings(self) -> dict[str, int]:
        """Listing requests by what they asked: full, delta (filtered by a date), count."""
        with self.store.lock:
            return dict(self.store.listings)

    # -- library setup and inspection -----------------------------------------------------
    def add_section(
        self,
        title: str = "Scenes",
        locations: Iterable[str] = ("/data",),
        agent: str = "tv.plex.agents.none",
        type: str = "movie",
    ) -> int:
        return self.store.add_section(title, list(locations), agent, type)

    def add_item(
        self, section_id: int, file: str, size: int = 0, title: str | None = None, **optional: Any
    ) -> str:
        return self.store.add_item(section_id, file, size, title, **optional)

    def add_pending(
        self, section_id: int, file: str, size: int = 0, delay: float = 0.0, **optional: Any
    ) -> None:
        self.store.add_pending(section_id, file, size, delay, **optional)

    def stack(self, rk: str | int, file: str, size: int = 0) -> None:
        """Make an item a stack of several files, as Plex does with `name - part1.mp4`,
        `name - part2.mp4` (or cd1/cd2...) in one folder: one item, one Media, a Part per file
        (support.plex.tv, "Naming and organizing your movie media files", multi-part movies;
        newloran2/emplexer#92 shows such a stack)."""
        self.store.add_part(str(rk), file, size)

    def remove_item(self, rk: str, scanned: bool = False) -> None:
        """scanned: as a scan that found the file gone (scannedAt moves: store.py)."""
        self.store.remove_item(str(rk), scanned)

    def move_part(self, rk: str | int, new_file: str, old_file: str | None = None) -> None:
        self.store.move_part(str(rk), new_file, old_file)

    def set_added_at(self, rk: str | int, added_at: int) -> None:
        self.store.set_added_at(str(rk), added_at)

    def age(self, span: int) -> None:
        """Every item's addedAt spread over the last `span` seconds (store.py age)."""
        self.store.age(span)

    def item(self, rk: str | int) -> dict[str, Any]:
        self.store.reveal_due(time.monotonic())
        return self.store.snapshot(str(rk))

    def items(self) -> list[dict[str, Any]]:
        self.store.reveal_due(time.monotonic())
        with self.store.lock:
            return [self.store.snapshot(rk) for rk in self.store.items]

    @property
    def scans(self) -> list[tuple[int, str | None]]:
        with self.store.lock:
            return list(self.store.scans)

    def set_field(self, rk: str | int, name: str, value: Any, lock: bool = True) -> None:
        """Edit a field as a person in Plex Web does (which locks it, unless lock=False)."""
        text = "" if value is None else str(value)
        self.store.set_values(
            str(rk), [(f"{name}.value", text), (f"{name}.locked", str(int(lock)))]
        )

    def set_tags(self, rk: str | int, tagtype: str, names: list[str], lock: bool = True) -> None:
        """Replace an item's tags of one type as a person in Plex Web does."""
        pairs = [(f"{tagtype}[].tag", ""), (f"{tagtype}.locked", str(int(lock)))]
        pairs += [(f"{tagtype}[{i}].tag.tag", n) for i, n in enumerate(names)]
        self.store.set_values(str(rk), pairs)

    def set_locked(self, rk: str | int, name: str, locked: bool = True) -> None:
        self.store.set_values(str(rk), [(f"{name}.locked", str(int(locked)))])

    # -- request handling (called on server threads) -------------------------------------
    def _count(self, kind: str, method: str, target: str) -> None:
        with self._log_lock:
            self.counts[kind] += 1
            self.requests.append((method, target))

    def _refusal(self, kind: str, headers: Mapping[str, str],
                 params: list[tuple[str, str]]) -> Response | None:
        """401 without the owner's token; a read-only token may read, not edit."""
        if kind == "identity":  # PMS answers /identity without a token
            return None
        token = headers.get("X-Plex-Token") or dict(params).get("X-Plex-Token") or ""
        if secrets.compare_digest(token, self.token):
            return None
        shared = self.read_only_token
        if shared and secrets.compare_digest(token, shared):
            if kind not in OWNER_ONLY:
                return None
            if self.read_only_status not in READ_ONLY_STATUSES:
                raise ValueError(f"read_only_status must be one of {READ_ONLY_STATUSES}")
            return error(self.read_only_status)
        return error(401)

    def _answer(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Response:
        parts = urlsplit(target)
        params = parse_qsl(parts.query, keep_blank_values=True)
        kind, handler, match = resolve(method, parts.path)
        if kind == "listing" and "0" in (headers.get("X-Plex-Container-Size"),
                                         dict(params).get("X-Plex-Container-Size")):
            kind = "listing_count"  # a count only (listing.py): no item is listed
        self._count(kind, method, target)
        with self.gate.passage(kind):
            return self._respond(kind, handler, match, Request(method, parts.path, params,
                                                               headers, body))

    def _respond(self, kind: str, handler: Handler, match: re.Match[str] | None,
                 request: Request) -> Response:
        self.faults.delay()
        if (imposture := self.faults.imposture()) is not None:
            return imposture
        if self.faults.maintenance:
            return Response(503, MAINTENANCE_BODY)
        if self.faults.fails():
            return error(500)
        if (override := self.faults.override(kind, request.params)) is not None:
            return override
        if (refusal := self._refusal(kind, request.headers, request.params)) is not None:
            return refusal
        self.store.reveal_due(time.monotonic())
        try:
            return handler(self.store, self.settings, request, match)
        except ValueError:  # malformed numbers in paging headers or parameters
            return error(400)
        except Exception:
            # A bug in the double (or a race with remove_item): answer like PMS, but show it.
            traceback.print_exc()
            return error(500)
