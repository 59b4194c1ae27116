"""Stash over its GraphQL API: the run's start, settings, scenes in batches, and images with
Stash's credentials.

Every document is PlexSync's own (stash/queries.py), sent on one requests session
(stash/transport.py). stashapi's constructor is not used: it asked Stash's version, its API key
and the whole schema (for fragments PlexSync never uses), three requests where the start query
is one.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from stash import log, transport, version
from stash.errors import ImageUnavailable, StashError, StashLoginRejected
from stash.images import Pictures
from stash.login import Login
from stash.protocol import Connection, UserError
from stash.queries import (
    CONFIGURE_PLUGIN,
    LATEST_UPDATE,
    PLUGIN_SETTINGS,
    SCENE_BY_ID,
    SCENE_IDS,
    SCENE_VERSIONS,
    SCENES_BY_ID,
    SCENES_PAGE,
    START,
    VERSION,
    ids_filter,
)
from stash.urls import rebase, route

PLUGIN_ID = "plexsync"
TIMEOUT = transport.TIMEOUT
IDS_PER_QUERY = 1000
VERSIONS_PAGE = 50_000  # (id, updated_at) pairs per answer of Sync All's light list
_MISSING = re.compile(r"id (\d+) not found")


@dataclass
class SceneFetch:
    found: dict[int, dict[str, Any]]
    broken: dict[int, str]


def _messages(answer: dict[str, Any]) -> list[str]:
    errors = answer.get("errors") or []
    if not errors and not isinstance(answer.get("data"), dict):
        return ["Stash answered without data"]
    return [str(e.get("message", "")) if isinstance(e, dict) else str(e) for e in errors]


def _version_text(data: dict[str, Any]) -> str | None:
    """Stash's version as "vX.Y.Z"; None when Stash did not say (a build without one)."""
    parsed = version.parse(str((data.get("version") or {}).get("version") or ""))
    return "v{}.{}.{}".format(*parsed) if parsed and any(parsed) else None


