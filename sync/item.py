"""A Plex item's current metadata as plain data: the other input of the field plan.

Read from a full item (GET /library/metadata/{ids}), never from a listing, whose tag lists
Plex truncates.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.etree.ElementTree import Element

FIELDS = (
    "title", "titleSort", "studio", "summary", "contentRating",
    "originallyAvailableAt", "year", "userRating",
)
# XML element name -> tag type name used in edits.
TAG_ELEMENTS = {"Genre": "genre", "Collection": "collection", "Label": "label"}


@dataclass(frozen=True)
class Actor:
    tag: str
    role: str = ""
    thumb: str = ""


@dataclass(frozen=True)
class PlexItem:
    rating_key: str
    section_id: int
    fields: dict[str, str]
    tags: dict[str, list[str]]
    actors: list[Actor]
    locked: frozenset[str]
    files: list[str]


def parse_item(video: Element) -> PlexItem:
    """Read one full `<Video>` element; raises ValueError without ratingKey or section id."""
    rating_key = video.get("ratingKey", "").strip()
    if not rating_key:
        raise ValueError("Plex item has no ratingKey")
    section = video.get("librarySectionID", "").strip()
    if not section.isdigit():
        raise ValueError(f"Plex item {rating_key} has no librarySectionID")
    return PlexItem(
        rating_key=rating_key,
        section_id=int(section),
        fields={name: video.get(name, "") for name in FIELDS},
        tags={
            kind: [child.get("tag", "") for child in video.findall(element) if child.get("tag")]
            for element, kind in TAG_ELEMENTS.items()
        },
        actors=[
            Actor(role.get("tag", ""), role.get("role", ""), role.get("thumb", ""))
            for role in video.findall("Role")
            if role.get("tag")
        ],
        locked=frozenset(
            field.get("name", "")
            for field in video.findall("Field")
            if field.get("locked") == "1" and field.get("name")
        ),
        files=[
            part.get("file", "")
            for part in video.findall("Media/Part")
            if part.get("file")
        ],
    )
