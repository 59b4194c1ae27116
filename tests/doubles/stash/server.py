"""StashDouble: an in-process Stash server on 127.0.0.1 for stashapi and PlexSync to talk to."""

from __future__ import annotations

import contextlib
import socket
import ssl
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .clock import StashClock
from .full_schema import require_full_schema, resolve_or_default
from .graphql_endpoint import double_schema, release
from .graphql_ws import EventSource, Execution, GraphQLWebSocketSession
from .http_handler import StashRequestHandler
from .jobs import Job, JobManager
from .plugin_host import PluginHost
from .plugins import PluginCatalog
from .resolvers import VERSION, Root
from .server_log import ServerLog
from .sessions import Sessions
from .store import Store
from .tls import write_pair
from .traffic import Traffic
from .ui_files import UI_BUILD
from .ui_resolvers import UI_DEFAULTS, UiRoot

TLS_MODES = (None, "config", "elsewhere")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Stash (Go) listens with the system's full backlog; socketserver's default of 5 would make
    # a burst of hooks wait for SYN retransmits, seconds each.
    request_queue_size = 128

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Stash stopping ends the connections clients keep open (keep-alive) as well: their
        next request fails as it would against a stopped Stash, instead of being answered."""
        with self._connections_lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client refusing the certificate is what some tests are about, not a crash.
        if not isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError)):
            super().handle_error(request, client_address)


class StashDouble:
    """ui=True is UI mode: Stash's web UI from ui_build (default ../shared/stash-ui/build) and
    GraphQL on Stash's full schema, with defaults for what the double does not model."""

    def __init__(self, api_key: str | None = None, session: str | None = "sess-secret",
                 clock: StashClock | None = None, tls: str | None = None,
                 cert_expired: bool = False, credentials: bool | None = None,
                 session_max_age: int | None = None, config_name: str = "stash-double-",
                 ui: bool = False, ui_build: Path | None = None, port: int = 0) -> None:
        """config_name: how the name of Stash's config folder (server_connection Dir) begins.
        api_key: Stash's API key (credentials are then configured too). credentials: a
        username and password are set (default: when there is an API key); True without an
        API key is a password-only login, common among users.
        session: the session cookie (its value, or with session_max_age its prefix); None
        gives plugins no cookie. session_max_age: sessions as real Stash keeps them (see
        sessions.py); None keeps one fixed value until expire_session().
        tls: None serves plain HTTP (the default); "config" serves HTTPS with a self-signed
        stash.crt/stash.key in the config folder, the usual way users turn it on; "elsewhere"
        serves HTTPS with the pair outside it (ssl_cert_path, or ~/.stash when the config
        folder is another one). cert_expired: the certificate's dates have passed."""
        if tls not in TLS_MODES:
            raise ValueError(f"tls must be one of {TLS_MODES}")
        self.api_key = api_key or None
        self.credentials = bool(api_key) if credentials is None else credentials
        self.tls = tls
        self._cert_expired = cert_expired
        self.latency = 0.0
        # Switchable: an older release answers `version` with it and lacks what came later in
        # its schema (e.g. "v0.26.2": no Scene.groups, so PlexSync's scene queries fail).
        self.version = VERSION
        self.clock = clock or StashClock()
        self.sessions = Sessions(self.clock, session, session_max_age)
        self.store = Store(self.clock)
        self.traffic = Traffic()
        self.plugin_settings: dict[str, dict] = {}
        # Stash's external_host setting (e.g. a reverse proxy's address): every picture URL is
        # built from it instead of the address the request came in on (stashapp/stash
        # internal/api/server.go, BaseURLMiddleware). None: off, as by default.
        self.external_host: str | None = None
        # Picture routes that fail, by path ("/scene/3/screenshot"): HTTP status to answer;
        # 302 redirects to the login page as Stash does for a caller without credentials.
        self.image_faults: dict[str, int] = {}
        # A scan creates a scene without its cover and fires Scene.Create.Post; Stash's cover
        # task sets the cover later, stamping updated_at without any hook (stashapp/stash
        # pkg/scene/scan.go, internal/manager/task_generate_screenshot.go). On: add_scene keeps
        # the cover back until generate_covers(). Off by default.
        self.covers_later = False
        self._pending_covers: dict[int, bytes] = {}
        self._config_dir = tempfile.TemporaryDirectory(prefix=config_name)
        self._ssl_dir = tempfile.TemporaryDirectory(prefix="stash-double-ssl-")
        self._server: _Server | None = None
        self._port = port
        self._reserved: socket.socket | None = None
        self.cert_path: Path | None = None
        self.ui_build = (ui_build or UI_BUILD) if ui else None
        self.ui_config: dict[str, Any] = dict(UI_DEFAULTS)
        self._full_schema = require_full_schema() if ui else None
        self.log = ServerLog(self.clock)
        self.jobs = JobManager(self.clock)
        self.plugins = PluginCatalog()
        self.plugin_host = PluginHost(self.plugins, self.jobs, self.log,
                                      lambda p: self.server_connection(str(p.directory)))
        self._sessions: dict[GraphQLWebSocketSession, socket.socket] = {}
        self._sessions_lock = threading.Lock()

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> StashDouble:
        server = _Server(("127.0.0.1", self._port), StashRequestHandler)
        server.double = self  # type: ignore[attr-defined]
        if self.tls:
            self._serve_https(server)
        # A short poll interval keeps stop() quick: shutdown() waits for the next poll.
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                         name="stash-double", daemon=True).start()
        self._server = server
        self._port = server.server_address[1]
        return self

    def _serve_https(self, server: ThreadingHTTPServer) -> None:
        folder = self._config_dir if self.tls == "config" else self._ssl_dir
        certificate = write_pair(Path(folder.name), self._cert_expired)
        self.cert_path = certificate.cert
        # The handshake happens in the request's thread, so a refused certificate never holds
        # up the accept loop.
        server.socket = certificate.server_context().wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False)

    def stop(self) -> None:
        self._close()
        self.plugin_host.stop_all()
        self.jobs.stop()
        if self._reserved is not None:
            self._reserved.close()
            self._reserved = None
        self._config_dir.cleanup()
        self._ssl_dir.cleanup()

    def go_down(self) -> None:
        """Stash stops: connections to its port are refused until come_up(). The port stays
        bound (not listening), so no other server can take it meanwhile."""
        self._close()
        holder = socket.socket()
        holder.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past TIME_WAIT
        holder.bind(("127.0.0.1", self._port))
        self._reserved = holder

    def come_up(self) -> None:
        """Stash is back, on the same port."""
        if self._reserved is not None:
            self._reserved.close()
            self._reserved = None
        if self._server is None:
            self.start()

    def _close(self) -> None:
        server = self._server
        if server is not None:
            server.shutdown()
            server.server_close()
            self._server = None
        self._close_sessions()
        if server is not None:
            server.close_connections()

    def __enter__(self) -> StashDouble:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if not self._port:
            raise RuntimeError("StashDouble is not started")
        return self._port  # kept while down: Stash comes back where it was

    @property
    def scheme(self) -> str:
        return "https" if self.tls else "http"

    @property
    def url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.port}"

    @property
    def config_dir(self) -> str:
        return self._config_dir.name

    @property
    def ui(self) -> bool:
        return self.ui_build is not None

    # --- GraphQL and its websocket ----------------------------------------------------------

    def execution(self, base_url: str) -> Execution:
        """How requests seen at base_url are run, over HTTP and over the websocket."""
        def make_root() -> Root:
            args = (self.store, self.plugin_settings, self.api_key, base_url, self.plugin_host,
                    self.version)
            return UiRoot(*args, ui_config=self.ui_config) if self.ui else Root(*args)

        sources = {"jobsSubscribe": EventSource(self.jobs.subscribe, self.jobs.unsubscribe),
                   "loggingSubscribe": EventSource(self.log.subscribe, self.log.unsubscribe)}
        if self._full_schema is not None:
            return Execution(self._full_schema, resolve_or_default, make_root, sources)
        return Execution(double_schema(release(self.version)), None, make_root, sources)

    def track_session(self, session: GraphQLWebSocketSession, conn: socket.socket) -> None:
        with self._sessions_lock:
            self._sessions[session] = conn

    def untrack_session(self, session: GraphQLWebSocketSession) -> None:
        with self._sessions_lock:
            self._sessions.pop(session, None)

    def _close_sessions(self) -> None:
        """A browser keeps its websocket open: end it, or its thread outlives the double."""
        with self._sessions_lock:
            sessions = list(self._sessions.items())
        for session, conn in sessions:
            session.close()
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)

    # --- what a plugin gets from Stash ----------------------------------------------------

    def server_connection(self, plugin_dir: str | None = None) -> dict[str, Any]:
        """The `server_connection` object Stash writes on a plugin's stdin."""
        return {
            "Scheme": self.scheme,
            "Host": "0.0.0.0",
            "Port": self.port,
            "SessionCookie": self.sessions.connection_cookie(),
            "Dir": self.config_dir,
            "PluginDir": plugin_dir or str(Path(self.config_dir) / "plugins" / "plexsync"),
        }

    def expire_session(self) -> None:
        """From now on every session cookie issued so far is refused, as after max_age."""
        self.sessions.expire()

    # --- library --------------------------------------------------------------------------

    def add_studio(self, name: str, parent: int | None = None,
                   image: bytes | None = None) -> int:
        return self.store.add_studio(name, parent, image)

    def add_performer(self, name: str, image: bytes | None = None,
                      disambiguation: str | None = None) -> int:
        return self.store.add_performer(name, image, disambiguation)

    def add_tag(self, name: str) -> int:
        return self.store.add_tag(name)

    def add_group(self, name: str, image: bytes | None = None) -> int:
        return self.store.add_group(name, image)

    def add_scene(self, *, title: str | None = None, details: str | None = None,
                  date: str | None = None, rating100: int | None = None,
                  organized: bool = False, studio: int | None = None,
                  performers: Iterable[int] = (), tags: Iterable[int] = (),
                  groups: Iterable[tuple[int, int | None]] = (),
                  files: Iterable[Sequence[Any]] = (), urls: Iterable[str] = (),
                  code: str | None = None, director: str | None = None,
                  cover: bytes | None = None) -> int:
        """files: (path, size) or (path, size, duration seconds); files[0] is primary."""
        later = cover if self.covers_later else None
        scene_id = self.store.add_scene({
            "title": title, "details": details, "date": date, "rating100": rating100,
            "organized": organized, "studio": studio, "performers": performers, "tags": tags,
            "groups": groups, "files": files, "urls": urls, "code": code,
            "director": director, "cover": None if later else cover,
        })
        if later is not None:
            self._pending_covers[scene_id] = later
        return scene_id

    def generate_covers(self) -> list[int]:
        """covers_later: Stash's cover task runs, setting each held-back cover and stamping
        the scene's updated_at (to the clock's second), firing no hook."""
        done = sorted(self._pending_covers)
        for scene_id in done:
            self.store.update_scene(scene_id, {"cover": self._pending_covers.pop(scene_id)})
        return done

    def update_scene(self, scene_id: int, **changes: Any) -> None:
        """A user's edit: same keywords as add_scene; stamps updated_at to the second."""
        self.store.update_scene(scene_id, changes)

    def rename_performer(self, performer_id: int, name: str) -> None:
        self.store.rename("performer", performer_id, name)

    def rename_studio(self, studio_id: int, name: str) -> None:
        self.store.rename("studio", studio_id, name)

    def rename_tag(self, tag_id: int, name: str) -> None:
        self.store.rename("tag", tag_id, name)

    def rename_group(self, group_id: int, name: str) -> None:
        self.store.rename("group", group_id, name)

    def update_performer(self, performer_id: int, **changes: Any) -> None:
        """Any other edit of a performer (disambiguation, image): its updated_at, and so the
        `t=` of its image URL, moves; no scene changes."""
        self.store.edit("performer", performer_id, **changes)

    def delete_scene(self, scene_id: int) -> None:
        self.store.delete_scene(scene_id)

    def destroy(self, kind: str, object_id: int) -> None:
        """Deletes a performer, studio, tag or group; its scenes keep their updated_at."""
        self.store.destroy(kind, object_id)

    def merge_performers(self, sources: Sequence[int], destination: int) -> None:
        self.store.merge_performers(sources, destination)

    def merge_scenes(self, sources: Sequence[int], destination: int, **values: Any) -> None:
        """values: what the merge dialog sets on the destination (add_scene's keywords)."""
        self.store.merge_scenes(sources, destination, values)

    def scene(self, scene_id: int) -> dict[str, Any]:
        with self.store.lock:
            return self.store.scenes[scene_id].snapshot()

    def scene_ids(self) -> list[int]:
        with self.store.lock:
            return sorted(self.store.scenes)

    def add_job(self, description: str, status: str = "RUNNING",
                progress: float | None = None) -> int:
        """Puts a job in jobQueue, e.g. add_job("Scanning...") while a scan "runs". Stash runs
        one job at a time: plugin tasks wait READY until a RUNNING one is removed."""
        return self.jobs.add_manual(description, status, progress)

    def remove_job(self, job_id: int) -> None:
        self.jobs.remove_manual(job_id)

    # --- plugins ----------------------------------------------------------------------------

    def install_plugin(self, manifest: str | Path, env: dict[str, str] | None = None) -> str:
        """Loads a plugin's yml as Stash would (strictly); `env` is added to its processes'
        environment. Returns the plugin id (the file name without extension)."""
        return self.plugins.install(Path(manifest), env).id

    def run_plugin_operation(self, plugin_id: str, args: dict[str, Any] | None = None) -> Any:
        """What runPluginOperation answers; a plugin error raises PluginError."""
        return self.plugin_host.run_operation(plugin_id, args)

    def run_plugin_task(self, plugin_id: str, task_name: str | None = None,
                        description: str | None = None,
                        args: dict[str, Any] | None = None) -> int:
        """What runPluginTask does: queues a job and returns its id."""
        return self.plugin_host.run_task(plugin_id, task_name, description, args)

    def job(self, job_id: int) -> Job | None:
        """A copy of a queued or recently ended job, with its plugin's log lines and result."""
        return self.jobs.get(job_id)

    def wait_for_job(self, job_id: int, timeout: float = 120) -> Job:
        """Polls until the job ended (FINISHED, FAILED or CANCELLED), with a deadline."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.jobs.get(job_id)
            if job is not None and job.status in ("FINISHED", "FAILED", "CANCELLED"):
                return job
            if time.monotonic() >= deadline:
                raise TimeoutError(f"job {job_id} did not end within {timeout:g}s: {job}")
            time.sleep(0.02)

    # --- observation ----------------------------------------------------------------------

    @property
    def counts(self) -> dict[str, int]:
        return self.traffic.counts

    def reset_counts(self) -> None:
        self.traffic.reset_counts()

    @property
    def queries(self) -> list[tuple[str, dict[str, Any]]]:
        return self.traffic.queries
