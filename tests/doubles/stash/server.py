"""StashDouble: an in-process Stash server on 127.0.0.1 for stashapi and PlexSync to talk to."""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .clock import StashClock
from .http_handler import SESSION_COOKIE, SESSION_MAX_AGE, StashRequestHandler
from .store import Store
from .traffic import Traffic


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Stash (Go) listens with the system's full backlog; socketserver's default of 5 would make
    # a burst of hooks wait for SYN retransmits, seconds each.
    request_queue_size = 128


class StashDouble:
    def __init__(self, api_key: str | None = None, session: str | None = "sess-secret",
                 clock: StashClock | None = None) -> None:
        self.api_key = api_key or None
        self.latency = 0.0
        self.clock = clock or StashClock()
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
        self._session = session
        self._session_expired = False
        self._config_dir = tempfile.TemporaryDirectory(prefix="stash-double-")
        self._server: ThreadingHTTPServer | None = None

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> StashDouble:
        server = _Server(("127.0.0.1", 0), StashRequestHandler)
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
        """Puts a job in jobQueue, e.g. add_job("Scanning...") while a scan "runs"."""
        return self.store.add_job(description, status, progress)

    def remove_job(self, job_id: int) -> None:
        self.store.remove_job(job_id)

    # --- observation ----------------------------------------------------------------------

    @property
    def counts(self) -> dict[str, int]:
        return self.traffic.counts

    def reset_counts(self) -> None:
        self.traffic.reset_counts()

    @property
    def queries(self) -> list[tuple[str, dict[str, Any]]]:
        return self.traffic.queries
