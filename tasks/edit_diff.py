"""What an edit would change on one Plex item, field by field, for a person to read (Preview
in the Plex tab). Pure: the item as Plex has it and the planned edit in, rows out."""

from __future__ import annotations

from typing import Any

from sync.edit import UNSET, Edit
from sync.item import PlexItem
from validation.clean import fold

LABELS = {
    "title": "Title", "titleSort": "Sort title", "summary": "Summary", "studio": "Studio",
    "originallyAvailableAt": "Release date", "year": "Year", "contentRating": "Content rating",
    "userRating": "User rating", "genre": "Genres", "collection": "Collections",
    "label": "Labels", "actor": "Actors", "poster": "Poster", "art": "Background art",
}
_LISTS = ("genre", "collection", "label")  # actors are a list of their own (Edit.actors)

Row = dict[str, Any]


def changes(item: PlexItem, edit: Edit) -> list[Row]:
    """One row per field the edit changes: what Plex has, what it gets from Stash."""
    rows = [_row(name, item.fields.get(name, ""), value) for name, value in edit.fields.items()]
    if edit.rating is not UNSET:
        rating = "" if edit.rating is None else f"{edit.rating:g}"
        rows.append(_row("userRating", item.fields.get("userRating", ""), rating))
    for kind in _LISTS:
        if kind in edit.tags:  # the complete list Plex will hold (its removals come with it)
            rows.append(_list_row(kind, item.tags.get(kind, []), edit.tags[kind]))
    if edit.actors is not None:
        rows.append(_list_row("actor", [a.tag for a in item.actors],
                              [a.tag for a in edit.actors]))
    for image in edit.images:
        rows.append({**_row(image.kind, None, "Stash's cover"),
                     "note": "uploaded if it differs from the picture Plex has"})
    if not rows and edit.locks:
        names = sorted(LABELS.get(name, name) for name, on in edit.locks.items() if on)
        rows.append({**_row("locks", None, None),
                     "note": f"locks {', '.join(names)} so Plex's own refresh keeps them"})
    return rows


def _row(name: str, plex: Any, stash: Any) -> Row:
    return {"field": LABELS.get(name, name.capitalize()), "plex": plex, "stash": stash}


def _list_row(kind: str, before: list[str], after: list[str]) -> Row:
    had, gets = {fold(n) for n in before}, {fold(n) for n in after}
    return {**_row(kind, before, after),
            "added": [n for n in after if fold(n) not in had],
            "removed": [n for n in before if fold(n) not in gets]}

