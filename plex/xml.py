"""Every Plex XML element PlexSync reads, turned into plain data (sync/item.py, sync/matching.py,
plex/sections.py): the identity answer, the library sections, listing pages and full items.

Full items come from GET /library/metadata/{ids}, never from a listing, whose tag lists Plex
truncates; a listing is read for ratingKey and each Part's file and size only.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree import ElementTree
from xml.etree.ElementTree import Element

from plex.sections import Section
from sync.index_refresh import ListedItem
from sync.item import Actor, PlexItem
from sync.matching import IndexEntry

FIELDS = (
    "title", "titleSort", "studio", "summary", "contentRating",
    "originallyAvailableAt", "year", "userRating",
)
# XML element name -> tag type name used in edits.
TAG_ELEMENTS = {"Genre": "genre", "Collection": "collection", "Label": "label"}


def identity(body: bytes) -> tuple[str, str | None]:
    """(root element name, machineIdentifier of a MediaContainer) of an /identity answer;
    raises ElementTree.ParseError when it is not well-formed XML."""
    root = ElementTree.fromstring(body)
    machine = root.get("machineIdentifier") if root.tag == "MediaContainer" else None
    return root.tag, machine or None


def sections(container: Element) -> list[Section]:
    """GET /library/sections: every section with a numeric key."""
    found = []
    for directory in container.findall("Directory"):
        key = directory.get("key", "")
        if not key.isdigit():
            continue
        found.append(Section(
            key=int(key),
            title=directory.get("title", ""),
            type=directory.get("type", ""),
            locations=tuple(loc.get("path", "") for loc in directory.findall("Location")),
            scanned_at=directory.get("scannedAt") or directory.get("updatedAt") or "",
        ))
    return found


def listing_page(container: Element, section_key: int) -> tuple[list[ListedItem], int, int]:
    """One page of a section's listing: its items, how many it held, and the listing's total
    size."""
    videos = container.findall("Video")
    items = [_listed(video, section_key) for video in videos if video.get("ratingKey")]
    total = int(container.get("totalSize") or container.get("size") or 0)
    return items, len(videos), total


def total_size(container: Element) -> int:
    """The count a size-0 page answers (python-plexapi LibrarySection.totalViewSize)."""
    return int(container.get("totalSize") or 0)


def listed_items(container: Element) -> list[ListedItem]:
    """Full items (GET /library/metadata/{ids}) read as a listing reads them."""
    return [_listed(video, int(video.get("librarySectionID") or 0))
            for video in container.findall("Video") if video.get("ratingKey")]


def _listed(video: Element, section_key: int) -> ListedItem:
    rating_key = video.get("ratingKey", "")
    added = video.get("addedAt", "")
    return ListedItem(rating_key, section_key, int(added) if added.isdigit() else None,
                      tuple(_parts(video, rating_key, section_key)))


def _parts(video: Element, rating_key: str, section_key: int) -> Iterator[IndexEntry]:
    for part in video.iter("Part"):
        file = part.get("file")
        if rating_key and file:
            size = part.get("size")
            yield IndexEntry(rating_key, section_key, file,
                             int(size) if size and size.isdigit() else None)


def items(container: Element) -> list[PlexItem]:
    return [item(video) for video in container.findall("Video")]


def item(video: Element) -> PlexItem:
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