class StashClient:
    def __init__(self, connection: Connection) -> None:
        log.register_secret(connection.session_cookie)
        # Monotonic time since which no request got an answer (None while Stash answers): the
        # background worker ends when Stash stays silent (worker/process.py).
        self.silent_since: float | None = None
        self._connection = connection
        self._login = Login()
        self._base_url = connection.base_url
        self._url = f"{connection.base_url}/graphql"
        self._http = transport.session(connection, self._login)
        self._pictures = Pictures(self._http, self._login)
        self.version, self._settings = self._start()

    def _start(self) -> tuple[str | None, dict[str, Any]]:
        """The start query: Stash's version (too old stops the run), the API key (used from
        now on when Stash has one) and the plugin's settings as saved now."""
        try:
            answer = self._send(START, {})
        except StashLoginRejected:
            raise
        except Exception as exc:
            raise StashError(f"cannot reach Stash at {self._base_url}: "
                             f"{transport.describe(exc, self._connection)}") from None
        errors = _messages(answer)
        if errors:  # a Stash too old for this document says so in its version
            self._check(_version_text(self._call(VERSION)))
            raise StashError(f"Stash query failed: {log.redact(errors[0])[:300]}")
        data = answer["data"]
        stash_version = _version_text(data)
        self._check(stash_version)
        configuration = data.get("configuration") or {}
        api_key = (configuration.get("general") or {}).get("apiKey")
        if api_key:
            log.register_secret(api_key)
            self._http.headers["ApiKey"] = api_key
            self._http.cookies.clear()
        return stash_version, (configuration.get("plugins") or {}).get(PLUGIN_ID) or {}

    @staticmethod
    def _check(stash_version: str | None) -> None:
        problem = version.too_old(stash_version)
        if problem:
            raise UserError(f"{problem}. Queued changes are kept.")

    def _send(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Stash's whole answer (raises what requests raised when there is none)."""
        response = self._http.post(self._url, timeout=TIMEOUT,
                                   json={"query": query, "variables": variables})
        self.silent_since = None
        if response.status_code == 401:
            raise StashLoginRejected
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise StashError(f"Stash answered HTTP {response.status_code} without GraphQL")
        return answer

    def _post(self, query: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Stash's whole answer: a GraphQL error is the caller's to judge (a scene deleted
        meanwhile is no failure)."""
        try:
            return self._send(query, variables)
        except StashError:
            raise
        except Exception as exc:
            self._unanswered()
            raise StashError(f"Stash did not answer: "
                             f"{transport.describe(exc, self._connection)}") from None

    def _unanswered(self) -> None:
        if self.silent_since is None:
            self.silent_since = time.monotonic()

    def _call(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = self._post(query, variables or {})
        errors = answer.get("errors") or []
        if errors or not isinstance(answer.get("data"), dict):
            first = errors[0].get("message", "") if errors and isinstance(errors[0], dict) else ""
            raise StashError(f"Stash query failed: {log.redact(str(first))[:300]}")
        return answer["data"]

    def keep_login(self, now: float) -> None:
        """Renew a session login before it lapses, while no other request does (login.py)."""
        if "ApiKey" in self._http.headers or not self._login.due(now):
            return
        self._login.trying(now)
        self._call(LATEST_UPDATE)  # small, and any authenticated request renews the session

    # -- settings ------------------------------------------------------------------------
    @property
    def settings_at_start(self) -> dict[str, Any]:
        """The plugin's settings as the start query read them: what a run works with."""
        return dict(self._settings)

    def plugin_settings(self) -> dict[str, Any]:
        """The plugin's settings as Stash has them now."""
        data = self._call(PLUGIN_SETTINGS)
        return (data.get("configuration") or {}).get("plugins", {}).get(PLUGIN_ID) or {}

    def save_plugin_settings(self, values: dict[str, Any]) -> None:
        """configurePlugin replaces the whole map: callers pass the merged settings."""
        self._call(CONFIGURE_PLUGIN, {"plugin_id": PLUGIN_ID, "input": values})

    # -- scenes --------------------------------------------------------------------------
    def scenes_by_id(self, ids: list[int]) -> SceneFetch:
        """The scenes that still exist, by id. A deleted scene is simply absent; a scene Stash
        cannot deliver (an error in one of its fields) is in `broken` with Stash's message."""
        fetch = SceneFetch({}, {})
        for start in range(0, len(ids), IDS_PER_QUERY):
            self._existing(ids[start:start + IDS_PER_QUERY], fetch)
        return fetch

    def _existing(self, ids: list[int], fetch: SceneFetch) -> None:
        # Stash fails the whole findScenes(ids:) query when an id is gone, naming only the
        # first (pkg/sqlite/scene.go FindMany). One id-only query that tolerates deleted ids
        # tells which exist, then they are asked for again: three requests however many were
        # deleted. One lookup each remains for a scene Stash cannot deliver.
        remaining = list(ids)
        for _ in range(2):
            answer = self._post(SCENES_BY_ID, {"ids": [str(i) for i in remaining]})
            errors = _messages(answer)
            if not errors:
                for scene in answer["data"]["findScenes"]["scenes"]:
                    fetch.found[int(scene["id"])] = scene
                return
            if not _MISSING.search(" ".join(errors)):
                break
            present = self._call(SCENE_IDS, {"f": ids_filter(remaining)})
            exists = {int(scene["id"]) for scene in present["findScenes"]["scenes"]}
            remaining = [i for i in remaining if i in exists]
            if not remaining:
                return
        for scene_id in remaining:
            self._one(scene_id, fetch)

    def _one(self, scene_id: int, fetch: SceneFetch) -> None:
        answer = self._post(SCENE_BY_ID, {"id": str(scene_id)})
        errors = _messages(answer)
        scene = (answer.get("data") or {}).get("findScene")
        if errors and not _MISSING.search(" ".join(errors)):
            fetch.broken[scene_id] = log.redact(errors[0])[:300]
        elif scene is not None:
            fetch.found[scene_id] = scene

    def scene_versions(self, scene_filter: dict[str, Any] | None = None
                       ) -> Iterator[list[tuple[int, str]]]:
        """(id, updated_at) of every scene matching the filter, a page of a light query at a
        time (100,000 scenes in one answer would be 6 MB of JSON held at once)."""
        last = 0
        while True:
            after: dict[str, Any] = {"id": {"modifier": "GREATER_THAN", "value": last}}
            if scene_filter:  # Stash ANDs the criteria of one filter; a filter's own id nests
                after = {**scene_filter, **after} if "id" not in scene_filter else {
                    **after, "AND": scene_filter}
            data = self._call(SCENE_VERSIONS, {"scene_filter": after,
                                               "per_page": VERSIONS_PAGE})["findScenes"]
            page = [(int(s["id"]), s["updated_at"]) for s in data["scenes"]]
            if page:
                yield page
            if not page or len(page) >= data["count"]:
                return
            last = page[-1][0]

    def latest_update(self) -> str | None:
        """The newest scene updated_at, verbatim (it carries Stash's time zone)."""
        scenes = self._call(LATEST_UPDATE)["findScenes"]["scenes"]
        return scenes[0]["updated_at"] if scenes else None

    def iter_scenes(self, page_size: int = 1000) -> Iterator[dict[str, Any]]:
        """Every scene with the full sync selection, paged by id (reconcile, preview)."""
        page = 1
        while True:
            data = self._call(SCENES_PAGE, {"filter": {"page": page, "per_page": page_size,
                                                       "sort": "id", "direction": "ASC"}})
            scenes = data["findScenes"]["scenes"]
            yield from scenes
            if len(scenes) < page_size:
                return
            page += 1

    # -- images ------------------------------------------------------------------------
    def image(self, url: str) -> bytes | None:
        """Image bytes, or None when Stash has no real image (its placeholder).

        Always fetched through the connection Stash gave the plugin, whatever address the URL
        names: with `external_host` set, Stash writes that address into every picture URL, and
        it may be a proxy with a login in front or not reachable from here at all. Raises
        ImageUnavailable when the picture cannot be had."""
        if "default=true" in url:
            return None
        where = route(url)
        try:
            picture = self._pictures.get(rebase(url, self._base_url))
        except Exception as exc:
            self._unanswered()
            raise ImageUnavailable(f"Stash did not answer for {where}: "
                                   f"{transport.describe(exc, self._connection)}") from None
        self.silent_since = None
        if picture.status in (301, 302, 303, 307, 308, 401):
            raise ImageUnavailable(f"Stash asked for a login for {where}")
        if picture.status != 200:
            raise ImageUnavailable(f"Stash answered HTTP {picture.status} for {where}")
        content_type = picture.content_type
        if "svg" in content_type:  # Stash's placeholder (internal/static: scene/scene.svg)
            return None
        if not content_type.startswith("image/"):
            raise ImageUnavailable(f"Stash answered {where} with {content_type or 'no type'}, "
                                   "not a picture")
        return picture.body
