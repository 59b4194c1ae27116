"""The edit the field plan produces: plain data the Plex adapter encodes into one PUT."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

from sync.item import Actor
from sync.ownership import Owned

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
    locks: dict[str, bool]  # field or tag type -> locked; an edit's lock travels with its PUT
    fields: dict[str, str]
    tags: dict[str, list[str]]
    remove: dict[str, list[str]]
    actors: list[Actor] | None
    rating: float | None | _Unset
    images: list[ImageRef]
    written: Owned  # what PlexSync owns on the item once this edit is written
    skipped: list[str]

    @property
    def rating_changed(self) -> bool:
        return self.rating is not UNSET

    @property
    def empty(self) -> bool:
        """Nothing to PUT, no rating change and no image to consider."""
        changes = (self.fields, self.tags, self.remove, self.locks, self.images)
        return not any(changes) and self.actors is None and not self.rating_changed
