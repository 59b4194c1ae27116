"""Throw-away prototypes of issue 15's changes, patched into THIS process by bench/costs.py
(`--prototype NAME`), to measure what a change would save before anyone builds it properly.

Never imported by the plugin; not a design to copy: error handling is only what the bench's
happy path needs. The real change belongs in plex/ and stash/ (see notes/perf.md).

  lean-plex   Plex writes (edit PUT, rate PUT, upload POST) through the urllib3 pool of
              requests' own adapter, the token headers built once, instead of plexapi's
              PlexServer.query -> requests.Session.request.
  lean-stash  Cover downloads through the Stash session's urllib3 pool, its headers and
              cookie read once per call, instead of requests.Session.get.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

Undo = Callable[[], None]


def lean_plex() -> Undo:
    from plexapi.exceptions import BadRequest, NotFound, Unauthorized

    from plex.client import PlexClient

    original = PlexClient._write

    def write(self: Any, path: str, method: str = "put", **kwargs: Any) -> None:
        lean = getattr(self, "_bench_lean", None)
        if lean is None:
            server = self._server
            base = server._baseurl
            pool = self._http.get_adapter(base).poolmanager.connection_from_url(base)
            lean = self._bench_lean = (pool, server._headers(), base)
        pool, headers, base = lean
        answer = pool.urlopen(method.upper(), path, body=kwargs.get("data"), headers=headers,
                              retries=False, timeout=self.config.plex_timeout)
        if answer.status not in (200, 201, 204):
            message = f"({answer.status}) ; {base}{path} {answer.data[:200]!r}"
            raise {401: Unauthorized, 404: NotFound}.get(answer.status, BadRequest)(message)

    PlexClient._write = write  # type: ignore[method-assign]
    return lambda: setattr(PlexClient, "_write", original)


def lean_stash() -> Undo:
    from stash.client import StashClient

    original = StashClient.image

    def image(self: Any, url: str) -> bytes | None:
        if "default=true" in url:
            return None
        session = self._stash.s
        pool = session.get_adapter(self._base_url).poolmanager.connection_from_url(
            self._base_url)
        headers = dict(session.headers)
        cookie = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
        if cookie:
            headers["Cookie"] = cookie
        parts = urlsplit(url)
        answer = pool.urlopen("GET", f"{parts.path}?{parts.query}", headers=headers,
                              retries=False, redirect=False, timeout=30.0)
        kind = answer.headers.get("Content-Type", "")
        if answer.status != 200 or "svg" in kind:
            return None
        return answer.data

    StashClient.image = image  # type: ignore[method-assign]
    return lambda: setattr(StashClient, "image", original)


PROTOTYPES: dict[str, Callable[[], Undo]] = {
    "lean-plex": lean_plex, "lean-stash": lean_stash,
}
