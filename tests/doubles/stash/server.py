"""StashDouble: an in-process Stash server on 127.0.0.1 for stashapi and PlexSync to talk to."""

from __future__ import annotations

import contextlib
import socket
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .clock import StashClock
from .full_schema import require_full_schema, resolve_or_default
from .graphql_endpoint import double_schema
from .graphql_ws import EventSource, Execution, GraphQLWebSocketSession
from .http_handler import SESSION_COOKIE, SESSION_MAX_AGE, StashRequestHandler
from .jobs import Job, JobManager
from .plugin_host import PluginHost
from .plugins import PluginCatalog
from .resolvers import Root
from .server_log import ServerLog
from .store import Store
from .traffic import Traffic
from .ui_files import UI_BUILD
from .ui_resolvers import UI_DEFAULTS, UiRoot


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Stash (Go) listens with the system's full backlog; socketserver's default of 5 would make
    # a burst of hooks wait for SYN retransmits, seconds each.
    request_queue_size = 128


class StashDouble:
    """ui=True is UI mode: Stash's web UI from ui_build (default ../shared/stash-ui/build) and
    GraphQL on Stash's full schema, with defaults for what the double does not model."""

    def __init__(self, api_key: str | None = None, session: str | None = "sess-secret",
                 clock: StashClock | None = None, ui: bool = False,
                 ui_build: Path | None = None, port: int = 0) -> None:
        self.api_key = api_key or None
        self.latency = 0.0
        self.clock = clock or StashClock()
        self.store = Store(self.clock)
        self.traffic = Traffic()
        self.plugin_settings: dict[str, dict] = {}
        self.ui_build = (ui_build or UI_BUILD) if ui else None
        self.ui_config: dict[str, Any] = dict(UI_DEFAULTS)
        self._full_schema = require_full_schema() if ui else None
        self.log = ServerLog(self.clock)
        self.jobs = JobManager(self.clock)
        self.plugins = PluginCatalog()
        self.plugin_host = PluginHost(self.plugins, self.jobs, self.log,
                                      lambda p: self.server_connection(str(p.directory)))
        self._session = session
        self._session_expired = False
        self._config_dir = tempfile.TemporaryDirectory(prefix="stash-double-")
        self._port = port
        self._server: ThreadingHTTPServer | None = None
        self._sessions: dict[GraphQLWebSocketSession, socket.socket] = {}
        self._sessions_lock = threading.Lock()

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> StashDouble:
        server = _Server(("127.0.0.1", self._port), StashRequestHandler)
        server.double = self  # type: ignore[attr-defined]
        # A short poll interval keeps stop() quick: shutdown() waits for the next poll.
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                         name="stash-double", daemon=True).start()
        self._server = server
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        self._close_sessions()
        self.plugin_host.stop_all()
        self.jobs.stop()
        self._config_dir.cleanup()

    def __enter__(self) -> StashDouble:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("StashDouble is not started")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

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
            args = (self.store, self.plugin_settings, self.api_key, base_url, self.plugin_host)
            return UiRoot(*args, ui_config=self.ui_config) if self.ui else Root(*args)

        sources = {"jobsSubscribe": EventSource(self.jobs.subscribe, self.jobs.unsubscribe),
                   "loggingSubscribe": EventSource(self.log.subscribe, self.log.unsubscribe)}
        if self._full_schema is not None:
            return Execution(self._full_schema, resolve_or_default, make_root, sources)
        return Execution(double_schema(), None, make_root, sources)

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
            "Scheme": "http",
            "Host": "0.0.0.0",
            "Port": self.port,
            "SessionCookie": self._session_cookie(),
            "Dir": self.config_dir,
            "PluginDir": plugin_dir or str(Path(self.config_dir) / "plugins" / "plexsync"),
        }

    def _session_cookie(self) -> dict[str, Any] | None:
        if self._session is None:
            return None
        expires = datetime.now(timezone.utc) + timedelta(seconds=SESSION_MAX_AGE)
        # A Go http.Cookie serialised without JSON tags, as Stash sends it.
        return {"Name": SESSION_COOKIE, "Value": self._session, "Quoted": False, "Path": "/",
                "Domain": "", "Expires": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "RawExpires": "", "MaxAge": SESSION_MAX_AGE, "Secure": False,
                "HttpOnly": False, "SameSite": 0, "Partitioned": False, "Raw": "",
                "Unparsed": None}

    def session_is_valid(self, value: str | None) -> bool:
        return (value is not None and value == self._session
                and not self._session_expired)

    def expire_session(self) -> None:
        """From now on the session cookie is refused, as after max_session_age."""
        self._session_expired = True

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
        return self.store.add_scene({
            "title": title, "details": details, "date": date, "rating100": rating100,
            "organized": organized, "studio": studio, "performers": performers, "tags": tags,
            "groups": groups, "files": files, "urls": urls, "code": code,
            "director": director, "cover": cover,
        })

    def update_scene(self, scene_id: int, **changes: Any) -> None:
        """A user's edit: same keywords as add_scene; stamps updated_at to the second."""
        self.store.update_scene(scene_id, changes)

    def rename_performer(self, performer_id: int, name: str) -> None:
        self.store.rename("performer", performer_id, name)

    def rename_studio(self, studio_id: int, name: str) -> None:
        self.store.rename("studio", studio_id, name)

    def rename_tag(self, tag_id: int, name: str) -> None:
        self.store.rename("tag", tag_id, name)

    def delete_scene(self, scene_id: int) -> None:
        self.store.delete_scene(scene_id)

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
