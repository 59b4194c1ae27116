"""What the background writer needs from Stash and from Plex, as typing.Protocols.

The real adapters (stash/client.py StashClient, plex/client.py PlexClient) are built in
worker/services.py; tests/ports.py holds in-memory ones for the in-process tests of a batch and
a drain.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from plex.sections import Section
    from stash.client import SceneFetch
    from sync.edit import Edit
    from sync.index_refresh import ListedItem
    from sync.item import PlexItem

# (level, message): a message the user must see in Stash's log, even from the detached worker.
Notify = Callable[[str, str], None]


class StashPort(Protocol):
    # Monotonic time of the first request left unanswered since Stash last answered; None while
    # Stash answers (the detached worker ends when Stash stays silent).
    silent_since: float | None

    def scenes_by_id(self, ids: list[int]) -> SceneFetch: ...

    def image(self, url: str) -> bytes | None: ...

    def keep_login(self, now: float) -> None: ...

    def scene_versions(self, scene_filter: dict[str, Any] | None = None
                       ) -> Iterator[list[tuple[int, str]]]: ...

    def latest_update(self) -> str | None: ...

    def iter_scenes(self, page_size: int = 1000) -> Iterator[dict[str, Any]]: ...


class PlexPort(Protocol):
    def check(self) -> str: ...

    def sections(self, refresh: bool = False) -> list[Section]: ...

    def listing(self, section: Section, since: int | None = None
                ) -> Iterator[list[ListedItem]]: ...

    def count(self, section: Section) -> int: ...

    def item_parts(self, rating_keys: list[str]) -> dict[str, ListedItem]: ...

    def fetch_items(self, rating_keys: list[str]) -> dict[str, PlexItem | Exception]: ...

    def edit(self, edit: Edit) -> list[str]: ...

    def rate(self, rating_key: str, rating: float | None) -> None: ...

    def upload(self, rating_key: str, kind: str, data: bytes) -> None: ...

    def scan(self, plex_folder: str) -> bool: ...

    def identify(self) -> str: ...

    def machine_identifier(self) -> str: ...

    def can_edit(self) -> bool: ...
