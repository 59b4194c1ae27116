"""Plex Media Server through plexapi: sections, the listings behind the path index, full items,
edits, uploads.

plexapi carries the token in a header (never the URL), raises typed errors by status, and is the
same client a user's other tools use. PlexSync sends its own raw queries through it where
plexapi's object layer would cost hidden requests (auto-reload, per-call section lookups).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode
from xml.etree.ElementTree import Element, ParseError

from plex import session as plex_session
from plex import xml
from plex.chunks import MAX_TARGET, chunks, merge, parts, target
from plex.errors import PlexSettingError, UnreadableAnswer, not_plex, read_only_token
from plex.identity import PATH as IDENTITY
from plex.identity import identify
from plex.params import rate_query
from plex.sections import Section, choose_sections, holding
from sync.edit import Edit
from sync.index_refresh import ListedItem
from sync.item import PlexItem
from validation.config import PlexSyncConfig

PAGE_SIZE = 2000
ITEMS_PER_FETCH = 200
# How Plex, or a proxy in front of it, refuses an edit it cannot take: 400 for an unknown field,
# 500 for data it cannot store (plex-api.md §5), 414 for a request line too long (plex/chunks.py).
REFUSED = ("(400)", "(414)", "(500)")


class PlexClient:
    def __init__(self, config: PlexSyncConfig, data_dir: Path) -> None:
        self.config = config
        self._http = plex_session.session(config, data_dir)
        self._plexapi: Any = None
        self._writes: Any = None  # plex/http.py PlexWrites, made on the first write
        self._sections: list[Section] | None = None

    @property
    def _server(self) -> Any:
        """plexapi's server, connected on first use (`GET /` with the token)."""
        if self._plexapi is None:
            self._plexapi = plex_session.server(self.config, self._http)
        return self._plexapi

    def _xml(self, path: str, scoped: bool = False, **kwargs: Any) -> Element:
        """A GET that must answer XML. plexapi gives None for an empty body and raises
        ParseError for a broken one: both become UnreadableAnswer, saying which request."""
        what = path.split("?")[0]
        try:
            container = self._server.query(path, **kwargs)
        except ParseError:
            raise UnreadableAnswer(what, scoped) from None
        if container is None:
            raise UnreadableAnswer(what, scoped)
        return container

    # -- is it Plex, and may PlexSync use it ----------------------------------------------
    def check(self) -> str:
        """Once per run, before any scene: plex_url leads to Plex, Plex takes the token, the
        libraries exist. Returns Plex's version; raises what a scene's failure would, so one
        classification serves both (PlexSettingError for a wrong setting)."""
        version = self.identify()
        self.sections(refresh=True)
        return version

    def identify(self) -> str:
        """plex_url leads to Plex and Plex takes the token; returns Plex's version."""
        url = self.config.plex_url
        reply = self._http.get(f"{url}{IDENTITY}", timeout=self.config.plex_timeout)
        if identify(url, reply.status_code, reply.headers.get("Content-Type", ""),
                    reply.content) is None:
            reply.raise_for_status()  # 5xx: an outage; 401/403: the token check below tells
        try:
            version = getattr(self._server, "version", None)
        except ParseError:
            raise not_plex(url, "/", "something that is not Plex's XML") from None
        if not version:  # an empty answer to `/`, which plexapi accepts silently
            raise not_plex(url, "/", "an empty page")
        return str(version)

    def machine_identifier(self) -> str:
        """The server's id, which links into Plex Web name (from plexapi's `GET /`)."""
        return str(self._server.machineIdentifier)

    def can_edit(self) -> bool:
        """Whether the token is the server owner's (or an admin's): only they may read
        `/library` (pkkid/python-plexapi: plexapi/server.py PlexServer.library, issue #174)."""
        from plexapi.exceptions import BadRequest

        try:
            self._server.query("/library")
        except BadRequest as exc:  # Unauthorized is a subclass
            if str(exc).startswith(("(401)", "(403)")):
                return False
            raise
        return True

    # -- sections and the path index -----------------------------------------------------
    def sections(self, refresh: bool = False) -> list[Section]:
        if self._sections is None or refresh:
            every = xml.sections(self._xml("/library/sections"))
            chosen, missing = choose_sections(every, self.config.plex_library)
            known = ", ".join(s.title for s in every if s.type == "movie")
            if missing:
                raise PlexSettingError(
                    f"Plex has no movie library named {', '.join(missing)} (plex_library); "
                    f"its movie libraries: {known or 'none'}. Set plex_library to some of "
                    "them, or leave it empty for all")
            if not chosen:
                raise PlexSettingError(
                    "Plex has no movie-type library (plex_library is empty, so PlexSync looked "
                    "for all of them): add your scenes to Plex as a movie or Other Videos "
                    "library, or check that plex_url leads to the right Plex server")
            self._sections = chosen
        return self._sections

    def listing(self, section: Section, since: int | None = None) -> Iterator[list[ListedItem]]:
        """A section's items page by page, oldest first; with `since`, only those Plex added
        strictly after that addedAt (sync/index_refresh.py; a Plex that ignores the filter
        answers them all). Sorted by addedAt, so items a scan adds while PlexSync pages land
        on the last page instead of shifting the others (python-plexapi sends
        `sort=<field>[:<dir>]`: library.py `_validateSortField`, `recentlyAdded`)."""
        params: dict[str, Any] = {"type": 1, "includeGuids": 0, "sort": "addedAt"}
        if since is not None:
            params["addedAt>>"] = since  # sent as addedAt%3E%3E=<since>, as plexapi sends it
        path = f"/library/sections/{section.key}/all?{urlencode(params)}"
        start = 0
        while True:
            container = self._xml(path, headers={"X-Plex-Container-Start": str(start),
                                                 "X-Plex-Container-Size": str(PAGE_SIZE)})
            page, videos, total = xml.listing_page(container, section.key)
            yield page
            start += videos
            if not videos or start >= total:
                return

    def count(self, section: Section) -> int:
        """How many items a section holds, without listing one (a size-0 page's totalSize)."""
        container = self._xml(f"/library/sections/{section.key}/all?type=1",
                              headers={"X-Plex-Container-Start": "0",
                                       "X-Plex-Container-Size": "0"})
        return xml.total_size(container)

    def item_parts(self, rating_keys: list[str]) -> dict[str, ListedItem]:
        """What Plex holds now for these items (their files may have moved); a gone one is
        missing."""
        from plexapi.exceptions import NotFound

        found: dict[str, ListedItem] = {}
        for start in range(0, len(rating_keys), ITEMS_PER_FETCH):
            chunk = rating_keys[start:start + ITEMS_PER_FETCH]
            try:
                container = self._xml(f"/library/metadata/{','.join(chunk)}", scoped=True)
            except NotFound:
                continue
            found.update((item.rating_key, item) for item in xml.listed_items(container))
        return found

    # -- items ---------------------------------------------------------------------------
    def fetch_items(self, rating_keys: list[str]) -> dict[str, PlexItem | UnreadableAnswer]:
        """Full items (every tag, every lock), many per request; an item Plex answers with
        unreadable XML maps to that failure, a gone one is missing."""
        from plexapi.exceptions import NotFound

        items: dict[str, PlexItem | UnreadableAnswer] = {}
        for start in range(0, len(rating_keys), ITEMS_PER_FETCH):
            chunk = rating_keys[start:start + ITEMS_PER_FETCH]
            try:
                container = self._xml(f"/library/metadata/{','.join(chunk)}", scoped=True)
            except NotFound:
                continue  # every item of the chunk is gone
            except UnreadableAnswer as exc:
                if len(chunk) == 1:
                    items[chunk[0]] = exc
                else:  # one broken item must not fail the scenes of the other 199
                    items.update(self.fetch_items(chunk[:len(chunk) // 2]))
                    items.update(self.fetch_items(chunk[len(chunk) // 2:]))
                continue
            for item in xml.items(container):
                items[item.rating_key] = item
        return items

    # -- writes --------------------------------------------------------------------------
    def _write(self, path: str, method: str = "put", data: bytes | None = None) -> None:
        """A request that changes something. Refused (401/403) while the token can still read:
        the token is a shared or managed user's, which no retry will change."""
        from plexapi.exceptions import BadRequest

        try:
            if self._writes is None:
                from plex.http import PlexWrites  # plexapi.utils: only a run that writes

                self._writes = PlexWrites(self._server, self._http)
            self._writes.send(path, method, data)
        except BadRequest as exc:  # Unauthorized is a subclass
            status = str(exc)[1:4]
            if status in ("401", "403") and self._can_read():
                raise read_only_token(int(status)) from None
            raise

    def _can_read(self) -> bool:
        try:
            self.probe()
        except Exception:
            return False
        return True

    def _put(self, path: str) -> None:
        self._write(path)

    def edit(self, edit: Edit) -> list[str]:
        """One PUT, or a few when one would be too long (plex/chunks.py). If Plex refuses a
        PUT, each of its parts alone, so one bad value costs only itself.

        Returns the names of the parts Plex refused."""
        whole = target(edit)
        if len(whole) <= MAX_TARGET:  # the edit itself, byte for byte; its parts on a refusal
            return self._edit_one(whole, lambda: list(parts(edit)))
        rejected: list[str] = []
        for group in chunks(edit):
            rejected += self._edit_one(target(merge(edit, [part for _, part in group])),
                                       lambda group=group: group)  # type: ignore[misc]
        return list(dict.fromkeys(rejected))

    def _edit_one(self, path: str, named: Callable[[], list[tuple[str, Edit]]]) -> list[str]:
        from plexapi.exceptions import BadRequest, Unauthorized

        try:
            self._put(path)
            return []
        except Unauthorized:
            raise
        except BadRequest as exc:
            if not str(exc).startswith(REFUSED):
                raise
        return self._edit_parts(named())

    def _edit_parts(self, named: list[tuple[str, Edit]]) -> list[str]:
        from plexapi.exceptions import BadRequest, Unauthorized

        rejected, failures = [], 0
        for name, part in named:
            # Plex answers 500 for a bad value and for a passing fault alike: a part is refused
            # only if it fails twice.
            for attempt in (1, 2):
                try:
                    self._put(target(part))
                    break
                except Unauthorized:
                    raise
                except BadRequest as exc:
                    if not str(exc).startswith(REFUSED):
                        raise
                    if attempt == 2:
                        rejected.append(name)
                        failures += 1
        if named and failures == len(named):
            # Refusals or an outage? Plex answering a cheap request means refusals: they are
            # skipped like any refused value, not retried for ever as an outage.
            self.probe()
        return rejected

    def rate(self, rating_key: str, rating: float | None) -> None:
        self._put(f"/:/rate?{rate_query(rating_key, rating)}")

    def upload(self, rating_key: str, kind: str, data: bytes) -> None:
        endpoint = "posters" if kind == "poster" else "arts"
        self._write(f"/library/metadata/{rating_key}/{endpoint}", "post", data=data)

    def scan(self, plex_folder: str) -> bool:
        """Partial scan of the folder in the section whose location holds it."""
        section = holding(self.sections(), plex_folder)
        if section is None:
            return False
        self._write(f"/library/sections/{section.key}/refresh?"
                    f"path={quote(plex_folder, safe='')}", "get")
        return True

    def probe(self) -> None:
        """Cheap and authenticated: fails on a wrong token as well as on an outage."""
        self._server.query("/library/sections")

