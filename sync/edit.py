"""The edit the field plan produces (plain data the Plex adapter encodes into one PUT), and the
record of what PlexSync wrote that each edit extends."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any, Literal

from sync.item import Actor

IMAGE_LOCKS: dict[Literal["poster", "art"], str] = {"poster": "thumb", "art": "art"}


class _Unset(Enum):
    UNSET = "unset"

    def __repr__(self) -> str:
        return "UNSET"


UNSET = _Unset.UNSET


@dataclass(frozen=True)
class ImageRef:
    url: str
    kind: Literal["poster", "art"]
    known: str | None = None  # hash of what PlexSync last uploaded; None: upload what comes


@dataclass(frozen=True)
class Edit:
    rating_key: str
    section_id: int
    fields: dict[str, str]
    tags: dict[str, list[str]]
    remove: dict[str, list[str]]
    actors: list[Actor] | None
    locks: dict[str, bool]
    rating: float | None | _Unset
    images: list[ImageRef]
    written: dict[str, Any]
    skipped: list[str]

    @property
    def rating_changed(self) -> bool:
        return self.rating is not UNSET

    @property
    def empty(self) -> bool:
        """Nothing to PUT, no rating change and no image to consider."""
        changes = (self.fields, self.tags, self.remove, self.locks, self.images)
        return not any(changes) and self.actors is None and not self.rating_changed


def read_written(last: dict | None) -> dict[str, Any]:
    """A previous `written` record in canonical shape; malformed parts are ignored."""
    def part(key: str) -> dict[str, Any]:
        value = last.get(key) if isinstance(last, dict) else None
        return value if isinstance(value, dict) else {}

    def texts(values: dict[str, Any]) -> dict[str, str]:
        return {k: v for k, v in values.items() if isinstance(v, str)}

    return {
        "fields": texts(part("fields")),
        "tags": {k: [n for n in v if isinstance(n, str)]
                 for k, v in part("tags").items() if isinstance(v, list)},
        "actor_thumbs": texts(part("actor_thumbs")),
        "images": {kind: {"url": None, "hash": None, **texts(slot)}
                   for kind, slot in part("images").items()
                   if kind in IMAGE_LOCKS and isinstance(slot, dict)},
    }
